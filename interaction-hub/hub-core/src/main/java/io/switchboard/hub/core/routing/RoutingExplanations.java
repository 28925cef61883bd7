package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.store.RoutingStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only questions about routing: why an interaction went where it went (stored decisions, offers and, while it
 * waits, the evaluation now). Where a waiting interaction stands in its queue is {@link QueuePositions}' question.
 */
final class RoutingExplanations {
  private final Stores stores;
  private final RoutingState live;
  private final Clock clock;

  RoutingExplanations(Stores stores, RoutingState live, Clock clock) {
    this.stores = stores;
    this.live = live;
    this.clock = clock;
  }


  /**
   * Why an interaction went where it went: its classification, every stored decision (candidates, scores,
   * exclusions, relaxation step, rules version) and, while it still waits, why no agent takes it now.
   */
  Future<JsonObject> explain(InteractionId id, AgentId agent) {
    var sql = stores.db().pool();
    return stores.interactions().find(sql, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no interaction " + id));
      }
      Interaction i = found.get();
      return stores.agents().list(sql).compose(staff -> stores.interactions().transitions(sql, id).compose(transitions ->
          stores.routing().decisions(sql, id.value()).compose(decisions -> {
        Map<String, String> names = new HashMap<>();
        staff.forEach(a -> names.put(a.id().toString(), a.displayName() == null ? a.username() : a.displayName()));
        JsonArray stored = new JsonArray();
        decisions.forEach(d -> stored.add(new JsonObject().put("decidedAt", d.decidedAt().toString())
            .put("rulesVersion", d.rulesVersion()).put("queue", d.queueId())
            .put("chosenAgentId", d.chosenAgentId() == null ? null : d.chosenAgentId().toString())
            .put("chosenAgentName", d.chosenAgentId() == null ? null : names.get(d.chosenAgentId().toString()))
            .put("relaxationStep", d.step()).put("explanation", named(d.explanation(), names))));
        JsonObject out = new JsonObject().put("interactionId", id.toString()).put("state", i.state().wireName())
            .put("queue", i.queueId()).put("decisions", stored).put("offers", offerHistory(transitions, names));
        Future<Void> named = agent == null ? Future.succeededFuture()
            : agentVerdicts(i, decisions, agent, names).map(v -> {
              out.put("agent", v);
              return null;
            });
        return named.compose(x -> live.item(id.toString())).compose(item -> {
          if (item == null || i.state() != InteractionState.QUEUED) {
            return Future.succeededFuture(out);
          }
          item.put("waitingSince", i.createdAt().toEpochMilli());
          out.put("classification", item.getJsonObject("classification"));
          return live.agents().map(agents -> {
            Instant now = clock.instant();
            WaitingInteraction w = LiveViews.waitingOf(id.toString(), item);
            List<Decision> d = Matcher.withFullExplanations().match(List.of(w), agents.stream().map(a -> LiveViews.snapshot(a, now)).toList(), now);
            Map<String, RoutingState.AgentLive> byAgent = new HashMap<>();
            agents.forEach(a -> byAgent.put(a.agentId(), a));
            Duration next = w.classification().nextStepAfter(Duration.between(w.waitingSince(), now));
            out.put("now", named(LiveViews.explained(d.get(0), byAgent, now), names)
                .put("waitedMs", Duration.between(w.waitingSince(), now).toMillis())
                .put("nextRelaxationInMs", next == null ? null : next.minus(Duration.between(w.waitingSince(), now)).toMillis()));
            if (agent != null && out.containsKey("agent")) {
              JsonObject mine = candidateOf(out.getJsonObject("now").getJsonArray("candidates"), agent.toString());
              out.getJsonObject("agent").put("now", mine == null ? null : verdictJson(mine));
            }
            return out;
          });
        });
      })));
    });
  }

  /** What {@code agent}'s verdict in a decision says: its score (and whether it was chosen) or why it was excluded. */
  private static JsonObject verdictJson(JsonObject candidate) {
    JsonObject v = new JsonObject();
    if (candidate.containsKey("score")) {
      v.put("score", candidate.getValue("score"));
    }
    if (candidate.containsKey("excludedBecause")) {
      v.put("excludedBecause", candidate.getString("excludedBecause"));
    }
    return v;
  }

  private static JsonObject candidateOf(JsonArray candidates, String agentId) {
    if (candidates == null) {
      return null;
    }
    for (Object o : candidates) {
      JsonObject c = (JsonObject) o;
      if (agentId.equals(c.getString("agentId"))) {
        return c;
      }
    }
    return null;
  }

  /**
   * Why {@code agent} was or was not chosen in each stored decision. Stored decisions name only the best eligible agents
   * (and the sticky one) and count the others by reason; for a decision that names the agent its stored verdict is
   * given ({@code listed: true}), otherwise the verdict is computed now ({@code listed: false}) by the matcher, with every
   * exclusion spelt out, from the agent's skills, queues and capacity as they are now against the interaction's
   * classification at the decision's time (its relaxation step then, its exclusions): it says "missing a skill", "not in
   * queue", "declined or let the offer lapse"; an agent those allow was eligible by profile, and was then either not
   * free (unavailable, full: counted by reason in the decision) or outscored by the agents listed.
   */
  private Future<JsonObject> agentVerdicts(Interaction i, List<RoutingStore.DecisionRow> decisions, AgentId agent,
      Map<String, String> names) {
    var sql = stores.db().pool();
    return stores.agents().find(sql, agent).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no agent " + agent));
      }
      Agent a = found.get();
      return stores.routing().routingOf(sql, i.id().value()).map(row -> {
        JsonArray verdicts = new JsonArray();
        Classification cls = null;
        java.util.Set<String> excluded = new java.util.HashSet<>();
        if (row.isPresent() && row.get().routing() != null) {
          JsonObject c = row.get().routing().copy();
          c.remove("transfer");
          cls = RoutingJson.classification(c);
          row.get().excluded().forEach(e -> excluded.add(e.toString()));
        }
        for (RoutingStore.DecisionRow d : decisions) {
          JsonObject stored = d.explanation() == null ? null : candidateOf(d.explanation().getJsonArray("candidates"), agent.toString());
          JsonObject v = new JsonObject().put("decidedAt", d.decidedAt().toString())
              .put("chosen", agent.value().equals(d.chosenAgentId()));
          if (stored != null) {
            verdicts.add(v.put("listed", true).mergeIn(verdictJson(stored)));
          } else if (cls != null) {
            verdicts.add(v.put("listed", false).mergeIn(verdictJson(onDemand(i, cls, excluded, a, d.decidedAt()))));
          } else {
            verdicts.add(v.put("listed", false));
          }
        }
        return new JsonObject().put("agentId", agent.toString()).put("name", names.get(agent.toString()))
            .put("decisions", verdicts);
      });
    });
  }

  /** The matcher's verdict, every exclusion spelt out, on {@code a} as if free, for the interaction as it waited at {@code at}. */
  private static JsonObject onDemand(Interaction i, Classification cls, java.util.Set<String> excluded, Agent a, Instant at) {
    Map<String, Integer> capacity = new java.util.LinkedHashMap<>();
    a.capacity().forEach((ch, n) -> capacity.put(ch.wireName(), n));
    java.util.Set<String> exclusive = a.capacity().containsKey(io.switchboard.hub.api.Channel.VOICE)
        ? java.util.Set.of(io.switchboard.hub.api.Channel.VOICE.wireName()) : java.util.Set.of();
    AgentSnapshot s = new AgentSnapshot(a.id().toString(), true, a.skills(), new java.util.HashSet<>(a.queues()), capacity,
        Map.of(), exclusive, at);
    WaitingInteraction w = new WaitingInteraction(i.id().toString(), i.channel().wireName(), cls, i.createdAt(), null,
        excluded, null, null);
    Decision d = Matcher.withFullExplanations().match(List.of(w), List.of(s), at).get(0);
    JsonObject c = RoutingJson.decision(d).getJsonArray("candidates").getJsonObject(0);
    return c;
  }

  /** Puts each agent's display name beside its id in an explanation ({@code name}, {@code chosenAgentName}). */
  static JsonObject named(JsonObject explanation, Map<String, String> names) {
    if (explanation == null) {
      return null;
    }
    String chosen = explanation.getString("chosenAgentId");
    if (chosen != null) {
      explanation.put("chosenAgentName", names.get(chosen));
    }
    JsonArray candidates = explanation.getJsonArray("candidates");
    if (candidates != null) {
      for (Object o : candidates) {
        JsonObject c = (JsonObject) o;
        c.put("name", names.get(c.getString("agentId")));
      }
    }
    return explanation;
  }

  /**
   * Every offer of the interaction and how it ended, from its transitions: {@code agentId}, {@code name},
   * {@code offeredAt}, {@code endedAt} and {@code outcome} ("accepted", or the reason it went back to the queue:
   * declined, offer timed out, agent console disconnected, agent signed out...); a live offer has no end yet.
   */
  static JsonArray offerHistory(List<io.switchboard.hub.store.InteractionStore.Transition> transitions, Map<String, String> names) {
    JsonArray out = new JsonArray();
    JsonObject open = null;
    for (var t : transitions) {
      if ("offered".equals(t.toState())) {
        String agent = t.agentId() == null ? null : t.agentId().toString();
        open = new JsonObject().put("agentId", agent).put("name", agent == null ? null : names.get(agent))
            .put("offeredAt", t.at().toString()).putNull("endedAt").putNull("outcome");
        out.add(open);
      } else if (open != null && "offered".equals(t.fromState())) {
        open.put("endedAt", t.at().toString()).put("outcome", "assigned".equals(t.toState()) ? "accepted"
            : t.reason() == null ? t.toState() : t.reason());
        open = null;
      }
    }
    return out;
  }
}
