package io.switchboard.hub.api;

import java.util.Objects;

/**
 * One mailbox of an email header (From, To, Cc): the address and, if known, the display name. Neither may
 * hold a line break, so a value can never inject a header.
 *
 * @param address the mailbox ({@code nora@example.com}); never null
 * @param name the display name ({@code Nora New}), or null
 */
public record EmailAddress(String address, String name) {
  public static final int MAX_NAME = 200;

  public EmailAddress {
    Objects.requireNonNull(address, "address");
    if (hasLineBreak(address) || hasLineBreak(name)) {
      throw new IllegalArgumentException("an email address or name must not contain a line break");
    }
    if (name != null && name.length() > MAX_NAME) {
      throw new IllegalArgumentException("a display name is longer than " + MAX_NAME + " characters");
    }
    name = name == null || name.isBlank() ? null : name.strip();
  }

  /** An address without a display name. */
  public static EmailAddress of(String address) {
    return new EmailAddress(address, null);
  }

  /** Whether {@code s} holds CR, LF or another character that ends a header line. */
  public static boolean hasLineBreak(String s) {
    if (s == null) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029' || c == 0) {
        return true;
      }
    }
    return false;
  }
}
