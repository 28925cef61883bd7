package io.switchboard.hub.app.csat;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.csat.SurveyTokens;
import io.switchboard.hub.core.webhooks.WebhookSignatures;
import io.switchboard.hub.store.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Satisfaction surveys answered through the signed link (the email survey's page and its JSON twin): one answer per
 * interaction, stored on it and shown in the customer 360, the reports and a {@code csat.answered} webhook; forged,
 * expired and malformed links, bad ratings and comments refused without changing anything.
 */
@DisplayName("CSAT: answering a survey through its signed link")
class SurveyApiTest {
  private static final String KEY = "survey-key-for-tests-0123456789abcdefghij";
  private static final SurveyTokens TOKENS = new SurveyTokens(KEY.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
  private static TestHub hub;
  private static Database db;
  private static UUID aliceId;
  private static HttpServer receiver;
  private static final LinkedBlockingQueue<Map.Entry<Map<String, String>, byte[]>> hooks = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      hooks.add(Map.entry(Map.of("ts", ex.getRequestHeaders().getFirst(WebhookSignatures.TIMESTAMP_HEADER),
          "sig", ex.getRequestHeaders().getFirst(WebhookSignatures.SIGNATURE_HEADER),
          "event", ex.getRequestHeaders().getFirst(WebhookSignatures.EVENT_HEADER)), body));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    Path config = TestHub.configWithRules(Files.readString(TestHub.configDir().resolve("routing.yaml")));
    Files.writeString(config.resolve("analytics.yaml"), """
        reports:
          refreshSeconds: 1
        webhooks:
          firstRetrySeconds: 1
        surveys:
          queues:
            billing:
              channels: [chat, email]
              question: "How did billing do?"
        """);
    hub = TestHub.startWith(Map.of("SWITCHBOARD_SURVEY_KEY", KEY), config);
    db = Database.connect(hub.hub().vertx(), hub.postgresUrl(), null, 2);
    aliceId = (UUID) await(db.pool().query("SELECT id FROM agents WHERE username = 'alice'").execute()).iterator().next().getValue(0);
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
    if (hub != null) {
      hub.close();
    }
    receiver.stop(0);
  }

  /** An email interaction in billing handled by alice that ended at {@code ended}, with a survey sent about it. */
  private static UUID surveyed(UUID customer, OffsetDateTime ended) {
    UUID conv = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    sql("INSERT INTO customers (id, display_name) VALUES ($1, 'Rita Rater') ON CONFLICT DO NOTHING", customer);
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, 'email')", conv, customer);
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, agent_id, created_at,"
        + " queued_at, answered_at, ended_at) VALUES ($1, $2, $3, 'email', $4, 'ended', 'billing', $5, $6, $6, $7, $8)",
        id, conv, customer, id.toString(), aliceId, ended.minusMinutes(10), ended.minusMinutes(9), ended);
    sql("INSERT INTO csat_surveys (interaction_id, customer_id, channel, queue_id, agent_id, via, status, sent_at, expires_at)"
        + " VALUES ($1, $2, 'email', 'billing', $3, 'email', 'sent', now(), now() + interval '7 days')", id, customer, aliceId);
    return id;
  }

  private static String token(UUID interaction) {
    return TOKENS.issue(interaction, Instant.now().plus(Duration.ofDays(7)));
  }

  private static TestHub.Response answer(String token, Object rating, Object comment) {
    JsonObject body = new JsonObject().put("token", token).put("rating", rating);
    if (comment != null) {
      body.put("comment", comment);
    }
    return hub.post("/api/v1/surveys/answers", null, body.encode());
  }

  @Test
  void aSignedLinkIsAnsweredOnceAndTheAnswerReachesTheCustomerTheReportAndAWebhook() throws Exception {
    String ada = bearer(hub.login("ada", "ada-demo-pw"));
    var hook = hub.post("/api/v1/webhooks", ada, new JsonObject().put("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
        .put("events", new JsonArray().add("csat.answered")).encode());
    assertThat(hook.status()).as(hook.body()).isEqualTo(201);
    String secret = hook.json().getString("secret");
    UUID customer = UUID.randomUUID();
    UUID id = surveyed(customer, OffsetDateTime.parse("2026-03-02T10:30:00+01:00"));
    String token = token(id);

    var first = answer(token, 4, "Quick and friendly");
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().getInteger("rating")).isEqualTo(4);
    // The same answer again (a double click, a retry) is fine and changes nothing; another one is refused.
    assertThat(answer(token, 4, "Quick and friendly").status()).isEqualTo(200);
    var second = answer(token, 1, "changed my mind");
    assertThat(second.status()).as(second.body()).isEqualTo(409);
    assertThat(one("SELECT rating FROM csat_surveys WHERE interaction_id = $1", id)).isEqualTo((short) 4);

    // The webhook: exactly one signed csat.answered.
    var delivered = hooks.poll(60, TimeUnit.SECONDS);
    assertThat(delivered).as("a csat.answered delivery within 60 s").isNotNull();
    assertThat(delivered.getKey().get("event")).isEqualTo("csat.answered");
    assertThat(WebhookSignatures.verify(secret, delivered.getKey().get("ts"), delivered.getKey().get("sig"), delivered.getValue(),
        System.currentTimeMillis() / 1000)).isTrue();
    JsonObject data = new JsonObject(new String(delivered.getValue(), StandardCharsets.UTF_8)).getJsonObject("data");
    assertThat(data.getString("interactionId")).isEqualTo(id.toString());
    assertThat(data.getInteger("rating")).isEqualTo(4);
    assertThat(data.getString("comment")).isEqualTo("Quick and friendly");
    assertThat(hooks.poll(2, TimeUnit.SECONDS)).as("no second delivery for the repeated answer").isNull();

    // The customer 360.
    String alice = bearer(hub.login("alice", "alice-demo-pw"));
    JsonObject last = hub.get("/api/v1/customers/" + customer + "/kpis", alice).json().getJsonObject("lastCsat");
    assertThat(last.getInteger("rating")).isEqualTo(4);
    assertThat(last.getString("comment")).isEqualTo("Quick and friendly");

    // The reports: the interaction's end interval, per queue and per agent.
    String sam = bearer(hub.login("sam", "sam-demo-pw"));
    assertThat(hub.post("/api/v1/reports/rebuild", ada, "{\"from\":\"2026-03-02\",\"to\":\"2026-03-03\"}").status()).isEqualTo(202);
    JsonObject row = awaitRow("/api/v1/reports/queues?from=2026-03-02&to=2026-03-03&queues=billing", sam);
    assertThat(row.getLong("surveys")).isEqualTo(1);
    assertThat(row.getLong("csatResponses")).isEqualTo(1);
    assertThat(row.getDouble("csatAverage")).isEqualTo(4.0);
    assertThat(row.getDouble("csatResponseRate")).isEqualTo(100.0);
    JsonObject agentRow = awaitRow("/api/v1/reports/agents?from=2026-03-02&to=2026-03-03&agents=" + aliceId, sam);
    assertThat(agentRow.getDouble("csatAverage")).isEqualTo(4.0);
    var csv = hub.get("/api/v1/reports/queues?from=2026-03-02&to=2026-03-03&queues=billing&format=csv", sam);
    assertThat(csv.body()).startsWith("periodStart,queue,").contains(",surveys,csatResponses,csatAverage,csatResponseRate\r\n")
        .contains(",1,1,4.00,100.00\r\n");
  }

  @Test
  void forgedExpiredAndMalformedLinksAreRefusedAndChangeNothing() {
    UUID id = surveyed(UUID.randomUUID(), OffsetDateTime.now().minusHours(1));
    String good = token(id);
    String forged = forge(good);
    assertThat(answer(forged, 5, null).status()).isEqualTo(403);
    String otherKey = new SurveyTokens("another-key-that-is-long-enough-0123456789".getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
        .issue(id, Instant.now().plus(Duration.ofDays(1)));
    assertThat(answer(otherKey, 5, null).status()).isEqualTo(403);
    // The payload of one survey with the signature of another.
    String other = token(UUID.randomUUID());
    assertThat(answer(good.substring(0, good.indexOf('.')) + other.substring(other.indexOf('.')), 5, null).status()).isEqualTo(403);
    assertField(answer(TOKENS.issue(id, Instant.now().minusSeconds(5)), 5, null), "token");
    assertField(answer("not-a-token", 5, null), "token");
    assertField(answer("x".repeat(5000), 5, null), "token");
    assertField(hub.post("/api/v1/surveys/answers", null, "{\"rating\":5}"), "token");
    assertThat(one("SELECT count(*) FROM csat_surveys WHERE interaction_id = $1 AND rating IS NOT NULL", id)).isEqualTo(0L);
  }

  @Test
  void ratingsOutsideOneToFiveAndBadCommentsAre422() {
    UUID id = surveyed(UUID.randomUUID(), OffsetDateTime.now().minusHours(1));
    String token = token(id);
    assertField(answer(token, 0, null), "rating");
    assertField(answer(token, 6, null), "rating");
    assertField(answer(token, -2147483648, null), "rating");
    assertField(hub.post("/api/v1/surveys/answers", null, new JsonObject().put("token", token).encode()), "rating");
    assertThat(answer(token, "5", null).status()).as("a rating as text").isEqualTo(400);
    assertThat(answer(token, 4.5, null).status()).as("a fractional rating").isEqualTo(400);
    assertField(answer(token, 3, "nul \u0000 inside"), "comment");
    assertField(answer(token, 3, "bell \u0007"), "comment");
    assertField(answer(token, 3, "x".repeat(1001)), "comment");
    assertThat(hub.post("/api/v1/surveys/answers", null, "{\"token\":\"" + token + "\",\"rating\":3,\"rating\":4}").status())
        .as("a duplicated key").isEqualTo(400);
    assertThat(one("SELECT count(*) FROM csat_surveys WHERE interaction_id = $1 AND rating IS NOT NULL", id)).isEqualTo(0L);
    // A long comment within the limit, with line breaks, is kept as written.
    String comment = "line one\nline two " + "é".repeat(900);
    assertThat(answer(token, 3, comment).status()).isEqualTo(200);
    assertThat(one("SELECT comment FROM csat_surveys WHERE interaction_id = $1", id)).isEqualTo(comment);
  }

  @Test
  void anAnswerForAnInteractionWithoutASurveyIs404() {
    assertThat(answer(token(UUID.randomUUID()), 5, null).status()).isEqualTo(404);
    // An interaction that exists but was never surveyed.
    UUID id = surveyed(UUID.randomUUID(), OffsetDateTime.now().minusHours(1));
    sql("DELETE FROM csat_surveys WHERE interaction_id = $1", id);
    assertThat(answer(token(id), 5, null).status()).isEqualTo(404);
  }

  @Test
  void theRatingPageIsAPlainFormThatTakesTheAnswerOnce() throws Exception {
    UUID id = surveyed(UUID.randomUUID(), OffsetDateTime.now().minusHours(1));
    String token = token(id);
    var page = hub.get("/survey/" + token, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    assertThat(page.body()).contains("How did billing do?").contains("name=rating value=5").contains("<textarea")
        .doesNotContain("<script");
    var posted = form(token, "rating=5&comment=" + URLEncoder.encode("Great <b>help</b>", StandardCharsets.UTF_8));
    assertThat(posted.status()).isEqualTo(200);
    assertThat(posted.body()).contains("Thank you").contains("5 of 5");
    assertThat(one("SELECT comment FROM csat_surveys WHERE interaction_id = $1", id)).isEqualTo("Great <b>help</b>");
    assertThat(hub.get("/survey/" + token, null).body()).contains("Thank you");
    assertThat(form(token, "rating=2").status()).as("a different second answer").isEqualTo(409);
    assertThat(form(token, "rating=9").status()).isEqualTo(422);
    String forged = forge(token);
    var refused = hub.get("/survey/" + forged, null);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body()).contains("not valid").doesNotContain("How did billing do?");
    assertThat(hub.get("/survey/" + TOKENS.issue(id, Instant.now().minusSeconds(1)), null).body()).contains("expired");
  }

  /** The token with one character of its signature changed. */
  private static String forge(String token) {
    int at = token.indexOf('.') + 10;
    char c = token.charAt(at);
    return token.substring(0, at) + (c == 'A' ? 'B' : 'A') + token.substring(at + 1);
  }

  private static TestHub.Response form(String token, String body) {
    return hub.send(HttpRequest.newBuilder(java.net.URI.create(hub.baseUrl() + "/survey/" + token))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static JsonObject awaitRow(String path, String token) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      JsonArray rows = hub.get(path, token).json().getJsonArray("rows");
      if (!rows.isEmpty() && rows.getJsonObject(0).getLong("csatResponses") > 0) {
        return rows.getJsonObject(0);
      }
      assertThat(System.nanoTime()).as("report rows with the answer within 60 s: " + path).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static void assertField(TestHub.Response r, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo(field);
  }

  private static void sql(String statement, Object... params) {
    await(db.pool().preparedQuery(statement).execute(Tuple.from(params)));
  }

  private static Object one(String statement, Object... params) {
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
