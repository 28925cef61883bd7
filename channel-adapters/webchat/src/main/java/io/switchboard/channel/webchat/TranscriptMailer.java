package io.switchboard.channel.webchat;

import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.spi.MailSender;
import io.switchboard.hub.api.spi.SendReadiness;
import io.vertx.core.Future;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Emails a chat transcript through the hub's mail sender (the email adapter's mailbox, reached through the hub:
 * adapters never import each other). The mail is marked Auto-Submitted by the sender, so auto-responders stay quiet.
 */
final class TranscriptMailer {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private final MailSender mail;
  private final String mailbox;
  private final String subject;

  TranscriptMailer(MailSender mail, String mailbox, String subject) {
    this.mail = mail;
    this.mailbox = mailbox;
    this.subject = subject;
  }

  /** Whether transcripts can be sent now; unavailable with the reason otherwise. */
  SendReadiness readiness() {
    return mail.readiness(mailbox);
  }

  /** Sends the transcript of {@code messages} (customer-visible ones, oldest first) to the customer. */
  Future<Void> send(String toAddress, String toName, String title, List<Message> messages) {
    String body = render(toName, title, messages);
    String name = toName == null || toName.isBlank() || EmailAddress.hasLineBreak(toName) || toName.length() > EmailAddress.MAX_NAME
        ? null : toName;
    return mail.send(new MailSender.SystemEmail(mailbox, new EmailAddress(toAddress, name), subject, body)).mapEmpty();
  }

  /** The plain-text transcript: one block per message, with its time and who wrote it. */
  static String render(String customerName, String title, List<Message> messages) {
    StringBuilder out = new StringBuilder();
    out.append(customerName == null || customerName.isBlank() ? "Hello," : "Hello " + customerName + ",").append("\n\n");
    out.append("here is the transcript of your chat");
    if (title != null && !title.isBlank()) {
      out.append(" (").append(title).append(")");
    }
    out.append(".\n\n");
    for (Message m : messages) {
      if (m.privateNote() || m.direction() == Message.Direction.INTERNAL) {
        continue;
      }
      String who = m.direction() == Message.Direction.OUTBOUND ? "Agent" : "You";
      String text = m.content() instanceof MessageContent.Text t ? t.body() : m.content().summary();
      out.append('[').append(m.createdAt() == null ? "" : TIME.format(m.createdAt())).append("] ").append(who).append(":\n");
      for (String line : text.split("\r?\n", -1)) {
        out.append("  ").append(line).append('\n');
      }
      out.append('\n');
    }
    out.append("-- \nThis email was sent because you asked for the transcript at the end of the chat.\n");
    return out.toString();
  }
}
