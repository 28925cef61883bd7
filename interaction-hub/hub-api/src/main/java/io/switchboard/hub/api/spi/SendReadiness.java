package io.switchboard.hub.api.spi;

import java.util.Objects;

/**
 * Whether a reply in an interaction can go out through its adapter right now, as the console shows it before
 * the agent writes.
 *
 * @param state ready, degraded (replies are accepted and retried, but the provider is failing) or unavailable
 *     (a reply cannot be delivered: nothing is set up to send it)
 * @param reason what the agent is told; null when ready
 */
public record SendReadiness(State state, String reason) {
  /** The three answers. */
  public enum State {
    /** Replies go out. */
    READY,
    /** Replies are accepted and retried, but the last attempts to reach the provider failed. */
    DEGRADED,
    /** Replies cannot go out: the hub refuses them rather than store a reply that will fail. */
    UNAVAILABLE;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static final SendReadiness READY = new SendReadiness(State.READY, null);

  public SendReadiness {
    Objects.requireNonNull(state, "state");
    if (state != State.READY && (reason == null || reason.isBlank())) {
      throw new IllegalArgumentException("a readiness other than ready needs a reason");
    }
  }

  public static SendReadiness degraded(String reason) {
    return new SendReadiness(State.DEGRADED, reason);
  }

  public static SendReadiness unavailable(String reason) {
    return new SendReadiness(State.UNAVAILABLE, reason);
  }

  public boolean canSend() {
    return state != State.UNAVAILABLE;
  }
}
