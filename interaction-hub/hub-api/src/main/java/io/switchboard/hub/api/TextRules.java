package io.switchboard.hub.api;

/**
 * Text the hub stores nowhere: the NUL character (PostgreSQL cannot keep it in text, so it would surface as a
 * server error) and lone UTF-16 surrogates (halves of a character, which no encoding can write). The HTTP edge
 * refuses them (and bytes that are not UTF-8) with 422 naming the field; intake refuses them from every channel.
 * Thread-safe, no state.
 */
public final class TextRules {
  private TextRules() {}

  /** Why {@code value} cannot be stored, or null when it can (null values are fine). */
  public static String problem(String value) {
    if (value == null) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        return "must not contain the NUL character";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        return "must not contain a lone surrogate (not a character)";
      }
      if (Character.isLowSurrogate(c)) {
        return "must not contain a lone surrogate (not a character)";
      }
    }
    return null;
  }

  /**
   * Every text of an inbound contact (ids, sender, name, subject, references, text, caption, metadata) checked;
   * a {@link io.switchboard.hub.api.error.ValidationException} naming the fields otherwise.
   */
  public static void check(InboundContact c) {
    java.util.List<io.switchboard.hub.api.error.ValidationException.FieldError> errors = new java.util.ArrayList<>();
    add(errors, "externalId", c.externalId());
    add(errors, "sender.value", c.sender() == null ? null : c.sender().value());
    add(errors, "senderName", c.senderName());
    add(errors, "threadKey", c.threadKey());
    add(errors, "subject", c.subject());
    if (c.references() != null) {
      for (int i = 0; i < c.references().size(); i++) {
        add(errors, "references[" + i + "]", c.references().get(i));
      }
    }
    switch (c.content()) {
      case MessageContent.Text t -> add(errors, "content.text", t.body());
      case MessageContent.Media m -> {
        add(errors, "content.caption", m.caption());
        add(errors, "content.fileName", m.fileName());
      }
      case MessageContent.Location l -> add(errors, "content.label", l.label());
      case null, default -> { }
    }
    if (c.metadata() != null) {
      c.metadata().forEach((k, v) -> {
        add(errors, "metadata", k);
        add(errors, "metadata." + k, v);
      });
    }
    if (!errors.isEmpty()) {
      throw new io.switchboard.hub.api.error.ValidationException(errors);
    }
  }

  private static void add(java.util.List<io.switchboard.hub.api.error.ValidationException.FieldError> errors, String field, String v) {
    String p = problem(v);
    if (p != null) {
      errors.add(new io.switchboard.hub.api.error.ValidationException.FieldError(field, p));
    }
  }
}
