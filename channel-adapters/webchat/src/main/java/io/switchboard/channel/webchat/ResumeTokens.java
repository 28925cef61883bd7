package io.switchboard.channel.webchat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Resume tokens: what a customer's browser shows to take up its chat session again after a reconnect. A
 * token is {@code v1.<payload>.<signature>}: the session's facts (id, conversation, pre-chat answers,
 * expiry) in base64url JSON, signed with HMAC-SHA256 under the node's key. Any hub node with the same key
 * (the secret {@code SESSION_KEY}) can check a token, so a customer who reconnects to another node resumes
 * there. Signatures are compared in constant time; a token names exactly one session, so it never opens
 * another customer's conversation.
 */
final class ResumeTokens {
  private static final String VERSION = "v1";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  /** What a checked token says. */
  sealed interface Check {}

  /** The token is good and names these facts. */
  record Valid(SessionFacts facts) implements Check {}

  /** Signed by us but past its expiry. */
  record Expired() implements Check {}

  /** Not ours, altered, or for another session. */
  record Invalid() implements Check {}

  private final SecretKeySpec key;
  private final Clock clock;
  private final Duration ttl;

  ResumeTokens(byte[] key, Clock clock, Duration ttl) {
    if (key.length < 16) {
      throw new IllegalArgumentException("a session key needs at least 16 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.clock = clock;
    this.ttl = ttl;
  }

  /** A fresh token for the session, valid for the session time to live from now. */
  String issue(SessionFacts facts) {
    JsonObject payload = facts.toJson().put("exp", clock.instant().plus(ttl).getEpochSecond());
    String body = VERSION + "." + B64.encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    return body + "." + B64.encodeToString(sign(body));
  }

  /** Checks a token presented for {@code sessionId}. */
  Check check(String sessionId, String token) {
    if (sessionId == null || token == null || token.length() > 4096) {
      return new Invalid();
    }
    int first = token.indexOf('.');
    int last = token.lastIndexOf('.');
    if (first < 0 || last <= first || !VERSION.equals(token.substring(0, first))) {
      return new Invalid();
    }
    byte[] given;
    JsonObject payload;
    try {
      given = B64D.decode(token.substring(last + 1));
      if (!MessageDigest.isEqual(sign(token.substring(0, last)), given)) {
        return new Invalid();
      }
      payload = new JsonObject(new String(B64D.decode(token.substring(first + 1, last)), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return new Invalid();
    }
    SessionFacts facts;
    try {
      facts = SessionFacts.fromJson(payload);
    } catch (RuntimeException e) {
      return new Invalid();
    }
    if (!MessageDigest.isEqual(facts.sessionId().getBytes(StandardCharsets.UTF_8), sessionId.getBytes(StandardCharsets.UTF_8))) {
      return new Invalid();
    }
    Long exp = payload.getLong("exp");
    if (exp == null || Instant.ofEpochSecond(exp).isBefore(clock.instant())) {
      return new Expired();
    }
    return new Valid(facts);
  }

  private byte[] sign(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
