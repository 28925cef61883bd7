package io.switchboard.routing;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long one condition may run (by default in CPU time of the thread that runs it). The regular expressions of {@link LinearArithmetic} check it as they read their
 * text, and {@link RoutingRules#classify} checks it after each condition; a condition past it throws {@link Exceeded},
 * is reported to the caller's {@link RoutingRules.ConditionErrorListener} and counts as no match.
 *
 * <p>Threading: a condition runs on one thread, so the deadline of the condition running on a thread is kept in a
 * thread-local for the arithmetic to find.
 */
record ConditionBudget(Duration limit, LongSupplier ticker) {
  /**
   * 100 ms of the evaluating thread's CPU time: generous for conditions that take microseconds, short enough that a
   * node never stalls for long. CPU time, not wall time, so a loaded machine or a garbage-collection pause does not
   * push a condition over its budget (which would misroute its interaction); wall time only where the JVM cannot
   * measure a thread's CPU time.
   */
  static final ConditionBudget DEFAULT = new ConditionBudget(Duration.ofMillis(100), threadCpuClock());

  private static LongSupplier threadCpuClock() {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    if (threads.isCurrentThreadCpuTimeSupported()) {
      if (!threads.isThreadCpuTimeEnabled()) {
        threads.setThreadCpuTimeEnabled(true);
      }
      return threads::getCurrentThreadCpuTime;
    }
    return System::nanoTime;
  }

  private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

  ConditionBudget {
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("a condition budget must be positive: " + limit);
    }
  }

  /** Thrown (unchecked, through JEXL) when a condition runs past its budget. */
  static final class Exceeded extends RuntimeException {
    Exceeded(Duration limit) {
      super(RoutingRules.OVER_BUDGET + " of " + limit.toMillis() + " ms; counted as no match", null, false, false);
    }
  }

  /** The deadline of one condition's run. */
  final class Deadline {
    private final long end;

    private Deadline(long start) {
      this.end = start + limit.toNanos();
    }

    void check() {
      if (ticker.getAsLong() - end > 0) {
        throw new Exceeded(limit);
      }
    }
  }

  /** Starts the clock for one condition on this thread; {@link #finish} ends it. */
  Deadline start() {
    Deadline d = new Deadline(ticker.getAsLong());
    CURRENT.set(d);
    return d;
  }

  static void finish() {
    CURRENT.remove();
  }

  /** The deadline of the condition running on this thread, checked; nothing when none runs. */
  static void checkCurrent() {
    Deadline d = CURRENT.get();
    if (d != null) {
      d.check();
    }
  }

  /** Finds an {@link Exceeded} in {@code e} or its causes (JEXL wraps what the arithmetic throws). */
  static Exceeded exceeded(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Exceeded x) {
        return x;
      }
    }
    return null;
  }
}
