package io.switchboard.hub.api;

import java.util.Objects;

/**
 * What the hub did with an {@link InboundContact}.
 *
 * @param outcome whether it started an interaction, joined an open one, or was a re-delivery
 */
public record IntakeResult(
    Outcome outcome,
    InteractionId interactionId,
    ConversationId conversationId,
    CustomerId customerId,
    MessageId messageId) {

  /** The three things intake can do. */
  public enum Outcome {
    /** A new interaction was created (and {@code interaction.created} published). */
    CREATED,
    /** The message joined an interaction that was still open (for example the next line of a chat). */
    APPENDED,
    /** The same (channel, external id) was seen before; nothing was stored and the first result returned. */
    DUPLICATE
  }

  public IntakeResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(interactionId, "interactionId");
    Objects.requireNonNull(conversationId, "conversationId");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(messageId, "messageId");
  }
}
