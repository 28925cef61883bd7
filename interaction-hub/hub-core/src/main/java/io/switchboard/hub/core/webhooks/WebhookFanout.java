package io.switchboard.hub.core.webhooks;

import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.WebhookStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns hub events into webhook deliveries (docs/webhooks.md).
 *
 * <ul>
 *   <li>Interaction events come from {@code interaction_transitions}, read by commit order like the report job
 *       (every {@code poll}, one node at a time): the first transition is {@code interaction.created}; to
 *       {@code offered}, {@code assigned}; to {@code ended} or {@code abandoned}, {@code interaction.ended} with the
 *       disposition. Their deliveries are written in the same transaction that moves the horizon, so none is lost
 *       or doubled. While no active subscription wants any of these events the transitions are not even read: each
 *       poll then costs the same few statements however many contacts went by.</li>
 *   <li>{@code message.received}, {@code customer.merged} (relayed from the outbox) and {@code message.sent} (a
 *       reply's status became {@code sent}) and {@code csat.answered} come from this node's event bus, where each is
 *       published once in the cluster; the event id keeps a repeat from being delivered twice. Each poll also reads
 *       which events active subscriptions want; an event nobody wanted at the last look is held until the next one
 *       (no statement) and written then if a subscription, created on any node meanwhile, wants it.</li>
 * </ul>
 */
public final class WebhookFanout extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WebhookFanout.class);
  /** Event bus address of an answered survey ({@code interactionId, customerId, rating, comment}). */
  public static final String CSAT_ANSWERED = io.switchboard.hub.api.event.HubEvents.CSAT_ANSWERED;

  /** The events made from transitions ({@link #fromTransitions}). */
  static final List<String> TRANSITION_EVENTS = List.of("interaction.created", "interaction.offered", "interaction.assigned",
      "interaction.ended");

  private final Database db;
  private final WebhookStore store;
  private final Duration poll;
  /** Held events at most; past it an event is written at once (a statement, as without holding). */
  static final int MAX_SKIPPED = 10_000;

  private record Skipped(String event, String eventId, JsonObject body) {}

  private long timer;
  /** The events active subscriptions wanted at the last look; null: unknown (each event is written at once). */
  private java.util.Set<String> wanted;
  /** Events held since the last look because no subscription wanted them then. */
  private List<Skipped> skipped = new java.util.ArrayList<>();
  private boolean refreshing;
  private Future<Integer> running;
  /** Deliveries being written (on this verticle's context only): a look and a stop wait for them. */
  private final java.util.Set<Future<Void>> writing = new java.util.HashSet<>();

  public WebhookFanout(Database db, WebhookStore store, Duration poll) {
    this.db = db;
    this.store = store;
    this.poll = poll;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.MESSAGE_RECEIVED, m -> relayed("message.received", m.body()));
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.CUSTOMER_MERGED, m -> relayed("customer.merged", m.body()));
    vertx.eventBus().<JsonObject>localConsumer(CSAT_ANSWERED, m -> relayed("csat.answered", m.body()));
    vertx.eventBus().<JsonObject>localConsumer(MessageService.MESSAGE_STATUS_CHANGED, m -> {
      JsonObject b = m.body();
      if (b != null && "sent".equals(b.getString("status"))) {
        emit("message.sent", "message-sent:" + b.getString("messageId"), Instant.now(),
            new JsonObject().put("messageId", b.getString("messageId")).put("interactionId", b.getString("interactionId")));
      }
    });
    timer = vertx.setPeriodic(poll.toMillis(), id -> tick());
    tick();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    // Held events a subscription wants now, and events being written, are written before the node goes.
    return refreshWanted().compose(x -> running == null ? Future.succeededFuture() : running.otherwiseEmpty())
        .compose(x -> written());
  }

  private void relayed(String event, JsonObject body) {
    if (body == null) {
      return;
    }
    JsonObject data = body.copy();
    String eventId = data.getString("eventId");
    Instant at = parse(data.getString("occurredAt"));
    data.remove("eventId");
    data.remove("type");
    data.remove("occurredAt");
    emit(event, eventId != null ? eventId : event + ":" + UUID.randomUUID(), at, data);
  }

  private void emit(String event, String eventId, Instant at, JsonObject data) {
    JsonObject body = WebhookService.envelope(event, eventId, at, data);
    if (wanted != null && !wanted.contains(event) && skipped.size() < MAX_SKIPPED) {
      // No active subscription wanted it at the last look: held until the next look instead of a statement now.
      skipped.add(new Skipped(event, eventId, body));
      return;
    }
    write(event, eventId, body);
  }

  /** Writes an event's deliveries; completes when written or when that failed (logged), never failed. */
  private Future<Void> write(String event, String eventId, JsonObject body) {
    Future<Void> w = store.fanOut(db.pool(), event, eventId, body, null)
        .onSuccess(n -> {
          if (n > 0) {
            WebhookDispatcher.wake(vertx);
          }
        })
        .onFailure(e -> log.atWarn().setCause(e).addKeyValue("event", event).addKeyValue("eventId", eventId)
            .log("webhook deliveries for an event could not be written"))
        .<Void>mapEmpty()
        .otherwiseEmpty();
    if (!w.isComplete()) {
      writing.add(w);
      w.onComplete(x -> writing.remove(w));
    }
    return w;
  }

  /** Completes once every delivery write asked for so far is done. */
  private Future<Void> written() {
    return writing.isEmpty() ? Future.succeededFuture() : Future.all(List.copyOf(writing)).mapEmpty();
  }

  private void tick() {
    if (!refreshing) {
      refreshWanted();
    }
    if (running != null && !running.isComplete()) {
      return;
    }
    pollHere();
  }

  /**
   * Reads which events active subscriptions want (one statement, every poll), then writes the held events one now wants:
   * each was held before this read began, so a subscription that existed when it happened is seen here and gets it (a
   * subscription created meanwhile may also get an event of the moment before it). On a failed read nothing is held
   * (every event is written at once, as without this) and the held ones are written now. The writes it starts are
   * among those {@link #written} waits for.
   */
  private Future<Void> refreshWanted() {
    refreshing = true;
    List<Skipped> held = skipped;
    skipped = new java.util.ArrayList<>();
    return store.wantedEvents(db.pool()).map(w -> {
      wanted = w;
      held.stream().filter(h -> w.contains(h.event())).forEach(h -> write(h.event(), h.eventId(), h.body()));
      return (Void) null;
    }).recover(e -> {
      wanted = null;
      log.atWarn().setCause(e).log("could not read which webhook events are wanted; writing each event's deliveries at once");
      held.forEach(h -> write(h.event(), h.eventId(), h.body()));
      return Future.<Void>succeededFuture();
    }).onComplete(x -> refreshing = false);
  }

  /**
   * Reads which events are wanted (writing held events now wanted), then the transitions committed since the last poll
   * into deliveries (none read while no active subscription wants an interaction event), after the poll running now if
   * any; completes with the transitions handled, once every delivery asked for before it completes is written. For
   * tests.
   */
  Future<Integer> poll() {
    io.vertx.core.Promise<Integer> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> refreshWanted().compose(y -> running == null ? pollHere() : running.transform(x -> pollHere()))
        .compose(n -> written().map(n))
        .onComplete(done));
    return done.future();
  }

  private Future<Integer> pollHere() {
    if (running != null && !running.isComplete()) {
      return running;
    }
    running = store.newTransitions(db, TRANSITION_EVENTS, WebhookFanout::fromTransitions).onSuccess(n -> {
      if (n > 0) {
        WebhookDispatcher.wake(vertx);
      }
    }).onFailure(e -> log.atWarn().setCause(e).log("webhook events from transitions failed; trying again"));
    return running;
  }

  /**
   * The webhook event of each state change: created, offered, assigned or ended ({@link #TRANSITION_EVENTS}), with its
   * interaction's facts.
   */
  private static List<WebhookStore.Event> fromTransitions(List<WebhookStore.TransitionEvent> transitions) {
    List<WebhookStore.Event> events = new java.util.ArrayList<>(transitions.size());
    for (WebhookStore.TransitionEvent t : transitions) {
      String event = t.fromState() == null ? "interaction.created" : switch (t.toState()) {
        case "offered" -> "interaction.offered";
        case "assigned" -> "interaction.assigned";
        default -> "interaction.ended";
      };
      JsonObject data = new JsonObject().put("interactionId", t.interactionId().toString())
          .put("conversationId", t.conversationId().toString()).put("customerId", t.customerId().toString())
          .put("channel", t.channel()).put("queue", t.queueId()).put("state", t.toState())
          .put("agentId", t.agentId() == null ? null : t.agentId().toString());
      if (event.equals("interaction.ended")) {
        data.put("disposition", t.disposition()).put("endReason", t.endReason());
      }
      String eventId = "transition:" + t.id();
      events.add(new WebhookStore.Event(event, eventId, WebhookService.envelope(event, eventId, t.at(), data)));
    }
    return events;
  }

  private static Instant parse(String s) {
    try {
      return s == null ? Instant.now() : Instant.parse(s);
    } catch (RuntimeException e) {
      return Instant.now();
    }
  }
}
