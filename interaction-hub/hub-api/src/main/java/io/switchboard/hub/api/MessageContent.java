package io.switchboard.hub.api;

import java.util.List;
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

  /**
   * A contact card the customer shared (Telegram {@code contact}, WhatsApp {@code contacts}): the numbers as the
   * provider gave them, not normalised. The console offers to add a number to the customer's identities.
   *
   * @param name the card's display name; may be null
   * @param phones its phone numbers (at least one phone or email), in the provider's order
   * @param emails its email addresses; may be empty
   */
  record Contact(String name, List<String> phones, List<String> emails) implements MessageContent {
    public Contact {
      phones = phones == null ? List.of() : List.copyOf(phones);
      emails = emails == null ? List.of() : List.copyOf(emails);
      if (phones.isEmpty() && emails.isEmpty() && (name == null || name.isBlank())) {
        throw new IllegalArgumentException("a contact card needs a name, a phone or an email");
      }
    }

    @Override
    public String summary() {
      StringBuilder s = new StringBuilder("[contact");
      if (name != null && !name.isBlank()) {
        s.append(' ').append(name.strip());
      }
      phones.forEach(p -> s.append(' ').append(p));
      emails.forEach(e -> s.append(' ').append(e));
      return s.append(']').toString();
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
