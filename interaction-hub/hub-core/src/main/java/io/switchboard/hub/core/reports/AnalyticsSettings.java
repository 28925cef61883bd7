package io.switchboard.hub.core.reports;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * config/analytics.yaml: how the interval reports are computed (docs/reports.md). A missing file means the
 * defaults; a file with problems fails the hub's start with a message naming the file and the key.
 *
 * @param fcrDays a handled interaction counts as resolved at first contact when the same customer does not
 *     contact the same queue again within this many days (1–90, default 7)
 * @param refresh how often the report job looks for changes (default 60 s)
 * @param webhooks how webhook deliveries are tried ({@code webhooks:})
 * @param surveys which queues ask customers for a satisfaction rating ({@code surveys:}, docs/reports.md "CSAT")
 */
public record AnalyticsSettings(int fcrDays, Duration refresh, io.switchboard.hub.core.webhooks.WebhookSettings webhooks,
    io.switchboard.hub.core.csat.SurveySettings surveys) {
  public static final AnalyticsSettings DEFAULTS = new AnalyticsSettings(7, Duration.ofSeconds(60),
      io.switchboard.hub.core.webhooks.WebhookSettings.DEFAULTS, io.switchboard.hub.core.csat.SurveySettings.NONE);

  /** Without surveys. */
  public AnalyticsSettings(int fcrDays, Duration refresh, io.switchboard.hub.core.webhooks.WebhookSettings webhooks) {
    this(fcrDays, refresh, webhooks, io.switchboard.hub.core.csat.SurveySettings.NONE);
  }

  public AnalyticsSettings {
    if (fcrDays < 1 || fcrDays > 90) {
      throw new IllegalArgumentException("reports.firstContactResolutionDays must be 1 to 90");
    }
    java.util.Objects.requireNonNull(surveys, "surveys");
    if (refresh.isNegative() || refresh.isZero()) {
      throw new IllegalArgumentException("reports.refreshSeconds must be positive");
    }
  }

  /** Reads {@code file}; the defaults when it does not exist. */
  @SuppressWarnings("unchecked")
  public static AnalyticsSettings load(Path file) {
    if (!Files.exists(file)) {
      return DEFAULTS;
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      if (root == null) {
        return DEFAULTS;
      }
      if (!(root instanceof Map<?, ?> top)) {
        throw new IllegalArgumentException(file + ": expected a mapping at the top");
      }
      unknownKeys(file, "", (Map<String, Object>) top, Set.of("reports", "webhooks", "surveys"));
      Map<String, Object> r = section(file, top, "reports");
      Map<String, Object> w = section(file, top, "webhooks");
      unknownKeys(file, "webhooks.", w, Set.of("maxAttempts", "firstRetrySeconds", "disableAfterFailures", "timeoutSeconds"));
      var wd = io.switchboard.hub.core.webhooks.WebhookSettings.DEFAULTS;
      io.switchboard.hub.core.webhooks.WebhookSettings webhooks;
      try {
        webhooks = new io.switchboard.hub.core.webhooks.WebhookSettings(
            integer(file, "webhooks.maxAttempts", w.get("maxAttempts"), wd.maxAttempts()),
            Duration.ofSeconds(integer(file, "webhooks.firstRetrySeconds", w.get("firstRetrySeconds"), (int) wd.firstRetry().toSeconds())),
            integer(file, "webhooks.disableAfterFailures", w.get("disableAfterFailures"), wd.disableAfter()),
            Duration.ofSeconds(integer(file, "webhooks.timeoutSeconds", w.get("timeoutSeconds"), (int) wd.timeout().toSeconds())));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
      unknownKeys(file, "reports.", r, Set.of("firstContactResolutionDays", "refreshSeconds"));
      int days = integer(file, "reports.firstContactResolutionDays", r.get("firstContactResolutionDays"), DEFAULTS.fcrDays());
      int refresh = integer(file, "reports.refreshSeconds", r.get("refreshSeconds"), (int) DEFAULTS.refresh().toSeconds());
      try {
        return new AnalyticsSettings(days, Duration.ofSeconds(refresh), webhooks,
            io.switchboard.hub.core.csat.SurveySettings.parse(file.toString(), text));
      } catch (io.switchboard.hub.core.csat.SurveySettings.InvalidSurveySettings e) {
        throw e;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
    } catch (IOException | YAMLException e) {
      throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Path file, Map<?, ?> top, String key) {
    Object v = top.get(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(file + ": " + key + ": expected a mapping");
    }
    return (Map<String, Object>) m;
  }

  private static void unknownKeys(Path file, String prefix, Map<String, Object> map, Set<String> known) {
    for (Object k : map.keySet()) {
      if (!known.contains(String.valueOf(k))) {
        throw new IllegalArgumentException(file + ": unknown key " + prefix + k + " (known: " + known + ")");
      }
    }
  }

  private static int integer(Path file, String key, Object v, int fallback) {
    if (v == null) {
      return fallback;
    }
    if (v instanceof Integer i) {
      return i;
    }
    throw new IllegalArgumentException(file + ": " + key + ": expected a whole number, got '" + v + "'");
  }
}
