package io.switchboard.channel.email;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real IMAP and SMTP server (GreenMail) with the support mailbox {@code support@example.com} (password
 * {@code pw-support}), and helpers to put raw messages into it and read folders back.
 */
final class MailServer implements AutoCloseable {
  static final String SUPPORT = "support@example.com";
  static final String PASSWORD = "pw-support";

  final GreenMail greenMail;
  final GreenMailUser support;

  MailServer() {
    ServerSetup[] setups = {ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.IMAP.dynamicPort()};
    greenMail = new GreenMail(setups);
    greenMail.start();
    support = greenMail.setUser(SUPPORT, SUPPORT, PASSWORD);
  }

  int imapPort() {
    return greenMail.getImap().getPort();
  }

  int smtpPort() {
    return greenMail.getSmtp().getPort();
  }

  /** Puts a raw RFC 5322 message (CRLF or LF line ends) into the support INBOX. */
  void deliver(String raw) {
    deliver(raw.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  void deliver(byte[] raw) {
    try {
      support.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Settings for one mailbox on this server (IMAP and SMTP without TLS), with test-speed timings. */
  Map<String, Object> settings(Map<String, Object> imapExtra, Map<String, Object> top) {
    Map<String, Object> imap = new LinkedHashMap<>(Map.of("host", "127.0.0.1", "port", imapPort(), "tls", "none",
        "pollInterval", "1s", "timeout", "5s", "initialSync", "all"));
    imap.putAll(imapExtra);
    Map<String, Object> mailbox = new LinkedHashMap<>(Map.of("name", "support", "address", SUPPORT, "displayName", "Example Support",
        "imap", imap, "smtp", Map.of("host", "127.0.0.1", "port", smtpPort(), "tls", "none", "timeout", "5s"),
        "attributes", Map.of("topic", "general")));
    Map<String, Object> out = new LinkedHashMap<>(Map.of("mailboxes", List.of(mailbox), "lease", "1s",
        "backoff", Map.of("first", "200ms", "max", "1s")));
    out.putAll(top);
    return out;
  }

  static Map<String, String> secrets() {
    return Map.of("SUPPORT_PASSWORD", PASSWORD);
  }

  /** The messages of a folder of the support mailbox with their \Seen flag, as "subject|seen". */
  List<String> folder(String name) {
    try {
      Store store = Session.getInstance(new Properties()).getStore("imap");
      store.connect("127.0.0.1", imapPort(), SUPPORT, PASSWORD);
      try {
        Folder f = store.getFolder(name);
        if (!f.exists()) {
          return List.of();
        }
        f.open(Folder.READ_ONLY);
        List<String> out = new ArrayList<>();
        for (Message m : f.getMessages()) {
          out.add(m.getSubject() + "|" + (m.isSet(jakarta.mail.Flags.Flag.SEEN) ? "seen" : "unseen"));
        }
        f.close(false);
        return out;
      } finally {
        store.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A plain message from {@code from} with a subject and text. */
  static String plain(String messageId, String from, String subject, String text) {
    return "From: " + from + "\nTo: Example Support <" + SUPPORT + ">\nSubject: " + subject + "\nMessage-ID: " + messageId
        + "\nDate: Mon, 23 Nov 2026 09:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + text + "\n";
  }

  /** A delivery status notification (RFC 3464) about {@code originalId} failing for {@code recipient}. */
  static String dsn(String messageId, String originalId, String recipient, String diagnostic) {
    return "From: Mail Delivery System <MAILER-DAEMON@mx.example>\nTo: " + SUPPORT + "\nSubject: Undelivered Mail Returned to Sender\n"
        + "Message-ID: " + messageId + "\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
        + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r1\"\n\n"
        + "--r1\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        + "--r1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\nArrival-Date: Mon, 23 Nov 2026 09:00:00 +0000\n\n"
        + "Final-Recipient: rfc822; " + recipient + "\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; " + diagnostic + "\n\n"
        + "--r1\nContent-Type: text/rfc822-headers\n\nFrom: " + SUPPORT + "\nTo: " + recipient + "\nSubject: Re: Invoice 42\n"
        + "Message-ID: " + originalId + "\n\n--r1--\n";
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
