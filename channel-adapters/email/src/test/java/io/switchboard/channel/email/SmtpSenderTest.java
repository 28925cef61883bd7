package io.switchboard.channel.email;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Attachment;
import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.ConversationToken;
import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.MailSender;
import io.switchboard.hub.api.spi.OutboundEmail;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.api.spi.SendReadiness;
import io.vertx.core.buffer.Buffer;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("sending replies over SMTP")
class SmtpSenderTest {
  private MailServer mail;
  private FakeHub hub;

  @BeforeEach
  void start() {
    mail = new MailServer();
    hub = new FakeHub();
  }

  @AfterEach
  void stop() {
    hub.close();
    mail.close();
  }

  private EmailAdapter adapter(Map<String, Object> settings) {
    return hub.startAdapter(settings);
  }

  /** Settings with one sending-only mailbox on this SMTP port. */
  private Map<String, Object> smtpOnly(int port, Map<String, Object> smtpExtra) {
    Map<String, Object> smtp = new LinkedHashMap<>(Map.of("host", "127.0.0.1", "port", port, "tls", "none", "auth", false,
        "timeout", "3s"));
    smtp.putAll(smtpExtra);
    return Map.of("mailboxes", List.of(Map.of("name", "billing", "address", "billing@example.com", "displayName", "ACME Billing",
        "smtp", smtp)));
  }

  private static OutboundMessage reply(ConversationId conversation, List<EmailAddress> to, List<EmailAddress> cc,
      List<EmailAddress> bcc, List<OutboundEmail.File> files) {
    return new OutboundMessage(MessageId.random(), InteractionId.random(), conversation, SenderAddress.email(to.get(0).address()),
        null, List.of("<m-2@customer.example>"), "Re: Invoice 42", new MessageContent.Text("Hello Nora,\n\nattached.\n"),
        new OutboundEmail(to, cc, "<m-2@customer.example>", List.of("<m-1@customer.example>", "<m-2@customer.example>"), files, bcc),
        Map.of("mailbox", "billing"));
  }

  private static DeliveryResult send(EmailAdapter a, OutboundMessage m) {
    return a.send(m).toCompletionStage().toCompletableFuture().join();
  }

  @Test
  @DisplayName("a reply goes From the mailbox with its own Message-ID, the thread's headers, Cc, Bcc, attachments and the subject token")
  void aReplyIsAProperEmail() throws Exception {
    EmailAdapter a = adapter(smtpOnly(mail.smtpPort(), Map.of()));
    ConversationId conversation = ConversationId.random();
    byte[] pdf = "%PDF-1.7 invoice".getBytes();
    var file = new OutboundEmail.File(new Attachment(AttachmentId.random(), "Rechnung März.pdf", "application/pdf", pdf.length, "x"),
        Buffer.buffer(pdf));
    OutboundMessage m = reply(conversation, List.of(new EmailAddress("nora@customer.example", "Nora New")),
        List.of(EmailAddress.of("partner@customer.example")), List.of(EmailAddress.of("audit@example.com")), List.of(file));
    DeliveryResult r = send(a, m);
    assertThat(r).isEqualTo(new DeliveryResult.Delivered("<sb-" + m.messageId().value() + "@example.com>"));
    assertThat(mail.greenMail.waitForIncomingEmail(10_000, 3)).isTrue();
    MimeMessage got = mail.greenMail.getReceivedMessagesForDomain("customer.example")[0];
    assertThat(got.getHeader("From", null)).contains("ACME Billing").contains("<billing@example.com>");
    assertThat(got.getMessageID()).isEqualTo("<sb-" + m.messageId().value() + "@example.com>");
    assertThat(got.getHeader("In-Reply-To", null)).isEqualTo("<m-2@customer.example>");
    assertThat(got.getHeader("References", " ")).contains("<m-1@customer.example>").contains("<m-2@customer.example>");
    assertThat(got.getSubject()).isEqualTo("Re: Invoice 42 [" + ConversationToken.of(conversation) + "]");
    assertThat(got.getRecipients(Message.RecipientType.CC)).extracting(Object::toString).containsExactly("partner@customer.example");
    assertThat(got.getHeader("Bcc")).as("Bcc never shows in the headers").isNull();
    assertThat(got.getHeader("Auto-Submitted")).as("a person's reply").isNull();
    Multipart parts = (Multipart) got.getContent();
    assertThat(parts.getCount()).isEqualTo(2);
    assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("Rechnung März.pdf");
    // Bcc got its copy through the envelope.
    assertThat(mail.greenMail.getReceivedMessages()).hasSize(3);
  }

