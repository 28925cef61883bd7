package io.switchboard.hub.app.channels;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.app.http.OversizedFrameDrain;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.MailSender;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.core.messaging.AdapterDirectory;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.LeaseStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel adapters on the classpath (found with {@link ServiceLoader}), each started with a context of
 * its own: the intake, its settings ({@code channels.<name>} in switchboard.yaml), its secrets
 * ({@code SWITCHBOARD_<NAME>_<SECRET>} from the environment), its HTTP endpoints under
 * {@code /channels/<name>}, delivery status updates and conversation reads ({@link AdapterContext}, one per adapter).
 * This class finds, starts and stops the adapters, serves their endpoints, forwards call lifecycle events to
 * live-session adapters, and is the directory the delivery relay asks for the adapter that reaches a recipient. The
 * hub never switches on a channel type.
 */
public final class ChannelRuntime implements AdapterDirectory {
  private static final Logger log = LoggerFactory.getLogger(ChannelRuntime.class);

  /** Event (this node): an adapter set a message aside for supervisors ({@code adapter, source, reason}). */
  public static final String QUARANTINE_STORED = io.switchboard.hub.api.event.HubEvents.QUARANTINE_STORED;

  /** Event: a customer ended a contact ({@code interactionId, reason, abandoned, agentId, at, adapter}). */
  public static final String CUSTOMER_LEFT = io.switchboard.hub.core.interaction.CustomerDepartures.CUSTOMER_LEFT;

  private final Vertx vertx;
  private final Map<String, Map<String, Object>> settings;
  private final List<ChannelAdapter> adapters = new ArrayList<>();
  private final Map<String, ChannelHttp.RequestHandler> routes = new ConcurrentHashMap<>();
  private final Map<String, Handler<ServerWebSocket>> sockets = new ConcurrentHashMap<>();
  private io.switchboard.hub.api.spi.Surveys surveys = io.switchboard.hub.api.spi.Surveys.NONE;
  private final io.switchboard.hub.core.dashboard.WaitEstimates waits;
  private final AdapterContext.Parts parts;

  public ChannelRuntime(Vertx vertx, Stores stores, RoutingService routing, InboundSink intake,
      Map<String, Map<String, Object>> settings, Map<String, String> env, Supplier<String> publicUrl, LeaseStore leases,
      io.switchboard.hub.core.customer.IdentityNormalizer normalizer) {
    this.vertx = vertx;
    this.settings = settings;
    this.waits = new io.switchboard.hub.core.dashboard.WaitEstimates(vertx);
    var clock = java.time.Clock.systemUTC();
    this.parts = new AdapterContext.Parts(vertx, stores, routing, intake, env, publicUrl, leases, routes, sockets,
        new io.switchboard.hub.core.interaction.CustomerDepartures(vertx, stores, routing, clock),
        new io.switchboard.hub.core.interaction.InteractionAttributes(vertx, stores, clock),
        new io.switchboard.hub.core.interaction.ChannelLookups(stores, normalizer),
        new io.switchboard.hub.core.quarantine.QuarantineService(stores),
        new io.switchboard.hub.core.messaging.DeliveryStatuses(vertx, stores),
        new io.switchboard.hub.core.messaging.ChannelConversations(stores, routing, waits),
        () -> surveys, this::mailSender);
  }

  /** Finds and starts every adapter; a failed start fails the hub with the adapter's message. */
  public Future<List<String>> start() {
    List<ChannelAdapter> found = new ArrayList<>();
    for (ChannelAdapter a : ServiceLoader.load(ChannelAdapter.class)) {
      found.add(a);
    }
    Map<String, ChannelAdapter> byName = new LinkedHashMap<>();
    for (ChannelAdapter a : found) {
      if (byName.putIfAbsent(a.name(), a) != null) {
        return Future.failedFuture(new IllegalStateException("two channel adapters are named '" + a.name() + "'"));
      }
    }
    for (String configured : settings.keySet()) {
      if (!byName.containsKey(configured)) {
        return Future.failedFuture(new io.switchboard.hub.app.config.ConfigException(
            "switchboard.yaml: channels." + configured + ": no channel adapter of that name (found: " + byName.keySet() + ")"));
      }
    }
    Future<Void> chain = Future.succeededFuture();
    for (ChannelAdapter a : found) {
      chain = chain.compose(x -> a.start(context(a))
          .recover(e -> Future.failedFuture(new IllegalStateException("channel adapter '" + a.name() + "' did not start: " + e.getMessage(), e)))
          .onSuccess(y -> {
            adapters.add(a);
            log.atInfo().addKeyValue("adapter", a.name()).addKeyValue("channel", a.channel().wireName()).log("channel adapter started");
          }));
    }
    return chain.map(x -> {
      forwardLifecycleEvents();
      return adapters.stream().map(ChannelAdapter::name).toList();
    });
  }

