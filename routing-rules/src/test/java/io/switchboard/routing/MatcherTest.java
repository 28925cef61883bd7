package io.switchboard.routing;

import static io.switchboard.routing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.switchboard.routing.Decision.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MatcherTest {
  static final Instant NOW = T0.plusSeconds(600);
  static final Matcher FULL = Matcher.withFullExplanations();

  /** An agent under construction: available, every queue, voice 1 (exclusive), chat 3, email 5, idle since T0. */
  static final class A {
    String id;
    boolean available = true;
    Map<String, Integer> skills = new HashMap<>();
    Set<String> queues = new LinkedHashSet<>();
    Map<String, Integer> capacity = new HashMap<>(Map.of("voice", 1, "chat", 3, "email", 5));
    Map<String, Integer> load = new HashMap<>();
    Instant idleSince = T0;

    A(String id) {
      this.id = id;
    }

    A skill(String s, int level) { skills.put(s, level); return this; }
    A off() { available = false; return this; }
    A queues(String... q) { queues.addAll(List.of(q)); return this; }
    A capacity(String ch, int n) { capacity.put(ch, n); return this; }
    A load(String ch, int n) { load.put(ch, n); return this; }
    A idleSince(Instant t) { idleSince = t; return this; }

    AgentSnapshot build() {
      return new AgentSnapshot(id, available, skills, queues, capacity, load, Set.of("voice"), idleSince);
    }
  }

  static A agent(String id) {
    return new A(id);
  }

  static List<AgentSnapshot> agents(A... as) {
    List<AgentSnapshot> out = new ArrayList<>();
    for (A a : as) out.add(a.build());
    return out;
  }

  static Classification billing(int priority, SkillRequirement... reqs) {
    return new Classification("r", "billing", priority, List.of(reqs), List.of(), 1);
  }

  static WaitingInteraction waiting(String id, String channel, Classification c, Instant since) {
    return new WaitingInteraction(id, channel, c, since, null, Set.of());
  }

  static final SkillRequirement BILLING_4 = new SkillRequirement("billing", 4);
  static final SkillRequirement GERMAN_3 = new SkillRequirement("german", 3);

  static Map<String, String> reasons(Decision d) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Verdict v : d.candidates()) out.put(v.agentId(), v.excludedBecause() == null ? "score " + v.score() : v.excludedBecause());
    return out;
  }

  @Test
  @DisplayName("Every excluded agent is explained in words a supervisor can read")
  void everyExclusionReasonShouldBeExplained() {
    List<AgentSnapshot> agents =
        agents(
            agent("off").off().skill("billing", 5).skill("german", 5),
            agent("declined").skill("billing", 5).skill("german", 5),
            agent("sales").queues("sales").skill("billing", 5).skill("german", 5),
            agent("full-chat").load("chat", 3).skill("billing", 5).skill("german", 5),
            agent("no-chat").capacity("chat", 0).skill("billing", 5).skill("german", 5),
            agent("on-call").load("voice", 1).skill("billing", 5).skill("german", 5),
            agent("weak").skill("billing", 2).skill("german", 3),
            agent("no-german").skill("billing", 5),
            agent("both").skill("billing", 1),
            agent("ok").queues("billing", "general").skill("billing", 4).skill("german", 3));
    WaitingInteraction w =
        new WaitingInteraction("i1", "chat", billing(0, BILLING_4, GERMAN_3), T0, null, Set.of("declined"));

    Decision d = FULL.match(List.of(w), agents, NOW).get(0);

    assertThat(d.chosenAgentId()).isEqualTo("ok");
    assertThat(reasons(d))
        .containsExactly(
            entry("ok", "score 7.0"),
            entry("off", "not available"),
            entry("declined", "declined or let the offer lapse"),
            entry("sales", "not in queue billing"),
            entry("full-chat", "no chat capacity left (3/3)"),
            entry("no-chat", "takes no chat (capacity 0)"),
            entry("on-call", "on a voice interaction"),
            entry("weak", "billing 2 < 4"),
            entry("no-german", "lacks german"),
            entry("both", "billing 1 < 4, lacks german"));
    assertThat(d.eligible()).isEqualTo(1);
    assertThat(d.excluded())
        .containsExactly(
            entry("not available", 1),
            entry("declined or let the offer lapse", 1),
            entry("not in queue billing", 1),
            entry("no chat capacity left", 2),
            entry("on a voice interaction", 1),
            entry("billing below 4", 2),
            entry("lacks german", 1));
  }

  @Test
  void voiceNeedsAnAgentWithNoOtherWork() {
    Decision d =
        FULL.match(List.of(waiting("v", "voice", billing(0), T0)), agents(agent("busy").load("email", 1)), NOW).get(0);
    assertThat(d.chosenAgentId()).isNull();
    assertThat(reasons(d)).containsExactly(entry("busy", "voice needs an agent with no other work"));
    assertThat(d.excluded()).containsExactly(entry("voice needs an agent with no other work", 1));
  }

  @Test
  void aChannelNoAgentHasIsNoCapacity() {
    Decision d = FULL.match(List.of(waiting("s", "social", billing(0), T0)), agents(agent("a")), NOW).get(0);
    assertThat(reasons(d)).containsExactly(entry("a", "takes no social (capacity 0)"));
  }

  @Test
  void theStrongerAgentShouldWin() {
    List<AgentSnapshot> agents =
        agents(agent("a").skill("billing", 5).skill("german", 3), agent("b").skill("billing", 4).skill("german", 5));
    Decision d = FULL.match(List.of(waiting("i", "chat", billing(0, BILLING_4, GERMAN_3), T0)), agents, NOW).get(0);
    assertThat(d.chosenAgentId()).isEqualTo("b");
    assertThat(d.candidates()).extracting(Verdict::agentId, Verdict::score).containsExactly(
        org.assertj.core.groups.Tuple.tuple("b", 9.0), org.assertj.core.groups.Tuple.tuple("a", 8.0));
  }

  @Test
  void onEqualScoresTheStickyAgentWinsOverTheLongestIdle() {
    List<AgentSnapshot> agents =
        agents(agent("idle-long").skill("billing", 4).idleSince(T0.minusSeconds(3600)), agent("last").skill("billing", 4));
    WaitingInteraction w = new WaitingInteraction("i", "chat", billing(0, BILLING_4), T0, "last", Set.of());
    Decision d = FULL.match(List.of(w), agents, NOW).get(0);
    assertThat(d.chosenAgentId()).isEqualTo("last");
    assertThat(d.candidates()).filteredOn(Verdict::sticky).extracting(Verdict::agentId).containsExactly("last");
  }

  @Test
  void stickinessDoesNotBeatAHigherScore() {
    List<AgentSnapshot> agents = agents(agent("expert").skill("billing", 5), agent("last").skill("billing", 4));
    WaitingInteraction w = new WaitingInteraction("i", "chat", billing(0, BILLING_4), T0, "last", Set.of());
    assertThat(FULL.match(List.of(w), agents, NOW).get(0).chosenAgentId()).isEqualTo("expert");
  }

  @Test
  void onEqualScoresTheLongestIdleWinsThenTheLowestId() {
    List<AgentSnapshot> agents =
        agents(
            agent("c").skill("billing", 4).idleSince(T0.plusSeconds(10)),
            agent("b").skill("billing", 4).idleSince(T0),
            agent("a").skill("billing", 4).idleSince(T0.plusSeconds(10)));
    Decision d = FULL.match(List.of(waiting("i", "chat", billing(0, BILLING_4), T0)), agents, NOW).get(0);
    assertThat(d.candidates()).extracting(Verdict::agentId).containsExactly("b", "a", "c");
  }

  @Test
  void withoutRequirementsEveryEligibleAgentScoresZero() {
    Decision d = FULL.match(List.of(waiting("i", "email", billing(0), T0)), agents(agent("a"), agent("b")), NOW).get(0);
    assertThat(d.candidates()).extracting(Verdict::score).containsExactly(0.0, 0.0);
    assertThat(d.chosenAgentId()).isEqualTo("a");
  }

  @Test
  @DisplayName("An interaction nobody can take does not hold up the ones behind it")
  void noHeadOfLineBlocking() {
    Classification urgentButImpossible = billing(100, new SkillRequirement("klingon", 5));
    List<Decision> ds =
        FULL.match(
            List.of(waiting("impossible", "chat", urgentButImpossible, T0), waiting("easy", "chat", billing(0), T0.plusSeconds(60))),
            agents(agent("a")),
            NOW);
    assertThat(ds).extracting(Decision::interactionId).containsExactly("impossible", "easy");
    assertThat(ds.get(0).chosenAgentId()).isNull();
    assertThat(reasons(ds.get(0))).containsExactly(entry("a", "lacks klingon"));
    assertThat(ds.get(1).chosenAgentId()).isEqualTo("a");
  }

  @Test
  void higherPriorityGoesFirstThenTheLongestWait() {
    List<AgentSnapshot> one = agents(agent("a").capacity("chat", 1));
    List<Decision> ds =
        FULL.match(
            List.of(
                waiting("new-low", "chat", billing(0), T0.plusSeconds(100)),
                waiting("old-low", "chat", billing(0), T0),
                waiting("new-high", "chat", billing(5), T0.plusSeconds(200))),
            one,
            NOW);
    assertThat(ds).extracting(Decision::interactionId).containsExactly("new-high", "old-low", "new-low");
    assertThat(ds).extracting(Decision::chosenAgentId).containsExactly("a", null, null);
    assertThat(reasons(ds.get(1))).containsExactly(entry("a", "no chat capacity left (1/1)"));
  }

  @Test
  void relaxationRaisesTheEffectivePriority() {
    Classification rising =
        new Classification(
            "r", "billing", 0, List.of(),
            List.of(new RelaxationStep(Duration.ofMinutes(5), List.of(new RelaxationAction.RaisePriority(10)))), 1);
    List<Decision> ds =
        FULL.match(
            List.of(waiting("p5", "chat", billing(5), T0), waiting("rising", "chat", rising, NOW.minusSeconds(300))),
            agents(agent("a").capacity("chat", 1)),
            NOW);
    assertThat(ds.get(0).interactionId()).isEqualTo("rising");
    assertThat(ds.get(0).target().priority()).isEqualTo(10);
    assertThat(ds.get(0).target().step()).isEqualTo(1);
  }

  @Test
  void loadTakenInAPassCountsForTheRestOfThePass() {
    List<Decision> ds =
        FULL.match(
            List.of(waiting("1", "chat", billing(0), T0), waiting("2", "chat", billing(0), T0.plusSeconds(1)), waiting("3", "chat", billing(0), T0.plusSeconds(2))),
            agents(agent("a").capacity("chat", 2)),
            NOW);
    assertThat(ds).extracting(Decision::chosenAgentId).containsExactly("a", "a", null);
    assertThat(reasons(ds.get(2))).containsExactly(entry("a", "no chat capacity left (2/2)"));
  }

  @Test
  void anAgentNeverGetsTwoVoiceInteractionsOrVoiceWithOtherWork() {
    List<Decision> ds =
        FULL.match(
            List.of(
                waiting("call-1", "voice", billing(10), T0),
                waiting("call-2", "voice", billing(10), T0.plusSeconds(1)),
                waiting("chat", "chat", billing(0), T0)),
            agents(agent("a").capacity("voice", 2)),
            NOW);
    assertThat(ds).extracting(Decision::chosenAgentId).containsExactly("a", null, null);
    assertThat(reasons(ds.get(1))).containsExactly(entry("a", "on a voice interaction"));
    assertThat(reasons(ds.get(2))).containsExactly(entry("a", "on a voice interaction"));
  }

  @Test
  void aChatFirstKeepsTheAgentFromVoice() {
    List<Decision> ds =
        FULL.match(
            List.of(waiting("chat", "chat", billing(10), T0), waiting("call", "voice", billing(0), T0)),
            agents(agent("a")),
            NOW);
    assertThat(ds).extracting(Decision::chosenAgentId).containsExactly("a", null);
    assertThat(reasons(ds.get(1))).containsExactly(entry("a", "voice needs an agent with no other work"));
  }

  @Test
  void wideningLetsAgentsOfOtherQueuesTakeIt() {
    Classification widening =
        new Classification(
            "r", "billing", 0, List.of(),
            List.of(new RelaxationStep(Duration.ofSeconds(60), List.of(new RelaxationAction.WidenQueue("general")))), 1);
    List<AgentSnapshot> agents = agents(agent("g").queues("general"));
    assertThat(FULL.match(List.of(waiting("i", "chat", widening, NOW.minusSeconds(59))), agents, NOW).get(0).chosenAgentId()).isNull();
    Decision later = FULL.match(List.of(waiting("i", "chat", widening, NOW.minusSeconds(60))), agents, NOW).get(0);
    assertThat(later.chosenAgentId()).isEqualTo("g");
  }

  @Test
  void cappedDecisionsListTheBestTwentyAndCountTheRest() {
    List<A> as = new ArrayList<>();
    for (int i = 0; i < 22; i++) as.add(agent(String.format("e%02d", i)).skill("billing", 5));
    for (int i = 0; i < 8; i++) as.add(agent(String.format("f%02d", i)).skill("billing", 4));
    for (int i = 0; i < 7; i++) as.add(agent("off" + i).off());
    for (int i = 0; i < 5; i++) as.add(agent("weak" + i).skill("billing", 2));
    as.add(agent("last").skill("billing", 4).idleSince(T0.plusSeconds(60)));
    WaitingInteraction w = new WaitingInteraction("i", "chat", billing(0, BILLING_4), T0, "last", Set.of());

    Decision d = Matcher.capped().match(List.of(w), agents(as.toArray(A[]::new)), NOW).get(0);

    assertThat(d.eligible()).isEqualTo(31);
    assertThat(d.candidates()).hasSize(21);
    assertThat(d.candidates().subList(0, 20)).allSatisfy(v -> assertThat(v.score()).isEqualTo(5.0));
    assertThat(d.candidates().get(20)).isEqualTo(new Verdict("last", 4.0, null, true));
    assertThat(d.chosenAgentId()).isEqualTo(d.candidates().get(0).agentId()).isEqualTo("e00");
    assertThat(d.excluded()).containsExactly(entry("not available", 7), entry("billing below 4", 5));
  }

  @Test
  void cappedDecisionsExplainAnExcludedStickyAgent() {
    WaitingInteraction w = new WaitingInteraction("i", "chat", billing(0, BILLING_4), T0, "last", Set.of());
    Decision off = Matcher.capped().match(List.of(w), agents(agent("a").skill("billing", 4), agent("last").off()), NOW).get(0);
    assertThat(off.candidates()).containsExactly(new Verdict("a", 4.0, null, false), new Verdict("last", null, "not available", true));
    Decision weak = Matcher.capped().match(List.of(w), agents(agent("last").skill("billing", 3)), NOW).get(0);
    assertThat(weak.candidates()).containsExactly(new Verdict("last", null, "billing 3 < 4", true));
    assertThat(weak.chosenAgentId()).isNull();
  }

  @Test
  void cappedAndFullMatchersChooseAlike() {
    List<AgentSnapshot> agents =
        agents(
            agent("a").skill("billing", 5).capacity("chat", 1),
            agent("b").skill("billing", 4).load("voice", 1),
            agent("c").skill("billing", 4).idleSince(T0.minusSeconds(5)),
            agent("d").off().skill("billing", 5));
    List<WaitingInteraction> ws = new ArrayList<>();
    for (int i = 0; i < 8; i++) ws.add(waiting("w" + i, i % 3 == 0 ? "voice" : "chat", billing(i % 2, BILLING_4), T0.plusSeconds(i)));
    assertThat(Matcher.capped().match(ws, agents, NOW))
        .extracting(Decision::interactionId, Decision::chosenAgentId, Decision::eligible, Decision::excluded)
        .isEqualTo(
            FULL.match(ws, agents, NOW).stream()
                .map(d -> org.assertj.core.groups.Tuple.tuple(d.interactionId(), d.chosenAgentId(), d.eligible(), d.excluded()))
                .toList());
  }

  @Test
  void theFourArgumentDecisionCountsFromItsList() {
    Decision d =
        new Decision(
            "i", new Target(0, Set.of("q"), 0, List.of()), "a",
            List.of(new Verdict("a", 1.0, null, false), new Verdict("b", null, "not available", false), new Verdict("c", null, "not available", false)));
    assertThat(d.eligible()).isEqualTo(1);
    assertThat(d.excluded()).containsExactly(entry("not available", 2));
    assertThat(d.matched()).isTrue();
  }

  @Test
  void twoAgentsWithOneIdAreRefused() {
    assertThatThrownBy(() -> FULL.match(List.of(waiting("i", "chat", billing(0), T0)), agents(agent("a"), agent("a")), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a");
  }

  @Test
  void nothingWaitingGivesNoDecisions() {
    assertThat(FULL.match(List.of(), agents(agent("a")), NOW)).isEmpty();
  }

  /** A billing classification whose only step is the queue's implicit one at maxWait (5 minutes). */
  static Classification billingWithMaxWait() {
    return new Classification("r", "billing", 0, List.of(BILLING_4), List.of(new RelaxationStep(Duration.ofMinutes(5),
        List.of(new RelaxationAction.DropAll(), new RelaxationAction.RaisePriority(1_000_000)))), 1);
  }

  @Test
  @DisplayName("maxWait is a promise: past it, the agent who declined gets the contact when nobody else can take it")
  void pastMaxWaitADeclinerIsOfferedTheContactWhenNobodyElseCan() {
    WaitingInteraction w = new WaitingInteraction("i", "chat", billingWithMaxWait(), NOW.minus(Duration.ofMinutes(6)), null, Set.of("sole"));

    Decision d = FULL.match(List.of(w), agents(agent("sole").skill("billing", 5)), NOW).get(0);

    assertThat(d.chosenAgentId()).isEqualTo("sole");
  }

  @Test
  @DisplayName("Before maxWait a decline keeps the agent away; past it, other agents still come before the decliner")
  void aDeclinerComesLastAndOnlyPastMaxWait() {
    WaitingInteraction early = new WaitingInteraction("i", "chat", billingWithMaxWait(), NOW.minus(Duration.ofMinutes(1)), null, Set.of("sole"));
    assertThat(FULL.match(List.of(early), agents(agent("sole").skill("billing", 5)), NOW).get(0).chosenAgentId()).isNull();

    WaitingInteraction late = new WaitingInteraction("i", "chat", billingWithMaxWait(), NOW.minus(Duration.ofMinutes(6)), null, Set.of("best"));
    Decision d = FULL.match(List.of(late), agents(agent("best").skill("billing", 5), agent("weaker")), NOW).get(0);
    assertThat(d.chosenAgentId()).isEqualTo("weaker");
  }

  /** {@code n} chats of the billing queue waiting, the first oldest, each with its own id. */
  static List<WaitingInteraction> chats(int n, Classification c) {
    List<WaitingInteraction> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(waiting(String.format("c%05d", i), "chat", c, T0.plusSeconds(i)));
    }
    java.util.Collections.shuffle(out, new java.util.Random(7));
    return out;
  }

  @Test
  @DisplayName("One free place and thousands waiting: the longest waiting contact gets it after a handful of decisions")
  void oneFreePlaceDecidesAHandfulNotEveryWaitingContact() {
    List<WaitingInteraction> waiting = new ArrayList<>(chats(5_000, billing(0)));
    waiting.add(waiting("urgent", "chat", billing(5), T0.plusSeconds(9_000)));
    List<AgentSnapshot> oneSlot = agents(agent("a").load("chat", 2), agent("full").load("chat", 3));

    Matcher.Choice choice = Matcher.capped().choose(waiting, oneSlot, NOW);

    assertThat(choice.chosen()).extracting(Decision::interactionId).containsExactly("urgent");
    assertThat(choice.chosen()).extracting(Decision::chosenAgentId).containsExactly("a");
    assertThat(choice.decided()).isEqualTo(1);
    assertThat(choice.chosen()).isEqualTo(Matcher.capped().match(waiting, oneSlot, NOW).stream()
        .filter(d -> d.chosenAgentId() != null).toList());
  }

  @Test
  @DisplayName("Free places only on channels nobody waits on: nothing is decided, nothing chosen")
  void roomOnlyOnOtherChannelsDecidesNothing() {
    List<AgentSnapshot> emailOnly = agents(agent("a").load("chat", 3), agent("b").capacity("chat", 0));

    Matcher.Choice choice = Matcher.capped().choose(chats(2_000, billing(0)), emailOnly, NOW);

    assertThat(choice.chosen()).isEmpty();
    assertThat(choice.decided()).isZero();
  }

  @Test
  @DisplayName("Nobody with room at all, or nobody waiting: an empty choice")
  void noRoomOrNobodyWaiting() {
    assertThat(Matcher.capped().choose(chats(10, billing(0)), agents(agent("a").off()), NOW))
        .isEqualTo(new Matcher.Choice(List.of(), 0));
    assertThat(Matcher.capped().choose(List.of(), agents(agent("a")), NOW)).isEqualTo(new Matcher.Choice(List.of(), 0));
    assertThat(Matcher.capped().choose(chats(10, billing(0)), List.of(), NOW)).isEqualTo(new Matcher.Choice(List.of(), 0));
  }

  @Test
  @DisplayName("A contact nobody free can take does not hold up the ones behind it; places fill in queue order")
  void skillsMismatchSkipsAheadAndPlacesFillInOrder() {
    List<WaitingInteraction> waiting = new ArrayList<>();
    waiting.add(waiting("german-1", "chat", billing(0, GERMAN_3), T0.minusSeconds(20)));
    waiting.add(waiting("german-2", "chat", billing(0, GERMAN_3), T0.minusSeconds(10)));
    waiting.addAll(chats(300, billing(0)));
    List<AgentSnapshot> twoPlaces = agents(agent("a").load("chat", 1));

    Matcher.Choice choice = Matcher.capped().choose(waiting, twoPlaces, NOW);

    // the two German chats are ahead but a speaks no German; then the two oldest billing chats take both places
    assertThat(choice.chosen()).extracting(Decision::interactionId).containsExactly("c00000", "c00001");
    assertThat(choice.decided()).isEqualTo(4);
  }
}
