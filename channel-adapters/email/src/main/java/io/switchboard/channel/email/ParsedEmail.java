package io.switchboard.channel.email;

import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.InboundEmail.OmittedPart;
import io.switchboard.hub.api.InboundFile;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.time.Instant;
import java.util.List;

/**
 * An email as {@link MimeParser} read it: header values decoded and cleaned, the text split into new and quoted, the
 * files within the limit and the parts over it. {@link #header} reads any other header (cleaned) for the automation
 * and bounce checks.
 *
 * @param messageId the Message-ID in angle brackets (a stand-in derived from the bytes when the message has none)
 * @param references References oldest first, then In-Reply-To
 * @param date the Date header, or null
 */
record ParsedEmail(
    String messageId,
    EmailAddress from,
    List<EmailAddress> to,
    List<EmailAddress> cc,
    String subject,
    List<String> references,
    String text,
    String quoted,
    List<InboundFile> files,
    List<OmittedPart> omitted,
    Instant date,
    MimeMessage message) {

  /** The first value of a header, unfolded, decoded and without control characters; null when absent. */
  String header(String name) {
    try {
      String[] v = message.getHeader(name);
      if (v == null || v.length == 0) {
        return null;
      }
      String raw = MimeUtility.unfold(v[0]);
      try {
        raw = MimeUtility.decodeText(raw);
      } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
        // keep it undecoded
      }
      return MimeParser.clean(raw);
    } catch (MessagingException e) {
      return null;
    }
  }
}
