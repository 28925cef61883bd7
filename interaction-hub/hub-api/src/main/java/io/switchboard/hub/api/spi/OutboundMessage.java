package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.SenderAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message an agent sends to a customer, already stored by the hub. Delivery may be attempted more than
 * once (outbox retry), always with the same {@link #messageId}: adapters should pass it to providers that
 * accept an idempotency key.
 *
 * @param recipient the customer's address on this channel
 * @param threadKey the provider thread to answer in, if any
 * @param inReplyTo the external ids this answers (email In-Reply-To/References), newest first
 * @param email for an email reply: recipients, threading headers and attachments (see
 *     {@link OutboundEmail}); null on other channels. An email adapter sends to {@code email.to()} and
 *     {@code email.cc()}; {@link #recipient} is then the first To address
 * @param attributes the attributes the interaction arrived with (the metadata the adapter gave at intake, such as
 *     the mailbox an email came to), so the reply goes out the way the contact came in; empty when unknown
 * @param senderName the display name of the agent who wrote it, for channels that show who answers (web chat);
 *     null when not known
 *     <p>An attribute {@value #QUICK_REPLIES} set by the hub (a satisfaction survey's question) offers the customer
 *     buttons to tap: {@code payload=label} pairs separated by {@code |}; a channel that has buttons (Telegram inline
 *     keyboard, Messenger quick replies) shows them and reports a tap as a message whose text is the label (Telegram also
 *     with the payload as {@code telegram.callbackData}); a channel without them sends the text alone.
 */
public record OutboundMessage(
    MessageId messageId,
    InteractionId interactionId,
    ConversationId conversationId,
    SenderAddress recipient,
    String threadKey,
    List<String> inReplyTo,
    String subject,
    MessageContent content,
    OutboundEmail email,
    Map<String, String> attributes,
    String senderName) {
  /** The attribute with quick-reply buttons ({@code payload=label|payload=label...}). */
  public static final String QUICK_REPLIES = "switchboard.quickReplies";

  /** The quick-reply buttons of {@link #QUICK_REPLIES} as payload → label, in order; empty without them. */
  public java.util.LinkedHashMap<String, String> quickReplies() {
    java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
    String raw = attributes.get(QUICK_REPLIES);
    if (raw != null) {
      for (String part : raw.split("\\|")) {
        int eq = part.indexOf('=');
        if (eq > 0 && eq < part.length() - 1) {
          out.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
    }
    return out;
  }

  public OutboundMessage {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(interactionId, "interactionId");
    Objects.requireNonNull(conversationId, "conversationId");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(content, "content");
    inReplyTo = inReplyTo == null ? List.of() : List.copyOf(inReplyTo);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** A message without the agent's name. */
  public OutboundMessage(
      MessageId messageId, InteractionId interactionId, ConversationId conversationId, SenderAddress recipient,
      String threadKey, List<String> inReplyTo, String subject, MessageContent content, OutboundEmail email,
      Map<String, String> attributes) {
    this(messageId, interactionId, conversationId, recipient, threadKey, inReplyTo, subject, content, email, attributes, null);
  }

  /** A message without the interaction's attributes. */
  public OutboundMessage(
      MessageId messageId, InteractionId interactionId, ConversationId conversationId, SenderAddress recipient,
      String threadKey, List<String> inReplyTo, String subject, MessageContent content, OutboundEmail email) {
    this(messageId, interactionId, conversationId, recipient, threadKey, inReplyTo, subject, content, email, Map.of());
  }

  /** A message without email details (every channel but email). */
  public OutboundMessage(
      MessageId messageId, InteractionId interactionId, ConversationId conversationId, SenderAddress recipient,
      String threadKey, List<String> inReplyTo, String subject, MessageContent content) {
    this(messageId, interactionId, conversationId, recipient, threadKey, inReplyTo, subject, content, null, Map.of());
  }
}
