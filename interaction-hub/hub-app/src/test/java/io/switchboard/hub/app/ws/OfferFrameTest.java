package io.switchboard.hub.app.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.customer.CustomerService;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.core.intake.IntakeService;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.PgUrls;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The offer frame's body ({@link ConsoleViews#offer}) on its own, against PostgreSQL: what it shows (customer through
 * merges, transfer note, preview of long and odd conversations, missing data) and what it costs, counted by PostgreSQL
 * itself ({@code pg_stat_statements}). Issue 12: an offer frame read the interaction, its every message, its routing,
 * the customer, the merged members and their identities, six statements in four round trips one after the other.
 */
@DisplayName("the offer frame's body, read in one statement")
class OfferFrameTest {
  private static final int N = 20;
  private static final AtomicLong numbers = new AtomicLong(20_000_000 + (System.nanoTime() & 0xFFFFFF));
  private static final String EXPIRES = "2030-01-01T00:00:00Z";

  private static Vertx vertx;
  private static Database db;
  private static Stores stores;
  private static IntakeService intake;
  private static CustomerService customers;
  private static ConsoleViews views;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    db = Database.connect(vertx, TestServers.get().newMigratedDatabase(url -> Migrations.apply(PgUrls.parse(url, null))),
        null, 4);
    stores = Stores.over(db);
    IdentityNormalizer normalizer = new IdentityNormalizer("DE");
    intake = new IntakeService(vertx, stores, normalizer);
    customers = new CustomerService(vertx, stores, normalizer);
    views = new ConsoleViews(null, new InteractionQueries(stores), Clock.systemUTC());
    await(db.pool().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
    await(db.pool().query("INSERT INTO queues (id, name) VALUES ('general', 'General') ON CONFLICT DO NOTHING").execute());
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String newMobile() {
    return "+49151" + (numbers.incrementAndGet() % 90_000_000 + 10_000_000);
  }

  private static IntakeResult takenIn(String phone, String text) {
    return await(intake.accept(new InboundContact(Channel.CHAT, "chat-" + UUID.randomUUID(), SenderAddress.phone(phone),
        "Offered Customer", "t-" + UUID.randomUUID(), List.of(), "A subject", new MessageContent.Text(text),
        Map.of("language", "en", "page", "/pricing"), Instant.now())));
  }

  private static void sql(String statement, Object... params) {
    await(db.pool().preparedQuery(statement).execute(Tuple.from(params)));
  }

  /** A message of the interaction written straight into the table, {@code secondsAfter} its first message. */
  private static UUID message(IntakeResult r, String direction, boolean privateNote, String contentJson, int secondsAfter) {
    UUID id = UUID.randomUUID();
    sql("INSERT INTO messages (id, conversation_id, interaction_id, channel, direction, content_type, content, private, status,"
            + " created_at) SELECT $1, conversation_id, id, channel, $2, 'text', $3::text::jsonb, $4, $5,"
            + " created_at + make_interval(secs => $6) FROM interactions WHERE id = $7",
        id, direction, contentJson, privateNote, "inbound".equals(direction) ? "received" : "sent", (double) secondsAfter,
        r.interactionId().value());
    return id;
  }

  private static JsonObject offer(IntakeResult r) {
    return await(views.offer(r.interactionId().toString(), "chat", EXPIRES));
  }

  private static List<String> identityValues(JsonObject frame) {
    List<String> out = new ArrayList<>();
    frame.getJsonObject("customer").getJsonArray("identities").forEach(i -> out.add(((JsonObject) i).getString("value")));
    return out;
  }

  private static long[] counts() {
    Row r = await(db.pool().query(
        "SELECT coalesce(sum(calls) FILTER (WHERE upper(query) NOT IN ('BEGIN', 'COMMIT', 'ROLLBACK')), 0) AS statements,"
            + " coalesce(sum(calls), 0) AS round_trips, coalesce(sum(rows), 0) AS rows"
            + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND query NOT LIKE '%pg_stat_statements%'").execute()).iterator().next();
    return new long[] {r.getLong("statements"), r.getLong("round_trips"), r.getLong("rows")};
  }

  private static final JsonObject ROUTING = new JsonObject().put("rule", "billing-rule").put("queue", "general")
      .put("priority", 3).put("requirements", new JsonArray().add("billing")).put("rulesVersion", 1);

  @Test
  @DisplayName("an offer frame costs one statement (one round trip), its messages bounded however long the conversation")
  void anOfferFrameCostsOneStatement() {
    List<IntakeResult> offered = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      IntakeResult r = takenIn(newMobile(), "hello " + i);
      sql("UPDATE interactions SET routing = $2::text::jsonb, queue_id = 'general' WHERE id = $1", r.interactionId().value(),
          ROUTING.encode());
      // A long conversation: the frame needs only its first inbound message.
      for (int m = 1; m <= 30; m++) {
        message(r, m % 2 == 0 ? "inbound" : "outbound", false, new JsonObject().put("text", "later " + m).encode(), m);
      }
      offered.add(r);
    }
    long[] before = counts();
    List<JsonObject> frames = new ArrayList<>();
    offered.forEach(r -> frames.add(offer(r)));
    long[] after = counts();
    double statements = (double) (after[0] - before[0]) / N;
    double roundTrips = (double) (after[1] - before[1]) / N;
    double rows = (double) (after[2] - before[2]) / N;
    System.out.printf("offer frame: %.2f statements, %.2f round trips and %.2f rows each (%d offers)%n",
        statements, roundTrips, rows, N);

    for (int i = 0; i < N; i++) {
      JsonObject f = frames.get(i);
      assertThat(f.getString("preview")).isEqualTo("hello " + i);
      assertThat(f.getString("queue")).isEqualTo("general");
      assertThat(f.getString("subject")).isEqualTo("A subject");
      assertThat(f.getJsonObject("routing").getString("rule")).isEqualTo("billing-rule");
      assertThat(f.getJsonObject("context").getString("page")).isEqualTo("/pricing");
      assertThat(f.getJsonObject("customer")).isNotNull();
    }
    assertThat(statements).as("statements per offer frame").isLessThanOrEqualTo(1.0);
    assertThat(roundTrips).as("round trips per offer frame").isLessThanOrEqualTo(1.0);
    assertThat(rows).as("rows read per offer frame out of a conversation of 31 messages").isLessThanOrEqualTo(3.0);
  }

  @Test
  @DisplayName("the frame of a customer others were merged into shows it with the identities of all of them")
  void aMergedCustomerShowsTheGoldenRecordWithEveryMembersIdentities() {
    String phoneA = newMobile();
    String phoneB = newMobile();
    String phoneC = newMobile();
    IntakeResult a = takenIn(phoneA, "from A");
    IntakeResult b = takenIn(phoneB, "from B");
    IntakeResult c = takenIn(phoneC, "from C");
    Principal admin = new Principal.System("test");
    // C into B, then B into A: a chain of two merges.
    await(customers.merge(admin, b.customerId(), c.customerId()));
    await(customers.merge(admin, a.customerId(), b.customerId()));

    JsonObject fa = offer(a);
    assertThat(fa.getJsonObject("customer").getString("id")).isEqualTo(a.customerId().toString());
    assertThat(identityValues(fa)).contains(phoneA, phoneB, phoneC);

    // B's interaction began before B was merged: its offer shows the golden record, A, with every identity.
    JsonObject fb = offer(b);
    assertThat(fb.getJsonObject("customer").getString("id")).isEqualTo(a.customerId().toString());
    assertThat(identityValues(fb)).contains(phoneA, phoneB, phoneC);
    assertThat(fb.getString("preview")).isEqualTo("from B");
    JsonObject fc = offer(c);
    assertThat(fc.getJsonObject("customer").getString("id")).isEqualTo(a.customerId().toString());
    assertThat(identityValues(fc)).contains(phoneA, phoneB, phoneC);
  }

  @Test
  @DisplayName("merges that form a cycle (bad data) have no golden record: the frame shows the customer itself and ends")
  void aMergeCycleStillGivesAFrame() {
    String phoneA = newMobile();
    String phoneB = newMobile();
    IntakeResult a = takenIn(phoneA, "cycle A");
    IntakeResult b = takenIn(phoneB, "cycle B");
    sql("UPDATE customers SET merged_into = $2 WHERE id = $1", a.customerId().value(), b.customerId().value());
    sql("UPDATE customers SET merged_into = $2 WHERE id = $1", b.customerId().value(), a.customerId().value());
    JsonObject f = offer(a);
    assertThat(f.getJsonObject("customer").getString("id")).isEqualTo(a.customerId().toString());
    assertThat(identityValues(f)).contains(phoneA, phoneB);
    assertThat(f.getString("preview")).isEqualTo("cycle A");
  }

  @Test
  @DisplayName("a transferred interaction's frame names who transferred it and shows their private note")
  void aTransferShowsItsNote() {
    IntakeResult r = takenIn(newMobile(), "please help");
    for (int m = 1; m <= 40; m++) {
      message(r, "outbound", false, new JsonObject().put("text", "reply " + m).encode(), m);
    }
    UUID note = message(r, "internal", true, new JsonObject().put("text", "VIP, \n wants a refund").encode(), 50);
    long at = Instant.now().minusSeconds(5).toEpochMilli();
    String from = UUID.randomUUID().toString();
    JsonObject routing = ROUTING.copy().put("transfer", new JsonObject().put("from", from).put("by", from).put("at", at)
        .put("to", null).put("noteMessageId", note.toString()));
    sql("UPDATE interactions SET routing = $2::text::jsonb WHERE id = $1", r.interactionId().value(), routing.encode());

    JsonObject f = offer(r);
    JsonObject t = f.getJsonObject("transfer");
    assertThat(t).isNotNull();
    assertThat(t.getString("fromAgentId")).isEqualTo(from);
    assertThat(t.getString("note")).isEqualTo("VIP, \n wants a refund");
    assertThat(t.getString("at")).isEqualTo(Instant.ofEpochMilli(at).toString());
    assertThat(f.getJsonObject("routing").getBoolean("transferred")).isTrue();
    assertThat(f.getString("preview")).isEqualTo("please help");
    assertThat(f.getLong("waitedMs")).isBetween(4_000L, 60_000L);

    // A note id that names no message, or is not an id at all: no note, the frame still goes out whole.
    for (String bad : new String[] {UUID.randomUUID().toString(), "not-a-uuid", "'; DROP TABLE messages; --"}) {
      routing.getJsonObject("transfer").put("noteMessageId", bad);
      sql("UPDATE interactions SET routing = $2::text::jsonb WHERE id = $1", r.interactionId().value(), routing.encode());
      JsonObject g = offer(r);
      assertThat(g.getJsonObject("transfer").getString("note")).as(bad).isNull();
      assertThat(g.getString("preview")).isEqualTo("please help");
    }
    // A note of another interaction is not shown.
    IntakeResult other = takenIn(newMobile(), "someone else");
    UUID foreign = message(other, "internal", true, new JsonObject().put("text", "not yours").encode(), 1);
    routing.getJsonObject("transfer").put("noteMessageId", foreign.toString());
    sql("UPDATE interactions SET routing = $2::text::jsonb WHERE id = $1", r.interactionId().value(), routing.encode());
    assertThat(offer(r).getJsonObject("transfer").getString("note")).isNull();
  }

  @Test
  @DisplayName("the preview is the first inbound message, even after agents wrote first and the customer wrote much more")
  void thePreviewIsTheFirstInboundMessage() {
    IntakeResult r = takenIn(newMobile(), "the very first words");
    message(r, "outbound", false, new JsonObject().put("text", "agent speaks first").encode(), -10);
    message(r, "internal", true, new JsonObject().put("text", "a private note before").encode(), -20);
    for (int m = 1; m <= 200; m++) {
      message(r, "inbound", false, new JsonObject().put("text", "more " + m).encode(), m);
    }
    assertThat(offer(r).getString("preview")).isEqualTo("the very first words");

    // No inbound message at all: the first message that is not private.
    IntakeResult quiet = takenIn(newMobile(), "gone soon");
    sql("UPDATE messages SET direction = 'outbound', status = 'sent' WHERE interaction_id = $1", quiet.interactionId().value());
    message(quiet, "internal", true, new JsonObject().put("text", "secret").encode(), -5);
    message(quiet, "outbound", false, new JsonObject().put("text", "second reply").encode(), 5);
    assertThat(offer(quiet).getString("preview")).isEqualTo("gone soon");

    // A long first message is cut to one line of PREVIEW_CHARS.
    IntakeResult longOne = takenIn(newMobile(), "word\t\n ".repeat(500));
    String p = offer(longOne).getString("preview");
    assertThat(p).hasSize(ConsoleViews.PREVIEW_CHARS).endsWith("…").doesNotContain("\n", "\t");
  }

  @Test
  @DisplayName("an interaction never routed, or whose customer row is gone, still gets a whole frame")
  void missingRoutingOrCustomerStillGivesAFrame() {
    IntakeResult r = takenIn(newMobile(), "not routed yet");
    JsonObject f = offer(r);
    assertThat(f.getValue("routing")).isNull();
    assertThat(f.getValue("transfer")).isNull();
    assertThat(f.getString("preview")).isEqualTo("not routed yet");
    assertThat(f.getLong("waitedMs")).isBetween(0L, 60_000L);
    assertThat(f.getJsonObject("customer").getString("id")).isEqualTo(r.customerId().toString());

    // The customer row gone (only bad data can do this: a foreign key guards it): no customer, the rest as usual.
    IntakeResult gone = takenIn(newMobile(), "customer vanished");
    await(db.pool().withConnection(c -> c.query("SET session_replication_role = replica").execute()
        .compose(x -> c.preparedQuery("DELETE FROM customers WHERE id = $1").execute(Tuple.of(gone.customerId().value())))
        .eventually(() -> c.query("SET session_replication_role = DEFAULT").execute())));
    JsonObject g = offer(gone);
    assertThat(g.getString("interactionId")).isEqualTo(gone.interactionId().toString());
    assertThat(g.getValue("customer")).isNull();
    assertThat(g.getString("preview")).isEqualTo("customer vanished");

    // No such interaction, or not an id: the minimal frame.
    JsonObject none = await(views.offer(UUID.randomUUID().toString(), "chat", EXPIRES));
    assertThat(none.getValue("customer")).isNull();
    assertThat(none.getValue("preview")).isNull();
    assertThat(await(views.offer("garbage", "chat", EXPIRES)).getString("interactionId")).isEqualTo("garbage");
  }

  @Test
  @DisplayName("odd text in the first message (control characters, an escaped NUL, a body of the wrong type) never fails the frame")
  void oddFirstMessagesNeverFailTheFrame() {
    // NUL itself cannot be stored: intake refuses it and jsonb has no \u0000; the nearest things that can be are tried.
    IntakeResult r = takenIn(newMobile(), "placeholder");
    sql("UPDATE messages SET content = $2::text::jsonb WHERE interaction_id = $1", r.interactionId().value(),
        "{\"text\": \"a\\u0001b\\u001b[31m \\\\u0000 \\ud83d\\ude00 \\n\\r\\t end\"}");
    JsonObject f = offer(r);
    assertThat(f.getString("interactionId")).isEqualTo(r.interactionId().toString());
    assertThat(f.getString("preview")).startsWith("a\u0001b").endsWith("end").doesNotContain("\n");

    // A body that is not text: the frame still goes out (at worst the minimal one).
    IntakeResult bad = takenIn(newMobile(), "placeholder");
    sql("UPDATE messages SET content = '{\"text\": 42}'::text::jsonb WHERE interaction_id = $1", bad.interactionId().value());
    assertThat(offer(bad).getString("interactionId")).isEqualTo(bad.interactionId().toString());
    sql("UPDATE messages SET content = '{}'::text::jsonb WHERE interaction_id = $1", bad.interactionId().value());
    assertThat(offer(bad).getString("interactionId")).isEqualTo(bad.interactionId().toString());

    // A broken message later in a long conversation does not spoil the frame: only the messages it shows are read.
    IntakeResult later = takenIn(newMobile(), "fine first");
    message(later, "outbound", false, "{}", 5);
    JsonObject l = offer(later);
    assertThat(l.getString("preview")).isEqualTo("fine first");
    assertThat(l.getJsonObject("customer")).isNotNull();
  }
}
