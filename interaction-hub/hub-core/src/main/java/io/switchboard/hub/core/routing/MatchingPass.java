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
import io.vertx.core.Promise;
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
 * The matching pass: under a short Redis lease (nodes take turns), brings this node's in-memory copies of the waiting
 * interactions and the agents ({@link WaitingIndex}, {@link AgentIndex}) up to date from live state, lets the {@link Matcher} decide, and makes the chosen offers (reservation in Redis first, then the offer,
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
  private final WaitingIndex index;
  private final AgentIndex agentIndex;

  MatchingPass(Vertx vertx, Stores stores, RoutingState live, RulesService rules, Clock clock, RoutingEvents events, String nodeId) {
    this(vertx, stores, live, rules, clock, events, nodeId, new AgentIndex(live));
  }

  /** @param agentIndex this node's agent index, shared with the sweep (both run on the routing verticle's context) */
  MatchingPass(Vertx vertx, Stores stores, RoutingState live, RulesService rules, Clock clock, RoutingEvents events, String nodeId,
      AgentIndex agentIndex) {
    this.agentIndex = agentIndex;
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.rules = rules;
    this.clock = clock;
    this.events = events;
    this.nodeId = nodeId;
    this.index = new WaitingIndex(live);
  }

  /**
   * A pass under way. {@code reserved} completes with the number of reservations made once they are all made in Redis
   * and the lease is released: the next pass (of this node or another) may start then. {@code offered} completes with
   * the number of offers made once every reserved offer has been recorded in PostgreSQL (or released when it could not
   * be) and published; it fails when the pass failed.
   */
  record Run(Future<Integer> reserved, Future<Integer> offered) {}

  /**
   * One matching pass, under a short lease so nodes take turns. Returns the number of offers made (0 when another node
   * holds the lease) once they are recorded; see {@link #start()} for the moment the lease is given up.
   */
  Future<Integer> pass() {
    return start().offered();
  }

  /**
   * Starts one matching pass under a short lease so nodes take turns (nothing is done when another pass holds it).
   *
   * <p>The lease is held while the pass decides and reserves, and given up as soon as its reservations are made in
   * Redis: the reservation script is the atomic guard (an interaction reserved has left the waiting set, an agent's load
   * counts it), so the next pass, here or on another node, cannot offer the same interaction twice or overfill an agent,
   * and need not wait for PostgreSQL to record this pass's offers. The offers are then recorded in PostgreSQL (at most
   * {@link RoutingService#OFFERS_IN_FLIGHT} at once); one that cannot be recorded is released without excluding the
   * agent.
   *
   * <p>Incremental: the lease's script answers where the change logs stand (no read of them apart), and the agents come
   * from this node's {@link AgentIndex}, which reads only the agents changed since the last pass by others than this
   * node's own scripts (a reservation or a finish answers the agent's state: nothing is read back, issue #12); when no agent can take work (none available, present and with capacity left) the pass ends without
   * looking at the waiting interactions; otherwise this node's {@link WaitingIndex} reads only what changed since the
   * last pass (and not what this node queued or reserved itself), and the {@link Matcher} weighs the waiting interactions against the agents who can take work only (the
   * others would be excluded from every decision), so a pass costs waiting × free agents, not waiting × all agents.
   * The decisions that pick an agent are then explained against every agent, as a pass over all of them would
   * have explained them. {@link HubEvents#PASS_DONE} carries {@code offers}, {@code reservations}, {@code
   * durationNanos} (to the last offer recorded), {@code leaseNanos} (lease held), {@code decisionNanos}, {@code waiting},
   * {@code freeAgents}, {@code itemsRead} (waiting items read from Redis by this pass), {@code wholeRead} (whether it read
   * the whole waiting set), {@code agents} (agents routing holds), {@code agentsRead} (agents' hashes read from Redis by
   * this pass), {@code agentsWholeRead} (whether it read every agent) and {@code eventLoop} (whether it ran on an event
   * loop).
   */
  Run start() {
    String token = nodeId + ":" + UUID.randomUUID();
    Promise<Integer> reserved = Promise.promise();
    Future<Integer> offered = live.tryPassLease("matcher", token, 10_000).compose(cursors -> {
      if (cursors == null) {
        reserved.tryComplete(0);
        return Future.succeededFuture(0);
      }
      long started = System.nanoTime();
      JsonObject figures = new JsonObject().put("decisionNanos", 0L).put("decided", 0).put("waiting", index.size()).put("freeAgents", 0)
          .put("itemsRead", 0L).put("wholeRead", false).put("agents", agentIndex.size()).put("agentsRead", 0L)
          .put("agentsWholeRead", false).put("eventLoop", io.vertx.core.Context.isOnEventLoopThread());
      Instant now = clock.instant();
      Future<List<Reserved>> reservations = decide(now, figures, cursors)
          .compose(d -> d == null ? Future.succeededFuture(List.<Reserved>of()) : reserveAll(d, now))
          .eventually(() -> live.releaseLease("matcher", token));
      reservations.onComplete(ar -> {
        figures.put("leaseNanos", System.nanoTime() - started);
        reserved.handle(ar.map(List::size));
      });
      return reservations.compose(list -> recordAll(list, 0, now, 0)
          .onSuccess(n -> vertx.eventBus().publish(HubEvents.PASS_DONE, figures.put("offers", n)
              .put("reservations", list.size()).put("durationNanos", System.nanoTime() - started))));
    });
    offered.onFailure(reserved::tryFail);
    return new Run(reserved.future(), offered);
  }

  /** What a pass decided: the decisions that chose an agent, in order, with the waiting and agents they were made on. */
  record Decided(List<Decision> chosen, Map<String, WaitingInteraction> waiting, Map<String, RoutingState.AgentLive> agents) {}

  /**
   * The deciding half of a pass at {@code now}, without the lease and without making offers: brings the {@link
   * AgentIndex} up to date, and unless no agent can take work, the {@link WaitingIndex}, and decides. Null when there is
   * nothing to decide. {@code figures} receives what {@link HubEvents#PASS_DONE} reports of it.
   */
  Future<Decided> decide(Instant now, JsonObject figures) {
    return decide(now, figures, null);
  }

  /** As {@link #decide(Instant, JsonObject)}, from the change logs' cursors the lease answered (null: read them). */
  private Future<Decided> decide(Instant now, JsonObject figures, RoutingState.PassCursors cursors) {
    long agentsBefore = agentIndex.agentsRead();
    long agentsWholeBefore = agentIndex.fullReads();
    return (cursors == null ? agentIndex.sync() : agentIndex.sync(cursors.agents())).compose(view -> {
      // A copy: the index's view changes with the next sync (the sweep's), this pass decides on one moment.
      List<RoutingState.AgentLive> agents = List.copyOf(view);
      figures.put("agents", agents.size()).put("agentsRead", agentIndex.agentsRead() - agentsBefore)
          .put("agentsWholeRead", agentIndex.fullReads() > agentsWholeBefore);
      List<AgentSnapshot> all = agents.stream().map(a -> LiveViews.snapshot(a, now)).toList();
      List<AgentSnapshot> free = all.stream().filter(LiveViews::canTakeWork).toList();
      figures.put("freeAgents", free.size());
      if (free.isEmpty()) {
        return Future.succeededFuture();
      }
      long itemsBefore = index.itemsRead();
      long wholeBefore = index.fullReads();
      return (cursors == null ? index.sync() : index.sync(cursors.waiting())).map(waiting -> {
        figures.put("waiting", waiting.size()).put("itemsRead", index.itemsRead() - itemsBefore)
            .put("wholeRead", index.fullReads() > wholeBefore);
        if (waiting.isEmpty()) {
          return null;
        }
        // Stored decisions are compact whatever the team's size: the best Matcher.SHOWN_ELIGIBLE eligible agents (and the
        // sticky one) named, every other agent counted by reason; RoutingExplanations recomputes a named agent's verdict
        // on demand.
        Matcher matcher = Matcher.capped();
        long t0 = System.nanoTime();
        // Only the interactions that can still get an agent are decided: once the free agents are full the pass stops.
        Matcher.Choice choice = matcher.choose(waiting, free, now);
        Map<String, WaitingInteraction> byId = new HashMap<>();
        for (Decision d : choice.chosen()) {
          WaitingInteraction w = index.get(d.interactionId());
          byId.put(w.interactionId(), w);
        }
        List<Decision> chosen = explainedAgainstAll(choice.chosen(), byId, all, matcher, now);
        figures.put("decisionNanos", System.nanoTime() - t0).put("decided", choice.decided());
        Map<String, RoutingState.AgentLive> byAgent = new HashMap<>();
        agents.forEach(a -> byAgent.put(a.agentId(), a));
        return new Decided(chosen, byId, byAgent);
      });
    });
  }

  /**
   * The decisions that chose an agent, decided again in one pass over every agent but only the chosen interactions.
   * Loads change only by choices, so each chosen interaction meets the same loads as in a pass over every interaction
   * and every agent: the same choice, and that pass's explanation (unavailable and full agents listed or counted with
   * their reason).
   */
  static List<Decision> explainedAgainstAll(List<Decision> decisions, Map<String, WaitingInteraction> byId,
      List<AgentSnapshot> all, Matcher matcher, Instant now) {
    List<WaitingInteraction> chosen = new ArrayList<>();
    for (Decision d : decisions) {
      if (d.chosenAgentId() != null) {
        chosen.add(byId.get(d.interactionId()));
      }
    }
    if (chosen.isEmpty()) {
      return List.of();
    }
    return matcher.match(chosen, all, now).stream().filter(d -> d.chosenAgentId() != null).toList();
  }

  /** A reservation made in Redis for one decision, to be recorded in PostgreSQL. */
  private record Reserved(Decision decision, WaitingInteraction waiting, Map<String, RoutingState.AgentLive> agents,
      Instant expires, Map<String, RoutingState.AgentLoad> loads) {}

  /**
   * Reserves the chosen agent of every decision in Redis, highest priority first (the scripts are sent at once on the one
   * connection, which runs them in order); a refused reservation leaves its interaction for the next pass.
   */
  private Future<List<Reserved>> reserveAll(Decided d, Instant now) {
    Instant expires = now.plus(rules.current().settings().offerTimeout());
    List<Future<Reserved>> all = new ArrayList<>();
    // Each agent's load after the last of its reservations in this pass (the scripts answer in the order they run), told
    // with each of its offers: a console is never told an earlier load after a later one.
    Map<String, RoutingState.AgentLoad> loads = new java.util.concurrent.ConcurrentHashMap<>();
    for (Decision decision : d.chosen()) {
      WaitingInteraction w = d.waiting().get(decision.interactionId());
      all.add(live.reserveWithLoad(decision.interactionId(), decision.chosenAgentId(), w.channel(), now, expires).map(r -> {
        if (r.outcome() != RoutingState.Reservation.OK) {
          log.atDebug().addKeyValue("interactionId", decision.interactionId()).addKeyValue("agentId", decision.chosenAgentId())
              .addKeyValue("outcome", r.outcome()).log("reservation refused");
          return null;
        }
        loads.put(decision.chosenAgentId(), r.load());
        return new Reserved(decision, w, d.agents(), expires, loads);
      }));
    }
    return Future.join(all).transform(ar -> {
      List<Reserved> made = new ArrayList<>();
      for (Future<Reserved> f : all) {
        if (f.succeeded() && f.result() != null) {
          made.add(f.result());
        } else if (f.failed()) {
          log.atWarn().setCause(f.cause()).log("a reservation could not be made; its interaction waits for the next pass");
        }
      }
      return Future.succeededFuture(made);
    });
  }

  /**
   * Records reserved offers in PostgreSQL in batches of {@link RoutingService#OFFERS_IN_FLIGHT} (about the pool's size),
   * highest priority first, so a pass that frees many agents waits for a few commits, not one batch after another.
   */
  private Future<Integer> recordAll(List<Reserved> reserved, int from, Instant now, int made) {
    if (from >= reserved.size()) {
      return Future.succeededFuture(made);
    }
    List<Future<Boolean>> batch = new ArrayList<>();
    for (Reserved r : reserved.subList(from, Math.min(reserved.size(), from + RoutingService.OFFERS_IN_FLIGHT))) {
      batch.add(record(r, now));
    }
    return Future.join(batch).transform(ar -> {
      int n = made;
      for (Future<Boolean> f : batch) {
        if (f.succeeded() && f.result()) {
          n++;
        } else if (f.failed()) {
          log.atWarn().setCause(f.cause()).log("an offer could not be recorded; its interaction waits for the next pass");
        }
      }
      return recordAll(reserved, from + RoutingService.OFFERS_IN_FLIGHT, now, n);
    });
  }

  /** Records one reserved offer (the offer, the interaction offered, its transition and the decision) and publishes it. */
  private Future<Boolean> record(Reserved r, Instant now) {
    Decision d = r.decision();
    WaitingInteraction w = r.waiting();
    String channel = w.channel();
    Instant expires = r.expires();
    UUID iid = UUID.fromString(d.interactionId());
    UUID aid = UUID.fromString(d.chosenAgentId());
    Classification cls = w.classification();
    JsonObject explanation = LiveViews.explained(d, r.agents(), now).put("rule", cls.rule()).put("queue", cls.queue())
        .put("waitedMs", Duration.between(w.waitingSince(), now).toMillis());
    // One statement: the interaction offered, the offer, the decision and the transition (one round trip, one commit).
    return stores.routing().offerOne(stores.db().pool(), iid, aid, now, expires, UUID.randomUUID(), cls.rulesVersion(),
            cls.queue(), d.target().step(), explanation)
        .compose(stored -> {
          if (stored) {
            log.atInfo().addKeyValue("interactionId", iid).addKeyValue("agentId", aid)
                .addKeyValue("relaxationStep", d.target().step()).log("offered");
            vertx.eventBus().publish(HubEvents.OFFER_CREATED, new JsonObject().put("interactionId", iid.toString())
                .put("agentId", aid.toString()).put("channel", channel).put("expiresAt", expires.toString()).put("queue", cls.queue()));
            // The load the reservation script answered (no read of the agent after it).
            events.publishLoad(aid.toString(), r.loads().get(d.chosenAgentId()));
            return Future.succeededFuture(true);
          }
          // The interaction left the queue meanwhile (abandoned): give the agent back, drop the item.
          return live.release(d.interactionId(), d.chosenAgentId(), w.waitingSince(), now, false, null, false)
              .compose(x -> live.dequeue(d.interactionId()))
              .map(false);
          // The offer could not be recorded (PostgreSQL away): the agent did not decline, so it is not excluded.
        }, e -> live.release(d.interactionId(), d.chosenAgentId(), w.waitingSince(), now, false, null, false)
            .compose(x -> Future.failedFuture(e)));
  }
}
