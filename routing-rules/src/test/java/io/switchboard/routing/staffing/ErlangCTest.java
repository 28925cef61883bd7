package io.switchboard.routing.staffing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErlangCTest {

  @Test
  void tenErlangsOnFourteenAgentsWaitWithTheTextbookProbability() {
    // The published example: 10 Erlangs offered to 14 agents, P(wait) ≈ 0.1741.
    assertThat(ErlangC.probabilityOfWaiting(14, 10.0)).isCloseTo(0.1741, within(0.0005));
  }

  @Test
  void theSameTrafficWithA180SecondHandleTimeAnswers888PerMilleWithin20Seconds() {
    assertThat(ErlangC.serviceLevel(14, 10.0, Duration.ofSeconds(180), Duration.ofSeconds(20)))
        .isCloseTo(0.888, within(0.0015));
  }

  @Test
  void averageSpeedOfAnswerFollowsFromTheWaitProbability() {
    // ASA = P(wait) * AHT / (N - A) = 0.1741 * 180 / 4 ≈ 7.8 s
    assertThat(ErlangC.averageSpeedOfAnswer(14, 10.0, Duration.ofSeconds(180)).toMillis()).isBetween(7_800L, 7_900L);
    assertThat(ErlangC.averageSpeedOfAnswer(10, 10.0, Duration.ofSeconds(180))).isNull();
  }

  @ParameterizedTest(name = "{0} an hour of {1}s, {2} within {3}s → {4} agents")
  @CsvSource({
      // 200 contacts/h × 180 s = 10 Erlangs: 13 agents answer 0.79 within 20 s, 14 agents 0.888
      "200, 180, 0.80, 20, 14",
      "200, 180, 0.70, 20, 13",
      "0, 180, 0.80, 20, 0",
      // 10/h × 300 s = 0.83 Erlangs: 2 agents answer 0.773 within 20 s, 3 agents 0.96
      "10, 300, 0.80, 20, 3",
  })
  void agentsNeededIsTheFewestThatMeetTheTarget(double perHour, long aht, double target, long within, int expected) {
    int n = ErlangC.agentsNeeded(perHour, Duration.ofSeconds(aht), target, Duration.ofSeconds(within));
    assertThat(n).isEqualTo(expected);
    if (n > 1) {
      double erlangs = perHour * aht / 3600.0;
      assertThat(ErlangC.serviceLevel(n, erlangs, Duration.ofSeconds(aht), Duration.ofSeconds(within))).isGreaterThanOrEqualTo(target);
      assertThat(ErlangC.serviceLevel(n - 1, erlangs, Duration.ofSeconds(aht), Duration.ofSeconds(within))).isLessThan(target);
    }
  }

  @Test
  void tooFewAgentsAlwaysWaitAndLargeTeamsStayAccurate() {
    assertThat(ErlangC.probabilityOfWaiting(9, 10.0)).isEqualTo(1.0);
    assertThat(ErlangC.serviceLevel(9, 10.0, Duration.ofSeconds(180), Duration.ofSeconds(20))).isZero();
    double p = ErlangC.probabilityOfWaiting(600, 550.0);
    assertThat(p).isBetween(0.0, 1.0);
    assertThat(ErlangC.probabilityOfWaiting(5, 0)).isZero();
  }

  @Test
  void nonsenseInputIsRefused() {
    assertThatThrownBy(() -> ErlangC.probabilityOfWaiting(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ErlangC.probabilityOfWaiting(3, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ErlangC.agentsNeeded(10, Duration.ZERO, 0.8, Duration.ofSeconds(20))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ErlangC.agentsNeeded(10, Duration.ofSeconds(60), 1.0, Duration.ofSeconds(20))).isInstanceOf(IllegalArgumentException.class);
  }
}
