package io.switchboard.hub.api;

import java.util.Objects;
import java.util.UUID;

/** Identifier of a {@code agent}; a UUID, never null. */
public record AgentId(UUID value) {
  public AgentId {
    Objects.requireNonNull(value, "AgentId value");
  }

  /** A new random identifier. */
  public static AgentId random() {
    return new AgentId(UUID.randomUUID());
  }

  /**
   * Parses the textual form.
   *
   * @throws IllegalArgumentException when {@code text} is not a UUID
   */
  public static AgentId parse(String text) {
    return new AgentId(UUID.fromString(text));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
