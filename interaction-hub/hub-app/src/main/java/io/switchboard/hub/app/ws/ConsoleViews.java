package io.switchboard.hub.app.ws;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Identity;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.core.customer.CustomerView;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console's frames carry, read through hub-core ({@link InteractionQueries}, {@link RoutingService}) and put
 * in the protocol's shape: an offer with its customer context (one statement), the snapshot of an agent's state and
 * work, and a message of an interaction with the agent it belongs to. Every read is done once per event and node,
 * whatever the number of sockets.
 */
final class ConsoleViews {
  private static final Logger log = LoggerFactory.getLogger(ConsoleViews.class);
  static final int PREVIEW_CHARS = 200;
  private static final int ASSIGNED_LIMIT = 100;

  /** A message frame, the agent whose consoles get it (null when nobody works it) and its interaction. */
  record Routed(String agentId, JsonObject frame) {
    String interactionId() {
      return frame.getString("interactionId");
    }
  }

  private final RoutingService routing;
  private final InteractionQueries interactions;
  private final Clock clock;

  ConsoleViews(RoutingService routing, InteractionQueries interactions, Clock clock) {
    this.routing = routing;
    this.interactions = interactions;
    this.clock = clock;
  }

  /**
   * The body of an {@code offer} frame, read in one statement. Never fails: when the context cannot be read, the offer
   * still goes out with what the event says (the agent can accept it and read the customer later); when only the
   * customer row is missing, with {@code customer} null.
   */
  Future<JsonObject> offer(String interactionId, String channel, String expiresAt) {
    JsonObject minimal = new JsonObject().put("interactionId", interactionId).put("channel", channel)
        .put("queue", null).put("expiresAt", expiresAt).put("waitedMs", null).put("customer", null)
        .put("subject", null).put("preview", null);
    InteractionId id;
    try {
      id = InteractionId.parse(interactionId);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(minimal);
    }
    return interactions.offerContext(id).map(found -> {
      if (found.isEmpty()) {
        return minimal;
      }
      InteractionQueries.OfferContext o = found.get();
      Interaction i = o.interaction();
      return new JsonObject()
          .put("interactionId", interactionId)
          .put("channel", i.channel().wireName())
          .put("queue", i.queueId())
          .put("expiresAt", expiresAt)
          .put("waitedMs", Math.max(0, Duration.between(o.waitingSince(), clock.instant()).toMillis()))
          .put("customer", o.customer() == null ? null : customer(o.customer()))
          .put("subject", i.subject())
          .put("preview", preview(o.messages()))
          .put("transfer", o.transfer() == null ? null : transferView(o))
          // What the customer told us before (pre-chat answers, the page, IVR answers) and why it came here.
          .put("context", new JsonObject(new LinkedHashMap<String, Object>(i.attributes())))
          .put("routing", InteractionQueries.routingSummary(o.classification()));
    }).recover(e -> {
      log.atWarn().setCause(e).addKeyValue("interactionId", interactionId)
          .log("could not read an offer's customer context; the offer goes out without it");
      return Future.succeededFuture(minimal);
    });
  }

  /** The body of a {@code snapshot} frame: the agent's state, live offers (with context) and its work. */
  Future<JsonObject> snapshot(AgentId agent) {
    Future<RoutingState.AgentLive> state = routing.agentState(agent);
    Future<List<JsonObject>> offers = routing.offersFor(agent).compose(list -> {
      List<Future<JsonObject>> views = new ArrayList<>();
      for (RoutingState.Offer o : list) {
        views.add(offer(o.interactionId(), o.channel(), o.expiresAt().toString()));
      }
      return Future.all(views).map(all -> all.<JsonObject>list());
    });
    Future<List<Interaction>> work = interactions.workOf(agent, ASSIGNED_LIMIT);
    return Future.all(state, offers, work).map(x -> {
      RoutingState.AgentLive live = state.result();
      JsonArray assigned = new JsonArray();
      work.result().forEach(i -> assigned.add(assigned(i)));
      return new JsonObject()
          .put("state", live.state())
          .put("reason", live.reason())
          .put("since", live.since() == null ? null : live.since().toString())
          .put("capacity", new JsonObject(new LinkedHashMap<>(live.capacity())))
          .put("load", new JsonObject(new LinkedHashMap<>(live.load())))
          .put("offers", new JsonArray(new ArrayList<>(offers.result())))
          .put("assigned", assigned);
    });
  }

