package io.switchboard.channel.webchat;

import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.mail.Authenticator;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.UnsupportedEncodingException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/**
 * Emails a chat transcript through the configured SMTP server (Jakarta Mail, Eclipse Angus). Angus Mail
 * blocks, so each send runs on a Vert.x worker thread; the returned future completes on the caller's context.
 */
final class TranscriptMailer {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private final Vertx vertx;
  private final WebChatSettings.Smtp smtp;
  private final String password;
  private final String subject;

  TranscriptMailer(Vertx vertx, WebChatSettings.Smtp smtp, String password, String subject) {
    this.vertx = vertx;
    this.smtp = smtp;
    this.password = password;
    this.subject = subject;
  }

  /** Sends the transcript of {@code messages} (customer-visible ones, oldest first) to the customer. */
  Future<Void> send(String toAddress, String toName, String title, List<Message> messages) {
    String body = render(toName, title, messages);
    return vertx.executeBlocking(() -> {
      MimeMessage mail = new MimeMessage(session());
      mail.setFrom(new InternetAddress(smtp.from()));
      mail.setRecipient(jakarta.mail.Message.RecipientType.TO, address(toAddress, toName));
      mail.setSubject(subject, "UTF-8");
      mail.setSentDate(new Date());
      mail.setText(body, "UTF-8");
      mail.setHeader("Auto-Submitted", "auto-generated");
      Transport.send(mail);
      return null;
    }, false);
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

  private Session session() {
    Properties p = new Properties();
    String proto = smtp.ssl() ? "smtps" : "smtp";
    p.put("mail.transport.protocol", proto);
    p.put("mail." + proto + ".host", smtp.host());
    p.put("mail." + proto + ".port", String.valueOf(smtp.port()));
    String ms = String.valueOf(smtp.timeout().toMillis());
    p.put("mail." + proto + ".connectiontimeout", ms);
    p.put("mail." + proto + ".timeout", ms);
    p.put("mail." + proto + ".writetimeout", ms);
    if (smtp.startTls()) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    if (password == null) {
      return Session.getInstance(p);
    }
    p.put("mail." + proto + ".auth", "true");
    String user = smtp.username() != null ? smtp.username() : smtp.from();
    return Session.getInstance(p, new Authenticator() {
      @Override
      protected PasswordAuthentication getPasswordAuthentication() {
        return new PasswordAuthentication(user, password);
      }
    });
  }

  private static InternetAddress address(String email, String name) throws MessagingException {
    try {
      return name == null || name.isBlank() ? new InternetAddress(email, true) : new InternetAddress(email, name, "UTF-8");
    } catch (UnsupportedEncodingException e) {
      throw new MessagingException("cannot encode the name " + name, e);
    }
  }
}
