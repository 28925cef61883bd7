package io.switchboard.channel.social.impl;

import io.switchboard.hub.api.spi.DeliveryResult;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Reading the Graph API's answers (WhatsApp Cloud API and the Messenger Send API share it):
 * {@code {"error": {"message", "type", "code", "error_subcode", "error_data": {"details"}, "is_transient"}}}.
 *
 * <p>Format: https://developers.facebook.com/docs/graph-api/guides/error-handling and the WhatsApp Cloud API
 * error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
 */
public final class GraphApi {
  /**
   * Error codes that mean "not now" rather than "never": unknown/temporary errors (1, 2), application and
   * user rate limits (4, 17, 32, 341, 613, 80007), WhatsApp throughput and pair rate limits (130429, 131048,
   * 131056), and WhatsApp's "service unavailable" (131000, 133004).
   */
  private static final Set<Long> TRANSIENT = Set.of(1L, 2L, 4L, 17L, 32L, 341L, 613L, 80007L, 130429L, 131000L, 131048L, 131056L, 133004L);

  private GraphApi() {}

  /**
   * The outcome of a call that did not succeed, with the provider's words as the reason. A retryable failure
   * carries the wait the provider asked for ({@link DeliveryResult.Failed#retryAfter()}): its Retry-After, else
   * the {@code estimated_time_to_regain_access} of {@code X-Business-Use-Case-Usage}, else, for WhatsApp's pair
   * rate limit (131056), 6 seconds; the hub then tries that message again no sooner.
   */
  public static DeliveryResult.Failed failure(String provider, ProviderCall.Reply reply) {
    JsonObject error = reply.json() == null ? null : reply.json().getJsonObject("error");
    StringBuilder reason = new StringBuilder(provider).append(" API answered ").append(reply.status());
    boolean retryable = reply.transientStatus();
    if (error != null) {
      Object message = error.getValue("message");
      Object code = error.getValue("code");
      Object subcode = error.getValue("error_subcode");
      reason.append(": ").append(message == null ? "error" : message);
      if (code != null) {
        reason.append(" (code ").append(code).append(subcode == null ? "" : "/" + subcode).append(')');
      }
      JsonObject data = error.getValue("error_data") instanceof JsonObject d ? d : null;
      if (data != null && data.getValue("details") instanceof String details && !details.isBlank()) {
        reason.append(" - ").append(details.strip());
      }
      if (Boolean.TRUE.equals(error.getValue("is_transient")) || (code instanceof Number n && TRANSIENT.contains(n.longValue()))) {
        retryable = true;
      }
    }
    java.time.Duration wait = retryable ? reply.waitAsked() : null;
    if (wait == null && retryable && error != null && error.getValue("code") instanceof Number n
        && n.longValue() == PAIR_RATE_LIMIT) {
      wait = PAIR_RATE_LIMIT_WAIT;
    }
    if (wait != null) {
      reason.append(" (retry after ").append(wait.toSeconds()).append(" s)");
    }
    return new DeliveryResult.Failed(BatchBuilder.clip(reason.toString(), 1000), retryable, wait);
  }

  /** WhatsApp's pair rate limit: too many messages to one recipient in a short time. */
  static final long PAIR_RATE_LIMIT = 131056L;
  /** WhatsApp takes about one message every 6 seconds per business number and recipient. */
  static final java.time.Duration PAIR_RATE_LIMIT_WAIT = java.time.Duration.ofSeconds(6);
}