  @Test
  @DisplayName("a 5xx answer is final with the server's text; a 4xx answer is retried")
  void serverAnswersDecide() throws Exception {
    try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
      EmailAdapter a = adapter(smtpOnly(smtp.port(), Map.of()));
      smtp.rcptReplies.put("gone@customer.example", "550 5.1.1 <gone@customer.example>: Recipient address rejected: User unknown");
      smtp.rcptReplies.put("full@customer.example", "452 4.2.2 Mailbox full, try later");
      DeliveryResult gone = send(a, reply(ConversationId.random(), List.of(EmailAddress.of("gone@customer.example")), List.of(), List.of(), List.of()));
      assertThat(gone).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
        assertThat(f.retryable()).isFalse();
        assertThat(f.reason()).contains("550 5.1.1").contains("User unknown");
      });
      DeliveryResult full = send(a, reply(ConversationId.random(), List.of(EmailAddress.of("full@customer.example")), List.of(), List.of(), List.of()));
      assertThat(full).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
        assertThat(f.retryable()).isTrue();
        assertThat(f.reason()).contains("452 4.2.2 Mailbox full");
      });
      smtp.dataReply = "554 5.7.1 Message rejected as spam";
      DeliveryResult spam = send(a, reply(ConversationId.random(), List.of(EmailAddress.of("ok@customer.example")), List.of(), List.of(), List.of()));
      assertThat(spam).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
        assertThat(f.retryable()).isFalse();
        assertThat(f.reason()).contains("554 5.7.1 Message rejected as spam");
      });
      smtp.dataReply = "421 4.3.2 Service shutting down";
      DeliveryResult busy = send(a, reply(ConversationId.random(), List.of(EmailAddress.of("ok@customer.example")), List.of(), List.of(), List.of()));
      assertThat(busy).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> assertThat(f.retryable()).isTrue());
    }
  }

  @Test
  @DisplayName("an SMTP server that is away: the reply is retried and agents are told the mailbox is degraded until it is back")
  void serverAway() throws Exception {
    int port;
    try (var probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    EmailAdapter a = adapter(smtpOnly(port, Map.of()));
    assertThat(a.sendReadiness(Map.of("mailbox", "billing"))).isEqualTo(SendReadiness.READY);
    DeliveryResult r = send(a, reply(ConversationId.random(), List.of(EmailAddress.of("nora@customer.example")), List.of(), List.of(), List.of()));
    assertThat(r).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.reason()).contains("could not be reached");
    });
    SendReadiness degraded = a.sendReadiness(Map.of("mailbox", "billing"));
    assertThat(degraded.state()).isEqualTo(SendReadiness.State.DEGRADED);
    assertThat(degraded.reason()).contains("billing@example.com").contains("retried");
  }

  @Test
  @DisplayName("readiness: no mailbox, a receive-only mailbox, an unknown mailbox attribute falls back to the default")
  void readiness() {
    EmailAdapter none = adapter(Map.of());
    assertThat(none.sendReadiness(Map.of()).state()).isEqualTo(SendReadiness.State.UNAVAILABLE);
    assertThat(none.sendReadiness(Map.of()).reason()).contains("no mailbox");
    assertThat(none.send(reply(ConversationId.random(), List.of(EmailAddress.of("n@c.example")), List.of(), List.of(), List.of()))
        .toCompletionStage().toCompletableFuture().join()).isInstanceOfSatisfying(DeliveryResult.Failed.class,
            f -> assertThat(f.retryable()).isFalse());
    Map<String, Object> receiveOnly = mail.settings(Map.of(), Map.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> box = new LinkedHashMap<>((Map<String, Object>) ((List<?>) receiveOnly.get("mailboxes")).get(0));
    box.remove("smtp");
    Map<String, Object> s = new LinkedHashMap<>(receiveOnly);
    s.put("mailboxes", List.of(box));
    EmailAdapter reader = adapter(s);
    SendReadiness r = reader.sendReadiness(Map.of("mailbox", "support"));
    assertThat(r.state()).isEqualTo(SendReadiness.State.UNAVAILABLE);
    assertThat(r.reason()).isEqualTo("the mailbox support@example.com only receives: it has no SMTP server to send from");
    assertThat(reader.sendReadiness(Map.of("mailbox", "gone")).reason()).contains("only receives");
  }

  @Test
  @DisplayName("a sent copy is appended to the Sent folder; hub mail (transcripts) is marked Auto-Submitted")
  void sentFolderAndSystemMail() throws Exception {
    Map<String, Object> s = mail.settings(Map.of(), Map.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> box = new LinkedHashMap<>((Map<String, Object>) ((List<?>) s.get("mailboxes")).get(0));
    box.put("smtp", Map.of("host", "127.0.0.1", "port", mail.smtpPort(), "tls", "none", "sentFolder", "Sent", "timeout", "5s"));
    box.put("imap", Map.of("host", "127.0.0.1", "port", mail.imapPort(), "tls", "none", "initialSync", "new"));
    Map<String, Object> settings = new LinkedHashMap<>(s);
    settings.put("mailboxes", List.of(box));
    EmailAdapter a = adapter(settings);
    OutboundMessage m = new OutboundMessage(MessageId.random(), InteractionId.random(), ConversationId.random(),
        SenderAddress.email("nora@customer.example"), null, List.of(), "Re: Hello", new MessageContent.Text("Hi"),
        new OutboundEmail(List.of(EmailAddress.of("nora@customer.example")), List.of(), null, List.of(), List.of()), Map.of());
    assertThat(send(a, m)).isInstanceOf(DeliveryResult.Delivered.class);
    FakeHub.awaitUntil(() -> mail.folder("Sent").size() == 1, 10, "the sent copy");
    assertThat(mail.folder("Sent").get(0)).startsWith("Re: Hello [SB-");
    MailSender sender = a.mailSender();
    String id = sender.send(new MailSender.SystemEmail(null, EmailAddress.of("chat@customer.example"), "Your chat transcript", "..."))
        .toCompletionStage().toCompletableFuture().join();
    assertThat(id).startsWith("<sb-").endsWith("@example.com>");
    FakeHub.awaitUntil(() -> mail.greenMail.getReceivedMessagesForDomain("customer.example").length >= 2, 10, "the transcript");
    MimeMessage transcript = java.util.Arrays.stream(mail.greenMail.getReceivedMessagesForDomain("customer.example"))
        .filter(x -> {
          try {
            return "Your chat transcript".equals(x.getSubject());
          } catch (Exception e) {
            return false;
          }
        }).findFirst().orElseThrow();
    assertThat(transcript.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
  }
}
