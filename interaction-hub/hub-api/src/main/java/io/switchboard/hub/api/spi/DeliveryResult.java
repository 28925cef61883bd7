package io.switchboard.hub.api.spi;

import java.time.Duration;
import java.util.Objects;

/** The outcome of one delivery attempt. */
public sealed interface DeliveryResult {

  /** The provider accepted the message and named it {@code providerMessageId}. */
  record Delivered(String providerMessageId) implements DeliveryResult {
    public Delivered {
      Objects.requireNonNull(providerMessageId, "providerMessageId");
    }
  }

  /**
   * The provider refused it. {@code retryable} failures (timeouts, 5xx, rate limits) are tried again later;
   * the others (invalid recipient, closed customer-service window) are final and shown to the agent.
   *
   * @param retryAfter for a retryable failure, how long the provider asked the hub to wait before trying this
   *     message again (Telegram's {@code retry_after}, an HTTP {@code Retry-After}, a rate limit's known window);
   *     null when it said nothing, and the hub's own growing pauses apply. The hub waits for it for this message
   *     only (up to an hour); other messages go on being delivered meanwhile.
   */
  record Failed(String reason, boolean retryable, Duration retryAfter) implements DeliveryResult {
    public Failed {
      Objects.requireNonNull(reason, "reason");
      if (retryAfter != null && retryAfter.isNegative()) {
        retryAfter = Duration.ZERO;
      }
    }

    /** A failure without a requested pause. */
    public Failed(String reason, boolean retryable) {
      this(reason, retryable, null);
    }
  }
}
