package io.switchboard.hub.api;

import java.util.Objects;
import java.util.UUID;

/** Identifier of a {@code message}; a UUID, never null. */
public record MessageId(UUID value) {
  public MessageId {
    Objects.requireNonNull(value, "MessageId value");
  }

  /** A new random identifier. */
  public static MessageId random() {
    return new MessageId(UUID.randomUUID());
  }

  /**
   * Parses the textual form.
   *
   * @throws IllegalArgumentException when {@code text} is not a UUID
   */
  public static MessageId parse(String text) {
    return new MessageId(UUID.fromString(text));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
