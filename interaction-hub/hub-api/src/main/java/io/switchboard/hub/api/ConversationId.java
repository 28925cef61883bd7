package io.switchboard.hub.api;

import java.util.Objects;
import java.util.UUID;

/** Identifier of a {@code conversation}; a UUID, never null. */
public record ConversationId(UUID value) {
  public ConversationId {
    Objects.requireNonNull(value, "ConversationId value");
  }

  /** A new random identifier. */
  public static ConversationId random() {
    return new ConversationId(UUID.randomUUID());
  }

  /**
   * Parses the textual form.
   *
   * @throws IllegalArgumentException when {@code text} is not a UUID
   */
  public static ConversationId parse(String text) {
    return new ConversationId(UUID.fromString(text));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
