package io.switchboard.hub.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock a test moves by hand (UTC), so "a second later" is exact and nothing waits on the wall clock. Safe to read
 * from any thread; moved by the test's thread.
 */
public final class MovableClock extends Clock {
  private volatile Instant now;

  /** A clock standing at {@code start}. */
  public MovableClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  /** Moves the clock forward (or back, for a negative {@code d}). */
  public void advance(Duration d) {
    now = now.plus(d);
  }
}
