package io.switchboard.routing;

import static io.switchboard.routing.MatcherTest.BILLING_4;
import static io.switchboard.routing.MatcherTest.FULL;
import static io.switchboard.routing.MatcherTest.NOW;
import static io.switchboard.routing.MatcherTest.agent;
import static io.switchboard.routing.MatcherTest.agents;
import static io.switchboard.routing.MatcherTest.billing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("transfers: an interaction targeted at one agent, and classification into a chosen queue")
class TransferTargetTest {

  static WaitingInteraction targeted(String target, Instant until, Set<String> excluded) {
    return new WaitingInteraction("i1", "chat", billing(0, BILLING_4), NOW.minusSeconds(30), null, excluded, target, until);
  }

  @Test
  void aTargetedInteractionShouldGoOnlyToItsTargetEvenWithoutTheSkillsOrQueue() {
    var all = agents(agent("best").skill("billing", 5), agent("novice").queues("general"));
    Decision d = FULL.match(List.of(targeted("novice", NOW.plusSeconds(60), Set.of())), all, NOW).get(0);
    assertThat(d.chosenAgentId()).isEqualTo("novice");
    assertThat(d.candidates()).anySatisfy(v -> {
      assertThat(v.agentId()).isEqualTo("best");
      assertThat(v.excludedBecause()).isEqualTo(Matcher.TRANSFERRED_LABEL);
    });
    assertThat(d.excluded()).containsEntry(Matcher.TRANSFERRED_LABEL, 1);
    Decision capped = Matcher.capped().match(List.of(targeted("novice", NOW.plusSeconds(60), Set.of())), all, NOW).get(0);
    assertThat(capped.chosenAgentId()).isEqualTo("novice");
    assertThat(capped.excluded()).containsEntry(Matcher.TRANSFERRED_LABEL, 1);
  }

  @Test
  void aTargetWhoCannotTakeItNowShouldLeaveItWaitingRatherThanGoToAnotherAgent() {
    var all = agents(agent("best").skill("billing", 5), agent("busy").off());
    Decision d = FULL.match(List.of(targeted("busy", NOW.plusSeconds(60), Set.of())), all, NOW).get(0);
    assertThat(d.chosenAgentId()).isNull();
    assertThat(d.excluded()).containsEntry("not available", 1).containsEntry(Matcher.TRANSFERRED_LABEL, 1);

    var full = agents(agent("best").skill("billing", 5), agent("full").capacity("chat", 1).load("chat", 1));
    assertThat(FULL.match(List.of(targeted("full", NOW.plusSeconds(60), Set.of())), full, NOW).get(0).chosenAgentId()).isNull();

    var unknown = agents(agent("best").skill("billing", 5));
    Decision none = Matcher.capped().match(List.of(targeted("gone", NOW.plusSeconds(60), Set.of())), unknown, NOW).get(0);
    assertThat(none.chosenAgentId()).isNull();
    assertThat(none.excluded()).containsEntry(Matcher.TRANSFERRED_LABEL, 1);
  }

  @Test
  void aTargetShouldLapseWhenItDeclinedOrItsTimeIsUp() {
    var all = agents(agent("best").skill("billing", 5), agent("target"));
    assertThat(FULL.match(List.of(targeted("target", NOW.plusSeconds(60), Set.of("target"))), all, NOW).get(0).chosenAgentId())
        .isEqualTo("best");
    assertThat(FULL.match(List.of(targeted("target", NOW, Set.of())), all, NOW).get(0).chosenAgentId()).isEqualTo("best");
    assertThat(targeted("target", NOW.plusSeconds(1), Set.of()).targetAt(NOW)).isEqualTo("target");
    assertThat(targeted("target", NOW.plusSeconds(1), Set.of()).targetAt(NOW.plusSeconds(1))).isNull();
  }

