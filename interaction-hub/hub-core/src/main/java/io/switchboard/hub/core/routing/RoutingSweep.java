package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The routing sweep, run every tick: interactions stuck in {@code created} are queued, expired offers and offers of
 * agents whose console went silent go back to the queue, and after-call work that is over ends.
 */
final class RoutingSweep {
  private final Stores stores;
  private final RoutingState live;
  private final RulesService rules;
  private final Clock clock;
  private final QueueIntake intake;
  private final OfferLifecycle offerLife;
  private final AgentPresence presence;
  private final AgentIndex agentIndex;

  RoutingSweep(Stores stores, RoutingState live, RulesService rules, Clock clock, QueueIntake intake, OfferLifecycle offers,
      AgentPresence agents, AgentIndex agentIndex) {
    this.agentIndex = agentIndex;
    this.stores = stores;
    this.live = live;
    this.rules = rules;
    this.clock = clock;
    this.intake = intake;
    this.offerLife = offers;
    this.presence = agents;
  }

  /**
   * Offers whose time ran out, and offers of agents whose console is gone, go back to the queue; agents
   * whose after-call work is over become available; interactions whose creation event was missed (a crash
   * between commit and relay) are queued.
   */
  Future<Integer> sweep() {
    Instant now = clock.instant();
    Future<Void> stuck = stores.routing().stuckCreated(stores.db().pool(), now.minusSeconds(5)).compose(ids -> {
      Future<Void> chain = Future.succeededFuture();
      for (UUID id : ids) {
        chain = chain.compose(x -> intake.enqueue(new InteractionId(id)));
      }
      return chain;
    });
    boolean pause = rules.current().settings().pauseAgentOnOfferTimeout();
    return stuck.compose(s -> live.expiredOffers(now)).compose(expired -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (String iid : expired) {
        chain = chain.compose(n -> offerLife.withdraw(InteractionId.parse(iid), null, "offer timed out", pause, true)
            .map(r -> r.equals("no-offer") ? n : n + 1));
      }
      return chain;
    }).compose(n -> agentIndex.sync().map(List::copyOf).compose(agents -> {
      // The agents from this node's index (only those changed since its last sync are read); the presence of those it
      // holds present, in one pipelined round.
      List<String> present = agents.stream().filter(RoutingState.AgentLive::present).map(RoutingState.AgentLive::agentId).toList();
      return live.presenceAlive(present).compose(aliveOf -> lapsedAndOver(agents, aliveOf, n, now));
    }));
  }

  /** Offers of agents whose console went silent back to the queue, after-call work that is over ended. */
  private Future<Integer> lapsedAndOver(List<RoutingState.AgentLive> agents, Map<String, Boolean> aliveOf, int n, Instant now) {
    Future<Integer> chain = Future.succeededFuture(n);
    for (RoutingState.AgentLive a : agents) {
      if (a.present()) {
        boolean alive = aliveOf.getOrDefault(a.agentId(), true);
        chain = chain.compose(m -> alive ? Future.succeededFuture(m)
            : live.setPresent(a.agentId(), false, now)
                .compose(x -> live.offersOf(a.agentId()))
                .compose(offers -> {
                  Future<Integer> inner = Future.succeededFuture(m);
                  for (String iid : offers) {
                    inner = inner.compose(k -> offerLife.withdraw(InteractionId.parse(iid), a.agentId(), "agent console disconnected", false, false).map(k + 1));
                  }
                  return inner;
                }));
      }
      if ("after_call_work".equals(a.state()) && a.since().plus(rules.current().settings().afterCallWork()).isBefore(now)) {
        chain = chain.compose(m -> presence.changeState(AgentId.parse(a.agentId()), AgentState.AVAILABLE, "after-call work over").map(m));
      }
    }
    return chain;
  }
}
