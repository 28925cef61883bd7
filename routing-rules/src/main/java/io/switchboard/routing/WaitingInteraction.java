package io.switchboard.routing;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An interaction waiting for an agent.
 *
 * @param waitingSince when it entered the queue (its wait, for relaxation and fairness, counts from here)
 * @param lastAgentId the agent who last served this customer, if within the sticky window; null otherwise
 * @param excludedAgents agents who declined it or let its offer time out
 */
public record WaitingInteraction(
    String interactionId,
    String channel,
    Classification classification,
    Instant waitingSince,
    String lastAgentId,
    Set<String> excludedAgents) {
  public WaitingInteraction {
    Objects.requireNonNull(interactionId, "interactionId");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(classification, "classification");
    Objects.requireNonNull(waitingSince, "waitingSince");
    excludedAgents = excludedAgents == null ? Set.of() : Set.copyOf(excludedAgents);
  }
}
