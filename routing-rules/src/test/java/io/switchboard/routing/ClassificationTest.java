package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.routing.RelaxationAction.DropAll;
import io.switchboard.routing.RelaxationAction.DropSkill;
import io.switchboard.routing.RelaxationAction.LowerSkill;
import io.switchboard.routing.RelaxationAction.RaisePriority;
import io.switchboard.routing.RelaxationAction.WidenQueue;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClassificationTest {
  static final SkillRequirement BILLING_4 = new SkillRequirement("billing", 4);
  static final SkillRequirement GERMAN_3 = new SkillRequirement("german", 3);

  static Classification with(RelaxationStep... steps) {
    return new Classification("r", "billing", 10, List.of(BILLING_4, GERMAN_3), List.of(steps), 3);
  }

  static RelaxationStep after(int seconds, RelaxationAction... actions) {
    return new RelaxationStep(Duration.ofSeconds(seconds), List.of(actions));
  }

  @Test
  void beforeAnyStepTheRuleAppliesAsWritten() {
    Target t = with(after(30, new DropSkill("german"))).at(Duration.ofSeconds(29));
    assertThat(t).isEqualTo(new Target(0, Set.of("billing"), 10, List.of(BILLING_4, GERMAN_3)));
  }

  @Test
  void lowerSkillShouldLowerTheLevel() {
    Target t = with(after(30, new LowerSkill("billing", 2))).at(Duration.ofSeconds(30));
    assertThat(t.step()).isEqualTo(1);
    assertThat(t.requirements()).containsExactly(new SkillRequirement("billing", 2), GERMAN_3);
  }

  @Test
  void lowerSkillShouldNeverRaiseTheLevel() {
    Target t = with(after(30, new LowerSkill("billing", 5))).at(Duration.ofSeconds(30));
    assertThat(t.requirements()).containsExactly(BILLING_4, GERMAN_3);
  }

  @Test
  void dropSkillShouldRemoveTheRequirement() {
    Target t = with(after(45, new DropSkill("german"))).at(Duration.ofMinutes(1));
    assertThat(t.requirements()).containsExactly(BILLING_4);
  }

  @Test
  void raisePriorityShouldAdd() {
    assertThat(with(after(10, new RaisePriority(5))).at(Duration.ofSeconds(10)).priority()).isEqualTo(15);
  }

  @Test
  void widenQueueShouldAddTheQueue() {
    assertThat(with(after(10, new WidenQueue("general"))).at(Duration.ofSeconds(10)).queues())
        .containsExactlyInAnyOrder("billing", "general");
  }

  @Test
  void dropAllShouldRemoveEveryRequirement() {
    assertThat(with(after(10, new DropAll())).at(Duration.ofSeconds(10)).requirements()).isEmpty();
  }

  @Test
  void stepsShouldApplyInOrderOnTopOfEachOther() {
    Classification c =
        with(
            after(30, new LowerSkill("billing", 3), new RaisePriority(5)),
            after(60, new LowerSkill("billing", 1), new DropSkill("german"), new WidenQueue("general")),
            after(90, new RaisePriority(-20)));
    assertThat(c.at(Duration.ofSeconds(45)))
        .isEqualTo(new Target(1, Set.of("billing"), 15, List.of(new SkillRequirement("billing", 3), GERMAN_3)));
    assertThat(c.at(Duration.ofSeconds(60)))
        .isEqualTo(new Target(2, Set.of("billing", "general"), 15, List.of(new SkillRequirement("billing", 1))));
    assertThat(c.at(Duration.ofHours(1)))
        .isEqualTo(new Target(3, Set.of("billing", "general"), -5, List.of(new SkillRequirement("billing", 1))));
  }

  @Test
  void nextStepAfterShouldGiveTheFirstStepNotYetApplied() {
    Classification c = with(after(30, new RaisePriority(1)), after(60, new RaisePriority(1)));
    assertThat(c.nextStepAfter(Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.nextStepAfter(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.nextStepAfter(Duration.ofSeconds(59))).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.nextStepAfter(Duration.ofSeconds(60))).isNull();
    assertThat(with().nextStepAfter(Duration.ZERO)).isNull();
  }

  @Test
  void aNegativeWaitCountsAsNone() {
    assertThat(with(after(0, new RaisePriority(1))).at(Duration.ofSeconds(-5)).step()).isZero();
  }

  @Test
  void theImplicitMaxWaitStepDropsEverythingAndGoesFirst() {
    RoutingRules rules =
        Fixtures.parse(
            """
            skills: [billing, german]
            queues:
              - id: billing
                maxWait: 15m
            rules:
              - name: billing
                queue: billing
                priority: 20
                require: { billing: 4, german: 3 }
                relax:
                  - after: 45s
                    drop: [german]
            """);
    Classification c =
        rules.classify(new InteractionFacts("voice", Map.of(), null, null, Map.of(), null), ZonedDateTime.now());
    assertThat(c.at(Duration.ofMinutes(14)))
        .isEqualTo(new Target(1, Set.of("billing"), 20, List.of(BILLING_4)));
    Target atMax = c.at(Duration.ofMinutes(15));
    assertThat(atMax).isEqualTo(new Target(2, Set.of("billing"), 1_000_020, List.of()));
    assertThat(c.nextStepAfter(Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.stepsInForce(Duration.ofMinutes(15))).isEqualTo(2);
  }
}
