package io.switchboard.channel.social.impl;

import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small helpers for what the quarantine keeps of a delivery. */
public final class BatchFacts {
  private BatchFacts() {}

  /** Hex SHA-256 of the bytes. */
  public static String sha256(Buffer bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** At most 500 characters. */
  public static String clip(String s) {
    return s.length() <= 500 ? s : s.substring(0, 499) + "…";
  }
}
