package io.switchboard.hub.api;

import io.vertx.core.buffer.Buffer;
import java.util.Objects;

/**
 * A file that came with an inbound contact (an email's attachment or inline image), stored by the hub as an
 * attachment of the contact's message. The adapter has already applied its size limits: parts it did not keep
 * are named in {@link InboundEmail#omitted()} instead.
 *
 * @param fileName a safe file name: no path separators or control characters, at most 255 characters
 * @param mediaType the part's media type ({@code application/octet-stream} when unknown)
 * @param bytes the content, not empty
 * @param contentId the part's Content-ID without angle brackets (inline images are referred to by it), or null
 * @param inline whether the sender meant it to be shown in the text (Content-Disposition inline) rather than attached
 */
public record InboundFile(String fileName, String mediaType, Buffer bytes, String contentId, boolean inline) {
  public static final int MAX_NAME = 255;

  public InboundFile {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(bytes, "bytes");
    mediaType = mediaType == null || mediaType.isBlank() ? "application/octet-stream" : mediaType;
    if (!safeName(fileName)) {
      throw new IllegalArgumentException("a file name must be 1 to " + MAX_NAME
          + " characters without '/', '\\' or control characters, and not '.' or '..'");
    }
    if (bytes.length() == 0) {
      throw new IllegalArgumentException("a file must not be empty");
    }
    if (EmailAddress.hasLineBreak(mediaType) || EmailAddress.hasLineBreak(contentId)) {
      throw new IllegalArgumentException("a media type or content id must not contain a line break");
    }
  }

  /** Whether {@code name} can be stored and offered for download as it is. */
  public static boolean safeName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.equals(".") || name.equals("..")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\' || Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        return false;
      }
    }
    return true;
  }
}
