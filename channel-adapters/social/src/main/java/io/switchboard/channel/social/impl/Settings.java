package io.switchboard.channel.social.impl;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An adapter's section of switchboard.yaml ({@code channels.<name>}), read strictly: an unknown key or a bad
 * value fails the adapter's start with a message naming the file and the key.
 */
public final class Settings {
  private static final Pattern DURATION = Pattern.compile("^(\\d+)(ms|s|m)$");

  private final String section;
  private final Map<String, Object> values;

  private Settings(String section, Map<String, Object> values) {
    this.section = section;
    this.values = values;
  }

  /**
   * @throws IllegalArgumentException for a key outside {@code known}
   */
  public static Settings of(String adapter, Map<String, Object> values, Set<String> known) {
    Map<String, Object> v = values == null ? Map.of() : values;
    String section = "switchboard.yaml: channels." + adapter;
    for (String key : v.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException(section + "." + key + ": unknown setting (known: "
            + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
    return new Settings(section, v);
  }

  /** A plain value (numbers are accepted and read as their digits, for ids written without quotes). */
  public String text(String key, String fallback) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String || v instanceof Number) {
      String s = v.toString().strip();
      return s.isEmpty() ? fallback : s;
    }
    throw bad(key, "must be a text value");
  }

  /** An absolute http(s) URL without a trailing slash. */
  public String baseUrl(String key, String fallback) {
    String s = text(key, fallback);
    try {
      URI uri = new URI(s);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw bad(key, "must be an absolute http(s) URL, not '" + s + "'");
      }
    } catch (URISyntaxException e) {
      throw bad(key, "must be an absolute http(s) URL, not '" + s + "'");
    }
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** A duration such as {@code 500ms}, {@code 10s} or {@code 1m}. */
  public Duration duration(String key, Duration fallback) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    Matcher m = DURATION.matcher(v.toString().strip());
    if (!m.matches()) {
      throw bad(key, "must be a duration such as 500ms, 10s or 1m, not '" + v + "'");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
    if (d.isZero()) {
      throw bad(key, "must be longer than zero");
    }
    return d;
  }

  private IllegalArgumentException bad(String key, String problem) {
    return new IllegalArgumentException(section + "." + key + ": " + problem);
  }
}
