package io.switchboard.hub.app.channels;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.routing.RoutingFixture;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A support mailbox as a channel, through a whole hub against a real IMAP/SMTP server (GreenMail): mail becomes a
 * routed interaction with the customer's history, the agent's reply arrives threaded, the customer's answers thread
 * back (also after the interaction ended, to the same agent), bounces mark the reply failed, auto-replies are stored
 * but not routed, unreadable mail goes to the supervisors' quarantine, and a restart or a second node misses and
 * doubles nothing.
 */
@DisplayName("email channel through the hub")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmailChannelTest {
  static final String RULES = """
      settings:
        offerTimeout: 60s
        pauseAgentOnOfferTimeout: false
        stickyAgentWindow: 24h
        afterCallWork: 1s
        wrapUpRequired: false
      skills: [billing, general, english]
      queues:
        - id: general
          name: General
          serviceLevel: { percent: 80, within: 20s }
          maxWait: 10m
      rules:
        - name: default
          queue: general
      """;

  private GreenMail mail;
  private TestHub hub;
  private TestHub second;
  private RoutingFixture fx;

  @BeforeEach
  void start() {
    mail = new GreenMail(new ServerSetup[] {ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.IMAP.dynamicPort()});
    mail.start();
    mail.setUser("support@acme.test", "support@acme.test", "pw-support");
    mail.setUser("nora@customer.example", "nora@customer.example", "pw-nora");
    Path config = TestHub.configWithChannel(RULES, "email", Map.of(
        "mailboxes", List.of(Map.of("name", "support", "address", "support@acme.test", "displayName", "ACME Support",
            "imap", Map.of("host", "127.0.0.1", "port", mail.getImap().getPort(), "tls", "none", "pollInterval", "1s",
                "initialSync", "all", "timeout", "5s"),
            "smtp", Map.of("host", "127.0.0.1", "port", mail.getSmtp().getPort(), "tls", "none", "timeout", "5s"))),
        "lease", "1s", "backoff", Map.of("first", "200ms", "max", "1s")));
    hub = TestHub.startWith(Map.of("SWITCHBOARD_EMAIL_SUPPORT_PASSWORD", "pw-support"), config);
    fx = new RoutingFixture(hub);
  }

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    if (second != null) {
      second.close();
    }
    if (hub != null) {
      hub.close();
    }
    mail.stop();
  }

  private void deliver(String raw) throws Exception {
    byte[] bytes = raw.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    mail.getUserManager().getUser("support@acme.test")
        .deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes)));
  }

  private static String plain(String messageId, String subject, String text, String extraHeaders) {
    return "From: Nora New <nora@customer.example>\nTo: ACME Support <support@acme.test>\nSubject: " + subject
        + "\nMessage-ID: " + messageId + "\n" + extraHeaders + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        + text + "\n";
  }

  private JsonObject interaction(String id, String token) {
    return hub.get("/api/v1/interactions/" + id, token).json();
  }

  private long count(String sql) throws Exception {
    try (var c = io.switchboard.hub.testsupport.TestServers.connect(hub.hub().postgresUrl()); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String jdbc() {
    return "jdbc:" + hub.hub().postgresUrl().replace("postgresql://postgres@", "postgresql://");
  }

  private static void awaitUntil(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private MimeMessage[] norasMail() {
    return Arrays.stream(mail.getReceivedMessagesForDomain("customer.example")).toArray(MimeMessage[]::new);
  }

  @Test
  @DisplayName("a mail becomes a routed interaction; the reply arrives threaded; answers thread back, after the end to the same agent")
  void aMailboxWorksAsAChannel() throws Exception {
    String alice = fx.available("alice");
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    deliver(plain("<m-1@customer.example>", "Invoice 42", "The amount is wrong.", ""));
    JsonObject offer = RoutingFixture.await(offered);
    String interactionId = offer.getString("interactionId");
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/accept", alice, "").status()).isEqualTo(204);
    JsonObject detail = interaction(interactionId, alice);
    assertThat(detail.getString("channel")).isEqualTo("email");
    assertThat(detail.getJsonObject("attributes").getString("mailbox")).isEqualTo("support");
    assertThat(detail.getJsonObject("reply").getString("state")).isEqualTo("ready");
    JsonObject inbound = detail.getJsonArray("messages").getJsonObject(0);
    assertThat(inbound.getJsonObject("email").getJsonObject("from").getString("address")).isEqualTo("nora@customer.example");
    assertThat(inbound.getJsonObject("content").getString("text")).isEqualTo("The amount is wrong.");
    String customerId = detail.getString("customerId");
    assertThat(hub.get("/api/v1/customers/" + customerId + "/history", alice).body()).contains(interactionId);

    // The agent answers; the customer receives it from the mailbox, threaded under her mail.
    var sent = fx.expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "sent".equals(e.getString("status")));
    var reply = hub.post("/api/v1/interactions/" + interactionId + "/messages", alice,
        new JsonObject().put("text", "We have corrected it.").put("cc", new JsonArray().add("billing@customer.example")).encode());
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    RoutingFixture.await(sent);
    awaitUntil(() -> norasMail().length >= 1, 15, "the reply in Nora's mailbox");
    MimeMessage got = Arrays.stream(mail.getReceivedMessagesForDomain("customer.example")).filter(m -> {
      try {
        return Arrays.stream(m.getAllRecipients()).anyMatch(a -> a.toString().contains("nora@"));
      } catch (Exception e) {
        return false;
      }
    }).findFirst().orElseThrow();
    assertThat(got.getHeader("In-Reply-To", null)).isEqualTo("<m-1@customer.example>");
    assertThat(got.getFrom()[0].toString()).contains("support@acme.test");
    assertThat(got.getSubject()).startsWith("Re: Invoice 42 [SB-");
    String ourId = got.getMessageID();
    JsonObject stored = interaction(interactionId, alice).getJsonArray("messages").stream().map(JsonObject.class::cast)
        .filter(m -> "outbound".equals(m.getString("direction"))).findFirst().orElseThrow();
    assertThat(stored.getJsonObject("email").getString("messageId")).isEqualTo(ourId);
    assertThat(stored.getString("status")).isEqualTo("sent");

    // Nora answers with only In-Reply-To (her mail program drops References): it joins the open interaction.
    var appended = fx.expect("message.received", e -> interactionId.equals(e.getString("interactionId")));
    deliver(plain("<m-2@customer.example>", "Re: Invoice 42", "Thanks!\n\nOn Mon, ACME Support wrote:\n> We have corrected it.",
        "In-Reply-To: " + ourId + "\n"));
    RoutingFixture.await(appended);
    JsonObject answer = interaction(interactionId, alice).getJsonArray("messages").stream().map(JsonObject.class::cast)
        .filter(m -> "<m-2@customer.example>".equals(m.getString("externalId"))).findFirst().orElseThrow();
    assertThat(answer.getJsonObject("content").getString("text")).isEqualTo("Thanks!");
    assertThat(answer.getJsonObject("email").getString("quoted")).contains("> We have corrected it.");

    // The interaction ends; a later answer that only carries the subject token opens a new interaction in the same
    // conversation, offered to alice again although bob has waited longer.
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/end", alice, "").status()).isEqualTo(200);
    String bob = fx.available("bob");
    awaitUntil(() -> "available".equals(hub.get("/api/v1/agents/me/state", alice).json().getString("state")), 10, "alice available again");
    var reoffered = fx.expect(RoutingService.OFFER_CREATED, e -> !interactionId.equals(e.getString("interactionId")));
    String token = got.getSubject().substring(got.getSubject().indexOf('['));
    deliver(plain("<m-3@customer.example>", "One more thing " + token, "Can I pay by card?", ""));
    JsonObject second = RoutingFixture.await(reoffered);
    String aliceId = hub.get("/api/v1/auth/me", alice).json().getString("id");
    assertThat(second.getString("agentId")).as("the agent who handled the conversation").isEqualTo(aliceId);
    JsonObject next = interaction(second.getString("interactionId"), bearer(hub.login("sam", "sam-demo-pw")));
    assertThat(next.getString("conversationId")).isEqualTo(detail.getString("conversationId"));
    assertThat(bob).isNotNull();
  }

  @Test
  @DisplayName("a bounce marks the reply failed with the server's reason; an auto-reply is stored but not routed")
  void bouncesAndAutoReplies() throws Exception {
    String alice = fx.available("alice");
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    deliver(plain("<b-1@customer.example>", "Delivery address", "Please change it.", ""));
    String interactionId = RoutingFixture.await(offered).getString("interactionId");
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/accept", alice, "").status()).isEqualTo(204);
    var sent = fx.expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "sent".equals(e.getString("status")));
    hub.post("/api/v1/interactions/" + interactionId + "/messages", alice, new JsonObject().put("text", "Done.").encode());
    RoutingFixture.await(sent);
    awaitUntil(() -> norasMail().length >= 1, 15, "the reply");
    String ourId = norasMail()[0].getMessageID();

    var failed = fx.expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "failed".equals(e.getString("status")));
    deliver("From: MAILER-DAEMON@mx.customer.example\nTo: support@acme.test\nSubject: Undelivered Mail\n"
        + "Message-ID: <dsn-1@mx.customer.example>\nMIME-Version: 1.0\n"
        + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\n--r\nContent-Type: text/plain\n\nSorry.\n"
        + "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.customer.example\n\n"
        + "Final-Recipient: rfc822; nora@customer.example\nAction: failed\nStatus: 5.2.2\n"
        + "Diagnostic-Code: smtp; 552 5.2.2 mailbox full\n\n--r\nContent-Type: text/rfc822-headers\n\nMessage-ID: " + ourId + "\n\n--r--\n");
    JsonObject status = RoutingFixture.await(failed);
    assertThat(status.getString("reason")).contains("nora@customer.example").contains("552 5.2.2 mailbox full");
    JsonObject reply = interaction(interactionId, alice).getJsonArray("messages").stream().map(JsonObject.class::cast)
        .filter(m -> "outbound".equals(m.getString("direction"))).findFirst().orElseThrow();
    assertThat(reply.getString("status")).isEqualTo("failed");
    assertThat(reply.getString("statusReason")).contains("mailbox full");

    // An out-of-office answer from another customer: stored, kept in the history, ended at once, never offered.
    deliver("From: Otto <otto@customer.example>\nTo: support@acme.test\nSubject: Automatic reply: Newsletter\n"
        + "Message-ID: <ooo-1@customer.example>\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n");
    awaitUntil(() -> {
      try {
        return count("SELECT count(*) FROM interactions WHERE external_id = '<ooo-1@customer.example>' AND state = 'ended'") == 1;
      } catch (Exception e) {
        return false;
      }
    }, 15, "the auto-reply stored and ended");
    assertThat(count("SELECT count(*) FROM interaction_transitions t JOIN interactions i ON i.id = t.interaction_id"
        + " WHERE i.external_id = '<ooo-1@customer.example>' AND t.reason LIKE 'not routed: auto-reply%'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM interactions WHERE external_id = '<dsn-1@mx.customer.example>'")).isZero();
  }

  @Test
  @DisplayName("unreadable mail is shown to supervisors with its reason and raw bytes; agents cannot see it")
  void quarantineForSupervisors() throws Exception {
    deliver("To: support@acme.test\nSubject: who sent this\nMessage-ID: <q-1@x.example>\n\nno From at all\n");
    String sam = bearer(hub.login("sam", "sam-demo-pw"));
    awaitUntil(() -> hub.get("/api/v1/quarantine", sam).json().getJsonArray("items").size() == 1, 15, "the quarantined mail");
    JsonObject item = hub.get("/api/v1/quarantine", sam).json().getJsonArray("items").getJsonObject(0);
    assertThat(item.getString("channel")).isEqualTo("email");
    assertThat(item.getString("source")).isEqualTo("mailbox support");
    assertThat(item.getString("reason")).contains("no sender");
    assertThat(item.getJsonObject("facts").getString("Subject")).isEqualTo("who sent this");
    var raw = hub.builder(item.getString("rawUrl"), sam).GET().build();
    HttpResponse<String> download = java.net.http.HttpClient.newHttpClient().send(raw, HttpResponse.BodyHandlers.ofString());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment;");
    assertThat(download.body()).contains("no From at all");
    String alice = bearer(hub.login("alice", "alice-demo-pw"));
    assertThat(hub.get("/api/v1/quarantine", alice).status()).isEqualTo(403);
    assertThat(hub.get("/api/v1/quarantine", null).status()).isEqualTo(401);
    var dismissed = hub.post("/api/v1/quarantine/" + item.getString("id") + "/dismiss", sam, "");
    assertThat(dismissed.status()).isEqualTo(200);
    assertThat(dismissed.json().getString("dismissedBy")).startsWith("agent:");
    assertThat(hub.get("/api/v1/quarantine", sam).json().getJsonArray("items")).isEmpty();
    assertThat(hub.get("/api/v1/quarantine?dismissed=true", sam).json().getJsonArray("items")).hasSize(1);
    assertThat(hub.post("/api/v1/quarantine/0b6f2d6e-1c1a-4a57-9d7c-3f0a8e6b1c22/dismiss", sam, "").status()).isEqualTo(404);
    assertThat(hub.get("/api/v1/quarantine?dismissed=maybe", sam).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("a restart misses and doubles nothing; with two nodes one reads, and the other takes over when it stops")
  void restartsAndTwoNodes() throws Exception {
    for (int i = 1; i <= 5; i++) {
      deliver(plain("<r-" + i + "@customer.example>", "Mail " + i, "text " + i, ""));
    }
    awaitUntil(() -> {
      try {
        return count("SELECT count(*) FROM messages WHERE channel = 'email' AND direction = 'inbound'") == 5;
      } catch (Exception e) {
        return false;
      }
    }, 20, "five mails");
    second = hub.sibling();
    hub.close();
    hub = null;
    fx.close();
    fx = null;
    // The first node is gone: the second takes the mailbox over within seconds, and reads on from the cursor.
    for (int i = 6; i <= 8; i++) {
      deliver(plain("<r-" + i + "@customer.example>", "Mail " + i, "text " + i, ""));
    }
    hub = second;
    second = null;
    awaitUntil(() -> {
      try {
        return count("SELECT count(*) FROM messages WHERE channel = 'email' AND direction = 'inbound'") == 8;
      } catch (Exception e) {
        return false;
      }
    }, 20, "the mails after the takeover");
    assertThat(count("SELECT count(DISTINCT external_id) FROM messages WHERE channel = 'email'")).isEqualTo(8);
    assertThat(count("SELECT count(*) FROM channel_cursors WHERE adapter = 'email' AND source = 'support:INBOX'")).isEqualTo(1);
    // The cursor moves after the batch's mails are stored (a crash in between re-reads them, and intake's dedupe
    // keeps them single), so it is awaited rather than read at once.
    awaitUntil(() -> {
      try {
        return count("SELECT position FROM channel_cursors WHERE adapter = 'email'") == 8;
      } catch (Exception e) {
        return false;
      }
    }, 20, "the cursor after the eighth mail");
  }
}
