package io.switchboard.hub.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One piece of work for an agent, with the time of each step of its life.
 *
 * @param attributes the channel metadata it arrived with (IVR choices, pre-chat answers), used by routing
 */
public record Interaction(
    InteractionId id,
    ConversationId conversationId,
    CustomerId customerId,
    Channel channel,
    String externalId,
    InteractionState state,
    String queueId,
    int priority,
    AgentId agentId,
    String subject,
    Map<String, String> attributes,
    String disposition,
    Instant createdAt,
    Instant queuedAt,
    Instant offeredAt,
    Instant answeredAt,
    Instant wrapUpAt,
    Instant endedAt,
    int version) {
  public Interaction {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(conversationId, "conversationId");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(state, "state");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
