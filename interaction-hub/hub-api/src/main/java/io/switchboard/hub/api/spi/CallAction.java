package io.switchboard.hub.api.spi;

/** What staff can do to a live session (a call) through {@link ChannelAdapter#control}. */
public enum CallAction {
  /** End the call for both sides. */
  HANG_UP,
  /** Put the caller on hold: the caller hears music, the agent's phone stays connected in silence. */
  HOLD,
  /** Take the caller off hold: caller and agent talk again. */
  RESUME,
  /** A supervisor's phone rings and, answered, hears both sides of the call; nobody hears the supervisor. */
  LISTEN,
  /** As {@link #LISTEN}, and the agent (only) hears the supervisor. */
  WHISPER,
  /** As {@link #LISTEN}, and both caller and agent hear the supervisor. */
  BARGE;

  /** Whether only supervisors may ask for it (and it rings their own phone). */
  public boolean supervisorOnly() {
    return this == LISTEN || this == WHISPER || this == BARGE;
  }
}
