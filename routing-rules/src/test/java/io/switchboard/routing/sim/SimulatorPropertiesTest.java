package io.switchboard.routing.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.QueueDefinition;
import io.switchboard.routing.RoutingRules;
import io.switchboard.routing.RulesException;
import io.switchboard.routing.WaitingInteraction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Over random arrivals and rosters: every interaction ends answered or abandoned, and after every matching pass no
 * interaction is still waiting past its queue's maxWait while an agent serving that queue could take it.
 *
 * <p>QuickTheories draws a new seed each run and prints it with a failure; {@code -DQT_SEED=<seed>} replays it.
 */
class SimulatorPropertiesTest {
  static final RoutingRules RULES;

  static {
    try {
      RULES =
          RoutingRules.parse(
              "props.yaml",
              """
              settings: { afterCallWork: 5s }
              skills: [s0, s1, s2]
              queues:
                - { id: q0, maxWait: 60s }
                - { id: q1, maxWait: 2m }
                - { id: q2, maxWait: 30s }
              rules:
                - name: gold
                  when: "customer.tier == 'gold'"
                  queue: q2
                  priority: 10
                  require: { s2: 5 }
                - name: voice
                  when: "channel == 'voice'"
                  queue: q0
                  require: { s0: 4, s1: 2 }
                  relax:
                    - after: 20s
                      drop: [s1]
                    - after: 40s
                      lower: { s0: 1 }
                      widen: q1
                - name: rest
                  queue: q1
                  require: { s1: 3 }
              """,
              1);
    } catch (RulesException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A value from {@code gen}, or null about 30% of the time. */
  static <T> Gen<T> sometimesNull(Gen<T> gen) {
    return gen.toOptionals(30).map(o -> o.orElse(null));
  }

  static Gen<Arrival> arrival() {
    return integers().between(0, 900).zip(
            Generate.pick(List.of("voice", "chat", "email", "social")),
            Generate.pick(List.of("gold", "none")),
            sometimesNull(integers().between(1, 400)),
            sometimesNull(integers().between(0, 600)),
            (at, ch, tier, handle, patience) ->
                new Arrival(Duration.ofSeconds(at), ch, Map.of(), tier, null, null,
                    handle == null ? null : Duration.ofSeconds(handle), patience == null ? null : Duration.ofSeconds(patience)));
  }

  static Gen<SimAgent> agent() {
    Gen<Map<String, Integer>> skills = lists().of(Generate.pick(List.of("s0", "s1", "s2")).zip(integers().between(1, 5), Map::entry))
        .ofSizeBetween(0, 3).map(entries -> {
          Map<String, Integer> out = new java.util.LinkedHashMap<>();
          entries.forEach(e -> out.putIfAbsent(e.getKey(), e.getValue()));
          return out;
        });
    Gen<Set<String>> queues = lists().of(Generate.pick(List.of("q0", "q1", "q2"))).ofSizeBetween(0, 2)
        .map(l -> (Set<String>) new java.util.HashSet<>(l));
    return skills.zip(queues, integers().between(0, 3), integers().between(0, 1),
        (sk, q, chat, voice) -> new SimAgent("x", sk, q, Map.of("chat", chat, "voice", voice), null));
  }

  @Test
  void everyInteractionEndsAndNoneWaitsPastMaxWaitWhileAnAgentIsFree() {
    qt().withExamples(150)
        .forAll(lists().of(arrival()).ofSizeBetween(0, 40), lists().of(agent()).ofSizeBetween(1, 5), longs().all())
        .checkAssert(SimulatorPropertiesTest::endsAndNoneWaitsPastMaxWait);
  }

  static void endsAndNoneWaitsPastMaxWait(List<Arrival> arrivals, List<SimAgent> agents, long seed) {
    List<SimAgent> roster = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      SimAgent a = agents.get(i);
      roster.add(new SimAgent("a" + i, a.skills(), a.queues(), a.capacity(), a.exclusiveChannels()));
    }
    List<String> violations = new ArrayList<>();
    PassObserver observer =
        (now, stillWaiting, snapshots) -> {
          for (WaitingInteraction w : stillWaiting) {
            QueueDefinition q = RULES.queues().get(w.classification().queue());
            if (Duration.between(w.waitingSince(), now).compareTo(q.maxWait()) < 0) continue;
            for (AgentSnapshot a : snapshots) {
              boolean serves = a.queues().isEmpty() || a.queues().contains(q.id());
              if (serves && canTake(a, w.channel())) {
                violations.add(w.interactionId() + " waits past " + q.maxWait() + " at " + now + " while " + a.agentId() + " is free");
              }
            }
          }
        };
    SimulationResult r =
        new Simulator(Duration.ofSeconds(120), Duration.ofSeconds(90), Simulator.DEFAULT_START, observer).simulate(RULES, arrivals, roster, seed);
    assertThat(violations).isEmpty();
    assertThat(r.outcomes()).hasSize(arrivals.size());
    assertThat(r.total().answered() + r.total().abandoned()).isEqualTo(arrivals.size());
    assertThat(r.queues().stream().mapToInt(QueueStats::offered).sum()).isEqualTo(arrivals.size());
    for (SimulationResult.Outcome o : r.outcomes()) {
      assertThat(o.answered()).isEqualTo(o.agentId() != null);
    }
  }

  static boolean canTake(AgentSnapshot a, String channel) {
    int cap = a.capacity().getOrDefault(channel, 0);
    int load = a.load().getOrDefault(channel, 0);
    boolean onExclusive = a.exclusiveChannels().stream().anyMatch(c -> a.load().getOrDefault(c, 0) > 0);
    return load < cap && !onExclusive && !(a.exclusiveChannels().contains(channel) && a.totalLoad() > 0);
  }

  @Test
  void theSameSeedGivesTheSameResult() {
    List<SimAgent> roster = List.of(new SimAgent("a", Map.of("s0", 5, "s1", 5, "s2", 5), Set.of(), Map.of(), null));
    qt().withExamples(50)
        .forAll(lists().of(arrival()).ofSizeBetween(0, 30), longs().all())
        .checkAssert((arrivals, seed) ->
            assertThat(new Simulator().simulate(RULES, arrivals, roster, seed)).isEqualTo(new Simulator().simulate(RULES, arrivals, roster, seed)));
  }
}
