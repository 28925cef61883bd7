package io.switchboard.hub.core.cluster;

import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.redis.PubSubChannel;
import io.switchboard.hub.store.redis.RedisStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes hub events seen on every node. Routing and messaging publish their events on the event bus of the
 * node where things happen (the node that ran the matching pass, relayed the outbox row, took the HTTP
 * request); a console connected to another node must still hear of them. This verticle carries them over
 * Redis pub/sub, on one channel under the hub's key prefix ({@code <prefix>cluster:events}).
 *
 * <p>What a listener sees: for every bridged address {@code X} (by default {@link #BRIDGED}), the address
 * {@link #address(String) cluster.X} carries {@code X} from every node, this one included, with the same
 * JSON body. Local events are re-published there at once (no round trip through Redis); events of other
 * nodes arrive from Redis. A node ignores its own messages on the channel, so nothing is delivered twice.
 * The original addresses are left alone: listeners of {@code X} still see only this node's events, as they
 * always did (the routing verticle, metrics).
 *
 * <p>Delivery is at most once, as Redis pub/sub is: an event published while a node's subscription is
 * down (Redis restarting, a network cut; Lettuce reconnects and subscribes again by itself) is not seen
 * by that node. Listeners that keep state must be able to reconcile from the stores (the agent console's
 * {@code resync}). Order is kept per publishing node.
 *
 * <p>One PUBLISH carries every event this node published while the bridge's context was busy (issue #12: an offer tells
 * {@code offer.created} and {@code agent.load_changed} at once, and under load many contacts' events coincide): the
 * first event of a batch asks the context for a turn of its own, the events handed to the bridge before that turn join
 * it, and the turn sends them in one message ({@code {"node", "events": [{"address", "body"}, ...]}}; a batch of one
 * is sent as before, {@code {"node", "address", "body"}}). Nothing waits on a timer, so an event alone goes at once.
 *
 * <p>Lifecycle: {@link #start} subscribes (hub-store's {@link PubSubChannel} opens a dedicated pub/sub
 * connection) and fails when Redis does not answer; {@link #stop} closes that connection. Threading: Lettuce calls the pub/sub listener on its own
 * threads; every event is re-published from this verticle's context. Deploy it before the verticles whose
 * events should travel, so none is missed at start.
 */
public final class ClusterEvents extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);

  /** Prefix of the addresses that carry the events of every node. */
  public static final String PREFIX = HubEvents.EVERY_NODE_PREFIX;

  /**
   * Messages between the instances of one channel adapter on every node
   * ({@code {"adapter", "topic", "body"}}; see {@code io.switchboard.hub.api.spi.ChannelBroadcast}).
   */
  public static final String CHANNEL_BROADCAST = io.switchboard.hub.api.event.HubEvents.CHANNEL_BROADCAST;

  /**
   * A call's state changed (ringing, talking, on_hold, ended), as the voice adapter holding it tells the hub
   * ({@code {"interactionId", "agentId", "state", "since", "talkingSince", "recording"}}); consoles show it.
   */
  public static final String CALL_STATE = io.switchboard.hub.api.event.HubEvents.CALL_STATE;

  /**
   * The events bridged by default: what consoles, dashboards, adapters and caches on other nodes follow. Not {@code
   * routing.pass_done}: nothing listens to it from other nodes, and every pass sent its figures as a JSON encoding, a
   * PUBLISH and, on every node, a message parsed and handed to a context for nobody (issue #12, {@code
   * ClusterTrafficTest}). Not {@code interaction.queued} either, for the same reason and once per contact: the router
   * queues and matches from its own node's event, consoles and live-session adapters (voice) follow offers, transfers
   * and the customer leaving, never queueing; a voice call taken over by another node is found again from PostgreSQL.
   */
  public static final List<String> BRIDGED = List.of(
      RoutingService.OFFER_CREATED,
      RoutingService.OFFER_WITHDRAWN,
      RoutingService.OFFER_ACCEPTED,
      RoutingService.AGENT_STATE_CHANGED,
      RoutingService.AGENT_LOAD_CHANGED,
      RoutingService.AGENT_ENDED,
      io.switchboard.hub.core.routing.TransferService.INTERACTION_TRANSFERRED,
      io.switchboard.hub.core.routing.TransferService.INTERACTION_MOVED,
      MessageService.MESSAGE_CREATED,
      MessageService.MESSAGE_STATUS_CHANGED,
      HubEvents.MESSAGE_RECEIVED,
      HubEvents.CUSTOMER_TYPING,
      HubEvents.AGENT_TYPING,
      io.switchboard.hub.core.interaction.CustomerDepartures.CUSTOMER_LEFT,
      CHANNEL_BROADCAST,
      CALL_STATE,
      io.switchboard.hub.core.auth.AuthService.ACCOUNT_CHANGED,
      HubEvents.API_KEY_REVOKED,
      HubEvents.SESSIONS_LOST);

  private final Set<String> addresses;
  private final PubSubChannel channel;
  private final String nodeId = UUID.randomUUID().toString();
  private volatile Context home;
  /** This node's events waiting for the bridge's next turn (touched on its context only). */
  private final List<JsonObject> pending = new java.util.ArrayList<>();

  /** The most events one PUBLISH carries. */
  static final int MAX_BATCH = 256;

  /** Bridges {@link #BRIDGED}. */
  public ClusterEvents(RedisStore redis) {
    this(redis, BRIDGED);
  }

  /** Bridges the given event bus addresses (whose bodies are JSON objects). */
  public ClusterEvents(RedisStore redis, List<String> addresses) {
    this.addresses = Set.copyOf(addresses);
    this.channel = new PubSubChannel(redis, "cluster:events");
  }

  /** The address on which {@code event} arrives from every node: {@code cluster.<event>}. */
  public static String address(String event) {
    return HubEvents.everyNode(event);
  }

  /** This node's id on the channel (random per start). */
  public String nodeId() {
    return nodeId;
  }

  @Override
  public Future<?> start() {
    home = context;
    for (String address : addresses) {
      vertx.eventBus().localConsumer(address, m -> {
        if (m.body() instanceof JsonObject body) {
          fromThisNode(address, body);
        }
      });
    }
    return channel.subscribe(context, this::fromChannel)
        .onSuccess(x -> log.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("channel", channel.name())
            .addKeyValue("events", addresses.size()).log("cluster events bridged over Redis"));
  }

  @Override
  public Future<?> stop() {
    flush();
    return channel.close(context)
        .recover(e -> {
          log.atWarn().setCause(e).log("cluster events subscription did not close cleanly");
          return Future.succeededFuture();
        });
  }

  private void fromThisNode(String address, JsonObject body) {
    vertx.eventBus().publish(address(address), body);
    pending.add(new JsonObject().put("address", address).put("body", body));
    if (pending.size() >= MAX_BATCH) {
      flush();
    } else if (pending.size() == 1) {
      context.runOnContext(v -> flush());
    }
  }

  /** Sends the events pending, in the order published, in one message. */
  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    JsonObject envelope = pending.size() == 1 ? pending.get(0).copy().put("node", nodeId)
        : new JsonObject().put("node", nodeId).put("events", new JsonArray(new java.util.ArrayList<>(pending)));
    int events = pending.size();
    String first = pending.get(0).getString("address");
    pending.clear();
    channel.publish(envelope.encode()).onFailure(e -> log.atWarn().setCause(e).addKeyValue("event", first).addKeyValue("events", events)
        .log("could not publish events to the other hub nodes; their consoles reconcile on resync"));
  }

  /** On a Lettuce thread. */
  private void fromChannel(String message) {
    JsonObject envelope;
    try {
      envelope = new JsonObject(message);
    } catch (DecodeException e) {
      log.atWarn().addKeyValue("channel", channel.name()).log("ignoring a message on the cluster channel that is not JSON");
      return;
    }
    String node = envelope.getValue("node") instanceof String s ? s : null;
    if (node != null && node.equals(nodeId)) {
      return;
    }
    List<JsonObject> events = new java.util.ArrayList<>();
    if (envelope.getValue("events") instanceof JsonArray batch) {
      batch.forEach(e -> events.add(e instanceof JsonObject o ? o : new JsonObject()));
    } else {
      events.add(envelope);
    }
    List<Runnable> deliveries = new java.util.ArrayList<>();
    for (JsonObject event : events) {
      String address = event.getValue("address") instanceof String s ? s : null;
      JsonObject body = event.getValue("body") instanceof JsonObject b ? b : null;
      if (node == null || address == null || body == null) {
        log.atWarn().addKeyValue("channel", channel.name()).log("ignoring a message on the cluster channel without node, address and body");
        continue;
      }
      if (addresses.contains(address)) {
        deliveries.add(() -> vertx.eventBus().publish(address(address), body));
      }
    }
    Context ctx = home;
    if (ctx != null && !deliveries.isEmpty()) {
      ctx.runOnContext(v -> deliveries.forEach(Runnable::run));
    }
  }
}
