package io.switchboard.hub.core.routing;

import java.util.Locale;

/** What an agent is doing, as routing sees it. */
public enum AgentState {
  /** Ready for offers (while the console is connected). */
  AVAILABLE,
  /** Not taking new work, by choice or because a supervisor said so. */
  BUSY,
  /** Finishing an interaction's paperwork; becomes available when the timeout passes. */
  AFTER_CALL_WORK,
  /** Away, with a reason (lunch, training, "missed offer" after an offer timed out). */
  BREAK,
  /** Logged out of routing. */
  OFFLINE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name.
   *
   * @throws IllegalArgumentException for an unknown state
   */
  public static AgentState fromWire(String s) {
    for (AgentState a : values()) {
      if (a.wireName().equalsIgnoreCase(s)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown agent state '" + s + "'; expected available, busy, after_call_work, break or offline");
  }
}