  /**
   * Live-session adapters (voice) hear what happens to their interactions: offers made, withdrawn and accepted,
   * transfers. The events come from every node ({@code cluster.*}); an adapter acts only on the calls it holds.
   */
  private void forwardLifecycleEvents() {
    List<ChannelAdapter> live = adapters.stream().filter(a -> a.kind() == ChannelAdapter.Kind.LIVE_SESSION).toList();
    if (live.isEmpty()) {
      return;
    }
    var bus = vertx.eventBus();
    bus.<JsonObject>consumer(io.switchboard.hub.core.cluster.ClusterEvents.address(RoutingService.OFFER_CREATED), m -> {
      JsonObject b = m.body();
      tell(live, b.getString("channel"), () -> new io.switchboard.hub.api.spi.InteractionLifecycleEvent.Offered(
          InteractionId.parse(b.getString("interactionId")), io.switchboard.hub.api.AgentId.parse(b.getString("agentId")),
          b.getString("queue")));
    });
    bus.<JsonObject>consumer(io.switchboard.hub.core.cluster.ClusterEvents.address(RoutingService.OFFER_WITHDRAWN), m -> {
      JsonObject b = m.body();
      tell(live, null, () -> new io.switchboard.hub.api.spi.InteractionLifecycleEvent.Withdrawn(
          InteractionId.parse(b.getString("interactionId")),
          b.getString("agentId") == null ? null : io.switchboard.hub.api.AgentId.parse(b.getString("agentId")), b.getString("reason")));
    });
    bus.<JsonObject>consumer(io.switchboard.hub.core.cluster.ClusterEvents.address(
        io.switchboard.hub.core.routing.TransferService.INTERACTION_TRANSFERRED), m -> {
      JsonObject b = m.body();
      tell(live, null, () -> new io.switchboard.hub.api.spi.InteractionLifecycleEvent.Transferred(
          InteractionId.parse(b.getString("interactionId")), b.getString("toQueue"),
          b.getString("toAgentId") == null ? null : io.switchboard.hub.api.AgentId.parse(b.getString("toAgentId"))));
    });
    bus.<JsonObject>consumer(io.switchboard.hub.core.cluster.ClusterEvents.address(RoutingService.OFFER_ACCEPTED), m -> {
      JsonObject b = m.body();
      tell(live, null, () -> new io.switchboard.hub.api.spi.InteractionLifecycleEvent.Accepted(
          InteractionId.parse(b.getString("interactionId")), io.switchboard.hub.api.AgentId.parse(b.getString("agentId"))));
    });
  }

  private void tell(List<ChannelAdapter> live, String channel, Supplier<io.switchboard.hub.api.spi.InteractionLifecycleEvent> event) {
    io.switchboard.hub.api.spi.InteractionLifecycleEvent e;
    try {
      e = event.get();
    } catch (RuntimeException bad) {
      log.atWarn().setCause(bad).log("ignoring a lifecycle event with missing or malformed ids");
      return;
    }
    for (ChannelAdapter a : live) {
      if (channel != null && !a.channel().wireName().equals(channel)) {
        continue;
      }
      a.onInteractionEvent(e).onFailure(f -> log.atWarn().setCause(f).addKeyValue("adapter", a.name())
          .addKeyValue("interactionId", e.interactionId()).log("adapter did not handle a lifecycle event"));
    }
  }

