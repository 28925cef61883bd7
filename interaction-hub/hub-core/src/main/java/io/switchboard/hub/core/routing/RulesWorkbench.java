package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.store.ArrivalStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.routing.RoutingRules;
import io.switchboard.routing.RulesException;
import io.switchboard.routing.sim.Arrival;
import io.switchboard.routing.sim.QueueStats;
import io.switchboard.routing.sim.SimAgent;
import io.switchboard.routing.sim.SimulationResult;
import io.switchboard.routing.sim.Simulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An admin's draft of the routing rules before it is published: validation with every problem as
 * {@code routing.yaml:line: key: message}, the line diff against the running version, and the what-if simulation of the
 * draft against the running rules on the interactions that really arrived in the last days.
 *
 * <p>The simulation replays the stored arrivals (channel, attributes, subject, the customer's tier, language and
 * attributes, at the times they came) through {@link Simulator} twice with one seed: once with the running rules and once
 * with the draft, with today's active agents (role agent) as the roster, all available, each serving the queues of its
 * routing profile (every queue when it has none). Handle times are the real ones of interactions that were answered and
 * finished, patience the real wait of those abandoned; the rest are drawn from the means. So the two runs see the same
 * customers and the difference is the rules'. It runs on a worker thread.
 */
public final class RulesWorkbench {
  /** The name problems carry: the draft is what will become routing.yaml. */
  public static final String DRAFT_FILE = "routing.yaml";
  /** Arrivals simulated at most; a longer period is cut and the answer says so. */
  public static final int MAX_ARRIVALS = 50_000;
  /** The seed of both runs: the same inputs give the same comparison. */
  public static final long SEED = 20261206L;

  /** What a draft is: its problems (none when valid) and the line diff against the running version. */
  public record Check(boolean valid, int runningVersion, List<RulesException.Problem> problems, List<String> diff) {}

  private final Vertx vertx;
  private final Stores stores;
  private final RulesService rules;
  private final Clock clock;
  private final ArrivalStore arrivals = new ArrivalStore();

  public RulesWorkbench(Vertx vertx, Stores stores, RulesService rules, Clock clock) {
    this.vertx = vertx;
    this.stores = stores;
    this.rules = rules;
    this.clock = clock;
  }

  /** Validates the draft and diffs it against the running rules (the diff is empty when the files are too large). */
  public Check check(String draft) {
    RoutingRules running = rules.current();
    List<RulesException.Problem> problems = List.of();
    try {
      RoutingRules.parse(DRAFT_FILE, draft, 0);
    } catch (RulesException e) {
      problems = e.problems();
    }
    List<String> diff;
    try {
      diff = LineDiff.diff(running.sourceText(), draft);
    } catch (IllegalArgumentException tooLarge) {
      diff = List.of();
    }
    return new Check(problems.isEmpty(), running.version(), problems, diff);
  }

  /**
   * Simulates the running rules and the draft on the arrivals of the last {@code days} days.
   *
   * @throws ValidationException (in the future) on {@code source} when the draft has problems
   */
  public Future<JsonObject> simulate(String draft, int days) {
    RoutingRules running = rules.current();
    RoutingRules proposed;
    try {
      proposed = RoutingRules.parse(DRAFT_FILE, draft, 0);
    } catch (RulesException e) {
      return Future.failedFuture(new ValidationException("source", "the draft has problems: " + e.getMessage()));
    }
    Instant to = clock.instant();
    Instant from = to.minus(Duration.ofDays(days));
    var sql = stores.db().pool();
    return arrivals.between(sql, from, to, MAX_ARRIVALS + 1).compose(stored -> stores.agents().list(sql).compose(staff ->
        vertx.executeBlocking(() -> compare(running, proposed, stored, staff, from, to, days), false)));
  }

