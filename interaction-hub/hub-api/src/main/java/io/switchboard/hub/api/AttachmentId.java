package io.switchboard.hub.api;

import java.util.Objects;
import java.util.UUID;

/** Identifier of an {@code attachment} (an uploaded file); a UUID, never null. */
public record AttachmentId(UUID value) {
  public AttachmentId {
    Objects.requireNonNull(value, "AttachmentId value");
  }

  /** A new random identifier. */
  public static AttachmentId random() {
    return new AttachmentId(UUID.randomUUID());
  }

  /**
   * Parses the textual form.
   *
   * @throws IllegalArgumentException when {@code text} is not a UUID
   */
  public static AttachmentId parse(String text) {
    return new AttachmentId(UUID.fromString(text));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
