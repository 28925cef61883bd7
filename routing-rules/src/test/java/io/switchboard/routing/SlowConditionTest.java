package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A condition cannot freeze the router: regular expressions run in linear time (RE2/J), so a pattern that makes a
 * backtracking engine take hours is decided at once, and a condition that still runs past its time budget is
 * reported and counts as no match, so the interaction is classified by the next rule instead of being retried.
 */
class SlowConditionTest {
  static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 23, 10, 0, 0, 0, ZoneId.of("Europe/Berlin"));

  static RoutingRules rules(String when) throws RulesException {
    return RoutingRules.parse("routing.yaml", "queues: [{id: general}, {id: trap}]\nrules:\n  - name: trap\n    when: '"
        + when.replace("'", "''") + "'\n    queue: trap\n  - name: default\n    queue: general\n", 1);
  }

  static InteractionFacts withSubject(String subject) {
    return new InteractionFacts("email", Map.of(), null, "en", Map.of(), subject);
  }

  @Test
  void aCatastrophicRegexAgainstACustomerWrittenSubjectIsDecidedAtOnce() throws Exception {
    // A rule author's "anything = anything": polynomial of degree 7 for a backtracking engine (hours on a
    // 200-character subject), linear for RE2/J.
    // No budget to speak of: this is about the regex engine alone (the bound is the 30-second timeout below).
    RoutingRules rules = rules("subject =~ '.*.*.*.*.*.*=.*'").withConditionBudget(Duration.ofDays(1), System::nanoTime);
    String subject = "a".repeat(200);
    List<String> problems = new ArrayList<>();
    Classification c = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> rules.classify(withSubject(subject), NOW, (rule, message) -> problems.add(rule + ": " + message)));
    assertThat(c.rule()).isEqualTo("default");
    assertThat(problems).isEmpty();
    assertThat(rules.classify(withSubject("a".repeat(200) + "=b"), NOW).rule()).isEqualTo("trap");
  }

  @Test
  void membershipPrefixAndSuffixStillWork() throws Exception {
    assertThat(rules("subject =~ 'inv.*ce' && subject !~ 'refund.*'").classify(withSubject("invoice"), NOW).rule()).isEqualTo("trap");
    assertThat(rules("subject =~ 'inv.*ce'").classify(withSubject("my invoice"), NOW).rule())
        .as("=~ matches the whole text, as before").isEqualTo("default");
    assertThat(rules("subject =~ ['a', 'b']").classify(withSubject("b"), NOW).rule()).isEqualTo("trap");
    assertThat(rules("subject =~ ~/inv.*/").classify(withSubject("invoice"), NOW).rule()).isEqualTo("trap");
  }

  @Test
  void aConditionPastItsTimeBudgetIsReportedAndTheNextRuleDecides() throws Exception {
    // A clock that moves 1 ms each time it is read: the budget runs out after a known amount of work, not wall time.
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    RoutingRules rules = rules("subject =~ '.*z'").withConditionBudget(Duration.ofMillis(5), () -> nanos.addAndGet(1_000_000));
    List<String> problems = new ArrayList<>();
    String huge = "a".repeat(200_000) + "z";
    Classification c = rules.classify(withSubject(huge), NOW, (rule, message) -> problems.add(rule + ": " + message));
    assertThat(c.rule()).as("the slow rule counts as no match").isEqualTo("default");
    assertThat(problems).singleElement().asString().startsWith("trap: ").contains("time budget of 5 ms");
    // A short subject fits the same budget and matches.
    problems.clear();
    assertThat(rules.classify(withSubject("abcz"), NOW, (rule, message) -> problems.add(message)).rule()).isEqualTo("trap");
    assertThat(problems).isEmpty();
  }

  @Test
  void aPatternRe2CannotRunIsReportedNotThrown() throws Exception {
    RoutingRules rules = rules("subject =~ '(a)\\1'");
    List<String> problems = new ArrayList<>();
    assertThat(rules.classify(withSubject("aa"), NOW, (rule, message) -> problems.add(rule + ": " + message)).rule()).isEqualTo("default");
    assertThat(problems).singleElement().asString().startsWith("trap: ").contains("invalid");
  }

  @Test
  void theDefaultBudgetIsAFractionOfASecond() throws Exception {
    assertThat(rules("channel == 'chat'").conditionBudget()).isEqualTo(Duration.ofMillis(100));
  }
}
