package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.MessageId;
import java.util.List;

/**
 * The email fields of a reply, as the agent's console sent them (each may be null: not given). Only valid
 * on replies in email interactions; {@link EmailReplies} validates them and fills in the defaults.
 *
 * @param to To addresses; null or empty: the customer's address of the message answered
 * @param cc Cc addresses
 * @param bcc Bcc addresses (sent, never shown to the other recipients)
 * @param subject the subject; null: "Re: " and the subject of the message answered (or the conversation)
 * @param attachments ids of attachments this agent uploaded and has not used yet
 * @param inReplyTo the message answered (same conversation); null: the conversation's latest from the customer
 */
public record EmailReply(
    List<String> to, List<String> cc, String subject, List<AttachmentId> attachments, MessageId inReplyTo, List<String> bcc) {
  /** A reply without Bcc. */
  public EmailReply(List<String> to, List<String> cc, String subject, List<AttachmentId> attachments, MessageId inReplyTo) {
    this(to, cc, subject, attachments, inReplyTo, null);
  }

  /** Whether no field was given. */
  public boolean isEmpty() {
    return to == null && cc == null && bcc == null && subject == null && attachments == null && inReplyTo == null;
  }
}
