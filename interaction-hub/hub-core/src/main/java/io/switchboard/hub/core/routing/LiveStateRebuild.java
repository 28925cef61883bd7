package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.store.RoutingStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores live routing state in Redis from PostgreSQL (first start, Redis lost its data, an admin's repair) under
 * the rebuild and matcher leases, so no pass reserves against half-rebuilt state.
 */
final class LiveStateRebuild {
  private static final Logger log = LoggerFactory.getLogger(LiveStateRebuild.class);

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final Clock clock;
  private final String nodeId;

  LiveStateRebuild(Vertx vertx, Stores stores, RoutingState live, Clock clock, String nodeId) {
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.clock = clock;
    this.nodeId = nodeId;
  }


  /**
   * Rebuilds live state from PostgreSQL when Redis has none (first start, or Redis lost its data):
   * agents with their last state, skills, capacity and load; waiting interactions in their order; live offers.
   * With {@code force} it rebuilds even when live state exists (an admin's repair).
   */
  Future<Boolean> rebuild(boolean force) {
    String token = nodeId + ":" + UUID.randomUUID();
    return live.tryLease("rebuild", token, 60_000).compose(got -> {
      if (!got) {
        return Future.succeededFuture(false);
      }
      // Hold the matcher lease too, so no pass reserves against half-rebuilt state.
      return leaseWithin("matcher", token, 50)
          .compose(x -> live.epoch())
          .compose(epoch -> epoch != null && !force ? Future.succeededFuture(false) : doRebuild().map(true))
          .eventually(() -> live.releaseLease("matcher", token))
          .eventually(() -> live.releaseLease("rebuild", token));
    });
  }

  private Future<Void> leaseWithin(String name, String token, int attempts) {
    return live.tryLease(name, token, 60_000).compose(got -> {
      if (got) {
        return Future.succeededFuture();
      }
      if (attempts == 0) {
        return Future.failedFuture(new ConflictException("routing is busy; try the rebuild again"));
      }
      io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
      vertx.setTimer(200, t -> leaseWithin(name, token, attempts - 1).onComplete(later));
      return later.future();
    });
  }

  private Future<Void> doRebuild() {
    var sql = stores.db().pool();
    Instant now = clock.instant();
    return live.clear()
        .compose(x -> stores.agents().list(sql))
        .compose(agents -> stores.routing().latestAgentStates(sql).compose(states -> stores.routing().offers(sql).compose(offers ->
            stores.routing().working(sql).compose(working -> {
              Map<UUID, RoutingStore.AgentStateRow> stateOf = new HashMap<>();
              states.forEach(s -> stateOf.put(s.agentId(), s));
              Map<UUID, Map<String, Integer>> load = new HashMap<>();
              offers.forEach(o -> load.computeIfAbsent(o.agentId(), k -> new HashMap<>()).merge(o.channel(), 1, Integer::sum));
              working.forEach(w -> load.computeIfAbsent(w.agentId(), k -> new HashMap<>()).merge(w.channel(), 1, Integer::sum));
              Future<Void> chain = Future.succeededFuture();
              for (Agent a : agents) {
                RoutingStore.AgentStateRow s = stateOf.get(a.id().value());
                RoutingState.AgentLive base = LiveViews.profile(a, null, load.getOrDefault(a.id().value(), Map.of()), now);
                RoutingState.AgentLive restored = new RoutingState.AgentLive(base.agentId(),
                    s == null ? AgentState.OFFLINE.wireName() : s.state(), s == null ? null : s.reason(),
                    s == null ? now : s.at(), false, s == null ? now : s.at(), base.skills(), base.queues(), base.capacity(), base.load(),
                    base.exclusive());
                chain = chain.compose(y -> live.putAgent(restored, true));
              }
              for (RoutingStore.OfferRow o : offers) {
                chain = chain.compose(y -> live.putOffer(new RoutingState.Offer(o.interactionId().toString(), o.agentId().toString(),
                    o.channel(), o.offeredAt(), o.expiresAt())));
              }
              for (RoutingStore.WorkingRow w : working) {
                chain = chain.compose(y -> live.putAssigned(w.agentId().toString(), w.interactionId().toString()));
              }
              return chain;
            }))))
        .compose(x -> stores.routing().waiting(sql))
        .compose(rows -> {
          Future<Void> chain = Future.succeededFuture();
          for (RoutingStore.WaitingRow w : rows) {
            JsonObject item = QueueIntake.itemOf(w.channel(), w.routing(), w.excluded());
            chain = chain.compose(y -> live.enqueue(w.interactionId().toString(), item, w.waitingSince()));
          }
          return chain.map(rows.size());
        })
        .compose(n -> live.setEpoch(now.toString()).onSuccess(y ->
            log.atInfo().addKeyValue("waiting", n).log("routing state rebuilt from PostgreSQL")));
  }
}
