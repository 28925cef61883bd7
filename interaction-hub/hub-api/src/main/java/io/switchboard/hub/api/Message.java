package io.switchboard.hub.api;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A message in a conversation: from the customer (inbound), to the customer (outbound), or an internal note
 * that is never sent.
 */
public record Message(
    MessageId id,
    ConversationId conversationId,
    InteractionId interactionId,
    Channel channel,
    String externalId,
    Direction direction,
    String senderAddress,
    String senderName,
    AgentId agentId,
    String subject,
    MessageContent content,
    boolean privateNote,
    Status status,
    String statusReason,
    Instant createdAt) {

  /** Which way a message went. */
  public enum Direction {
    INBOUND,
    OUTBOUND,
    INTERNAL;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Delivery state; inbound messages are {@code RECEIVED}. */
  public enum Status {
    RECEIVED,
    QUEUED,
    SENT,
    DELIVERED,
    READ,
    FAILED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Message {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(conversationId, "conversationId");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(status, "status");
  }
}
