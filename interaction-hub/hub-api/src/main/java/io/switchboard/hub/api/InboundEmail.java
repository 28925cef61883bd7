package io.switchboard.hub.api;

import java.util.List;
import java.util.Objects;

/**
 * What an inbound email carries beyond {@link InboundContact}'s common fields.
 *
 * @param quoted the text the sender quoted from earlier messages (the "On ... wrote:" block and the
 *     {@code >} lines), kept apart from the new text so the console can show it collapsed; null when none
 * @param omitted parts the adapter named but did not keep (over the size limit per message), in message order
 */
public record InboundEmail(String quoted, List<OmittedPart> omitted) {
  public static final int MAX_QUOTED = 256 * 1024;
  public static final int MAX_OMITTED = 100;

  public InboundEmail {
    omitted = omitted == null ? List.of() : List.copyOf(omitted.subList(0, Math.min(omitted.size(), MAX_OMITTED)));
    if (quoted != null && quoted.length() > MAX_QUOTED) {
      quoted = quoted.substring(0, MAX_QUOTED);
    }
    if (quoted != null && quoted.isBlank()) {
      quoted = null;
    }
  }

  /**
   * A part of an email that was not stored.
   *
   * @param fileName its file name (or a description such as "inline image"), without line breaks
   * @param mediaType its media type
   * @param sizeBytes its size as the message declared it (encoded parts are about 4/3 larger on the wire)
   * @param reason why it was not stored
   */
  public record OmittedPart(String fileName, String mediaType, long sizeBytes, String reason) {
    public OmittedPart {
      Objects.requireNonNull(fileName, "fileName");
      Objects.requireNonNull(reason, "reason");
      mediaType = mediaType == null ? "application/octet-stream" : mediaType;
      if (EmailAddress.hasLineBreak(fileName) || EmailAddress.hasLineBreak(mediaType)) {
        throw new IllegalArgumentException("an omitted part's name or type must not contain a line break");
      }
    }
  }
}
