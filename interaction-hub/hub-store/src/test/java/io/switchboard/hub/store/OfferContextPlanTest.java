package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The offer frame's statement ({@link OfferContextStore}, issue 12) does the least work whatever plan PostgreSQL picks,
 * checked on the plans it runs, custom and generic (what the hub's prepared statement settles on), executed: over
 * 6,000 customers with 12,000 identities (6 % merged, some through a chain of two), 300 conversations of 20 messages
 * and the offered interaction's 40 messages with attachments, after ANALYZE. The identities are read through their
 * index, not by a scan of the table; attachments are aggregated for the three messages shown only; the prepared
 * statement is planned five times per connection, then runs its generic plan.
 */
class OfferContextPlanTest {
  private static final int CUSTOMERS = 6_000;
  private static final UUID AGENT = UUID.randomUUID();
  private static StoreFixture f;
  private static UUID interaction;
  private static UUID opening;
  private static UUID firstInbound;
  private static UUID note;

  @BeforeAll
  static void start() {
    f = new StoreFixture();
    Await.result(f.exec("INSERT INTO agents (id, username, display_name, role, password_hash)"
        + " VALUES ($1, 'planner', 'Planner', 'agent', 'x')", AGENT));
    // Customers with two identities each, merged as over years of work: in each group of 50, customers 1 and 2 merged
    // into 10, and 3 into 2 (a chain of two), 6 % of all.
    Await.result(f.exec("INSERT INTO customers (id, display_name, merged_into) SELECT md5('plan-c' || i)::uuid,"
        + " 'Kunde ' || i, CASE WHEN i % 50 IN (1, 2) THEN md5('plan-c' || (i - i % 50 + 10))::uuid"
        + " WHEN i % 50 = 3 THEN md5('plan-c' || (i - 1))::uuid END FROM generate_series(1, " + CUSTOMERS + ") AS i"));
    Await.result(f.exec("INSERT INTO customer_identities (id, customer_id, kind, value) SELECT gen_random_uuid(),"
        + " md5('plan-c' || i)::uuid, k, CASE k WHEN 'phone' THEN '+49151' || lpad(i::text, 8, '0')"
        + " ELSE 'kunde' || i || '@example.com' END FROM generate_series(1, " + CUSTOMERS + ") AS i,"
        + " unnest(ARRAY['phone', 'email']) AS k"));
    // Other conversations: 300 interactions of 20 messages, every fourth reply with an attachment.
    Await.result(f.exec("INSERT INTO conversations (id, customer_id, channel) SELECT md5('plan-v' || i)::uuid,"
        + " md5('plan-c' || (10 + i))::uuid, 'chat' FROM generate_series(1, 300) AS i"));
    Await.result(f.exec("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state)"
        + " SELECT md5('plan-x' || i)::uuid, md5('plan-v' || i)::uuid, md5('plan-c' || (10 + i))::uuid, 'chat',"
        + " 'plan-' || i, 'ended' FROM generate_series(1, 300) AS i"));
    Await.result(f.exec("INSERT INTO messages (id, conversation_id, interaction_id, channel, direction, content_type,"
        + " content, private, status, created_at) SELECT md5('plan-m' || i || '-' || k)::uuid, md5('plan-v' || i)::uuid,"
        + " md5('plan-x' || i)::uuid, 'chat', CASE WHEN k % 2 = 1 THEN 'inbound' ELSE 'outbound' END, 'text',"
        + " jsonb_build_object('text', 'message ' || k), false, CASE WHEN k % 2 = 1 THEN 'received' ELSE 'sent' END,"
        + " now() - interval '1 day' + make_interval(secs => k) FROM generate_series(1, 300) AS i,"
        + " generate_series(1, 20) AS k"));
    Await.result(f.exec("INSERT INTO attachments (id, uploaded_by, media_type, file_name, size_bytes, sha256, bytes,"
        + " message_id) SELECT gen_random_uuid(), $1, 'application/pdf', 'f.pdf', 10, md5(id::text) || md5(id::text),"
        + " '\\x00'::bytea, id FROM messages WHERE direction = 'outbound' AND abs(hashtext(id::text)) % 2 = 0", AGENT));

    // The offered interaction, of 'Kunde 3' (golden record: 'Kunde 10'): the agent opened it (with two attachments), then the customer wrote, and
    // so on, 40 messages, every seventh a private note, every fourth reply with an attachment; transferred with the
    // last note.
    UUID customer = uuidOf("plan-c3");
    UUID conversation = f.conversation(customer, "chat", "plan-thread");
    interaction = f.interaction(conversation, customer, "chat", "plan-offered");
    List<UUID> ids = new ArrayList<>();
    for (int k = 1; k <= 40; k++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      String direction = k % 7 == 0 ? "internal" : k == 1 || k % 2 == 0 ? "outbound" : "inbound";
      Await.result(f.exec("INSERT INTO messages (id, conversation_id, interaction_id, channel, direction, agent_id,"
              + " content_type, content, private, status, created_at) VALUES ($1, $2, $3, 'chat', $4, $5, 'text', $6, $7,"
              + " $8, now() - interval '1 hour' + make_interval(secs => $9))",
          id, conversation, interaction, direction, "inbound".equals(direction) ? null : AGENT,
          new JsonObject().put("text", "message " + k), "internal".equals(direction),
          "inbound".equals(direction) ? "received" : "sent", (double) k));
      if (k == 1 || "outbound".equals(direction) && k % 4 == 2) {
        for (int a = 0; a < (k == 1 ? 2 : 1); a++) {
          Await.result(f.exec("INSERT INTO attachments (id, uploaded_by, media_type, file_name, size_bytes, sha256, bytes,"
                  + " message_id) VALUES ($1, $2, 'application/pdf', $3, 10, $4, '\\x00'::bytea, $5)",
              UUID.randomUUID(), AGENT, "file-" + k + "-" + a + ".pdf", "0".repeat(64), id));
        }
      }
    }
    opening = ids.get(0);
    firstInbound = ids.get(2);
    note = ids.get(34);
    Await.result(f.exec("UPDATE interactions SET state = 'offered', queue_id = NULL, routing = $2 WHERE id = $1",
        interaction, new JsonObject().put("queue", "general").put("transfer",
            new JsonObject().put("from", AGENT.toString()).put("noteMessageId", note.toString()))));
    Await.result(f.pool.query("ANALYZE").execute());
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static UUID uuidOf(String text) {
    return f.md5Uuid(text);
  }

  /** The offer context statement's plan for the offered interaction, executed: custom, or generic when {@code generic}. */
  private static JsonObject plan(boolean generic) {
    return Plans.executed(f.pool, OfferContextStore.OFFER_CONTEXT, generic, "'" + interaction + "'");
  }

  private static List<JsonObject> reading(JsonObject plan, String table) {
    return Plans.reading(plan, table);
  }

  @Test
  void theOfferShowsTheOpeningTheFirstInboundMessageAndTheTransfersNoteWithTheirAttachments() {
    var context = Await.result(f.stores.offerContexts().offerContext(f.pool, new InteractionId(interaction))).orElseThrow();

    assertThat(context.messages()).extracting(m -> m.id().value()).containsExactly(opening, firstInbound, note);
    assertThat(context.messages().get(0).attachments()).hasSize(2);
    assertThat(context.messages().get(1).attachments()).isEmpty();
    assertThat(context.customer().id().value()).isEqualTo(uuidOf("plan-c10"));
    assertThat(context.identities()).as("the identities of 'Kunde' 10, 1, 2 and 3").hasSize(8);
  }

  @Test
  void theIdentitiesAreReadThroughTheirIndexNotByAScanOfTheTable() {
    for (boolean generic : new boolean[] {false, true}) {
      JsonObject plan = plan(generic);
      List<JsonObject> identities = reading(plan, "customer_identities");

      assertThat(identities).as("%s plan reads the identities%n%s", generic ? "generic" : "custom", plan.encodePrettily())
          .isNotEmpty();
      assertThat(identities).extracting(n -> n.getString("Node Type"))
          .as("%s plan: how customer_identities (%,d rows) is read%n%s", generic ? "generic" : "custom",
              2 * CUSTOMERS, plan.encodePrettily())
          .doesNotContain("Seq Scan");
    }
  }

  @Test
  void attachmentsAreReadForTheMessagesShownOnly() {
    for (boolean generic : new boolean[] {false, true}) {
      JsonObject plan = plan(generic);
      List<JsonObject> attachments = reading(plan, "attachments");

      assertThat(plan.getLong("Actual Rows")).as("messages shown").isEqualTo(3);
      assertThat(attachments).isNotEmpty();
      assertThat(attachments).extracting(n -> n.getLong("Actual Loops"))
          .as("%s plan: times the attachments of a message were read (3 messages shown of 40)%n%s",
              generic ? "generic" : "custom", plan.encodePrettily())
          .allMatch(loops -> loops <= 3);
    }
  }

  @Test
  void theHubsPreparedStatementIsPlannedFiveTimesPerConnectionThenRunsItsGenericPlan() {
    PgConnectOptions o = f.db.options();
    // A pool of one connection built as the hub builds its own (Database.connect): statements prepared and cached.
    Database one = Database.connect(f.vertx, "postgresql://" + o.getUser() + "@" + o.getHost() + ":" + o.getPort() + "/"
        + o.getDatabase(), o.getPassword(), 1);
    try {
      for (int n = 0; n < 20; n++) {
        List<Message> shown = Await.result(f.stores.offerContexts().offerContext(one.pool(), new InteractionId(interaction)))
            .orElseThrow().messages();
        assertThat(shown).hasSize(3);
      }
      Row plans = Await.result(one.pool().preparedQuery("SELECT generic_plans, custom_plans FROM pg_prepared_statements"
          + " WHERE statement = $1").execute(Tuple.of(OfferContextStore.OFFER_CONTEXT))).iterator().next();

      assertThat(plans.getLong("custom_plans")).as("custom plans (each planned afresh)").isEqualTo(5);
      assertThat(plans.getLong("generic_plans")).as("runs of the generic plan (planned once)").isEqualTo(15);
    } finally {
      one.close();
    }
  }
}
