package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Invariants of matching over random agents, waiting interactions and event sequences: capacity is never exceeded,
 * an interaction is offered to at most one agent per pass, exclusive channels stay exclusive, every chosen agent was
 * eligible, and no interaction left waiting after a pass had an eligible agent (no head-of-line blocking).
 *
 * <p>QuickTheories draws a new seed each run and prints it with a failure; {@code -DQT_SEED=<seed>} replays it.
 */
class MatcherPropertiesTest {
  static final List<String> SKILLS = List.of("s0", "s1", "s2", "s3");
  static final List<String> QUEUES = List.of("q0", "q1", "q2");
  static final List<String> CHANNELS = List.of("voice", "chat", "email", "social");
  static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

  record AgentSpec(boolean available, Map<String, Integer> skills, Set<String> queues, Map<String, Integer> capacity, String busyWith, int idleOffset) {}

  record WaitSpec(String channel, String queue, int priority, Map<String, Integer> requires, int lowerAfter, String widenTo, int waitedSeconds, int lastAgent, int declined) {}

  /** Up to {@code max} distinct keys of {@code keys}, each with a value from {@code values}. */
  static <V> Gen<Map<String, V>> mapOf(List<String> keys, Gen<V> values, int max) {
    return lists().of(Generate.pick(keys).zip(values, Map::entry)).ofSizeBetween(0, max).map(entries -> {
      Map<String, V> out = new LinkedHashMap<>();
      entries.forEach(e -> out.putIfAbsent(e.getKey(), e.getValue()));
      return out;
    });
  }

  /** Up to {@code max} distinct members of {@code from}. */
  static Gen<Set<String>> setOf(List<String> from, int max) {
    return lists().of(Generate.pick(from)).ofSizeBetween(0, max).map(l -> (Set<String>) new HashSet<>(l));
  }

  static Gen<AgentSpec> agentSpec() {
    Gen<Map<String, Integer>> skills = mapOf(SKILLS, integers().between(1, 5), 4);
    Gen<Set<String>> queues = setOf(QUEUES, 2);
    Gen<Map<String, Integer>> capacity =
        integers().between(0, 2).zip(integers().between(0, 3), integers().between(0, 4), integers().between(0, 2),
            (v, c, e, s) -> Map.of("voice", v, "chat", c, "email", e, "social", s));
    Gen<Boolean> available = Generate.pick(List.of(true, true, true, false));
    Gen<String> busyWith = Generate.pick(List.of("", "", "voice", "chat", "email"));
    return available.zip(skills, queues, capacity, (a, sk, q, cap) -> new Object[] {a, sk, q, cap})
        .zip(busyWith, integers().between(0, 600), (parts, busy, idle) -> agentSpecOf(parts, busy, idle));
  }

  @SuppressWarnings("unchecked")
  private static AgentSpec agentSpecOf(Object[] parts, String busyWith, int idleOffset) {
    return new AgentSpec((Boolean) parts[0], (Map<String, Integer>) parts[1], (Set<String>) parts[2], (Map<String, Integer>) parts[3],
        busyWith, idleOffset);
  }

  static Gen<WaitSpec> waitSpec() {
    Gen<String> channel = Generate.pick(CHANNELS);
    Gen<String> queue = Generate.pick(QUEUES);
    Gen<Map<String, Integer>> requires = mapOf(SKILLS, integers().between(1, 5), 2);
    Gen<String> widenTo = Generate.pick(List.of("", "q0", "q1", "q2"));
    // who was last and who declined: -1 (nobody) or an agent 0..9
    Gen<Integer> people = integers().between(0, 120);
    return channel.zip(queue, integers().between(-3, 3), requires, (ch, q, p, req) -> new WaitSpec(ch, q, p, req, 0, "", 0, 0, 0))
        .zip(integers().between(10, 120), widenTo, integers().between(0, 700), people,
            (w, lower, widen, waited, who) -> new WaitSpec(w.channel(), w.queue(), w.priority(), w.requires(), lower, widen, waited,
                who % 11 - 1, who / 11 - 1));
  }

