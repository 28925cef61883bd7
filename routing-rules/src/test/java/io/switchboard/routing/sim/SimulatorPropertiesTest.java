package io.switchboard.routing.sim;

import static org.assertj.core.api.Assertions.assertThat;

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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Over random arrivals and rosters: every interaction ends answered or abandoned, and after every matching pass no
 * interaction is still waiting past its queue's maxWait while an agent serving that queue could take it.
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

  @Provide
  Arbitrary<Arrival> arrival() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 900),
            Arbitraries.of("voice", "chat", "email", "social"),
            Arbitraries.of("gold", "none"),
            Arbitraries.integers().between(1, 400).injectNull(0.3),
            Arbitraries.integers().between(0, 600).injectNull(0.3))
        .as((at, ch, tier, handle, patience) ->
            new Arrival(Duration.ofSeconds(at), ch, Map.of(), tier, null, null,
                handle == null ? null : Duration.ofSeconds(handle), patience == null ? null : Duration.ofSeconds(patience)));
  }

  @Provide
  Arbitrary<SimAgent> agent() {
    return Combinators.combine(
            Arbitraries.maps(Arbitraries.of("s0", "s1", "s2"), Arbitraries.integers().between(1, 5)).ofMaxSize(3),
            Arbitraries.of("q0", "q1", "q2").set().ofMaxSize(2),
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 1))
        .as((skills, queues, chat, voice) -> new SimAgent("x", skills, queues, Map.of("chat", chat, "voice", voice), null));
  }

  @Property(tries = 150)
  void everyInteractionEndsAndNoneWaitsPastMaxWaitWhileAnAgentIsFree(
      @ForAll @Size(max = 40) List<@From("arrival") Arrival> arrivals,
      @ForAll @Size(min = 1, max = 5) List<@From("agent") SimAgent> agents,
      @ForAll long seed) {
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

  @Property(tries = 50)
  void theSameSeedGivesTheSameResult(@ForAll @Size(max = 30) List<@From("arrival") Arrival> arrivals, @ForAll long seed) {
    List<SimAgent> roster = List.of(new SimAgent("a", Map.of("s0", 5, "s1", 5, "s2", 5), Set.of(), Map.of(), null));
    assertThat(new Simulator().simulate(RULES, arrivals, roster, seed)).isEqualTo(new Simulator().simulate(RULES, arrivals, roster, seed));
  }
}
