package io.switchboard.hub.api.error;

/** Too many attempts; try again later. */
public final class RateLimitedException extends SwitchboardException {
  public RateLimitedException(String message) {
    super("rate-limited", message);
  }

  public RateLimitedException(String message, Throwable cause) {
    super("rate-limited", message, cause);
  }
}
