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
 * @param quoted an inbound email's quoted text (earlier messages it repeats), kept apart from its new text; null
 *     when none
 * @param omitted parts of an inbound email that were named but not stored (over the size limit)
 * @param bcc the Bcc recipients of a reply written in the hub (inbound emails do not show theirs)
 */
public record EmailEnvelope(
    String messageId, List<EmailAddress> to, List<EmailAddress> cc, MessageId inReplyTo, List<String> references,
    String quoted, List<InboundEmail.OmittedPart> omitted, List<EmailAddress> bcc) {
  public EmailEnvelope {
    to = to == null ? List.of() : List.copyOf(to);
    cc = cc == null ? List.of() : List.copyOf(cc);
    references = references == null ? List.of() : List.copyOf(references);
    omitted = omitted == null ? List.of() : List.copyOf(omitted);
    bcc = bcc == null ? List.of() : List.copyOf(bcc);
  }

  /** Headers without quoted text or omitted parts (every reply written in the hub). */
  public EmailEnvelope(String messageId, List<EmailAddress> to, List<EmailAddress> cc, MessageId inReplyTo, List<String> references) {
    this(messageId, to, cc, inReplyTo, references, null, List.of(), List.of());
  }

  /** The same headers with the Message-ID known. */
  public EmailEnvelope withMessageId(String id) {
    return new EmailEnvelope(id, to, cc, inReplyTo, references, quoted, omitted, bcc);
  }
}
