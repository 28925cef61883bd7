package io.switchboard.hub.app.ws;

import java.util.function.LongSupplier;

/**
 * The client frame rate limit of one socket: a token bucket holding at most {@code burst} frames, refilled at
 * {@code perSecond}. One instance per socket, used on the socket's event loop only.
 */
final class FrameRateLimit {
  private final int perSecond;
  private final int burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long refilledAt;

  FrameRateLimit(int perSecond, int burst) {
    this(perSecond, burst, System::nanoTime);
  }

  /** With a clock of nanoseconds (tests). */
  FrameRateLimit(int perSecond, int burst, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.refilledAt = nanoTime.getAsLong();
  }

  /** Whether one more frame may be taken now (and takes it). */
  boolean take() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * perSecond);
    refilledAt = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
