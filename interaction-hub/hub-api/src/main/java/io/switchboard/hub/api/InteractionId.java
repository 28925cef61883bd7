package io.switchboard.hub.api;

import java.util.Objects;
import java.util.UUID;

/** Identifier of a {@code interaction}; a UUID, never null. */
public record InteractionId(UUID value) {
  public InteractionId {
    Objects.requireNonNull(value, "InteractionId value");
  }

  /** A new random identifier. */
  public static InteractionId random() {
    return new InteractionId(UUID.randomUUID());
  }

  /**
   * Parses the textual form.
   *
   * @throws IllegalArgumentException when {@code text} is not a UUID
   */
  public static InteractionId parse(String text) {
    return new InteractionId(UUID.fromString(text));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
