package io.switchboard.hub.api;

import java.util.Locale;

/**
 * The life of an interaction. Each step has its own timestamp column in the store: created, queued,
 * offered, answered (assigned), ended.
 */
public enum InteractionState {
  /** Stored, not yet placed in a queue. */
  CREATED,
  /** Waiting in a queue for an agent. */
  QUEUED,
  /** Reserved for one agent, who has not accepted yet. */
  OFFERED,
  /** Accepted by an agent, being worked. */
  ASSIGNED,
  /** The customer side is over; the agent is wrapping up. */
  WRAP_UP,
  /** Finished. */
  ENDED,
  /** The customer left before an agent answered. */
  ABANDONED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when no further work happens on the interaction. */
  public boolean isFinal() {
    return this == ENDED || this == ABANDONED;
  }

  /**
   * Parses a wire name, case-insensitively.
   *
   * @throws IllegalArgumentException for an unknown state
   */
  public static InteractionState fromWire(String name) {
    for (InteractionState s : values()) {
      if (s.wireName().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown interaction state '" + name + "'");
  }
}
