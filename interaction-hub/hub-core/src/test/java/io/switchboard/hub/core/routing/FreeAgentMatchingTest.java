package io.switchboard.hub.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.RelaxationAction;
import io.switchboard.routing.RelaxationStep;
import io.switchboard.routing.SkillRequirement;
import io.switchboard.routing.WaitingInteraction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The incremental pass ({@link MatchingPass}) weighs waiting interactions against the agents who can take work only
 * ({@link Matcher#choose}: it stops once they are full) and explains each choice against every agent afterwards. These cases check, over many seeded rosters and queues, that it
 * chooses exactly what a pass over every agent chooses, in the same order, with the same stored explanation.
 */
@DisplayName("matching against free agents only decides and explains as a pass over every agent")
class FreeAgentMatchingTest {
  static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  static final List<String> QUEUES = List.of("general", "billing", "vip");
  static final List<String> SKILLS = List.of("billing", "vip", "german", "english");
  static final List<String> CHANNELS = List.of("chat", "email", "voice");

  @Test
  void everySeededCaseDecidesAndExplainsAlike() {
    for (int seed = 1; seed <= 120; seed++) {
      Random r = new Random(seed);
      int agents = 1 + r.nextInt(seed % 3 == 0 ? 260 : 40); // some with more eligible agents than a decision names
      int waiting = r.nextInt(120);
      List<AgentSnapshot> all = roster(r, agents);
      List<WaitingInteraction> list = waiting(r, waiting, all);
      assertAlike(seed, list, all);
    }
  }

  @Test
  void withNobodyFreeNothingIsDecidedAndNothingNeedsWeighing() {
    Random r = new Random(7);
    List<AgentSnapshot> all = new ArrayList<>();
    for (AgentSnapshot a : roster(r, 30)) {
      // every agent full on every channel, or not available
      all.add(new AgentSnapshot(a.agentId(), a.available(), a.skills(), a.queues(), a.capacity(), new HashMap<>(a.capacity()),
          a.exclusiveChannels(), a.idleSince()));
    }
    assertThat(all.stream().filter(LiveViews::canTakeWork)).isEmpty();
    List<WaitingInteraction> list = waiting(r, 50, all);
    assertThat(Matcher.capped().match(list, all, NOW)).allMatch(d -> d.chosenAgentId() == null);
  }

  private static void assertAlike(int seed, List<WaitingInteraction> list, List<AgentSnapshot> all) {
    Matcher matcher = Matcher.capped(); // stored decisions are compact whatever the team's size
    List<Decision> expected = matcher.match(list, all, NOW).stream().filter(d -> d.chosenAgentId() != null).toList();
    List<AgentSnapshot> free = all.stream().filter(LiveViews::canTakeWork).toList();
    Map<String, WaitingInteraction> byId = new HashMap<>();
    list.forEach(w -> byId.put(w.interactionId(), w));
    // as MatchingPass decides: only what the free agents can still take (Matcher.choose), then explained against all
    List<Decision> actual = MatchingPass.explainedAgainstAll(Matcher.capped().choose(list, free, NOW).chosen(), byId, all, matcher, NOW);
    assertThat(actual.stream().map(d -> d.interactionId() + "->" + d.chosenAgentId()).toList())
        .as("seed %d: choices", seed)
        .isEqualTo(expected.stream().map(d -> d.interactionId() + "->" + d.chosenAgentId()).toList());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(RoutingJson.decision(actual.get(i))).as("seed %d: explanation of %s", seed, expected.get(i).interactionId())
          .isEqualTo(RoutingJson.decision(expected.get(i)));
    }
  }

  static List<AgentSnapshot> roster(Random r, int n) {
    List<AgentSnapshot> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Integer> skills = new LinkedHashMap<>();
      for (String s : SKILLS) {
        if (r.nextInt(3) > 0) {
          skills.put(s, 1 + r.nextInt(5));
        }
      }
      Set<String> queues = new HashSet<>();
      if (r.nextBoolean()) {
        queues.add(QUEUES.get(r.nextInt(QUEUES.size())));
      }
      Map<String, Integer> capacity = new LinkedHashMap<>();
      Map<String, Integer> load = new LinkedHashMap<>();
      capacity.put("chat", 1 + r.nextInt(3));
      capacity.put("email", r.nextInt(3));
      capacity.put("voice", r.nextInt(2));
      for (String ch : CHANNELS) {
        int l = r.nextInt(4) == 0 ? r.nextInt(capacity.get(ch) + 1) : 0;
        if (l > 0) {
          load.put(ch, l);
        }
      }
      boolean available = r.nextInt(4) > 0;
      Instant idle = NOW.minusSeconds(r.nextInt(5) == 0 ? 100 : r.nextInt(3000)); // some ties on idle time
      out.add(new AgentSnapshot(String.format("agent-%04d", i), available, skills, queues, capacity, load, Set.of("voice"), idle));
    }
    return out;
  }

  static List<WaitingInteraction> waiting(Random r, int n, List<AgentSnapshot> agents) {
    List<WaitingInteraction> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String queue = QUEUES.get(r.nextInt(QUEUES.size()));
      List<SkillRequirement> reqs = new ArrayList<>();
      if (r.nextBoolean()) {
        reqs.add(new SkillRequirement(SKILLS.get(r.nextInt(SKILLS.size())), 1 + r.nextInt(5)));
      }
      List<RelaxationStep> steps = new ArrayList<>();
      if (r.nextBoolean()) {
        steps.add(new RelaxationStep(Duration.ofSeconds(60), List.of(new RelaxationAction.WidenQueue(QUEUES.get(r.nextInt(QUEUES.size()))),
            new RelaxationAction.RaisePriority(5))));
      }
      if (r.nextInt(3) == 0) {
        steps.add(new RelaxationStep(Duration.ofSeconds(600), List.of(new RelaxationAction.DropAll())));
      }
      Classification c = new Classification("rule-" + queue, queue, r.nextInt(3) * 10, reqs, steps, 1);
      String channel = CHANNELS.get(r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0);
      Set<String> excluded = new HashSet<>();
      String last = null;
      if (!agents.isEmpty() && r.nextInt(4) == 0) {
        excluded.add(agents.get(r.nextInt(agents.size())).agentId());
      }
      if (!agents.isEmpty() && r.nextInt(4) == 0) {
        last = agents.get(r.nextInt(agents.size())).agentId();
      }
      String target = null;
      Instant until = null;
      if (!agents.isEmpty() && r.nextInt(10) == 0) {
        target = agents.get(r.nextInt(agents.size())).agentId();
        until = NOW.plusSeconds(60);
      }
      Instant since = NOW.minusSeconds(r.nextInt(900));
      out.add(new WaitingInteraction(String.format("i-%04d", i), channel, c, since, last, excluded, target, until));
    }
    return out;
  }
}
