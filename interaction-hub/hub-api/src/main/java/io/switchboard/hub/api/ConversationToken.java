package io.switchboard.hub.api;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The short token of a conversation that an email adapter puts in the subject of its replies
 * ({@code Re: Invoice 42 [SB-3F2A9C01D4]}), so that a customer's answer threads even when the mail program
 * dropped In-Reply-To and References. The token is the first 40 bits of the conversation id in hex: the hub
 * finds the conversation by it, so nothing needs storing.
 */
public final class ConversationToken {
  private static final Pattern IN_SUBJECT = Pattern.compile("\\[SB-([0-9A-Fa-f]{10})\\]");
  private static final int HEX = 10;

  private ConversationToken() {}

  /** The token of a conversation, such as {@code SB-3F2A9C01D4}. */
  public static String of(ConversationId id) {
    return "SB-" + id.value().toString().replace("-", "").substring(0, HEX).toUpperCase(Locale.ROOT);
  }

  /** The subject with the conversation's token appended, unless it already carries it. */
  public static String tag(String subject, ConversationId id) {
    String token = "[" + of(id) + "]";
    String s = subject == null ? "" : subject.strip();
    if (s.toUpperCase(Locale.ROOT).contains(token)) {
      return s;
    }
    return s.isEmpty() ? token : s + " " + token;
  }

  /** The last token in a subject, as the smallest and largest conversation id it can stand for. */
  public static Optional<Range> find(String subject) {
    if (subject == null) {
      return Optional.empty();
    }
    var m = IN_SUBJECT.matcher(subject);
    String hex = null;
    while (m.find()) {
      hex = m.group(1).toLowerCase(Locale.ROOT);
    }
    if (hex == null) {
      return Optional.empty();
    }
    String lo = hex + "0".repeat(32 - HEX);
    String hi = hex + "f".repeat(32 - HEX);
    return Optional.of(new Range(uuid(lo), uuid(hi)));
  }

  /** The ids a token stands for: every conversation id from {@code first} to {@code last}. */
  public record Range(UUID first, UUID last) {}

  private static UUID uuid(String hex32) {
    return UUID.fromString(hex32.substring(0, 8) + "-" + hex32.substring(8, 12) + "-" + hex32.substring(12, 16) + "-"
        + hex32.substring(16, 20) + "-" + hex32.substring(20));
  }
}
