package io.switchboard.hub.api;

import java.time.Instant;
import java.util.Objects;

/** A thread with one customer on one channel: an email thread, a chat session, a social thread, a call. */
public record Conversation(
    ConversationId id,
    CustomerId customerId,
    Channel channel,
    String threadKey,
    String subject,
    boolean open,
    Instant createdAt,
    Instant lastActivityAt) {
  public Conversation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(channel, "channel");
  }
}