  /**
   * A {@code message} frame with the agent working its interaction (assigned or in wrap-up), or a null agent
   * when nobody works it (then only supervisors watching the interaction get it); empty for a message
   * outside any interaction or one that cannot be found.
   */
  Future<Optional<Routed>> message(String messageId) {
    return messageAndWorker(messageId).map(found -> found.map(mw -> new Routed(worker(mw), Frames.of("message")
        .put("interactionId", mw.message().interactionId().toString())
        .put("messageId", mw.message().id().toString())
        .put("direction", mw.message().direction().wireName())
        .put("text", text(mw.message().content()))
        .put("content", io.switchboard.hub.app.http.ApiJson.content(mw.message().content()))
        .put("providerMessageId", mw.message().providerMessageId())
        .put("at", mw.message().createdAt() == null ? null : mw.message().createdAt().toString())
        .put("status", mw.message().status().wireName())
        .put("agentId", mw.message().agentId() == null ? null : mw.message().agentId().toString()))));
  }

  /** A {@code message_status} frame for the agent working the message's interaction (null agent: nobody). */
  Future<Optional<Routed>> messageStatus(String messageId, String status, String reason) {
    return messageAndWorker(messageId).map(found -> found.map(mw -> new Routed(worker(mw), Frames.of("message_status")
        .put("interactionId", mw.message().interactionId().toString())
        .put("messageId", messageId)
        .put("status", status)
        .put("reason", reason)
        .put("providerMessageId", mw.message().providerMessageId()))));
  }

  private static String worker(InteractionQueries.MessageAndWorker mw) {
    return mw.worker() == null ? null : mw.worker().toString();
  }

  private Future<Optional<InteractionQueries.MessageAndWorker>> messageAndWorker(String messageId) {
    MessageId id;
    try {
      id = MessageId.parse(messageId);
    } catch (IllegalArgumentException | NullPointerException e) {
      return Future.succeededFuture(Optional.empty());
    }
    return interactions.messageAndWorker(id);
  }

  /** Whether the interaction exists (a supervisor may watch any interaction). */
  Future<Boolean> interactionExists(InteractionId id) {
    return interactions.find(id).map(Optional::isPresent);
  }

  /** The agent a customer's typing in this interaction goes to: the one it is assigned to now. */
  Future<Optional<AgentId>> answeringAgent(InteractionId id) {
    return interactions.answeringAgent(id);
  }

  static JsonObject customer(CustomerView v) {
    JsonArray identities = new JsonArray();
    for (Identity i : v.identities()) {
      identities.add(new JsonObject().put("kind", i.kind().wireName())
          .put("provider", i.provider().isEmpty() ? null : i.provider()).put("value", i.value()));
    }
    return new JsonObject()
        .put("id", v.customer().id().toString())
        .put("displayName", v.customer().displayName())
        .put("tier", v.customer().tier())
        .put("language", v.customer().language())
        .put("identities", identities);
  }

  private static JsonObject assigned(Interaction i) {
    return new JsonObject()
        .put("interactionId", i.id().toString())
        .put("channel", i.channel().wireName())
        .put("state", i.state().wireName())
        .put("queue", i.queueId())
        .put("subject", i.subject())
        .put("customerId", i.customerId().toString())
        .put("answeredAt", i.answeredAt() == null ? null : i.answeredAt().toString());
  }

  /** Who transferred the interaction, when, from whom, and their note. */
  static JsonObject transferView(InteractionQueries.OfferContext o) {
    JsonObject t = o.transfer();
    Interaction i = o.interaction();
    Message noteMessage = o.transferNote();
    String note = noteMessage == null ? null : text(noteMessage.content());
    return new JsonObject().put("fromAgentId", t.getString("from")).put("by", t.getString("by"))
        .put("at", t.getLong("at") == null ? null : java.time.Instant.ofEpochMilli(t.getLong("at")).toString())
        .put("toAgentId", t.getString("to")).put("note", note)
        .put("arrivedAt", i.createdAt().toString());
  }

  /** The first thing the customer wrote, as one line of plain text, cut at {@link #PREVIEW_CHARS}. */
  static String preview(List<Message> messages) {
    Message first = messages.stream().filter(m -> m.direction() == Message.Direction.INBOUND).findFirst()
        .orElse(messages.stream().filter(m -> !m.privateNote()).findFirst().orElse(null));
    if (first == null) {
      return null;
    }
    String line = text(first.content()).replaceAll("\\s+", " ").strip();
    return line.length() <= PREVIEW_CHARS ? line : line.substring(0, PREVIEW_CHARS - 1) + "…";
  }

  /** A message's content as text: the body, a media caption, or the content's summary. */
  static String text(MessageContent c) {
    return switch (c) {
      case MessageContent.Text t -> t.body();
      case MessageContent.Media m -> m.caption() != null && !m.caption().isBlank() ? m.caption() + " " + m.summary() : m.summary();
      default -> c.summary();
    };
  }
}
