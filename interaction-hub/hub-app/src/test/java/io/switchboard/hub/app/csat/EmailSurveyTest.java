package io.switchboard.hub.app.csat;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.store.Database;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The email survey through a whole hub and a real SMTP server (GreenMail): an email interaction of a surveyed queue
 * ends, the customer gets one mail with a signed link, opens the hub's rating page and answers; interactions of queues
 * that ask nothing, and old ones, get no mail.
 */
@DisplayName("CSAT by email: a signed link to the hub's rating page")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmailSurveyTest {
  private GreenMail mail;
  private TestHub hub;
  private Database db;

  @BeforeEach
  void start() throws Exception {
    mail = new GreenMail(new ServerSetup[] {ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.IMAP.dynamicPort()});
    mail.start();
    mail.setUser("support@acme.test", "support@acme.test", "pw-support");
    Path config = TestHub.configWithChannel(null, "email", Map.of(
        "mailboxes", List.of(Map.of("name", "support", "address", "support@acme.test", "displayName", "ACME Support",
            "imap", Map.of("host", "127.0.0.1", "port", mail.getImap().getPort(), "tls", "none", "pollInterval", "1s",
                "initialSync", "all", "timeout", "5s"),
            "smtp", Map.of("host", "127.0.0.1", "port", mail.getSmtp().getPort(), "tls", "none", "timeout", "5s")))));
    Files.writeString(config.resolve("analytics.yaml"), """
        surveys:
          linkValidDays: 3
          queues:
            billing:
              channels: [email]
              question: "How did our billing team do?"
        """);
    hub = TestHub.startWith(Map.of("SWITCHBOARD_EMAIL_SUPPORT_PASSWORD", "pw-support"), config);
    db = Database.connect(hub.hub().vertx(), hub.postgresUrl(), null, 2);
  }

  @AfterEach
  void stop() {
    if (db != null) {
      db.close();
    }
    if (hub != null) {
      hub.close();
    }
    mail.stop();
  }

  private UUID endedEmail(String address, String queue, OffsetDateTime ended) {
    UUID customer = UUID.randomUUID();
    UUID conv = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    sql("INSERT INTO customers (id, display_name) VALUES ($1, 'Nora New')", customer);
    sql("INSERT INTO customer_identities (id, customer_id, kind, value) VALUES ($1, $2, 'email', $3)", UUID.randomUUID(), customer, address);
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, 'email')", conv, customer);
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, created_at, queued_at,"
        + " answered_at, ended_at) VALUES ($1, $2, $3, 'email', $4, 'ended', $5, $6, $6, $6, $7)",
        id, conv, customer, "<" + id + "@customer.example>", queue, ended.minusMinutes(30), ended);
    return id;
  }

  @Test
  void theCustomerGetsOneMailWithASignedLinkAndAnswersOnTheRatingPage() throws Exception {
    UUID old = endedEmail("old@customer.example", "billing", OffsetDateTime.now().minusDays(3));
    UUID other = endedEmail("other@customer.example", "general", OffsetDateTime.now().minusMinutes(1));
    UUID id = endedEmail("nora@customer.example", "billing", OffsetDateTime.now().minusMinutes(1));

    assertThat(mail.waitForIncomingEmail(60_000, 1)).as("a survey mail within 60 s").isTrue();
    MimeMessage[] received = mail.getReceivedMessages();
    assertThat(received).hasSize(1);
    MimeMessage m = received[0];
    assertThat(m.getAllRecipients()[0].toString()).isEqualTo("nora@customer.example");
    assertThat(m.getSubject()).isEqualTo("How did our billing team do?");
    assertThat(m.getHeader("Auto-Submitted")[0]).isEqualTo("auto-generated");
    String body = GreenMailUtil.getBody(m).replace("=\r\n", "").replace("=3D", "=");
    Matcher link = Pattern.compile("(http://\\S+/survey/([A-Za-z0-9_.-]+))").matcher(body);
    assertThat(link.find()).as(body).isTrue();
    String token = link.group(2);
    awaitStatus(id, "sent");
    assertThat(one("SELECT attempts FROM csat_surveys WHERE interaction_id = $1", id)).isEqualTo(1);

    var page = hub.get("/survey/" + token, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("How did our billing team do?");
    var answered = hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/survey/" + token))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("rating=2&comment=slow")));
    assertThat(answered.status()).as(answered.body()).isEqualTo(200);
    assertThat(one("SELECT rating FROM csat_surveys WHERE interaction_id = $1", id)).isEqualTo((short) 2);
    assertThat(one("SELECT via FROM csat_surveys WHERE interaction_id = $1", id)).isEqualTo("email");

    // A queue that asks nothing and a contact that ended before the last day get no survey.
    assertThat(one("SELECT count(*) FROM csat_surveys WHERE interaction_id = ANY($1)", (Object) new UUID[] {old, other})).isEqualTo(0L);
    assertThat(mail.getReceivedMessages()).as("still one mail").hasSize(1);
  }

  @Test
  void aCustomerWithoutAnEmailAddressIsTriedAndGivenUpWithoutMail() {
    UUID id = endedEmail("nobody@customer.example", "billing", OffsetDateTime.now().minusMinutes(1));
    sql("DELETE FROM customer_identities WHERE value = 'nobody@customer.example'");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!"the customer has no email address".equals(one("SELECT coalesce(last_error, '') FROM csat_surveys s RIGHT JOIN"
        + " (SELECT $1::uuid AS i) x ON s.interaction_id = x.i", id))) {
      assertThat(System.nanoTime()).as("the failed attempt recorded within 60 s").isLessThan(deadline);
      pause();
    }
    assertThat(one("SELECT status FROM csat_surveys WHERE interaction_id = $1", id)).isEqualTo("pending");
    assertThat(mail.getReceivedMessages()).isEmpty();
  }

  private void awaitStatus(UUID id, String status) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!status.equals(one("SELECT coalesce((SELECT status FROM csat_surveys WHERE interaction_id = $1), '')", id))) {
      assertThat(System.nanoTime()).as("survey " + status + " within 30 s").isLessThan(deadline);
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void sql(String statement, Object... params) {
    await(db.pool().preparedQuery(statement).execute(Tuple.from(params)));
  }

  private Object one(String statement, Object... params) {
    return await(db.pool().preparedQuery(statement).execute(Tuple.from(params))).iterator().next().getValue(0);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
