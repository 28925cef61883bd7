package io.switchboard.hub.api;

import java.util.Locale;

/**
 * The media through which an interaction reaches the hub. Capacity and routing are per channel; which
 * provider serves a channel (WhatsApp, Telegram, a web chat widget...) is the adapter's business.
 */
public enum Channel {
  /** A phone call held in Asterisk: a live session. */
  VOICE,
  /** An email thread. */
  EMAIL,
  /** A web chat session. */
  CHAT,
  /** A social messenger thread (WhatsApp, Messenger, Telegram). */
  SOCIAL;

  /** The lower-case name used on the wire and in the database. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name, case-insensitively.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Channel fromWire(String name) {
    for (Channel c : values()) {
      if (c.wireName().equalsIgnoreCase(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown channel '" + name + "'; expected one of voice, email, chat, social");
  }
}
