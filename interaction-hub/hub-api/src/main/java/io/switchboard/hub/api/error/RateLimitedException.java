package io.switchboard.hub.api.error;

import java.time.Duration;

/** Too many attempts; try again after {@link #retryAfter()}. */
public final class RateLimitedException extends SwitchboardException {
  private final Duration retryAfter;

  public RateLimitedException(String message, Duration retryAfter) {
    super("rate-limited", message);
    this.retryAfter = retryAfter;
  }

  /** How long the caller should wait before trying again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
