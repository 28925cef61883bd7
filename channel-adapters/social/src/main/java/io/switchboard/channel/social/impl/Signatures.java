package io.switchboard.channel.social.impl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Webhook authentication: Meta's HMAC signature header and plain shared tokens, compared in constant time. */
public final class Signatures {
  public static final String META_HEADER = "X-Hub-Signature-256";
  private static final String PREFIX = "sha256=";

  private Signatures() {}

  /** {@code sha256=<hex>}: HMAC-SHA256 of {@code body} keyed with {@code secret}, as Meta signs webhooks. */
  public static String metaSignature(String secret, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(hmacSha256(secret, body));
  }

  /**
   * Whether {@code header} is Meta's signature of exactly these bytes. The comparison takes the same time
   * wherever the first difference is, so the signature cannot be guessed byte by byte.
   */
  public static boolean metaSignatureValid(String secret, byte[] body, String header) {
    if (header == null) {
      return false;
    }
    String given = header.strip();
    if (!given.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    String expected = metaSignature(secret, body);
    return constantTimeEquals(expected, PREFIX + given.substring(PREFIX.length()).toLowerCase(Locale.ROOT));
  }

  /** Equality of two strings in time independent of where they differ. */
  public static boolean constantTimeEquals(String expected, String given) {
    if (expected == null || given == null) {
      return false;
    }
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmacSha256(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}
