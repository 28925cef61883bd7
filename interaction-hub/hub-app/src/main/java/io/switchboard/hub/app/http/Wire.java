package io.switchboard.hub.app.http;

import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;

/** Request shapes shared by several routes, and their conversion to domain values. */
final class Wire {
  private Wire() {}

  /** An address as clients send it: {@code {"kind": "phone", "value": "+49 30 1234567"}}. */
  record Address(String kind, String provider, String value) {
    SenderAddress toSender(String prefix) {
      String field = prefix == null || prefix.isEmpty() ? "" : prefix + ".";
      if (kind == null) {
        throw new ValidationException(field + "kind", "is required (phone, email or handle)");
      }
      if (value == null || value.isBlank()) {
        throw new ValidationException(field + "value", "is required");
      }
      IdentityKind k;
      try {
        k = IdentityKind.fromWire(kind);
      } catch (IllegalArgumentException e) {
        throw new ValidationException(field + "kind", e.getMessage());
      }
      if (k == IdentityKind.HANDLE && (provider == null || provider.isBlank())) {
        throw new ValidationException(field + "provider", "is required for a handle");
      }
      return new SenderAddress(k, provider, value);
    }
  }

  /** Message content as clients send it, one shape per {@code type}. */
  record Content(
      String type, String text, String mediaType, String fileName, Long sizeBytes, String providerRef, String caption,
      Double latitude, Double longitude, String label, String providerType) {
    MessageContent toContent(String field) {
      if (type == null) {
        throw new ValidationException(field + ".type", "is required (text, media, location or unsupported)");
      }
      return switch (type) {
        case "text" -> {
          if (text == null) {
            throw new ValidationException(field + ".text", "is required for text content");
          }
          yield new MessageContent.Text(text);
        }
        case "media" -> {
          if (mediaType == null || providerRef == null) {
            throw new ValidationException(field, "media content needs mediaType and providerRef");
          }
          if (sizeBytes != null && sizeBytes < 0) {
            throw new ValidationException(field + ".sizeBytes", "must not be negative");
          }
          yield new MessageContent.Media(mediaType, fileName, sizeBytes == null ? 0 : sizeBytes, providerRef, caption);
        }
        case "location" -> {
          if (latitude == null || longitude == null) {
            throw new ValidationException(field, "location content needs latitude and longitude");
          }
          try {
            yield new MessageContent.Location(latitude, longitude, label);
          } catch (IllegalArgumentException e) {
            throw new ValidationException(field, e.getMessage());
          }
        }
        case "unsupported" -> {
          if (providerType == null) {
            throw new ValidationException(field + ".providerType", "is required for unsupported content");
          }
          yield new MessageContent.Unsupported(providerType);
        }
        default -> throw new ValidationException(field + ".type", "'" + Params.abbreviate(type) + "' is not text, media, location or unsupported");
      };
    }
  }

  /** An email mailbox as clients send it: {@code {"address": "nora@example.com", "name": "Nora New"}}. */
  record Mailbox(String address, String name) {
    static java.util.List<io.switchboard.hub.api.EmailAddress> toAddresses(java.util.List<Mailbox> list, String field) {
      if (list == null) {
        return java.util.List.of();
      }
      java.util.List<io.switchboard.hub.api.EmailAddress> out = new java.util.ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        Mailbox m = list.get(i);
        String f = field + "[" + i + "]";
        if (m == null || m.address() == null || m.address().isBlank()) {
          throw new ValidationException(f + ".address", "is required");
        }
        if (m.address().length() > 320) {
          throw new ValidationException(f + ".address", "is longer than 320 characters");
        }
        try {
          out.add(new io.switchboard.hub.api.EmailAddress(m.address().strip(), m.name()));
        } catch (IllegalArgumentException e) {
          throw new ValidationException(f, e.getMessage());
        }
      }
      return out;
    }
  }
}
