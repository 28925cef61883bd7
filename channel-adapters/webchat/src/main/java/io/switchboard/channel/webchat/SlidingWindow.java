package io.switchboard.channel.webchat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/** At most {@code limit} events within any {@code window}: a sliding log of the times admitted. Thread-safe. */
final class SlidingWindow {
  private final int limit;
  private final long windowNanos;
  private final LongSupplier nanoClock;
  private final ArrayDeque<Long> times = new ArrayDeque<>();

  SlidingWindow(int limit, Duration window) {
    this(limit, window, System::nanoTime);
  }

  SlidingWindow(int limit, Duration window, LongSupplier nanoClock) {
    this.limit = limit;
    this.windowNanos = window.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Admits one event, or refuses it when the window is full (a refused event is not counted). */
  synchronized boolean tryAcquire() {
    long now = nanoClock.getAsLong();
    expire(now);
    if (times.size() >= limit) {
      return false;
    }
    times.addLast(now);
    return true;
  }

  /** Whole seconds until the next event would be admitted (at least 1). */
  synchronized long retryAfterSeconds() {
    long now = nanoClock.getAsLong();
    expire(now);
    if (times.size() < limit) {
      return 1;
    }
    long waitNanos = times.peekFirst() + windowNanos - now;
    return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
  }

  /** Whether nothing was admitted within the window. */
  synchronized boolean isEmpty() {
    expire(nanoClock.getAsLong());
    return times.isEmpty();
  }

  private void expire(long now) {
    while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
      times.removeFirst();
    }
  }
}
