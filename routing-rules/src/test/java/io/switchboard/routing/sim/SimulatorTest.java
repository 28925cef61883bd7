package io.switchboard.routing.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.routing.RoutingRules;
import io.switchboard.routing.RulesException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatorTest {
  static final String RULES =
      """
      settings:
        afterCallWork: 0s
      skills: [billing]
      queues:
        - id: billing
          serviceLevel: { percent: 80, within: 30s }
          maxWait: 5m
      rules:
        - name: all
          queue: billing
          require: { billing: 3 }
          relax:
            - after: 60s
              lower: { billing: 1 }
      """;

  static RoutingRules rules() throws RulesException {
    return RoutingRules.parse("sim.yaml", RULES, 1);
  }

  static Arrival chat(int atSeconds, int handle, int patience) {
    return new Arrival(Duration.ofSeconds(atSeconds), "chat", Map.of(), null, "en", null, Duration.ofSeconds(handle), Duration.ofSeconds(patience));
  }

  static SimAgent agent(String id, int billing, int chats) {
    return new SimAgent(id, Map.of("billing", billing), Set.of(), Map.of("chat", chats), null);
  }

  @Test
  void anInteractionIsAnsweredAtOnceWhenAnAgentIsFree() throws RulesException {
    SimulationResult r = new Simulator().simulate(rules(), List.of(chat(10, 100, 60)), List.of(agent("a", 3, 1)), 1);
    assertThat(r.outcomes()).containsExactly(new SimulationResult.Outcome(0, "all", "billing", "chat", true, Duration.ZERO, "a"));
    QueueStats q = r.queue("billing");
    assertThat(q.offered()).isEqualTo(1);
    assertThat(q.answered()).isEqualTo(1);
    assertThat(q.serviceLevel()).isEqualTo(100.0);
    assertThat(q.averageSpeedOfAnswer()).isEqualTo(Duration.ZERO);
    assertThat(r.duration()).isEqualTo(Duration.ofSeconds(110));
    assertThat(q.occupancy()).isCloseTo(100.0 * 100 / 110, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void theSecondWaitsForTheAgentToFinishOrAbandons() throws RulesException {
    SimulationResult r =
        new Simulator().simulate(rules(), List.of(chat(0, 100, 600), chat(10, 50, 200), chat(20, 50, 30)), List.of(agent("a", 3, 1)), 1);
    assertThat(r.outcomes())
        .extracting(SimulationResult.Outcome::answered, SimulationResult.Outcome::waited)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(true, Duration.ZERO),
            org.assertj.core.groups.Tuple.tuple(true, Duration.ofSeconds(90)),
            org.assertj.core.groups.Tuple.tuple(false, Duration.ofSeconds(30)));
    QueueStats q = r.queue("billing");
    assertThat(q.abandoned()).isEqualTo(1);
    assertThat(q.abandonRate()).isCloseTo(100.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    // answered within 30s: 1; answered 2; abandoned after 30s: 0 (it gave up at exactly 30s)
    assertThat(q.serviceLevel()).isEqualTo(50.0);
    assertThat(q.averageSpeedOfAnswer()).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void relaxationLetsAWeakerAgentTakeItAfterTheStep() throws RulesException {
    SimulationResult r = new Simulator().simulate(rules(), List.of(chat(0, 10, 600)), List.of(agent("junior", 1, 1)), 1);
    assertThat(r.outcomes().get(0).waited()).isEqualTo(Duration.ofSeconds(60));
    assertThat(r.outcomes().get(0).agentId()).isEqualTo("junior");
  }

  @Test
  void atMaxWaitAnyAgentOfTheQueueTakesIt() throws RulesException {
    SimulationResult r =
        new Simulator().simulate(rules(), List.of(chat(0, 10, 3600)), List.of(new SimAgent("nobody-skilled", Map.of(), Set.of(), Map.of("chat", 1), null)), 1);
    assertThat(r.outcomes().get(0).waited()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void afterCallWorkKeepsTheSlotTaken() throws RulesException {
    RoutingRules withWrapUp = RoutingRules.parse("sim.yaml", RULES.replace("afterCallWork: 0s", "afterCallWork: 20s"), 1);
    SimulationResult r = new Simulator().simulate(withWrapUp, List.of(chat(0, 100, 600), chat(1, 10, 600)), List.of(agent("a", 3, 1)), 1);
    assertThat(r.outcomes().get(1).waited()).isEqualTo(Duration.ofSeconds(119));
  }

  @Test
  void missingHandleAndPatienceAreDrawnFromTheSeed() throws RulesException {
    List<Arrival> arrivals = List.of(
        new Arrival(Duration.ZERO, "chat", null, null, null, null, null, null),
        new Arrival(Duration.ofSeconds(5), "chat", null, null, null, null, null, null));
    Simulator s = new Simulator(Duration.ofSeconds(100), Duration.ofSeconds(50));
    SimulationResult a = s.simulate(rules(), arrivals, List.of(agent("a", 3, 1)), 7);
    SimulationResult b = s.simulate(rules(), arrivals, List.of(agent("a", 3, 1)), 7);
    assertThat(a).isEqualTo(b);
    boolean anyDiffers = false;
    for (long seed = 1; seed < 20 && !anyDiffers; seed++) {
      anyDiffers = !s.simulate(rules(), arrivals, List.of(agent("a", 3, 1)), seed).equals(a);
    }
    assertThat(anyDiffers).isTrue();
  }

  @Test
  void theDemoRuleFilesGiveDifferentResults() throws Exception {
    SimulationResult[] results = new SimulationResult[2];
    String[] files = {"config/routing.yaml", "config/demo/simulation/routing-strict.yaml"};
    List<Arrival> arrivals =
        SimulationInputs.arrivals("arrivals.jsonl", io.switchboard.routing.FixturesAccess.read("config/demo/simulation/arrivals.jsonl"));
    List<SimAgent> roster =
        SimulationInputs.roster("roster.yaml", io.switchboard.routing.FixturesAccess.read("config/demo/simulation/roster.yaml"));
    assertThat(arrivals).hasSizeBetween(200, 400);
    assertThat(arrivals.get(arrivals.size() - 1).at()).isLessThan(Duration.ofHours(1));
    assertThat(arrivals).extracting(Arrival::channel).contains("voice", "chat", "email", "social");
    assertThat(roster).extracting(SimAgent::id).containsExactly("alice", "bob", "chen", "dilara", "emma", "sam");
    for (int i = 0; i < 2; i++) {
      RoutingRules rules = RoutingRules.parse(files[i], io.switchboard.routing.FixturesAccess.read(files[i]), 1);
      results[i] = new Simulator().simulate(rules, arrivals, roster, 1);
      assertThat(results[i].total().answered() + results[i].total().abandoned()).isEqualTo(arrivals.size());
    }
    assertThat(results[0].queues()).isNotEqualTo(results[1].queues());
    assertThat(results[1].total().abandoned()).isGreaterThan(results[0].total().abandoned());
  }

  static final String TWO_QUEUES =
      """
      settings:
        afterCallWork: 0s
      skills: [billing]
      queues:
        - id: billing
          serviceLevel: { percent: 80, within: 30s }
          maxWait: 5m
        - id: general
          serviceLevel: { percent: 80, within: 30s }
          maxWait: 5m
      rules:
        - name: billing
          when: "attributes['topic'] == 'billing'"
          queue: billing
        - name: rest
          queue: general
      """;

  static Arrival chatAbout(String topic, int handle) {
    return new Arrival(Duration.ZERO, "chat", Map.of("topic", topic), null, "en", null, Duration.ofSeconds(handle),
        Duration.ofSeconds(600));
  }

  @Test
  @org.junit.jupiter.api.DisplayName("#9.6 Occupancy per queue is the queue's workload (a chat is a third of a chat agent) over its agents' time")
  void occupancyPerQueueIsWorkloadBasedAndDiffersFromTheOverallFigure() throws RulesException {
    RoutingRules rules = RoutingRules.parse("two.yaml", TWO_QUEUES, 1);
    List<Arrival> arrivals = List.of(chatAbout("billing", 300), chatAbout("other", 300), chatAbout("other", 300),
        chatAbout("other", 300));
    // Two agents serving every queue, three chats at once each: 1 billing chat and 3 general chats for 300 s.
    SimulationResult r = new Simulator().simulate(rules, arrivals, List.of(agent("a", 3, 3), agent("b", 3, 3)), 1);
    assertThat(r.duration()).isEqualTo(Duration.ofSeconds(300));
    org.assertj.core.data.Offset<Double> close = org.assertj.core.data.Offset.offset(1e-9);
    // Workload: billing 300 s / 3 = 100 s; general 3 × 100 s = 300 s; staffed 2 × 300 s = 600 s.
    assertThat(r.queue("billing").occupancy()).isCloseTo(100.0 * 100 / 600, close);
    assertThat(r.queue("general").occupancy()).isCloseTo(100.0 * 300 / 600, close);
    assertThat(r.total().occupancy()).isCloseTo(100.0 * 400 / 600, close);

    // With routing profiles: an agent of billing alone holds one chat of three for the whole run: a third busy.
    SimulationResult profiled = new Simulator().simulate(rules, arrivals, List.of(
        new SimAgent("b", Map.of("billing", 3), Set.of("billing"), Map.of("chat", 3), null),
        new SimAgent("g", Map.of("billing", 3), Set.of("general"), Map.of("chat", 3), null)), 1);
    assertThat(profiled.queue("billing").occupancy()).as("one chat of three is not 'busy'").isCloseTo(100.0 / 3, close);
    assertThat(profiled.queue("general").occupancy()).isCloseTo(100.0, close);
  }
}
