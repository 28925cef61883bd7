package io.switchboard.routing.staffing;

import java.time.Duration;

/**
 * Erlang C: the queueing model behind contact-center staffing. Calls arrive at random (Poisson) at rate
 * λ, each takes on average one handle time, and wait in one queue for N identical agents. With the offered
 * traffic A = λ × AHT (in Erlangs):
 *
 * <ul>
 *   <li>the probability that a contact waits at all, {@link #probabilityOfWaiting};
 *   <li>the service level, the share answered within a threshold t:
 *       SL = 1 − P(wait) × e^(−(N − A) × t / AHT), {@link #serviceLevel};
 *   <li>the average speed of answer, ASA = P(wait) × AHT / (N − A), {@link #averageSpeedOfAnswer};
 *   <li>the fewest agents that meet a service-level target, {@link #agentsNeeded}.
 * </ul>
 *
 * P(wait) is computed from the Erlang B recursion B(k) = A·B(k−1) / (k + A·B(k−1)), which stays accurate for
 * hundreds of agents where factorials overflow: C = N·B / (N − A·(1 − B)). Stateless and thread-safe.
 */
public final class ErlangC {
  private ErlangC() {}

  /**
   * The chance a contact has to wait, for {@code agents} agents and {@code erlangs} of offered traffic; 1 when
   * the agents cannot keep up (agents ≤ traffic).
   *
   * @throws IllegalArgumentException for negative traffic or fewer than one agent
   */
  public static double probabilityOfWaiting(int agents, double erlangs) {
    if (agents < 1) {
      throw new IllegalArgumentException("at least one agent, got " + agents);
    }
    if (erlangs < 0 || Double.isNaN(erlangs)) {
      throw new IllegalArgumentException("traffic must be >= 0 Erlangs, got " + erlangs);
    }
    if (erlangs == 0) {
      return 0;
    }
    if (agents <= erlangs) {
      return 1;
    }
    double b = 1;
    for (int k = 1; k <= agents; k++) {
      b = erlangs * b / (k + erlangs * b);
    }
    return agents * b / (agents - erlangs * (1 - b));
  }

  /** The share of contacts answered within {@code threshold}. */
  public static double serviceLevel(int agents, double erlangs, Duration handleTime, Duration threshold) {
    double pw = probabilityOfWaiting(agents, erlangs);
    if (pw >= 1) {
      return 0;
    }
    double aht = seconds(handleTime);
    return 1 - pw * Math.exp(-(agents - erlangs) * seconds(threshold) / aht);
  }

  /** The average wait before an answer; null when the agents cannot keep up. */
  public static Duration averageSpeedOfAnswer(int agents, double erlangs, Duration handleTime) {
    double pw = probabilityOfWaiting(agents, erlangs);
    if (agents <= erlangs) {
      return null;
    }
    return Duration.ofMillis(Math.round(pw * seconds(handleTime) / (agents - erlangs) * 1000));
  }

  /**
   * The fewest agents that answer {@code targetShare} (0..1) of contacts within {@code threshold}, for
   * {@code arrivalsPerHour} contacts an hour of {@code handleTime} each; 0 when nothing arrives.
   */
  public static int agentsNeeded(double arrivalsPerHour, Duration handleTime, double targetShare, Duration threshold) {
    if (arrivalsPerHour < 0 || targetShare < 0 || targetShare >= 1 || handleTime.isZero() || handleTime.isNegative()) {
      throw new IllegalArgumentException("need arrivals >= 0, a handle time > 0 and a target in [0, 1)");
    }
    double erlangs = arrivalsPerHour * seconds(handleTime) / 3600.0;
    if (erlangs == 0) {
      return 0;
    }
    int n = Math.max(1, (int) Math.floor(erlangs) + 1);
    while (serviceLevel(n, erlangs, handleTime, threshold) < targetShare) {
      n++;
      if (n > 100_000) {
        throw new IllegalStateException("no staffing meets the target");
      }
    }
    return n;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