  static List<AgentSnapshot> agents(List<AgentSpec> specs) {
    List<AgentSnapshot> out = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      AgentSpec s = specs.get(i);
      Map<String, Integer> load = new HashMap<>();
      if (!s.busyWith().isEmpty() && s.capacity().get(s.busyWith()) > 0) {
        load.put(s.busyWith(), s.busyWith().equals("voice") ? 1 : s.capacity().get(s.busyWith()) - (i % 2));
      }
      out.add(new AgentSnapshot("a" + i, s.available(), s.skills(), s.queues(), s.capacity(), load, Set.of("voice"), T0.plusSeconds(s.idleOffset())));
    }
    return out;
  }

  static WaitingInteraction waiting(String id, WaitSpec s, Instant now, int agentCount) {
    List<SkillRequirement> reqs = new ArrayList<>();
    s.requires().forEach((k, v) -> reqs.add(new SkillRequirement(k, v)));
    List<RelaxationStep> steps = new ArrayList<>();
    List<RelaxationAction> first = new ArrayList<>();
    if (!reqs.isEmpty()) first.add(new RelaxationAction.LowerSkill(reqs.get(0).skill(), 1));
    if (!s.widenTo().isEmpty()) first.add(new RelaxationAction.WidenQueue(s.widenTo()));
    first.add(new RelaxationAction.RaisePriority(1));
    steps.add(new RelaxationStep(Duration.ofSeconds(s.lowerAfter()), first));
    steps.add(new RelaxationStep(Duration.ofSeconds(300), List.of(new RelaxationAction.DropAll(), new RelaxationAction.RaisePriority(1_000_000))));
    Classification c = new Classification("r", s.queue(), s.priority(), reqs, steps, 1);
    String last = s.lastAgent() >= 0 && s.lastAgent() < agentCount ? "a" + s.lastAgent() : null;
    Set<String> declined = s.declined() >= 0 && s.declined() < agentCount ? Set.of("a" + s.declined()) : Set.of();
    return new WaitingInteraction(id, s.channel(), c, now.minusSeconds(s.waitedSeconds()), last, declined);
  }

  /** A reference check, written independently of the matcher: may {@code a} take {@code w} given its loads? */
  static boolean eligible(AgentSnapshot a, Map<String, Integer> load, WaitingInteraction w, Instant now) {
    return eligible(a, load, w, now, false);
  }

  /** As above; {@code ignoreDecline}: as if the agent had not declined (past maxWait a decliner may get it last). */
  static boolean eligible(AgentSnapshot a, Map<String, Integer> load, WaitingInteraction w, Instant now, boolean ignoreDecline) {
    Target t = w.classification().at(Duration.between(w.waitingSince(), now));
    if (!a.available() || (!ignoreDecline && w.excludedAgents().contains(a.agentId()))) return false;
    if (!a.queues().isEmpty() && t.queues().stream().noneMatch(a.queues()::contains)) return false;
    int cap = a.capacity().getOrDefault(w.channel(), 0);
    int used = load.getOrDefault(w.channel(), 0);
    if (used >= cap) return false;
    int total = load.values().stream().mapToInt(Integer::intValue).sum();
    boolean onExclusive = a.exclusiveChannels().stream().anyMatch(ch -> load.getOrDefault(ch, 0) > 0);
    if (onExclusive) return false;
    if (a.exclusiveChannels().contains(w.channel()) && total > 0) return false;
    for (SkillRequirement r : t.requirements()) {
      if (a.skills().getOrDefault(r.skill(), 0) < r.minProficiency()) return false;
    }
    return true;
  }

  /** Runs one pass and checks every invariant; returns the loads after it and the ids assigned. */
  static Set<String> passAndCheck(List<AgentSnapshot> agents, Map<String, Map<String, Integer>> loads, List<WaitingInteraction> waiting, Instant now, Matcher matcher) {
    List<AgentSnapshot> snapshot = new ArrayList<>();
    for (AgentSnapshot a : agents) {
      snapshot.add(new AgentSnapshot(a.agentId(), a.available(), a.skills(), a.queues(), a.capacity(), loads.get(a.agentId()), a.exclusiveChannels(), a.idleSince()));
    }
    List<Decision> decisions = matcher.match(waiting, snapshot, now);
    assertThat(decisions).extracting(Decision::interactionId)
        .containsExactlyInAnyOrderElementsOf(waiting.stream().map(WaitingInteraction::interactionId).toList());
    Map<String, WaitingInteraction> byId = new HashMap<>();
    waiting.forEach(w -> byId.put(w.interactionId(), w));
    Map<String, AgentSnapshot> agentById = new HashMap<>();
    snapshot.forEach(a -> agentById.put(a.agentId(), a));
    Set<String> assigned = new HashSet<>();
    for (Decision d : decisions) {
      if (d.chosenAgentId() == null) continue;
      WaitingInteraction w = byId.get(d.interactionId());
      AgentSnapshot a = agentById.get(d.chosenAgentId());
      Map<String, Integer> load = loads.get(a.agentId());
      if (w.excludedAgents().contains(a.agentId())) {
        // maxWait is a promise: a decliner only past maxWait, and only when nobody else could take it.
        Target t = w.classification().at(Duration.between(w.waitingSince(), now));
        assertThat(Matcher.atMaxWait(w.classification(), t)).as("%s declined %s before its maxWait", a.agentId(), w.interactionId()).isTrue();
        assertThat(eligible(a, load, w, now, true)).as("%s was eligible for %s (decline aside)", a.agentId(), w.interactionId()).isTrue();
        for (AgentSnapshot other : snapshot) {
          assertThat(eligible(other, loads.get(other.agentId()), w, now))
              .as("%s could take %s before the decliner %s", other.agentId(), w.interactionId(), a.agentId()).isFalse();
        }
      } else {
        assertThat(eligible(a, load, w, now)).as("%s was eligible for %s", a.agentId(), w.interactionId()).isTrue();
      }
      load.merge(w.channel(), 1, Integer::sum);
      assertThat(assigned.add(w.interactionId())).isTrue();
    }
    for (AgentSnapshot a : snapshot) {
      Map<String, Integer> load = loads.get(a.agentId());
      load.forEach((ch, n) -> assertThat(n).as("%s load on %s", a.agentId(), ch).isLessThanOrEqualTo(Math.max(a.capacity().getOrDefault(ch, 0), a.load().getOrDefault(ch, 0))));
      int voice = load.getOrDefault("voice", 0);
      int total = load.values().stream().mapToInt(Integer::intValue).sum();
      if (voice > 0) {
        assertThat(voice).as("%s voice", a.agentId()).isEqualTo(1);
        assertThat(total).as("%s works only the call", a.agentId()).isEqualTo(1);
      }
    }
    // no head-of-line blocking: whatever is left had no agent it could go to, even now
    for (Decision d : decisions) {
      if (d.chosenAgentId() != null) continue;
      WaitingInteraction w = byId.get(d.interactionId());
      for (AgentSnapshot a : snapshot) {
        assertThat(eligible(a, loads.get(a.agentId()), w, now)).as("%s left waiting although %s could take it", w.interactionId(), a.agentId()).isFalse();
      }
    }
    return assigned;
  }

  static Map<String, Map<String, Integer>> loads(List<AgentSnapshot> agents) {
    Map<String, Map<String, Integer>> loads = new LinkedHashMap<>();
    agents.forEach(a -> loads.put(a.agentId(), new HashMap<>(a.load())));
    return loads;
  }

  @Test
  void aSinglePassKeepsEveryInvariant() {
    qt().withExamples(200)
        .forAll(lists().of(agentSpec()).ofSizeBetween(1, 12), lists().of(waitSpec()).ofSizeBetween(0, 25), booleans().all())
        .checkAssert((agentSpecs, waitSpecs, full) -> {
          List<AgentSnapshot> agents = agents(agentSpecs);
          Instant now = T0.plusSeconds(1000);
          List<WaitingInteraction> waiting = new ArrayList<>();
          for (int i = 0; i < waitSpecs.size(); i++) waiting.add(waiting("w" + i, waitSpecs.get(i), now, agents.size()));
          passAndCheck(agents, loads(agents), waiting, now, full ? Matcher.withFullExplanations() : Matcher.capped());
        });
  }

  /**
   * {@link Matcher#choose} is {@link Matcher#match} without the interactions that get no agent: the same decisions (agent,
   * target, verdicts, counts), in the same order, whatever the agents, loads, waits, declines and transfers; and it
   * decides no more interactions than match does.
   */
  @Test
  void chooseMakesExactlyTheChoicesOfMatch() {
    qt().withExamples(400)
        .forAll(lists().of(agentSpec()).ofSizeBetween(0, 12), lists().of(waitSpec()).ofSizeBetween(0, 40), booleans().all(),
            integers().between(0, 1000))
        .checkAssert((agentSpecs, waitSpecs, full, transfers) -> {
          List<AgentSnapshot> agents = agents(agentSpecs);
          Instant now = T0.plusSeconds(1000);
          List<WaitingInteraction> waiting = new ArrayList<>();
          for (int i = 0; i < waitSpecs.size(); i++) {
            WaitingInteraction w = waiting("w" + i, waitSpecs.get(i), now, agents.size());
            // some transferred to one agent (in force, lapsed, or to an agent who is not there)
            if (!agents.isEmpty() && (transfers + i) % 5 == 0) {
              String target = (transfers + i) % 3 == 0 ? "nobody" : "a" + ((transfers + i) % agents.size());
              Instant until = (transfers + i) % 2 == 0 ? now.plusSeconds(30) : now.minusSeconds(1);
              w = new WaitingInteraction(w.interactionId(), w.channel(), w.classification(), w.waitingSince(), w.lastAgentId(),
                  w.excludedAgents(), target, until);
            }
            waiting.add(w);
          }
          Matcher matcher = full ? Matcher.withFullExplanations() : Matcher.capped();
          List<Decision> all = matcher.match(waiting, agents, now);
          Matcher.Choice choice = matcher.choose(waiting, agents, now);
          assertThat(choice.chosen()).isEqualTo(all.stream().filter(d -> d.chosenAgentId() != null).toList());
          assertThat(choice.decided()).isBetween(choice.chosen().size(), waiting.size());
        });
  }

  sealed interface Action {}

  record Arrive(WaitSpec spec) implements Action {}

  record Free(int agent, String channel) implements Action {}

  record Wait(int seconds) implements Action {}

  static Gen<Action> action() {
    return Generate.oneOf(
        waitSpec().map(s -> (Action) new Arrive(s)),
        integers().between(0, 9).zip(Generate.pick(CHANNELS), (a, c) -> (Action) new Free(a, c)),
        integers().between(1, 400).map(s -> (Action) new Wait(s)));
  }

  @Test
  void passesOverAnEventSequenceKeepEveryInvariant() {
    qt().withExamples(200)
        .forAll(lists().of(agentSpec()).ofSizeBetween(1, 10), lists().of(action()).ofSizeBetween(0, 40))
        .checkAssert(MatcherPropertiesTest::replay);
  }

  static void replay(List<AgentSpec> agentSpecs, List<Action> actions) {
    List<AgentSnapshot> agents = agents(agentSpecs);
    Map<String, Map<String, Integer>> loads = loads(agents);
    List<WaitingInteraction> waiting = new ArrayList<>();
    Instant now = T0.plusSeconds(1000);
    int next = 0;
    for (Action action : actions) {
      switch (action) {
        case Arrive a -> waiting.add(waiting("w" + next++, new WaitSpec(a.spec().channel(), a.spec().queue(), a.spec().priority(), a.spec().requires(),
            a.spec().lowerAfter(), a.spec().widenTo(), 0, a.spec().lastAgent(), a.spec().declined()), now, agents.size()));
        case Free f -> {
          if (f.agent() < agents.size()) loads.get("a" + f.agent()).computeIfPresent(f.channel(), (k, v) -> v > 1 ? v - 1 : null);
        }
        case Wait w -> now = now.plusSeconds(w.seconds());
      }
      Set<String> assigned = passAndCheck(agents, loads, waiting, now, Matcher.capped());
      waiting.removeIf(w -> assigned.contains(w.interactionId()));
    }
  }
}