  @Test
  void aTargetShouldCountAgainstItsLoadWithinThePass() {
    var all = agents(agent("target").capacity("chat", 1), agent("other"));
    var first = targeted("target", NOW.plusSeconds(60), Set.of());
    var second = new WaitingInteraction("i2", "chat", billing(0), NOW.minusSeconds(10), null, Set.of(), "target", NOW.plusSeconds(60));
    List<Decision> ds = FULL.match(List.of(first, second), all, NOW);
    assertThat(ds).extracting(Decision::chosenAgentId).containsExactly("target", null);
  }

  @Test
  void aTargetNeedsAnUntilAndOnlyThen() {
    assertThatThrownBy(() -> new WaitingInteraction("i", "chat", billing(0), NOW, null, Set.of(), "a", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WaitingInteraction("i", "chat", billing(0), NOW, null, Set.of(), null, NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requeuedAfterShouldShiftRelaxationAndKeepAtLeastThePriority() {
    Classification c = new Classification("r", "billing", 10, List.of(BILLING_4),
        List.of(new RelaxationStep(Duration.ofSeconds(30), List.of(new RelaxationAction.LowerSkill("billing", 2)))), 3);
    Classification moved = c.requeuedAfter(Duration.ofMinutes(5), 40);
    assertThat(moved.priority()).isEqualTo(40);
    assertThat(c.requeuedAfter(Duration.ofMinutes(5), 5).priority()).isEqualTo(10);
    assertThat(moved.steps().get(0).after()).isEqualTo(Duration.ofMinutes(5).plusSeconds(30));
    // five minutes after arrival, just transferred: the step is not yet in force
    assertThat(moved.at(Duration.ofMinutes(5).plusSeconds(10)).requirements()).containsExactly(BILLING_4);
    assertThat(moved.at(Duration.ofMinutes(5).plusSeconds(31)).requirements()).containsExactly(new SkillRequirement("billing", 2));
    assertThat(moved.rule()).isEqualTo("r");
    assertThat(moved.rulesVersion()).isEqualTo(3);
  }

  @Test
  void classifyIntoShouldTakeTheFirstMatchingRuleOfThatQueueOrAPlainQueue() throws Exception {
    RoutingRules rules = RoutingRules.parse("routing.yaml", """
        skills: [billing, vip]
        queues:
          - { id: general, name: General, maxWait: 10m }
          - { id: billing, name: Billing, maxWait: 15m }
          - { id: vip, name: VIP, maxWait: 5m }
        rules:
          - name: vip-billing
            when: "customer.tier == 'gold'"
            queue: billing
            priority: 30
            require: { vip: 2 }
          - name: billing
            when: "attributes['topic'] == 'billing'"
            queue: billing
            priority: 10
            require: { billing: 3 }
          - name: default
            queue: general
        """, 4);
    ZonedDateTime now = ZonedDateTime.of(2026, 11, 23, 10, 0, 0, 0, ZoneOffset.UTC);
    InteractionFacts plain = new InteractionFacts("chat", Map.of(), null, null, Map.of(), null);
    InteractionFacts gold = new InteractionFacts("chat", Map.of(), "gold", null, Map.of(), null);
    // the 'billing' rule's condition does not hold, but it is the only non-gold billing rule: no rule fits -> plain queue
    Classification c = rules.classifyInto("billing", plain, now);
    assertThat(c.rule()).isEqualTo("queue:billing");
    assertThat(c.requirements()).isEmpty();
    assertThat(c.steps()).singleElement().satisfies(s -> assertThat(s.after()).isEqualTo(Duration.ofMinutes(15)));
    assertThat(c.rulesVersion()).isEqualTo(4);
    assertThat(rules.classifyInto("billing", gold, now).rule()).isEqualTo("vip-billing");
    assertThat(rules.classifyInto("general", gold, now).rule()).isEqualTo("default");
    assertThat(rules.classifyInto("vip", gold, now).rule()).isEqualTo("queue:vip");
    assertThatThrownBy(() -> rules.classifyInto("nope", plain, now)).isInstanceOf(IllegalArgumentException.class);
  }
}
