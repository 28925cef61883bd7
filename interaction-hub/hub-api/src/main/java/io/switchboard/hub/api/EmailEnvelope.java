package io.switchboard.hub.api;

import java.util.List;

/**
 * The email headers the hub keeps on a message of the email channel (the sender itself is
 * {@link Message#senderAddress()} and {@link Message#senderName()}).
 *
 * @param messageId the email's Message-ID header ({@code <abc@example.com>}): an inbound email's external
 *     id, an outbound one's id as the sending adapter reported it; null while unknown
 * @param to the To recipients
 * @param cc the Cc recipients
 * @param inReplyTo for a reply written in the hub, the hub message it answers (its Message-ID becomes the
 *     reply's In-Reply-To header); null otherwise
 * @param references the References header of an inbound email (oldest first), empty when it had none
 */
public record EmailEnvelope(
    String messageId, List<EmailAddress> to, List<EmailAddress> cc, MessageId inReplyTo, List<String> references) {
  public EmailEnvelope {
    to = to == null ? List.of() : List.copyOf(to);
    cc = cc == null ? List.of() : List.copyOf(cc);
    references = references == null ? List.of() : List.copyOf(references);
  }

  /** The same headers with the Message-ID known. */
  public EmailEnvelope withMessageId(String id) {
    return new EmailEnvelope(id, to, cc, inReplyTo, references);
  }
}
