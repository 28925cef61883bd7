package io.switchboard.hub.api;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A message in a conversation: from the customer (inbound), to the customer (outbound), or an internal note
 * that is never sent.
 *
 * @param email the email headers of a message of the email channel (recipients, Message-ID, threading);
 *     null on other channels
 * @param attachments files attached to the message, in upload order; empty when none
 * @param createdAt when the hub stored it (for inbound messages: when the hub received it, by the hub's clock;
 *     conversations are ordered by it, and queue and service-level clocks start from it)
 * @param sentAt an inbound message's time as its provider or client claims it (a WhatsApp {@code timestamp}, an
 *     email's Date), kept apart and never used for queueing; null when there is none
 * @param providerMessageId the provider's id of an outbound message once the provider accepted it; null otherwise
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
    Instant createdAt,
    EmailEnvelope email,
    java.util.List<Attachment> attachments,
    Instant sentAt,
    String providerMessageId) {

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
    attachments = attachments == null ? java.util.List.of() : java.util.List.copyOf(attachments);
  }

  /** A message without a provider's time or id. */
  public Message(
      MessageId id, ConversationId conversationId, InteractionId interactionId, Channel channel, String externalId,
      Direction direction, String senderAddress, String senderName, AgentId agentId, String subject,
      MessageContent content, boolean privateNote, Status status, String statusReason, Instant createdAt,
      EmailEnvelope email, java.util.List<Attachment> attachments) {
    this(id, conversationId, interactionId, channel, externalId, direction, senderAddress, senderName, agentId, subject,
        content, privateNote, status, statusReason, createdAt, email, attachments, null, null);
  }

  /** A message without email headers or attachments (every channel but email). */
  public Message(
      MessageId id, ConversationId conversationId, InteractionId interactionId, Channel channel, String externalId,
      Direction direction, String senderAddress, String senderName, AgentId agentId, String subject,
      MessageContent content, boolean privateNote, Status status, String statusReason, Instant createdAt) {
    this(id, conversationId, interactionId, channel, externalId, direction, senderAddress, senderName, agentId, subject,
        content, privateNote, status, statusReason, createdAt, null, java.util.List.of());
  }
}
