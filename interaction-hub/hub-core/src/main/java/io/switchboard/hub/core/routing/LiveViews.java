package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Live routing state as the matcher and the explanations see it: a waiting item decoded into a {@link
 * WaitingInteraction}, an agent into an {@link AgentSnapshot} (with its idle time), a decision with the real reason an
 * agent was unavailable, and an agent's profile from PostgreSQL. Pure functions, no I/O.
 */
final class LiveViews {
  private LiveViews() {}

  /**
   * An agent's live profile from its record: skills, queues, capacity (voice exclusive) and, from {@code existing}
   * when routing holds it already, its state, presence, idle time and load; otherwise offline since {@code now} with
   * {@code load}.
   */
  static RoutingState.AgentLive profile(Agent a, RoutingState.AgentLive existing, Map<String, Integer> load, Instant now) {
    Map<String, Integer> capacity = new LinkedHashMap<>();
    a.capacity().forEach((ch, n) -> capacity.put(ch.wireName(), n));
    List<String> exclusive = a.capacity().containsKey(Channel.VOICE) ? List.of(Channel.VOICE.wireName()) : List.of();
    return new RoutingState.AgentLive(a.id().toString(),
        existing == null ? AgentState.OFFLINE.wireName() : existing.state(),
        existing == null ? null : existing.reason(),
        existing == null ? now : existing.since(),
        existing != null && existing.present(),
        existing == null ? now : existing.idleSince(),
        a.skills(), a.queues(), capacity, existing == null ? load : existing.load(), exclusive);
  }



  static WaitingInteraction waitingOf(String iid, JsonObject item) {
    return waitingOf(iid, item, RoutingJson::classification);
  }

  /** As {@link #waitingOf(String, JsonObject)}, the classification decoded by {@code decode} (which may share instances). */
  static WaitingInteraction waitingOf(String iid, JsonObject item, java.util.function.Function<JsonObject, Classification> decode) {
    Set<String> excluded = new HashSet<>();
    RoutingJson.array(item, "excluded").forEach(e -> excluded.add((String) e));
    String target = item.getString("targetAgent");
    Long until = target == null ? null : item.getLong("targetUntil");
    return new WaitingInteraction(iid, item.getString("channel"), decode.apply(item.getJsonObject("classification")),
        Instant.ofEpochMilli(item.getLong("waitingSince")), item.getString("lastAgent"), excluded,
        until == null ? null : target, until == null ? null : Instant.ofEpochMilli(until));
  }

  /**
   * Whether the matcher could give the agent any work now: available with its console present, on no exclusive work,
   * with capacity left on some channel (an exclusive channel, voice, only while it holds no work at all). The same
   * test as the {@link io.switchboard.routing.Matcher}'s exclusions by load: an agent for whom this is false is
   * excluded from every decision, so a pass need not weigh it (and a pass with no such agent need not run).
   */
  static boolean canTakeWork(AgentSnapshot a) {
    if (!a.available()) {
      return false;
    }
    int total = 0;
    for (var e : a.load().entrySet()) {
      int n = e.getValue() == null ? 0 : Math.max(0, e.getValue());
      total += n;
      if (n > 0 && a.exclusiveChannels().contains(e.getKey())) {
        return false;
      }
    }
    for (var e : a.capacity().entrySet()) {
      Integer n = a.load().get(e.getKey());
      int load = n == null ? 0 : Math.max(0, n);
      if (e.getValue() != null && e.getValue() > load && (total == 0 || !a.exclusiveChannels().contains(e.getKey()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * An agent as the matcher sees it at {@code now}. Idle time (longest idle wins a tie) is how long the agent has been
   * available with no work at all: it starts when the agent becomes available or its console present (set_state.lua,
   * present.lua) or finishes its last piece of work (finish.lua), whichever is latest; an agent holding work has none.
   */
  static AgentSnapshot snapshot(RoutingState.AgentLive a, Instant now) {
    boolean available = "available".equals(a.state()) && a.present();
    return new AgentSnapshot(a.agentId(), available, a.skills(), new HashSet<>(a.queues()), a.capacity(), a.load(),
        new HashSet<>(a.exclusive()), idleSince(a, now));
  }

  /**
   * A decision as stored and shown to supervisors ({@link RoutingJson#decision}), with the real reason an agent was
   * not available ("console not connected", "on break: lunch", "busy", "offline", "in after-call work") instead of
   * "not available", also in the counts by reason, and each eligible agent's idle time ({@code idleSeconds}), which
   * breaks ties between equal scores.
   */
  static JsonObject explained(Decision d, Map<String, RoutingState.AgentLive> agents, Instant now) {
    JsonObject j = RoutingJson.decision(d);
    for (Object o : j.getJsonArray("candidates")) {
      JsonObject c = (JsonObject) o;
      RoutingState.AgentLive a = agents.get(c.getString("agentId"));
      if (a == null) {
        continue;
      }
      String why = unavailable(a);
      if (why != null && "not available".equals(c.getString("excludedBecause"))) {
        c.put("excludedBecause", why);
      }
      if (c.containsKey("score")) {
        c.put("idleSeconds", Duration.between(idleSince(a, now), now).toSeconds());
      }
    }
    JsonObject excluded = j.getJsonObject("excluded");
    if (excluded != null && excluded.containsKey("not available")) {
      excluded.remove("not available");
      Map<String, Integer> byReason = new java.util.TreeMap<>();
      agents.values().forEach(a -> {
        String why = unavailable(a);
        if (why != null) {
          byReason.merge(why, 1, Integer::sum);
        }
      });
      byReason.forEach(excluded::put);
    }
    return j;
  }

  /** Why an agent takes no work now, in a supervisor's words; null when it is available with its console connected. */
  static String unavailable(RoutingState.AgentLive a) {
    if (!"available".equals(a.state())) {
      String s = switch (a.state()) {
        case "break" -> "on break";
        case "after_call_work" -> "in after-call work";
        default -> a.state();
      };
      return a.reason() == null || a.reason().isBlank() || !"break".equals(a.state()) ? s : s + ": " + a.reason();
    }
    return a.present() ? null : "console not connected";
  }

  /** When the agent's idle time started; {@code now} (no idle time) while it holds work. */
  static Instant idleSince(RoutingState.AgentLive a, Instant now) {
    boolean holdsWork = a.load().values().stream().anyMatch(n -> n != null && n > 0);
    return holdsWork || a.idleSince().isAfter(now) ? now : a.idleSince();
  }
}
