package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.Attachment;
import io.switchboard.hub.api.EmailAddress;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Objects;

/**
 * What an email adapter needs beyond {@link OutboundMessage} to send a reply as a proper email: the
 * recipients the agent chose, the threading headers and the attached files with their bytes. The hub has
 * validated every address (no line breaks, at most 50 recipients) and the subject (no line breaks, at most
 * 998 characters) before storing the reply.
 *
 * @param to the To recipients (at least one)
 * @param cc the Cc recipients
 * @param inReplyTo the Message-ID of the email this answers, for the In-Reply-To header; null when unknown
 * @param references the References header to send (oldest first, ending with {@code inReplyTo}); empty
 *     when unknown
 * @param attachments the files to attach, in the order the agent added them
 * @param bcc the Bcc recipients (in the envelope only, never in a header the others see)
 */
public record OutboundEmail(
    List<EmailAddress> to, List<EmailAddress> cc, String inReplyTo, List<String> references, List<File> attachments,
    List<EmailAddress> bcc) {
  public OutboundEmail {
    to = to == null ? List.of() : List.copyOf(to);
    cc = cc == null ? List.of() : List.copyOf(cc);
    references = references == null ? List.of() : List.copyOf(references);
    attachments = attachments == null ? List.of() : List.copyOf(attachments);
    bcc = bcc == null ? List.of() : List.copyOf(bcc);
  }

  /** An email without Bcc. */
  public OutboundEmail(List<EmailAddress> to, List<EmailAddress> cc, String inReplyTo, List<String> references, List<File> attachments) {
    this(to, cc, inReplyTo, references, attachments, List.of());
  }

  /**
   * One attached file.
   *
   * @param attachment its metadata (safe file name, media type, size, SHA-256)
   * @param bytes its content; do not modify it
   */
  public record File(Attachment attachment, Buffer bytes) {
    public File {
      Objects.requireNonNull(attachment, "attachment");
      Objects.requireNonNull(bytes, "bytes");
    }
  }
}
