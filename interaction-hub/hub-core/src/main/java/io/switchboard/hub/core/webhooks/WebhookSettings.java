package io.switchboard.hub.core.webhooks;

import java.time.Duration;

/**
 * How webhook deliveries are tried (config/analytics.yaml {@code webhooks:}, docs/webhooks.md).
 *
 * @param maxAttempts attempts per delivery before it is given up (1–20, default 8)
 * @param firstRetry the pause after the first failed attempt; each further pause doubles, at most an hour (default 10 s)
 * @param disableAfter failed attempts in a row, over all deliveries of a subscription, that disable it (default 20)
 * @param timeout for connecting and for the answer (default 10 s)
 */
public record WebhookSettings(int maxAttempts, Duration firstRetry, int disableAfter, Duration timeout) {
  public static final WebhookSettings DEFAULTS = new WebhookSettings(8, Duration.ofSeconds(10), 20, Duration.ofSeconds(10));

  public WebhookSettings {
    if (maxAttempts < 1 || maxAttempts > 20) {
      throw new IllegalArgumentException("webhooks.maxAttempts must be 1 to 20");
    }
    if (disableAfter < 1) {
      throw new IllegalArgumentException("webhooks.disableAfterFailures must be at least 1");
    }
    if (firstRetry.isNegative() || firstRetry.isZero() || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("webhooks.firstRetrySeconds and webhooks.timeoutSeconds must be positive");
    }
  }
}
