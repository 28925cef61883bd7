package io.switchboard.channel.email;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads delivery status notifications (RFC 3464: {@code multipart/report; report-type=delivery-status}) and the
 * common non-standard bounces: which message of ours failed (the Message-ID in the returned headers, or one of our
 * Message-IDs named in the text) and why (per failed recipient: the Status code and the server's Diagnostic-Code).
 * Reports that only say "delayed", "delivered" or "relayed" are reports, but no failure.
 */
final class DeliveryReports {
  private static final Pattern OUR_ID = Pattern.compile("<sb-[0-9a-f-]{36}@[^<>\\s]+>");

  /**
   * A delivery report.
   *
   * @param originalMessageId the Message-ID of the message it is about, or null when it names none
   * @param failed whether any recipient failed for good
   * @param reason the failures, for the agent ("bounced: nora@example.com: 550 5.1.1 user unknown (status 5.1.1)")
   */
  record Report(String originalMessageId, boolean failed, String reason) {}

  private DeliveryReports() {}

  /** The report this email is, or null when it is no delivery report. */
  static Report read(ParsedEmail e) {
    MimeMessage m = e.message();
    try {
      if (m.isMimeType("multipart/report") && m.getContent() instanceof Multipart mp) {
        Report r = standard(mp);
        if (r != null) {
          return r;
        }
      }
    } catch (MessagingException | IOException | RuntimeException ex) {
      // not a readable report; maybe a plain-text bounce below
    }
    return plainBounce(e);
  }

  private static Report standard(Multipart mp) throws MessagingException, IOException {
    String original = null;
    List<String> failures = new ArrayList<>();
    boolean sawStatus = false;
    for (int i = 0; i < mp.getCount(); i++) {
      BodyPart part = mp.getBodyPart(i);
      if (part.isMimeType("message/delivery-status") || part.isMimeType("message/global-delivery-status")) {
        sawStatus = true;
        failures.addAll(failures(raw(part)));
      } else if (part.isMimeType("message/rfc822") || part.isMimeType("message/global")) {
        original = original != null ? original : returnedId(part);
      } else if (part.isMimeType("text/rfc822-headers") || part.isMimeType("message/global-headers")) {
        original = original != null ? original : MimeParser.messageId(
            new InternetHeaders(new ByteArrayInputStream(raw(part))).getHeader("Message-ID", null));
      }
    }
    if (!sawStatus) {
      return null;
    }
    return new Report(original, !failures.isEmpty(), failures.isEmpty() ? null : "bounced: " + String.join("; ", failures));
  }

  /** The failed recipients of a message/delivery-status part: one block of fields per recipient after the first. */
  static List<String> failures(byte[] status) throws MessagingException {
    List<String> out = new ArrayList<>();
    InputStream in = new ByteArrayInputStream(status);
    new InternetHeaders(in); // the per-message fields
    for (int guard = 0; guard < 500; guard++) {
      InternetHeaders recipient = new InternetHeaders(in);
      if (!recipient.getAllHeaders().hasMoreElements()) {
        break;
      }
      String action = value(recipient, "Action");
      if (action == null || !action.toLowerCase(Locale.ROOT).startsWith("failed")) {
        continue;
      }
      String who = address(value(recipient, "Final-Recipient"));
      if (who == null) {
        who = address(value(recipient, "Original-Recipient"));
      }
      String code = value(recipient, "Status");
      String diagnostic = value(recipient, "Diagnostic-Code");
      if (diagnostic != null) {
        int semi = diagnostic.indexOf(';');
        diagnostic = semi >= 0 && semi < 12 ? diagnostic.substring(semi + 1).strip() : diagnostic;
      }
      StringBuilder r = new StringBuilder(who == null ? "a recipient" : who).append(": ");
      r.append(diagnostic != null && !diagnostic.isBlank() ? cut(diagnostic) : "delivery failed");
      if (code != null) {
        r.append(" (status ").append(code).append(')');
      }
      out.add(r.toString());
    }
    return out;
  }

  /** A bounce without the standard format: from a mailer daemon, naming one of our Message-IDs in its text. */
  private static Report plainBounce(ParsedEmail e) {
    String local = e.from().address().substring(0, e.from().address().indexOf('@')).toLowerCase(Locale.ROOT);
    if (!local.startsWith("mailer-daemon") && !local.startsWith("postmaster")) {
      return null;
    }
    String all = e.text() + "\n" + (e.quoted() == null ? "" : e.quoted());
    Matcher m = OUR_ID.matcher(all);
    String original = m.find() ? m.group() : null;
    String firstLine = all.lines().map(String::strip).filter(l -> l.matches(".*\\b[45]\\d\\d\\b.*")).findFirst()
        .orElse(e.subject() == null ? "undeliverable" : e.subject());
    return new Report(original, true, "bounced: " + cut(firstLine));
  }

  private static String returnedId(Part part) throws MessagingException, IOException {
    Object content = part.getContent();
    if (content instanceof MimeMessage returned) {
      return MimeParser.messageId(returned.getHeader("Message-ID", null));
    }
    return MimeParser.messageId(new InternetHeaders(new ByteArrayInputStream(raw(part))).getHeader("Message-ID", null));
  }

  private static byte[] raw(Part part) throws MessagingException, IOException {
    try (InputStream in = part.getInputStream()) {
      return in.readNBytes(1 << 20);
    }
  }

  private static String value(InternetHeaders h, String name) {
    String v = h.getHeader(name, " ");
    return v == null ? null : MimeParser.clean(jakarta.mail.internet.MimeUtility.unfold(v));
  }

  /** "rfc822; nora@example.com" → "nora@example.com". */
  private static String address(String field) {
    if (field == null) {
      return null;
    }
    int semi = field.indexOf(';');
    String a = (semi >= 0 ? field.substring(semi + 1) : field).strip();
    return a.isEmpty() ? null : a;
  }

  private static String cut(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
