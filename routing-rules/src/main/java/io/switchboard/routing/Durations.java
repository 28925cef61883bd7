package io.switchboard.routing;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as routing.yaml writes them: {@code 500ms}, {@code 20s}, {@code 15m}, {@code 2h}, {@code 1d}, compounds
 * such as {@code 1h30m}, or ISO-8601 ({@code PT15M}). Stateless and thread-safe.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with a message fit to show an administrator when it is not a duration or is
   *     negative
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a duration is needed, e.g. 30s, 15m or PT15M");
    }
    String s = text.strip();
    Duration d;
    if (s.startsWith("P") || s.startsWith("p") || s.startsWith("-P") || s.startsWith("-p")) {
      try {
        d = Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + s + "' is not an ISO-8601 duration such as PT15M");
      }
    } else if (s.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("'" + s + "' needs a unit (ms, s, m, h or d), e.g. " + s + "s");
    } else {
      d = parseUnits(s);
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("'" + s + "' is negative");
    }
    return d;
  }

  private static Duration parseUnits(String s) {
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int at = 0;
    int lastRank = Integer.MAX_VALUE;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "'" + s + "' is not a duration: use e.g. 500ms, 20s, 15m, 2h, 1h30m or ISO-8601 (PT15M)");
      }
      long n = Long.parseLong(m.group(1));
      int rank;
      Duration part;
      switch (m.group(2)) {
        case "d" -> { rank = 4; part = Duration.ofDays(n); }
        case "h" -> { rank = 3; part = Duration.ofHours(n); }
        case "m" -> { rank = 2; part = Duration.ofMinutes(n); }
        case "s" -> { rank = 1; part = Duration.ofSeconds(n); }
        default -> { rank = 0; part = Duration.ofMillis(n); }
      }
      if (rank >= lastRank) {
        throw new IllegalArgumentException("'" + s + "': give units from largest to smallest, each once (e.g. 1h30m)");
      }
      lastRank = rank;
      total = total.plus(part);
      at = m.end();
    }
    return total;
  }

  /** The shortest form {@link #parse} reads back: {@code 0s}, {@code 500ms}, {@code 90s}, {@code 15m}, {@code 1h30m}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    if (d.isNegative()) {
      b.append('-');
      d = d.negated();
    }
    long days = d.toDays();
    long hours = d.toHoursPart();
    long minutes = d.toMinutesPart();
    long seconds = d.toSecondsPart();
    long millis = d.toMillisPart();
    if (days > 0) b.append(days).append('d');
    if (hours > 0) b.append(hours).append('h');
    if (minutes > 0) b.append(minutes).append('m');
    if (seconds > 0) b.append(seconds).append('s');
    if (millis > 0) b.append(millis).append("ms");
    return b.length() == 0 || b.toString().equals("-") ? d.toNanos() + "ns" : b.toString();
  }
}
