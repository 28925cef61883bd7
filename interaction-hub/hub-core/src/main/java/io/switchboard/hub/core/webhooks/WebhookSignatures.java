package io.switchboard.hub.core.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How webhook requests are signed (docs/webhooks.md): {@code Switchboard-Signature: v1=<hex>} where hex is
 * HMAC-SHA256 with the subscription's secret over {@code <timestamp>.<body>}, and {@code Switchboard-Timestamp} is
 * the Unix time in seconds of the attempt. A receiver recomputes it, compares in constant time and refuses
 * timestamps more than five minutes away from its clock, so a captured request cannot be replayed later.
 */
public final class WebhookSignatures {
  public static final String SIGNATURE_HEADER = "Switchboard-Signature";
  public static final String TIMESTAMP_HEADER = "Switchboard-Timestamp";
  public static final String EVENT_HEADER = "Switchboard-Event";
  public static final String DELIVERY_HEADER = "Switchboard-Delivery";
  /** How far a receiver should accept a timestamp from its own clock. */
  public static final long TOLERANCE_SECONDS = 300;

  private WebhookSignatures() {}

  /** {@code v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}. */
  public static String sign(String secret, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return "v1=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** What a receiver does: the signature matches and the timestamp is within the tolerance of {@code nowSeconds}. */
  public static boolean verify(String secret, String timestampHeader, String signatureHeader, byte[] body, long nowSeconds) {
    if (timestampHeader == null || signatureHeader == null) {
      return false;
    }
    long ts;
    try {
      ts = Long.parseLong(timestampHeader.strip());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(nowSeconds - ts) > TOLERANCE_SECONDS) {
      return false;
    }
    return MessageDigest.isEqual(sign(secret, ts, body).getBytes(StandardCharsets.US_ASCII),
        signatureHeader.strip().getBytes(StandardCharsets.US_ASCII));
  }
}
