package io.switchboard.hub.core.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt password hashes. Hashing is deliberately slow (tens of milliseconds): never call it on an event
 * loop.
 */
public final class PasswordHasher {
  /** bcrypt only reads the first 72 bytes of a password; longer ones are refused rather than truncated. */
  public static final int MAX_PASSWORD_BYTES = 72;

  private final int cost;
  private final String dummyHash;

  /** @param cost the bcrypt cost factor (log2 rounds), 4 to 31; 10 or more in production */
  public PasswordHasher(int cost) {
    if (cost < 4 || cost > 31) {
      throw new IllegalArgumentException("bcrypt cost must be 4..31, got " + cost);
    }
    this.cost = cost;
    this.dummyHash = hash("switchboard-dummy-password");
  }

  public String hash(String password) {
    return BCrypt.withDefaults().hashToString(cost, password.toCharArray());
  }

  /** True when {@code password} matches {@code hash}; a null hash is checked against a dummy (same timing). */
  public boolean verify(String password, String hash) {
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    if (pw.length > MAX_PASSWORD_BYTES) {
      return false;
    }
    BCrypt.Result result =
        BCrypt.verifyer().verify(pw, (hash == null ? dummyHash : hash).getBytes(StandardCharsets.UTF_8));
    return hash != null && result.verified;
  }
}
