package io.switchboard.hub.app.reports;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.store.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GET /api/v1/reports: JSON and CSV, who sees what, bad input")
class ReportApiTest {
  private static final String RANGE = "from=2026-03-02&to=2026-03-03";
  private static TestHub hub;
  private static Database db;
  private static String sam;
  private static String alice;
  private static UUID aliceId;
  private static UUID bobId;

  @BeforeAll
  static void start() throws Exception {
    hub = TestHub.start();
    db = Database.connect(hub.hub().vertx(), hub.postgresUrl(), null, 2);
    aliceId = (UUID) one("SELECT id FROM agents WHERE username = 'alice'");
    bobId = (UUID) one("SELECT id FROM agents WHERE username = 'bob'");
    // A display name a spreadsheet would trip over: comma, quotes, a formula.
    sql("UPDATE agents SET display_name = $1 WHERE id = $2", "=HYPERLINK(\"x\"), Alice", aliceId);
    UUID customer = UUID.randomUUID();
    UUID conv = UUID.randomUUID();
    UUID i = UUID.randomUUID();
    sql("INSERT INTO customers (id, display_name) VALUES ($1, 'C')", customer);
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, 'chat')", conv, customer);
    OffsetDateTime q = OffsetDateTime.parse("2026-03-02T10:00:00+01:00");
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, agent_id, created_at,"
        + " queued_at, answered_at, ended_at) VALUES ($1, $2, $3, 'chat', 'r-1', 'ended', 'billing', $4, $5, $5, $6, $7)",
        i, conv, customer, aliceId, q, q.plusSeconds(10), q.plusMinutes(5));
    sql("INSERT INTO interaction_transitions (interaction_id, to_state, queue_id, agent_id, at) VALUES ($1, 'assigned', 'billing', $2, $3)",
        i, aliceId, q.plusSeconds(10));
    sql("INSERT INTO agent_state_changes (agent_id, state, at) VALUES ($1, 'available', $2), ($1, 'offline', $3)",
        aliceId, q, q.plusMinutes(30));
    // A contact of general that was abandoned: no answer, so its averages (ASA, AHT...) are empty.
    UUID conv2 = UUID.randomUUID();
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, 'chat')", conv2, customer);
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, created_at,"
        + " queued_at, ended_at) VALUES ($1, $2, $3, 'chat', 'r-2', 'abandoned', 'general', $4, $4, $5)",
        UUID.randomUUID(), conv2, customer, q, q.plusMinutes(2));
    sam = bearer(hub.login("sam", "sam-demo-pw"));
    alice = bearer(hub.login("alice", "alice-demo-pw"));
    String ada = bearer(hub.login("ada", "ada-demo-pw"));
    var rebuild = hub.post("/api/v1/reports/rebuild", ada, new JsonObject().put("from", "2026-03-01").put("to", "2026-03-04").encode());
    assertThat(rebuild.status()).as(rebuild.body()).isEqualTo(202);
    // Newly marked: the job may have marked some already (the rows inserted above).
    assertThat(rebuild.json().getLong("intervals")).isBetween(1L, 3L * 96);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (hub.get("/api/v1/reports/queues?" + RANGE, sam).json().getJsonArray("rows").isEmpty()) {
      assertThat(System.nanoTime()).as("report rows within 60 s").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
    hub.close();
  }

  @Test
  void aSupervisorReadsADayPerQueueAsJson() {
    var r = hub.get("/api/v1/reports/queues?" + RANGE + "&interval=day&queues=billing", sam);
    assertThat(r.status()).isEqualTo(200);
    JsonObject body = r.json();
    assertThat(body.getString("zone")).isEqualTo("Europe/Berlin");
    assertThat(body.getString("from")).isEqualTo("2026-03-02T00:00+01:00");
    JsonObject row = body.getJsonArray("rows").getJsonObject(0);
    assertThat(row.getString("periodStart")).isEqualTo("2026-03-02T00:00+01:00");
    assertThat(row.getString("queue")).isEqualTo("billing");
    assertThat(row.getLong("offered")).isEqualTo(1);
    assertThat(row.getLong("answeredInTarget")).isEqualTo(1);
    assertThat(row.getDouble("serviceLevel")).isEqualTo(100.0);
    assertThat(row.getLong("asaMs")).isEqualTo(10_000);
    assertThat(row.getLong("ahtMs")).isEqualTo(290_000);
    assertThat(row.getDouble("fcrRate")).isEqualTo(100.0);
    assertThat(hub.get("/api/v1/reports/channels?" + RANGE + "&channels=chat", sam).json().getJsonArray("rows").getJsonObject(0)
        .getString("channel")).isEqualTo("chat");
  }

  @Test
  void fifteenMinuteAndHourPeriodsAreStreamedForEveryDimension() {
    for (String dim : new String[] {"queues", "agents", "channels"}) {
      for (String interval : new String[] {"15m", "hour", "week"}) {
        var r = hub.get("/api/v1/reports/" + dim + "?" + RANGE + "&interval=" + interval, sam);
        assertThat(r.status()).as(dim + " by " + interval + ": " + r.body()).isEqualTo(200);
        assertThat(r.json().getJsonArray("rows")).as(dim + " by " + interval).isNotEmpty();
      }
    }
    var quarter = hub.get("/api/v1/reports/queues?" + RANGE + "&interval=15m&queues=billing", sam).json().getJsonArray("rows");
    assertThat(quarter.getJsonObject(0).getString("periodStart")).isEqualTo("2026-03-02T10:00+01:00");
  }

  @Test
  void csvHasABomOnRequestIsoTimesAndEscapedText() {
    var r = hub.get("/api/v1/reports/agents?" + RANGE + "&interval=hour&format=csv&bom=true", sam);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/csv");
    assertThat(r.body()).startsWith("\uFEFFperiodStart,agentId,username,displayName,answered,");
    String[] lines = r.body().split("\r\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).startsWith("2026-03-02T10:00+01:00," + aliceId + ",alice,\"'=HYPERLINK(\"\"x\"\"), Alice\",1,1,");
    // 30 minutes available, half an hour logged in, utilisation 100 %.
    assertThat(lines[1]).contains(",1800000,0,0,0,1800000,").contains(",100.00,").endsWith(",0,0,,");
    var plain = hub.get("/api/v1/reports/queues?" + RANGE + "&format=csv", sam);
    assertThat(plain.body()).startsWith("periodStart,queue,offered,");
    // Averages of nothing are empty cells, not a broken download.
    assertThat(plain.body()).contains("\r\n2026-03-02T00:00+01:00,general,1,0,0,1,1,0.00,,100.00,0,,,0,0,0,0,,0,0,,\r\n");
  }

  @Test
  void anAgentSeesOnlyItsOwnFigures() {
    var own = hub.get("/api/v1/reports/agents?" + RANGE, alice);
    assertThat(own.status()).isEqualTo(200);
    assertThat(own.json().getJsonArray("rows")).hasSize(1);
    assertThat(own.json().getJsonArray("rows").getJsonObject(0).getString("username")).isEqualTo("alice");
    assertThat(hub.get("/api/v1/reports/agents?" + RANGE + "&agents=" + bobId, alice).status()).isEqualTo(403);
    assertThat(hub.get("/api/v1/reports/queues?" + RANGE, alice).status()).isEqualTo(403);
    assertThat(hub.get("/api/v1/reports/queues?" + RANGE, null).status()).isEqualTo(401);
    assertThat(hub.post("/api/v1/reports/rebuild", sam, "{\"from\":\"2026-03-01\",\"to\":\"2026-03-02\"}").status()).isEqualTo(403);
  }

  @Test
  void badInputIs422NamingTheField() {
    assertField(hub.get("/api/v1/reports/queues?from=2026-03-03&to=2026-03-02", sam), "to");
    assertField(hub.get("/api/v1/reports/queues?from=2026-01-01&to=2026-03-01&interval=15m", sam), "to");
    assertField(hub.get("/api/v1/reports/queues?from=2020-01-01&to=2026-03-01&interval=day", sam), "to");
    assertField(hub.get("/api/v1/reports/queues?" + RANGE + "&queues=billing,nope", sam), "queues");
    assertField(hub.get("/api/v1/reports/queues?" + RANGE + "&channels=fax", sam), "channels");
    assertField(hub.get("/api/v1/reports/agents?" + RANGE + "&agents=" + UUID.randomUUID(), sam), "agents");
    assertField(hub.get("/api/v1/reports/queues?from=yesterday&to=2026-03-02", sam), "from");
    assertField(hub.get("/api/v1/reports/queues?" + RANGE + "&interval=month", sam), "interval");
  }

  @Test
  @DisplayName("malformed, oversized, duplicated and control-character filters are refused naming the parameter; nothing is streamed")
  void malformedFiltersAreRefusedNamingTheParameter() {
    // The same instant twice is an empty range, refused like a reversed one.
    assertField(hub.get("/api/v1/reports/queues?from=2026-03-02T10:00:00Z&to=2026-03-02T11:00+01:00", sam), "to");
    // Longest ranges per interval: a day more than allowed is refused, the limit itself answers.
    assertField(hub.get("/api/v1/reports/agents?from=2026-01-01&to=2026-04-05&interval=hour", sam), "to");
    assertField(hub.get("/api/v1/reports/channels?from=2000-01-01&to=2026-01-01&interval=week", sam), "to");
    assertThat(hub.get("/api/v1/reports/queues?from=2026-02-01&to=2026-03-04&interval=15m", sam).status()).isEqualTo(200);
    // Malformed values.
    assertField(hub.get("/api/v1/reports/agents?" + RANGE + "&agents=" + aliceId + ",not-a-uuid", sam), "agents");
    assertField(hub.get("/api/v1/reports/queues?from=2026-13-01&to=2026-03-02", sam), "from");
    assertField(hub.get("/api/v1/reports/queues?from=2026-03-01&to=2026-03-02T25:00:00Z", sam), "to");
    assertField(hub.get("/api/v1/reports/queues?" + RANGE + "&channels=chat,,FAX", sam), "channels");
    assertField(hub.get("/api/v1/reports/agents?" + RANGE + "&queues=billing", sam), "queues");
    assertField(hub.get("/api/v1/reports/queues?" + RANGE + "&agents=" + aliceId, sam), "agents");
    assertField(hub.get("/api/v1/reports/queues?to=2026-03-02", sam), "from");
    // NUL and control characters in a filter: refused before any query.
    assertField(hub.get("/api/v1/reports/queues?" + RANGE + "&queues=bill%00ing", sam), "queues");
    assertField(hub.get("/api/v1/reports/queues?from=2026-03-02%0A&to=2026-03-03", sam), "from");
    // Too many values, too long a value, a parameter given twice.
    String many = String.join(",", java.util.stream.IntStream.range(0, 101).mapToObj(n -> "q" + n).toList());
    assertField(hub.get("/api/v1/reports/queues?" + RANGE + "&queues=" + many, sam), "queues");
    assertBadRequest(hub.get("/api/v1/reports/queues?" + RANGE + "&queues=" + "q".repeat(600), sam), "queues");
    assertBadRequest(hub.get("/api/v1/reports/queues?" + RANGE + "&from=2026-03-01", sam), "from");
    assertBadRequest(hub.get("/api/v1/reports/queues?" + RANGE + "&format=xlsx", sam), "format");
    assertBadRequest(hub.get("/api/v1/reports/queues?" + RANGE + "&format=csv&bom=yes", sam), "bom");
    // Rebuilds: reversed, too long, not JSON.
    String ada = bearer(hub.login("ada", "ada-demo-pw"));
    assertField(hub.post("/api/v1/reports/rebuild", ada, "{\"from\":\"2026-03-04\",\"to\":\"2026-03-01\"}"), "to");
    assertField(hub.post("/api/v1/reports/rebuild", ada, "{\"from\":\"2020-01-01\",\"to\":\"2026-03-01\"}"), "to");
    assertField(hub.post("/api/v1/reports/rebuild", ada, "{\"to\":\"2026-03-01\"}"), "from");
    assertThat(hub.post("/api/v1/reports/rebuild", ada, "{\"from\":").status()).isEqualTo(400);
    assertThat(await(db.pool().query("SELECT count(*) FROM report_dirty WHERE interval_start < '2026-01-01'").execute())
        .iterator().next().getLong(0)).isZero();
  }

  @Test
  @DisplayName("agents by day: whole days come from the day roll-ups, a range cut inside a day from the intervals, same figures")
  void agentsByDayAgreeAcrossWholeAndPartialDays() {
    var whole = hub.get("/api/v1/reports/agents?" + RANGE + "&agents=" + aliceId, sam).json().getJsonArray("rows");
    var cut = hub.get("/api/v1/reports/agents?from=2026-03-02T08:45:00Z&to=2026-03-02T12:00:00Z&agents=" + aliceId, sam)
        .json().getJsonArray("rows");
    assertThat(whole.size()).isEqualTo(1);
    assertThat(cut.size()).isEqualTo(1);
    assertThat(whole.getJsonObject(0).getLong("answered")).isEqualTo(1);
    assertThat(cut.getJsonObject(0).getLong("answered")).isEqualTo(1);
    assertThat(whole.getJsonObject(0).getLong("availableMs")).isEqualTo(cut.getJsonObject(0).getLong("availableMs"))
        .isEqualTo(1_800_000L);
    // The same period start (the Berlin day) either way.
    assertThat(whole.getJsonObject(0).getString("periodStart")).isEqualTo(cut.getJsonObject(0).getString("periodStart"))
        .isEqualTo("2026-03-02T00:00+01:00");
  }

  @Test
  void theCustomer360ShowsContactsPerChannelRepeatsAndThePreferredChannel() {
    UUID customer = UUID.randomUUID();
    UUID merged = UUID.randomUUID();
    sql("INSERT INTO customers (id, display_name) VALUES ($1, 'K')", customer);
    sql("INSERT INTO customers (id, display_name, merged_into) VALUES ($1, 'K2', $2)", merged, customer);
    OffsetDateTime now = OffsetDateTime.now(java.time.ZoneOffset.UTC);
    contact(customer, "chat", "billing", now.minusDays(2));
    contact(customer, "chat", "billing", now.minusDays(1));   // a repeat: same queue within 7 days
    contact(customer, "email", "general", now.minusDays(10));
    contact(merged, "social", "general", now.minusDays(5));   // counts for the survivor; a repeat of the email (general, 5 days)
    contact(customer, "voice", "general", now.minusDays(100)); // older than 90 days
    var r = hub.get("/api/v1/customers/" + customer + "/kpis", alice);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonObject k = r.json();
    assertThat(k.getLong("contacts")).isEqualTo(4);
    assertThat(k.getJsonObject("contactsByChannel").getMap()).containsOnlyKeys("chat", "email", "social");
    assertThat(k.getJsonObject("contactsByChannel").getLong("chat")).isEqualTo(2);
    assertThat(k.getLong("repeatContacts")).isEqualTo(2);
    assertThat(k.getString("preferredChannel")).isEqualTo("chat");
    assertThat(k.getInteger("days")).isEqualTo(90);
    assertThat(hub.get("/api/v1/customers/" + UUID.randomUUID() + "/kpis", alice).status()).isEqualTo(404);
  }

  private static void contact(UUID customer, String channel, String queue, OffsetDateTime at) {
    UUID conv = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    sql("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, $3)", conv, customer, channel);
    sql("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, created_at, queued_at)"
        + " VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $7)", id, conv, customer, channel, id.toString(), queue, at);
  }

  private static void assertBadRequest(TestHub.Response r, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.isProblem()).isTrue();
    assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo(field);
  }

  private static void assertField(TestHub.Response r, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.isProblem()).isTrue();
    assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo(field);
  }

  private static void sql(String statement, Object... params) {
    await(db.pool().preparedQuery(statement).execute(Tuple.from(params)));
  }

  private static Object one(String statement) {
    return await(db.pool().query(statement).execute()).iterator().next().getValue(0);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
