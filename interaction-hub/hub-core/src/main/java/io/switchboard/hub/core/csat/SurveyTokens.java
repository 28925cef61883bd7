package io.switchboard.hub.core.csat;

import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.ValidationException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signed part of an email survey link (docs/reports.md "CSAT"): the interaction and the link's expiry, with an
 * HMAC-SHA256 over both, so the rating page needs no login and a changed or invented link is refused. The key comes
 * from {@code SWITCHBOARD_SURVEY_KEY} or is generated once per installation (kept in PostgreSQL, so in the data
 * folder of an embedded hub, and shared by the nodes of one database). Thread-safe.
 *
 * <p>Form: {@code base64url(16-byte interaction id ‖ 8-byte expiry in epoch seconds) "." base64url(32-byte MAC)}.
 */
public final class SurveyTokens {
  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();
  private static final int PAYLOAD = 24;
  /** Longer tokens are refused before any work. */
  public static final int MAX_LENGTH = 128;

  private final SecretKeySpec key;
  private final Clock clock;

  /** @param key at least 32 bytes */
  public SurveyTokens(byte[] key, Clock clock) {
    if (key.length < 32) {
      throw new IllegalArgumentException("the survey link key must have at least 32 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.clock = clock;
  }

  /** A token for the interaction's survey, valid until {@code expires}. */
  public String issue(UUID interaction, Instant expires) {
    ByteBuffer b = ByteBuffer.allocate(PAYLOAD);
    b.putLong(interaction.getMostSignificantBits()).putLong(interaction.getLeastSignificantBits()).putLong(expires.getEpochSecond());
    byte[] payload = b.array();
    return ENC.encodeToString(payload) + "." + ENC.encodeToString(mac(payload));
  }

  /** What a valid token names. */
  public record Verified(UUID interaction, Instant expires) {}

  /**
   * Checks a token.
   *
   * @throws ValidationException (field {@code token}) when it is missing or malformed, or expired
   * @throws ForbiddenException when its signature does not match (changed or invented)
   */
  public Verified verify(String token) {
    if (token == null || token.isBlank()) {
      throw new ValidationException("token", "is required");
    }
    if (token.length() > MAX_LENGTH) {
      throw new ValidationException("token", "is not a survey link");
    }
    int dot = token.indexOf('.');
    byte[] payload;
    byte[] given;
    try {
      if (dot < 0) {
        throw new IllegalArgumentException();
      }
      payload = DEC.decode(token.substring(0, dot));
      given = DEC.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new ValidationException("token", "is not a survey link");
    }
    if (payload.length != PAYLOAD) {
      throw new ValidationException("token", "is not a survey link");
    }
    if (!MessageDigest.isEqual(mac(payload), given)) {
      throw new ForbiddenException("this survey link is not valid (it was changed, or not issued by this service)");
    }
    ByteBuffer b = ByteBuffer.wrap(payload);
    UUID interaction = new UUID(b.getLong(), b.getLong());
    Instant expires = Instant.ofEpochSecond(b.getLong());
    if (!clock.instant().isBefore(expires)) {
      throw new ValidationException("token", "this survey link expired on " + expires);
    }
    return new Verified(interaction, expires);
  }

  private byte[] mac(byte[] payload) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
