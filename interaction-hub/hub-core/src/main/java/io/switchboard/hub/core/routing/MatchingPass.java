package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The matching pass: under a short Redis lease (nodes take turns), reads the waiting interactions and the agents from
 * live state, lets the {@link Matcher} decide, and makes the chosen offers (reservation in Redis first, then the offer,
 * its transition and the decision in PostgreSQL), publishing {@link HubEvents#OFFER_CREATED} and {@link
 * HubEvents#PASS_DONE}.
 */
final class MatchingPass {
  private static final Logger log = LoggerFactory.getLogger(MatchingPass.class);

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final RulesService rules;
  private final Clock clock;
  private final RoutingEvents events;
  private final String nodeId;

  MatchingPass(Vertx vertx, Stores stores, RoutingState live, RulesService rules, Clock clock, RoutingEvents events, String nodeId) {
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.rules = rules;
    this.clock = clock;
    this.events = events;
    this.nodeId = nodeId;
  }


  /**
   * One matching pass over every waiting interaction, under a short lease so nodes take turns. Returns the
   * number of offers made (0 when another node holds the lease).
   */
  Future<Integer> pass() {
    String token = nodeId + ":" + UUID.randomUUID();
    return live.tryLease("matcher", token, 10_000).compose(got -> {
      if (!got) {
        return Future.succeededFuture(0);
      }
      long started = System.nanoTime();
      long[] decisionNanos = {0};
      return matchOnce(decisionNanos)
          .eventually(() -> live.releaseLease("matcher", token))
          .onSuccess(n -> vertx.eventBus().publish(HubEvents.PASS_DONE, new JsonObject().put("offers", n)
              .put("durationNanos", System.nanoTime() - started).put("decisionNanos", decisionNanos[0])));
    });
  }

  /** {@code decisionNanos[0]} receives the time the matcher took to decide (CPU work, no I/O). */
  private Future<Integer> matchOnce(long[] decisionNanos) {
    Instant now = clock.instant();
    return live.waiting().compose(waiting -> {
      if (waiting.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return live.agents().compose(agents -> {
        Map<String, WaitingInteraction> byId = new HashMap<>();
        waiting.forEach((iid, item) -> byId.put(iid, LiveViews.waitingOf(iid, item)));
        List<WaitingInteraction> list = new ArrayList<>(byId.values());
        List<AgentSnapshot> snapshots = agents.stream().map(a -> LiveViews.snapshot(a, now)).toList();
        // Name every agent in stored explanations while the team is small; count them by reason when large.
        Matcher matcher = snapshots.size() <= RoutingService.FULL_EXPLANATION_LIMIT ? Matcher.withFullExplanations() : Matcher.capped();
        long t0 = System.nanoTime();
        List<Decision> decisions = matcher.match(list, snapshots, now);
        decisionNanos[0] = System.nanoTime() - t0;
        List<Decision> chosen = decisions.stream().filter(d -> d.chosenAgentId() != null).toList();
        Map<String, RoutingState.AgentLive> byAgent = new HashMap<>();
        agents.forEach(a -> byAgent.put(a.agentId(), a));
        return offerAll(chosen, 0, byId, byAgent, now, 0);
      });
    });
  }

  /**
   * Offers in batches of {@link #RoutingService.OFFERS_IN_FLIGHT}, highest priority first: reservations are atomic in Redis,
   * so running some at once is safe, and it keeps a pass short when many agents free up together.
   */
  private Future<Integer> offerAll(List<Decision> chosen, int from, Map<String, WaitingInteraction> byId,
      Map<String, RoutingState.AgentLive> agents, Instant now, int made) {
    if (from >= chosen.size()) {
      return Future.succeededFuture(made);
    }
    List<Future<Boolean>> batch = new ArrayList<>();
    for (Decision d : chosen.subList(from, Math.min(chosen.size(), from + RoutingService.OFFERS_IN_FLIGHT))) {
      batch.add(offer(d, byId.get(d.interactionId()), agents, now));
    }
    return Future.join(batch).transform(ar -> {
      int n = made;
      for (Future<Boolean> f : batch) {
        if (f.succeeded() && f.result()) {
          n++;
        } else if (f.failed()) {
          log.atWarn().setCause(f.cause()).log("an offer could not be made; its interaction waits for the next pass");
        }
      }
      return offerAll(chosen, from + RoutingService.OFFERS_IN_FLIGHT, byId, agents, now, n);
    });
  }

  private Future<Boolean> offer(Decision d, WaitingInteraction w, Map<String, RoutingState.AgentLive> agents, Instant now) {
    String channel = w.channel();
    Duration timeout = rules.current().settings().offerTimeout();
    Instant expires = now.plus(timeout);
    return live.reserve(d.interactionId(), d.chosenAgentId(), channel, now, expires).compose(r -> {
      if (r != RoutingState.Reservation.OK) {
        log.atDebug().addKeyValue("interactionId", d.interactionId()).addKeyValue("agentId", d.chosenAgentId())
            .addKeyValue("outcome", r).log("reservation refused");
        return Future.succeededFuture(false);
      }
      UUID iid = UUID.fromString(d.interactionId());
      UUID aid = UUID.fromString(d.chosenAgentId());
      Classification cls = w.classification();
      JsonObject explanation = LiveViews.explained(d, agents, now).put("rule", cls.rule()).put("queue", cls.queue())
          .put("waitedMs", Duration.between(w.waitingSince(), now).toMillis());
      return stores.db().inTransaction(tx ->
              stores.routing().offer(tx, iid, aid, now, expires, UUID.randomUUID(), cls.rulesVersion(), cls.queue(),
                      d.target().step(), explanation)
                  .compose(ok -> ok
                      ? stores.routing().transition(tx, iid, "queued", "offered", cls.queue(), aid, "matched", now).map(true)
                      : Future.succeededFuture(false)))
          .compose(stored -> {
            if (stored) {
              log.atInfo().addKeyValue("interactionId", iid).addKeyValue("agentId", aid)
                  .addKeyValue("relaxationStep", d.target().step()).log("offered");
              vertx.eventBus().publish(HubEvents.OFFER_CREATED, new JsonObject().put("interactionId", iid.toString())
                  .put("agentId", aid.toString()).put("channel", channel).put("expiresAt", expires.toString()).put("queue", cls.queue()));
              events.publishLoad(aid.toString());
              return Future.succeededFuture(true);
            }
            // The interaction left the queue meanwhile (abandoned): give the agent back, drop the item.
            return live.release(d.interactionId(), d.chosenAgentId(), w.waitingSince(), now, false, null, false)
                .compose(x -> live.dequeue(d.interactionId()))
                .map(false);
            // The offer could not be recorded (PostgreSQL away): the agent did not decline, so it is not excluded.
          }, e -> live.release(d.interactionId(), d.chosenAgentId(), w.waitingSince(), now, false, null, false)
              .compose(x -> Future.failedFuture(e)));
    });
  }
}
