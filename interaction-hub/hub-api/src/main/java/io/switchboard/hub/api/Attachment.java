package io.switchboard.hub.api;

import java.util.Objects;

/**
 * A file attached to a message (its metadata; the bytes stay in the hub's store and are read on demand).
 *
 * @param fileName a safe file name (no path separators or control characters)
 * @param mediaType the file's media type, {@code application/octet-stream} when the uploader gave none
 * @param sizeBytes the file's length
 * @param sha256 lower-case hex SHA-256 of the bytes
 */
public record Attachment(AttachmentId id, String fileName, String mediaType, long sizeBytes, String sha256) {
  public Attachment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(sha256, "sha256");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes must not be negative");
    }
  }
}
