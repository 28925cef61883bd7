package io.switchboard.hub.api.spi;

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
   */
  record Failed(String reason, boolean retryable) implements DeliveryResult {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
