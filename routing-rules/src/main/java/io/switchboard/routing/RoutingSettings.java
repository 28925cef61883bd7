package io.switchboard.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code settings:} block of routing.yaml: how offers and wrap-up behave. Every key is optional; missing ones take
 * {@link #DEFAULTS}.
 *
 * @param offerTimeout how long an agent has to accept an offer before it goes to someone else
 * @param pauseAgentOnOfferTimeout whether an agent who lets an offer lapse is set to "not available"
 * @param stickyAgentWindow how long after an interaction the customer's last agent is preferred
 * @param afterCallWork how long an agent stays unavailable after an interaction ends, for notes and wrap-up
 * @param wrapUpRequired whether an agent must pick a disposition before taking the next interaction
 */
public record RoutingSettings(
    Duration offerTimeout,
    boolean pauseAgentOnOfferTimeout,
    Duration stickyAgentWindow,
    Duration afterCallWork,
    boolean wrapUpRequired) {

  /** 15 s offers, pause on timeout, 24 h sticky window, 30 s after-call work, wrap-up required. */
  public static final RoutingSettings DEFAULTS =
      new RoutingSettings(Duration.ofSeconds(15), true, Duration.ofHours(24), Duration.ofSeconds(30), true);

  public RoutingSettings {
    Objects.requireNonNull(offerTimeout, "offerTimeout");
    Objects.requireNonNull(stickyAgentWindow, "stickyAgentWindow");
    Objects.requireNonNull(afterCallWork, "afterCallWork");
  }
}
