package io.switchboard.hub.api;

import java.util.Objects;

/**
 * What a message carries. A closed set: the hub stores and shows each kind, and a channel that receives
 * something it cannot represent uses {@link Unsupported} rather than dropping it.
 */
public sealed interface MessageContent {

  /** A short description for lists and logs. */
  String summary();

  /** Plain text (an email body, a chat line, a voicemail transcript). */
  record Text(String body) implements MessageContent {
    public Text {
      Objects.requireNonNull(body, "body");
    }

    @Override
    public String summary() {
      return body.length() <= 80 ? body : body.substring(0, 80) + "…";
    }
  }

  /** A file the provider holds; the hub keeps its metadata, not the bytes. */
  record Media(String mediaType, String fileName, long sizeBytes, String providerRef, String caption)
      implements MessageContent {
    public Media {
      Objects.requireNonNull(mediaType, "mediaType");
      Objects.requireNonNull(providerRef, "providerRef");
    }

    @Override
    public String summary() {
      return "[" + mediaType + (fileName == null ? "" : " " + fileName) + "]";
    }
  }

  /** A shared location. */
  record Location(double latitude, double longitude, String label) implements MessageContent {
    public Location {
      if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) {
        throw new IllegalArgumentException("latitude/longitude out of range");
      }
    }

    @Override
    public String summary() {
      return "[location " + latitude + "," + longitude + "]";
    }
  }

  /** A known provider message type the hub does not render; kept so that nothing is silently dropped. */
  record Unsupported(String providerType) implements MessageContent {
    public Unsupported {
      Objects.requireNonNull(providerType, "providerType");
    }

    @Override
    public String summary() {
      return "[unsupported " + providerType + "]";
    }
  }
}
