package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.RoutingStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.Classification;
import io.switchboard.routing.InteractionFacts;
import io.switchboard.routing.RoutingRules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Intake into the queue: classifies a new interaction with the rules in force, records it as queued in PostgreSQL and
 * puts its waiting item in live state ({@link RoutingState}), publishing {@link HubEvents#INTERACTION_QUEUED}. Also the
 * translation from stored routing JSON to a live waiting item, shared by transfers and the reconciler.
 */
final class QueueIntake {
  private static final Logger log = LoggerFactory.getLogger(QueueIntake.class);
  private static final String INTERACTION_QUEUED = HubEvents.INTERACTION_QUEUED;

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final RulesService rules;
  private final Clock clock;

  QueueIntake(Vertx vertx, Stores stores, RoutingState live, RulesService rules, Clock clock) {
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.rules = rules;
    this.clock = clock;
  }


  /**
   * Classifies a new interaction with the rules in force and puts it in its queue. Idempotent, and safe to retry after
   * a failure: an interaction already queued in PostgreSQL whose live entry is missing (Redis failed after the commit)
   * is put back in the live waiting set at its place.
   */
  Future<Void> enqueue(InteractionId id) {
    return enqueueAll(List.of(id));
  }

  /**
   * {@link #enqueue} of several new interactions together (distinct ids): each is read with its customer and sticky
   * agent (one statement each, sent together) and classified, then those still {@code created} are queued in PostgreSQL
   * in <em>one</em> statement (one commit for the batch), then put in the live waiting set. Fails when any step fails for
   * any of them; a retry of each is safe (see {@link #enqueue}).
   */
  Future<Void> enqueueAll(List<InteractionId> ids) {
    var sql = stores.db().pool();
    RoutingRules current = rules.current();
    Instant window = clock.instant().minus(current.settings().stickyAgentWindow());
    // Each interaction, its customer (for the rules) and its sticky agent in one statement, the reads sent together;
    // then every new one queued with its transition in one autocommitted statement (issue 12: nine round trips per
    // interaction, then three, then two; now one per interaction and one for the batch).
    List<Future<Optional<RoutingStore.QueueContext>>> reads = new ArrayList<>();
    for (InteractionId id : ids) {
      reads.add(stores.routing().queueContext(sql, id, window));
    }
    return Future.all(reads).compose(x -> {
      List<Future<Void>> after = new ArrayList<>();
      List<RoutingStore.ToQueue> toQueue = new ArrayList<>();
      Map<UUID, Queued> byId = new HashMap<>();
      for (int k = 0; k < ids.size(); k++) {
        InteractionId id = ids.get(k);
        Optional<RoutingStore.QueueContext> found = reads.get(k).result();
        if (found.isPresent() && found.get().interaction().state() == InteractionState.QUEUED) {
          after.add(ensureLive(id));
          continue;
        }
        if (found.isEmpty() || found.get().interaction().state() != InteractionState.CREATED) {
          continue;
        }
        Interaction i = found.get().interaction();
        Classification cls = current.classify(facts(i, found.get().customer()), ZonedDateTime.now(clock),
            ConditionFailures.reporter(vertx, id));
        JsonObject routing = RoutingJson.classification(cls);
        toQueue.add(new RoutingStore.ToQueue(id.value(), cls.queue(), cls.priority(), routing, i.createdAt(), "rule " + cls.rule()));
        byId.put(id.value(), new Queued(id, i, cls, routing, found.get().stickyAgent()));
      }
      Future<Void> queued = stores.routing().queueMany(sql, toQueue, clock.instant()).compose(done -> {
        List<Future<Void>> puts = new ArrayList<>();
        for (RoutingStore.ToQueue q : toQueue) {
          if (done.contains(q.id())) {
            puts.add(putLive(byId.get(q.id())));
          }
        }
        return Future.all(puts).<Void>mapEmpty();
      });
      after.add(queued);
      return Future.all(after).mapEmpty();
    });
  }

  /** An interaction just queued in PostgreSQL, with what its live item and event carry. */
  private record Queued(InteractionId id, Interaction interaction, Classification classification, JsonObject routing,
      UUID stickyAgent) {}

  /** Puts an interaction just queued in PostgreSQL in the live waiting set and says so ({@link HubEvents#INTERACTION_QUEUED}). */
  private Future<Void> putLive(Queued q) {
    Classification cls = q.classification();
    String channel = q.interaction().channel().wireName();
    JsonObject item = new JsonObject()
        .put("channel", channel)
        .put("classification", q.routing())
        .put("lastAgent", q.stickyAgent() == null ? null : q.stickyAgent().toString())
        .put("excluded", new JsonArray());
    log.atInfo().addKeyValue("interactionId", q.id()).addKeyValue("queue", cls.queue())
        .addKeyValue("rule", cls.rule()).addKeyValue("priority", cls.priority()).log("interaction queued");
    return live.enqueue(q.id().toString(), item, q.interaction().createdAt()).onSuccess(x -> vertx.eventBus().publish(INTERACTION_QUEUED,
        new JsonObject().put("interactionId", q.id().toString()).put("queue", cls.queue()).put("rule", cls.rule())
            .put("priority", cls.priority()).put("channel", channel)));
  }

  /** A queued interaction with neither a live item nor a live offer waits again live, at its place in line. */
  private Future<Void> ensureLive(InteractionId id) {
    return live.item(id.toString()).compose(item -> item != null ? Future.succeededFuture()
        : live.offer(id.toString()).compose(o -> o != null ? Future.succeededFuture()
            : stores.routing().waitingOne(stores.db().pool(), id.value()).compose(w -> w.isEmpty() ? Future.succeededFuture()
                : live.enqueue(id.toString(), itemOf(w.get().channel(), w.get().routing(), w.get().excluded()), w.get().waitingSince())
                    .onSuccess(x -> log.atInfo().addKeyValue("interactionId", id).log("queued interaction put back in the live waiting set")))));
  }


  /** What the rules see of an interaction and its customer (null when unknown). */
  static InteractionFacts facts(Interaction i, Customer c) {
    return new InteractionFacts(i.channel().wireName(), i.attributes(),
        c == null ? null : c.tier(),
        i.attributes().getOrDefault("language", c == null ? null : c.language()),
        c == null ? Map.of() : c.attributes(), i.subject());
  }

  /**
   * The live waiting item for an interaction from its stored routing JSON (the classification, plus the transfer
   * target under {@code transfer} when it went to one agent).
   */
  static JsonObject itemOf(String channel, JsonObject routing, List<UUID> excluded) {
    JsonObject classification = routing.copy();
    JsonObject transfer = (JsonObject) classification.remove("transfer");
    JsonArray ex = new JsonArray();
    excluded.forEach(e -> ex.add(e.toString()));
    JsonObject item = new JsonObject().put("channel", channel).put("classification", classification)
        .putNull("lastAgent").put("excluded", ex);
    if (transfer != null && transfer.getString("to") != null && transfer.getLong("until") != null) {
      item.put("targetAgent", transfer.getString("to")).put("targetUntil", transfer.getLong("until"));
    }
    return item;
  }
}
