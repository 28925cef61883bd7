package io.switchboard.channel.email;

import io.switchboard.hub.api.ConversationToken;
import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundEmail;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.api.spi.SendReadiness;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.UnsupportedEncodingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one mailbox's mail over SMTP (blocking: called on virtual threads), keeping up to
 * {@code smtp.connections} connections open. A reply goes From the mailbox with a Message-ID made from the hub's
 * message id ({@code <sb-<id>@<domain>>}, the same on every retry, so a retried send is recognisable), In-Reply-To
 * and References from the thread, To and Cc as the agent chose, the attachments, and the conversation token in the
 * subject. A 4xx answer is retryable; a 5xx answer is final, with the server's text; a connection or login failure
 * is retryable and marks the mailbox degraded until a send succeeds. A copy goes to the Sent folder when configured
 * (its failure is logged: the reply itself was sent).
 */
final class SmtpSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmtpSender.class);

  private final EmailSettings.Mailbox mailbox;
  private final String smtpPassword;
  private final String imapPassword;
  private final Session session;
  private final LinkedBlockingQueue<Transport> idle = new LinkedBlockingQueue<>();
  private final Semaphore slots;
  private volatile String failingSince;
  private volatile String lastFailure;

  SmtpSender(EmailSettings.Mailbox mailbox, String smtpPassword, String imapPassword) {
    this.mailbox = mailbox;
    this.smtpPassword = smtpPassword;
    this.imapPassword = imapPassword;
    this.session = Session.getInstance(properties(mailbox));
    this.slots = new Semaphore(mailbox.smtp().connections());
  }

  /** Whether replies from this mailbox go out now. */
  SendReadiness readiness() {
    String since = failingSince;
    if (since != null) {
      return SendReadiness.degraded("the SMTP server of " + mailbox.address() + " has been failing since " + since + " ("
          + lastFailure + "); replies are kept and retried");
    }
    return SendReadiness.READY;
  }

  /** Sends an agent's reply. */
  DeliveryResult send(OutboundMessage m) {
    try {
      MimeMessage mail = reply(m);
      return transmit(mail, false);
    } catch (MessagingException | UnsupportedEncodingException | RuntimeException e) {
      return new DeliveryResult.Failed("the email could not be built: " + e.getMessage(), false);
    }
  }

  /** Sends mail the hub writes itself (a transcript): marked Auto-Submitted. */
  DeliveryResult sendSystem(EmailAddress to, String subject, String text, String idSeed) {
    try {
      MimeMessage mail = new OurMessage(session, "<sb-" + idSeed + "@" + mailbox.domain() + ">");
      mail.setFrom(from());
      mail.setRecipient(Message.RecipientType.TO, address(to));
      mail.setSubject(subject, "UTF-8");
      mail.setSentDate(new Date());
      mail.setText(text, "UTF-8");
      mail.setHeader("Auto-Submitted", "auto-generated");
      mail.saveChanges();
      return transmit(mail, true);
    } catch (MessagingException | UnsupportedEncodingException | RuntimeException e) {
      return new DeliveryResult.Failed("the email could not be built: " + e.getMessage(), false);
    }
  }

  MimeMessage reply(OutboundMessage m) throws MessagingException, UnsupportedEncodingException {
    String messageId = messageIdFor(m);
    MimeMessage mail = new OurMessage(session, messageId);
    mail.setFrom(from());
    OutboundEmail e = m.email();
    List<EmailAddress> to = e != null && !e.to().isEmpty() ? e.to() : List.of(EmailAddress.of(m.recipient().value()));
    mail.setRecipients(Message.RecipientType.TO, addresses(to));
    if (e != null && !e.cc().isEmpty()) {
      mail.setRecipients(Message.RecipientType.CC, addresses(e.cc()));
    }
    if (e != null && !e.bcc().isEmpty()) {
      mail.setRecipients(Message.RecipientType.BCC, addresses(e.bcc()));
    }
    String subject = m.subject() == null || m.subject().isBlank() ? "Your message" : m.subject();
    if (mailbox.subjectToken()) {
      subject = ConversationToken.tag(subject, m.conversationId());
    }
    mail.setSubject(subject, "UTF-8");
    mail.setSentDate(new Date());
    String inReplyTo = e != null ? e.inReplyTo() : m.inReplyTo().isEmpty() ? null : m.inReplyTo().get(0);
    List<String> references = e != null ? e.references() : m.inReplyTo().reversed();
    if (inReplyTo != null) {
      mail.setHeader("In-Reply-To", inReplyTo);
    }
    if (!references.isEmpty()) {
      mail.setHeader("References", MimeUtility.fold(12, String.join(" ", references)));
    }
    String text = m.content() instanceof MessageContent.Text t ? t.body() : m.content().summary();
    if (e == null || e.attachments().isEmpty()) {
      mail.setText(text, "UTF-8");
    } else {
      MimeMultipart mixed = new MimeMultipart("mixed");
      MimeBodyPart body = new MimeBodyPart();
      body.setText(text, "UTF-8");
      mixed.addBodyPart(body);
      for (OutboundEmail.File f : e.attachments()) {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(f.bytes().getBytes(), f.attachment().mediaType())));
        part.setFileName(f.attachment().fileName());
        part.setDisposition(MimeBodyPart.ATTACHMENT);
        mixed.addBodyPart(part);
      }
      mail.setContent(mixed);
    }
    mail.saveChanges();
    return mail;
  }

  /** The Message-ID a reply goes out with: the same for every attempt. */
  String messageIdFor(OutboundMessage m) {
    return "<sb-" + m.messageId().value() + "@" + mailbox.domain() + ">";
  }

  private DeliveryResult transmit(MimeMessage mail, boolean system) throws MessagingException {
    String id = mail.getMessageID();
    Transport t = null;
    boolean acquired = false;
    try {
      acquired = slots.tryAcquire(mailbox.smtp().timeout().toMillis(), TimeUnit.MILLISECONDS);
      if (!acquired) {
        return new DeliveryResult.Failed("every SMTP connection of " + mailbox.address() + " is busy", true);
      }
      t = idle.poll();
      if (t == null || !t.isConnected()) {
        closeQuietly(t);
        t = session.getTransport();
        if (mailbox.smtp().auth()) {
          t.connect(mailbox.smtp().host(), mailbox.smtp().port(), mailbox.smtp().username(), smtpPassword);
        } else {
          t.connect();
        }
      }
      Address[] all = mail.getAllRecipients();
      t.sendMessage(mail, all);
      idle.offer(t);
      t = null;
      healthy();
      log.atInfo().addKeyValue("mailbox", mailbox.name()).addKeyValue("messageId", id).addKeyValue("system", system)
          .log("email sent");
      appendToSent(mail);
      return new DeliveryResult.Delivered(id);
    } catch (SMTPSendFailedException e) {
      return failed(e.getReturnCode(), serverText(e), e);
    } catch (SendFailedException e) {
      // A recipient refused (sendpartial is off, so nobody got it): the first refusal decides.
      for (Exception n = e.getNextException(); n != null;
          n = n instanceof MessagingException me ? me.getNextException() : null) {
        if (n instanceof SMTPAddressFailedException a) {
          return failed(a.getReturnCode(), a.getAddress() + ": " + serverText(a), e);
        }
      }
      return new DeliveryResult.Failed("the SMTP server refused the message: " + e.getMessage(), false);
    } catch (AuthenticationFailedException e) {
      failing("login refused: " + e.getMessage());
      return new DeliveryResult.Failed("the SMTP server of " + mailbox.address() + " refused the login: " + e.getMessage(), true);
    } catch (MessagingException e) {
      closeQuietly(t);
      t = null;
      failing(e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
      return new DeliveryResult.Failed("the SMTP server of " + mailbox.address() + " could not be reached: " + e.getMessage(), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new DeliveryResult.Failed("interrupted while sending", true);
    } finally {
      closeQuietly(t);
      if (acquired) {
        slots.release();
      }
    }
  }

  private DeliveryResult failed(int code, String text, Exception e) {
    boolean permanent = code >= 500 && code < 600;
    log.atWarn().addKeyValue("mailbox", mailbox.name()).addKeyValue("code", code).log("SMTP refused: " + text);
    if (!permanent && code < 400) {
      failing(text);
    }
    return new DeliveryResult.Failed(text, !permanent);
  }

  /** The server's reply text ("550 5.1.1 <x@y>: user unknown") from an Angus exception. */
  private static String serverText(MessagingException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage().strip();
    return msg.replaceAll("[\\r\\n]+", " ");
  }

  private void failing(String reason) {
    if (failingSince == null) {
      failingSince = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
    lastFailure = reason.length() > 200 ? reason.substring(0, 200) : reason;
  }

  private void healthy() {
    failingSince = null;
    lastFailure = null;
  }

  private void appendToSent(MimeMessage mail) {
    String folderName = mailbox.smtp().sentFolder();
    if (folderName == null || mailbox.imap() == null) {
      return;
    }
    try {
      Store store = MailboxReader.connectStore(mailbox, imapPassword);
      try {
        Folder folder = store.getFolder(folderName);
        if (!folder.exists()) {
          folder.create(Folder.HOLDS_MESSAGES);
        }
        mail.setFlag(jakarta.mail.Flags.Flag.SEEN, true);
        folder.appendMessages(new Message[] {mail});
      } finally {
        store.close();
      }
    } catch (MessagingException | RuntimeException e) {
      log.atWarn().setCause(e).addKeyValue("mailbox", mailbox.name()).addKeyValue("folder", folderName)
          .log("the sent copy could not be stored (the email itself was sent)");
    }
  }

  private InternetAddress from() throws UnsupportedEncodingException, MessagingException {
    return mailbox.displayName() == null ? new InternetAddress(mailbox.address())
        : new InternetAddress(mailbox.address(), mailbox.displayName(), "UTF-8");
  }

  private static InternetAddress[] addresses(List<EmailAddress> list) throws UnsupportedEncodingException {
    List<InternetAddress> out = new ArrayList<>();
    for (EmailAddress a : list) {
      out.add(address(a));
    }
    return out.toArray(InternetAddress[]::new);
  }

  private static InternetAddress address(EmailAddress a) throws UnsupportedEncodingException {
    return a.name() == null ? new InternetAddress(a.address(), null, "UTF-8") : new InternetAddress(a.address(), a.name(), "UTF-8");
  }

  private static Properties properties(EmailSettings.Mailbox m) {
    EmailSettings.Smtp s = m.smtp();
    Properties p = new Properties();
    String proto = s.tls() == EmailSettings.Tls.SSL ? "smtps" : "smtp";
    p.put("mail.transport.protocol", proto);
    p.put("mail." + proto + ".host", s.host());
    p.put("mail." + proto + ".port", String.valueOf(s.port()));
    String ms = String.valueOf(s.timeout().toMillis());
    p.put("mail." + proto + ".connectiontimeout", ms);
    p.put("mail." + proto + ".timeout", ms);
    p.put("mail." + proto + ".writetimeout", ms);
    p.put("mail." + proto + ".auth", String.valueOf(s.auth()));
    p.put("mail." + proto + ".sendpartial", "false");
    p.put("mail." + proto + ".localhost", m.domain());
    p.put("mail." + proto + ".from", m.address());
    if (s.tls() == EmailSettings.Tls.STARTTLS) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    if (s.tls() != EmailSettings.Tls.NONE) {
      p.put("mail." + proto + ".ssl.checkserveridentity", "true");
    }
    return p;
  }

  private static void closeQuietly(Transport t) {
    if (t != null) {
      try {
        t.close();
      } catch (MessagingException | RuntimeException e) {
        // already gone
      }
    }
  }

  @Override
  public void close() {
    Transport t;
    while ((t = idle.poll()) != null) {
      closeQuietly(t);
    }
  }

  /** A message whose Message-ID is ours, kept by {@link #saveChanges()}. */
  private static final class OurMessage extends MimeMessage {
    private final String id;

    OurMessage(Session session, String id) {
      super(session);
      this.id = id;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", id);
    }
  }
}