  private JsonObject compare(RoutingRules running, RoutingRules proposed, List<ArrivalStore.Arrival> stored, List<Agent> staff,
      Instant from, Instant to, int days) {
    boolean truncated = stored.size() > MAX_ARRIVALS;
    List<ArrivalStore.Arrival> used = truncated ? stored.subList(0, MAX_ARRIVALS) : stored;
    List<Arrival> replay = new ArrayList<>(used.size());
    long handled = 0;
    long handleMs = 0;
    for (ArrivalStore.Arrival a : used) {
      Duration handle = a.answeredAt() != null && a.workEndedAt() != null && !a.workEndedAt().isBefore(a.answeredAt())
          ? Duration.between(a.answeredAt(), a.workEndedAt()) : null;
      Duration patience = "abandoned".equals(a.state()) && a.answeredAt() == null && a.endedAt() != null
          && !a.endedAt().isBefore(a.createdAt()) ? Duration.between(a.createdAt(), a.endedAt()) : null;
      if (handle != null) {
        handled++;
        handleMs += handle.toMillis();
      }
      Map<String, String> attributes = a.attributes();
      String language = attributes.getOrDefault("language", a.customerLanguage());
      replay.add(new Arrival(Duration.between(from, a.createdAt()), a.channel(), attributes, a.customerTier(), language,
          a.subject(), handle, patience));
    }
    List<SimAgent> roster = new ArrayList<>();
    for (Agent agent : staff) {
      if (agent.active() && agent.role() == Role.AGENT) {
        Map<String, Integer> capacity = new LinkedHashMap<>();
        agent.capacity().forEach((ch, n) -> capacity.put(ch.wireName(), n));
        // Their queue membership (routing profile; none = every queue), as the router applies it.
        roster.add(new SimAgent(agent.id().toString(), agent.skills(), new HashSet<>(agent.queues()), capacity, null));
      }
    }
    Duration meanHandle = handled == 0 ? Duration.ofSeconds(180) : Duration.ofMillis(Math.max(1000, handleMs / handled));
    Simulator simulator = new Simulator(meanHandle, Duration.ofSeconds(120), from.atZone(ZoneOffset.UTC), null);
    SimulationResult before = simulator.simulate(running, replay, roster, SEED);
    SimulationResult after = simulator.simulate(proposed, replay, roster, SEED);

    Map<String, Integer> moves = new TreeMap<>();
    int changed = 0;
    for (int i = 0; i < before.outcomes().size() && i < after.outcomes().size(); i++) {
      SimulationResult.Outcome b = before.outcomes().get(i);
      SimulationResult.Outcome d = after.outcomes().get(i);
      if (!b.queue().equals(d.queue())) {
        changed++;
        moves.merge(b.queue() + "\u0000" + d.queue(), 1, Integer::sum);
      }
    }
    JsonArray moved = new JsonArray();
    moves.forEach((k, n) -> {
      String[] pair = k.split("\u0000", 2);
      moved.add(new JsonObject().put("from", pair[0]).put("to", pair[1]).put("count", n));
    });
    return new JsonObject()
        .put("from", from.toString()).put("to", to.toString()).put("days", days)
        .put("arrivals", replay.size()).put("truncated", truncated).put("agents", roster.size())
        .put("meanHandleSeconds", meanHandle.toSeconds()).put("seed", SEED)
        .put("running", run(running.version(), before))
        .put("draft", run(null, after))
        .put("changedQueue", changed)
        .put("moves", moved);
  }

  private static JsonObject run(Integer version, SimulationResult r) {
    JsonArray queues = new JsonArray();
    r.queues().forEach(q -> queues.add(stats(q)));
    return new JsonObject().put("version", version).put("total", stats(r.total())).put("queues", queues);
  }

  private static JsonObject stats(QueueStats q) {
    return new JsonObject().put("queue", q.queue()).put("name", q.name())
        .put("offered", q.offered()).put("answered", q.answered()).put("abandoned", q.abandoned())
        .put("serviceLevel", finite(q.serviceLevel()))
        .put("averageSpeedOfAnswerSeconds", q.averageSpeedOfAnswer() == null ? null
            : Math.round(q.averageSpeedOfAnswer().toMillis() / 100.0) / 10.0)
        .put("abandonRate", finite(q.abandonRate()))
        .put("occupancy", finite(q.occupancy()));
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : null;
  }
}
