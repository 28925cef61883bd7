package io.switchboard.hub.api;

import java.util.Locale;

/** How a customer can be reached or recognised. */
public enum IdentityKind {
  /** A phone number, stored in E.164. */
  PHONE,
  /** An email address, stored lower-cased. */
  EMAIL,
  /** A chat or social handle, unique per provider (for example a Telegram user id). */
  HANDLE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name, case-insensitively.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static IdentityKind fromWire(String name) {
    for (IdentityKind k : values()) {
      if (k.wireName().equalsIgnoreCase(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown identity kind '" + name + "'; expected phone, email or handle");
  }
}
