package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.event.HubEvents;
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
import java.util.List;
import java.util.Map;
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
    var sql = stores.db().pool();
    RoutingRules current = rules.current();
    Instant window = clock.instant().minus(current.settings().stickyAgentWindow());
    // The interaction, its customer (for the rules) and its sticky agent in one statement, then the interaction queued
    // with its transition in one autocommitted statement: two round trips where there were nine, then three (issue 12).
    return stores.routing().queueContext(sql, id, window).compose(found -> {
      if (found.isPresent() && found.get().interaction().state() == InteractionState.QUEUED) {
        return ensureLive(id);
      }
      if (found.isEmpty() || found.get().interaction().state() != InteractionState.CREATED) {
        return Future.succeededFuture();
      }
      Interaction i = found.get().interaction();
      InteractionFacts facts = facts(i, found.get().customer());
      Classification cls = current.classify(facts, ZonedDateTime.now(clock), ConditionFailures.reporter(vertx, id));
      Instant since = i.createdAt();
      java.util.Optional<UUID> last = java.util.Optional.ofNullable(found.get().stickyAgent());
      return stores.routing().queueOne(sql, id.value(), cls.queue(), cls.priority(), RoutingJson.classification(cls),
            since, "rule " + cls.rule(), clock.instant())
          .compose(queued -> {
            if (queued.isEmpty()) {
              return Future.succeededFuture();
            }
            JsonObject item = new JsonObject()
                .put("channel", i.channel().wireName())
                .put("classification", RoutingJson.classification(cls))
                .put("lastAgent", last.map(UUID::toString).orElse(null))
                .put("excluded", new JsonArray());
            log.atInfo().addKeyValue("interactionId", id).addKeyValue("queue", cls.queue())
                .addKeyValue("rule", cls.rule()).addKeyValue("priority", cls.priority()).log("interaction queued");
            return live.enqueue(id.toString(), item, since).onSuccess(x -> vertx.eventBus().publish(INTERACTION_QUEUED,
                new JsonObject().put("interactionId", id.toString()).put("queue", cls.queue()).put("rule", cls.rule())
                    .put("priority", cls.priority()).put("channel", i.channel().wireName())));
          });
    });
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
