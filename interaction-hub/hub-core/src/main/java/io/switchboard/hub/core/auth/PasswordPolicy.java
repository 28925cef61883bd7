package io.switchboard.hub.core.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a staff password must be: at least {@value #MIN_LENGTH} characters (code points), at most
 * {@link PasswordHasher#MAX_PASSWORD_BYTES} bytes of UTF-8 (bcrypt reads no more), no NUL or other control
 * character, at least five different characters, and not a common or breached password. The list of those ships
 * in the jar ({@code common-passwords.txt} beside this class): full entries, and base words that are refused also
 * when only padded with digits and symbols ({@code Password1234!}, {@code welcome2024!!}), case-insensitively.
 */
public final class PasswordPolicy {
  public static final int MIN_LENGTH = 12;
  private static final Set<String> COMMON = load();

  private PasswordPolicy() {}

  /** Why {@code password} is refused, or empty when it is acceptable. */
  public static Optional<String> problem(String password) {
    if (password == null || password.isEmpty()) {
      return Optional.of("is required");
    }
    if (password.codePoints().anyMatch(c -> c == 0)) {
      return Optional.of("must not contain NUL characters");
    }
    if (password.codePoints().anyMatch(Character::isISOControl)) {
      return Optional.of("must not contain control characters");
    }
    if (password.codePointCount(0, password.length()) < MIN_LENGTH) {
      return Optional.of("must be at least " + MIN_LENGTH + " characters");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > PasswordHasher.MAX_PASSWORD_BYTES) {
      return Optional.of("must be at most " + PasswordHasher.MAX_PASSWORD_BYTES + " bytes");
    }
    if (password.codePoints().distinct().count() < 5) {
      return Optional.of("must use at least 5 different characters");
    }
    String lower = password.toLowerCase(Locale.ROOT);
    String core = lower.replaceAll("^[^\\p{L}]+|[^\\p{L}]+$", "");
    if (COMMON.contains(lower) || COMMON.contains(core) || isRepeat(core)) {
      return Optional.of("is a common or breached password; choose another (a few unrelated words work well)");
    }
    return Optional.empty();
  }

  /** A common word said twice or more ("passwordpassword"). */
  private static boolean isRepeat(String core) {
    for (int n = 3; n <= core.length() / 2; n++) {
      if (core.length() % n == 0 && core.equals(core.substring(0, n).repeat(core.length() / n))
          && COMMON.contains(core.substring(0, n))) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> load() {
    Set<String> out = new HashSet<>();
    try (InputStream in = PasswordPolicy.class.getResourceAsStream("common-passwords.txt")) {
      if (in == null) {
        throw new IllegalStateException("common-passwords.txt is missing from the jar");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        String s = line.strip();
        if (!s.isEmpty() && !s.startsWith("#")) {
          out.add(s.toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(out);
  }
}
