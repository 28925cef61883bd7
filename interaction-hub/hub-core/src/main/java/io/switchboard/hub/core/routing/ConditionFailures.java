package io.switchboard.hub.core.routing;

import io.switchboard.routing.RoutingRules;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a routing condition that failed or ran past its time budget while an interaction was classified: a warning
 * naming the rule and the interaction, and a local {@link #ADDRESS} event that the metrics count per rule. The
 * interaction is still classified (the failed rule counts as no match), so nothing is retried.
 */
public final class ConditionFailures {
  private static final Logger log = LoggerFactory.getLogger(ConditionFailures.class);
  /** Local event {@code {"rule": ..., "reason": "budget" | "error", "message": ...}}. */
  public static final String ADDRESS = "routing.condition_failed";

  private ConditionFailures() {}

  /** A listener for {@link RoutingRules#classify} that reports on behalf of {@code interactionId}. */
  public static RoutingRules.ConditionErrorListener reporter(Vertx vertx, Object interactionId) {
    return (rule, message) -> {
      String reason = message.startsWith(RoutingRules.OVER_BUDGET) ? "budget" : "error";
      log.atWarn().addKeyValue("interactionId", interactionId).addKeyValue("rule", rule).addKeyValue("reason", reason)
          .log("routing condition failed; the rule counts as no match: " + message);
      vertx.eventBus().publish(ADDRESS, new JsonObject().put("rule", rule).put("reason", reason).put("message", message));
    };
  }
}