  /** Stops every adapter (failures are logged, not thrown). */
  public Future<Void> stop() {
    waits.close();
    List<Future<Void>> all = new ArrayList<>();
    for (ChannelAdapter a : adapters) {
      all.add(a.stop().recover(e -> {
        log.atWarn().setCause(e).addKeyValue("adapter", a.name()).log("channel adapter did not stop cleanly");
        return Future.succeededFuture();
      }));
    }
    return Future.join(all).mapEmpty();
  }

  /**
   * The adapter for a recipient: by provider name for handles, else the first adapter of the channel that can
   * send at all (an email adapter without a sending mailbox does not hide another), else the first of the channel.
   */
  @Override
  public Optional<ChannelAdapter> forRecipient(Channel channel, SenderAddress recipient) {
    ChannelAdapter fallback = null;
    for (ChannelAdapter a : adapters) {
      if (a.channel() != channel) {
        continue;
      }
      if (recipient.kind() != IdentityKind.HANDLE || a.name().equals(recipient.provider())) {
        if (a.sendReadiness(Map.of()).canSend()) {
          return Optional.of(a);
        }
        fallback = fallback == null ? a : fallback;
      }
    }
    return Optional.ofNullable(fallback);
  }

  /**
   * Hands a call-control action to the live-session adapter of the interaction's channel.
   *
   * @throws io.switchboard.hub.api.error.ConflictException (failed future) when no running adapter controls calls of
   *     that channel
   */
  public Future<Void> control(Channel channel, InteractionId interaction, io.switchboard.hub.api.spi.CallAction action,
      io.switchboard.hub.api.AgentId by) {
    for (ChannelAdapter a : adapters) {
      if (a.channel() == channel && a.kind() == ChannelAdapter.Kind.LIVE_SESSION) {
        return a.control(interaction, action, by);
      }
    }
    return Future.failedFuture(new io.switchboard.hub.api.error.ConflictException(
        "interaction " + interaction + " is not a call (channel " + channel.wireName() + ")"));
  }

  /**
   * Satisfaction surveys for the adapters ({@link ChannelContext#surveys()}); set before {@link #start()}, none by
   * default.
   */
  public void surveys(io.switchboard.hub.api.spi.Surveys surveys) {
    this.surveys = java.util.Objects.requireNonNull(surveys, "surveys");
  }

  /** The first running adapter's mail sender (the email adapter's), looked up when asked. */
  public MailSender mailSender() {
    for (ChannelAdapter a : adapters) {
      MailSender sender = a.mailSender();
      if (sender != null) {
        return sender;
      }
    }
    return MailSender.NONE;
  }

  /** First handler on {@code /channels/:adapter/*}: WebSocket upgrades go to the adapter before any body is read. */
  public void upgrade(RoutingContext ctx) {
    Handler<ServerWebSocket> socket = sockets.get(key(ctx));
    if (socket != null && "websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      ctx.request().toWebSocket().onSuccess(ws -> {
        OversizedFrameDrain.install(ctx.request());
        socket.handle(ws);
      }).onFailure(ctx::fail);
      return;
    }
    ctx.next();
  }

  /** Last handler on {@code /channels/:adapter/*}, after the body handler: the adapter's route, or 404. */
  public void handle(RoutingContext ctx) {
    ChannelHttp.RequestHandler route = routes.get(key(ctx));
    if (route == null) {
      ctx.next();
      return;
    }
    io.vertx.core.buffer.Buffer body = ctx.body() == null || ctx.body().buffer() == null
        ? io.vertx.core.buffer.Buffer.buffer() : ctx.body().buffer();
    route.handle(ctx.request(), body);
  }

  private static String key(RoutingContext ctx) {
    String adapter = ctx.pathParam("adapter");
    String rest = ctx.request().path().substring(("/channels/" + adapter).length());
    return adapter + " " + (rest.isEmpty() ? "/" : rest);
  }

  private ChannelContext context(ChannelAdapter adapter) {
    return new AdapterContext(parts, adapter, settings.getOrDefault(adapter.name(), Map.of()));
  }
}
