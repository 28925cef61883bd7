package io.switchboard.hub.api;

import java.util.Objects;
import java.util.UUID;

/** Identifier of a {@code customer}; a UUID, never null. */
public record CustomerId(UUID value) {
  public CustomerId {
    Objects.requireNonNull(value, "CustomerId value");
  }

  /** A new random identifier. */
  public static CustomerId random() {
    return new CustomerId(UUID.randomUUID());
  }

  /**
   * Parses the textual form.
   *
   * @throws IllegalArgumentException when {@code text} is not a UUID
   */
  public static CustomerId parse(String text) {
    return new CustomerId(UUID.fromString(text));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
