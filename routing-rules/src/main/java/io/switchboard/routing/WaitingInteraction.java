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
 * @param targetAgentId the one agent it was transferred to, or null: until {@code targetUntil}, and while that agent
 *     is not in {@code excludedAgents} (declined, let the offer lapse), only that agent may take it
 * @param targetUntil when a transfer to {@code targetAgentId} lapses and any agent of the queue may take it; null
 *     when there is no target
 */
public record WaitingInteraction(
    String interactionId,
    String channel,
    Classification classification,
    Instant waitingSince,
    String lastAgentId,
    Set<String> excludedAgents,
    String targetAgentId,
    Instant targetUntil) {
  public WaitingInteraction {
    Objects.requireNonNull(interactionId, "interactionId");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(classification, "classification");
    Objects.requireNonNull(waitingSince, "waitingSince");
    excludedAgents = excludedAgents == null ? Set.of() : Set.copyOf(excludedAgents);
    if ((targetAgentId == null) != (targetUntil == null)) {
      throw new IllegalArgumentException("a target agent needs a targetUntil, and only then");
    }
  }

  /** An interaction without a target agent. */
  public WaitingInteraction(
      String interactionId, String channel, Classification classification, Instant waitingSince, String lastAgentId,
      Set<String> excludedAgents) {
    this(interactionId, channel, classification, waitingSince, lastAgentId, excludedAgents, null, null);
  }

  /**
   * The agent only who may take it at {@code now}, or null when any agent may: a transfer target holds until
   * {@code targetUntil} and ends early when that agent declined or let the offer lapse.
   */
  public String targetAt(Instant now) {
    if (targetAgentId == null || !now.isBefore(targetUntil) || excludedAgents.contains(targetAgentId)) {
      return null;
    }
    return targetAgentId;
  }
}
