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
   * One matching pass, under a short lease so nodes take turns. Returns the number of offers made (0 when another node
   * holds the lease).
   *
   * <p>Incremental: the agents come from this node's {@link AgentIndex}, which reads only the agents changed since the
   * last pass; when no agent can take work (none available, present and with capacity left) the pass ends without
   * looking at the waiting interactions; otherwise this node's {@link WaitingIndex} reads only what changed since the
   * last pass, and the {@link Matcher} weighs the waiting interactions against the agents who can take work only (the
   * others would be excluded from every decision), so a pass costs waiting × free agents, not waiting × all agents.
   * The decisions that pick an agent are then explained against every agent, as a pass over all of them would
   * have explained them. {@link HubEvents#PASS_DONE} carries {@code offers}, {@code durationNanos}, {@code
   * decisionNanos}, {@code waiting}, {@code freeAgents}, {@code itemsRead} (waiting items read from Redis by this pass),
   * {@code wholeRead} (whether it read the whole waiting set), {@code agents} (agents routing holds), {@code agentsRead}
   * (agents' hashes read from Redis by this pass), {@code agentsWholeRead} (whether it read every agent) and {@code
   * eventLoop} (whether it ran on an event loop).
   */
  Future<Integer> pass() {
    String token = nodeId + ":" + UUID.randomUUID();
    return live.tryLease("matcher", token, 10_000).compose(got -> {
      if (!got) {
        return Future.succeededFuture(0);
      }
      long started = System.nanoTime();
      JsonObject figures = new JsonObject().put("decisionNanos", 0L).put("waiting", index.size()).put("freeAgents", 0)
          .put("itemsRead", 0L).put("wholeRead", false).put("agents", agentIndex.size()).put("agentsRead", 0L)
          .put("agentsWholeRead", false).put("eventLoop", io.vertx.core.Context.isOnEventLoopThread());
      return matchOnce(figures)
          .eventually(() -> live.releaseLease("matcher", token))
          .onSuccess(n -> vertx.eventBus().publish(HubEvents.PASS_DONE, figures.put("offers", n)
              .put("durationNanos", System.nanoTime() - started)));
    });
  }

  private Future<Integer> matchOnce(JsonObject figures) {
    Instant now = clock.instant();
    return decide(now, figures).compose(d -> d == null ? Future.succeededFuture(0)
        : offerAll(d.chosen(), 0, d.waiting(), d.agents(), now, 0));
  }

  /** What a pass decided: the decisions that chose an agent, in order, with the waiting and agents they were made on. */
  record Decided(List<Decision> chosen, Map<String, WaitingInteraction> waiting, Map<String, RoutingState.AgentLive> agents) {}

  /**
   * The deciding half of a pass at {@code now}, without the lease and without making offers: brings the {@link
   * AgentIndex} up to date, and unless no agent can take work, the {@link WaitingIndex}, and decides. Null when there is
   * nothing to decide. {@code figures} receives what {@link HubEvents#PASS_DONE} reports of it.
   */
  Future<Decided> decide(Instant now, JsonObject figures) {
    long agentsBefore = agentIndex.agentsRead();
    long agentsWholeBefore = agentIndex.fullReads();
    return agentIndex.sync().compose(view -> {
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
      return index.sync().map(waiting -> {
        figures.put("waiting", waiting.size()).put("itemsRead", index.itemsRead() - itemsBefore)
            .put("wholeRead", index.fullReads() > wholeBefore);
        if (waiting.isEmpty()) {
          return null;
        }
        Map<String, WaitingInteraction> byId = new HashMap<>();
        waiting.forEach(w -> byId.put(w.interactionId(), w));
        // Stored decisions are compact whatever the team's size: the best Matcher.SHOWN_ELIGIBLE eligible agents (and the
        // sticky one) named, every other agent counted by reason; RoutingExplanations recomputes a named agent's verdict
        // on demand.
        Matcher matcher = Matcher.capped();
        long t0 = System.nanoTime();
        List<Decision> decisions = Matcher.capped().match(new ArrayList<>(waiting), free, now);
        List<Decision> chosen = explainedAgainstAll(decisions, byId, all, matcher, now);
        figures.put("decisionNanos", System.nanoTime() - t0);
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

  /**
   * Offers in batches of {@link RoutingService#OFFERS_IN_FLIGHT}, highest priority first: reservations are atomic in Redis,
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
      // One statement: the interaction offered, the offer, the decision and the transition (one round trip, one commit).
      return stores.routing().offerOne(stores.db().pool(), iid, aid, now, expires, UUID.randomUUID(), cls.rulesVersion(),
              cls.queue(), d.target().step(), explanation)
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
