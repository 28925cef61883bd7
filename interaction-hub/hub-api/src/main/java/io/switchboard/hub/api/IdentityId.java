package io.switchboard.hub.api;

import java.util.Objects;
import java.util.UUID;

/** Identifier of a {@code identity}; a UUID, never null. */
public record IdentityId(UUID value) {
  public IdentityId {
    Objects.requireNonNull(value, "IdentityId value");
  }

  /** A new random identifier. */
  public static IdentityId random() {
    return new IdentityId(UUID.randomUUID());
  }

  /**
   * Parses the textual form.
   *
   * @throws IllegalArgumentException when {@code text} is not a UUID
   */
  public static IdentityId parse(String text) {
    return new IdentityId(UUID.fromString(text));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
