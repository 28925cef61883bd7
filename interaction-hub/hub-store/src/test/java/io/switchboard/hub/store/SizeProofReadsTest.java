package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.CustomerId;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads that stay fast as the tables grow (issue 12.5), checked on the plans PostgreSQL chooses for the stores' own
 * statements over tens of thousands of rows: customer name search through a trigram index (pg_trgm ships with the
 * embedded PostgreSQL), a customer's history paged by an index range on (customer, created_at, id) — keyset, no
 * OFFSET, no sort of the customer's whole history.
 */
class SizeProofReadsTest {
  private static final int CUSTOMERS = 20_000;
  private static StoreFixture f;
  private static UUID busy;

  @BeforeAll
  static void start() {
    f = new StoreFixture();
    // 20,000 customers with made-up names; one of them (busy) with 2,000 interactions, the rest one each.
    Await.result(f.exec("INSERT INTO customers (id, display_name, created_at)"
        + " SELECT gen_random_uuid(), 'Kunde ' || md5(i::text), now() - make_interval(secs => i)"
        + " FROM generate_series(1, " + CUSTOMERS + ") AS i"));
    busy = f.customer("Berta Vielschreiber");
    UUID conversation = f.conversation(busy, "chat", null);
    Await.result(f.exec("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, created_at)"
        + " SELECT gen_random_uuid(), $1, $2, 'chat', 'busy-' || i, 'ended', now() - make_interval(mins => i)"
        + " FROM generate_series(1, 2000) AS i", conversation, busy));
    Await.result(f.exec("INSERT INTO conversations (id, customer_id, channel)"
        + " SELECT gen_random_uuid(), id, 'chat' FROM customers WHERE id <> $1", busy));
    Await.result(f.exec("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state)"
        + " SELECT gen_random_uuid(), c.id, c.customer_id, 'chat', 'one-' || c.id, 'ended' FROM conversations c"
        + " WHERE c.customer_id <> $1", busy));
    // Open work is a sliver of the table: 300 queued, 40 in 'created' (their event missed), 200 assigned.
    Await.result(f.exec("UPDATE interactions SET state = 'queued', waiting_since = created_at, routing = '{}'::jsonb"
        + " WHERE id IN (SELECT id FROM interactions WHERE customer_id <> $1 ORDER BY id LIMIT 300)", busy));
    Await.result(f.exec("UPDATE interactions SET state = 'created', created_at = now() - interval '1 hour'"
        + " WHERE id IN (SELECT id FROM interactions WHERE state = 'ended' AND customer_id <> $1 ORDER BY id LIMIT 40)", busy));
    // As autovacuum would: statistics, and the GIN index's own counts its cost estimate reads.
    Await.result(f.pool.query("VACUUM ANALYZE customers").execute());
    Await.result(f.pool.query("VACUUM ANALYZE interactions").execute());
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  /** The plan of {@code sql}: the generic one (what a prepared statement settles on) when {@code generic}. */
  private static String plan(boolean generic, String sql, Object... params) {
    StringBuilder out = new StringBuilder();
    Await.result(f.pool.withTransaction(c -> c.query("SET LOCAL plan_cache_mode = "
            + (generic ? "force_generic_plan" : "auto")).execute()
        .compose(x -> c.preparedQuery("EXPLAIN " + sql).execute(Tuple.from(params)))))
        .forEach(r -> out.append(r.getString(0)).append('\n'));
    return out.toString();
  }

  @Test
  void theEmbeddedPostgresqlHasTrigramsAndTheMigrationInstalledThem() {
    assertThat(f.pool.query("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'").execute()
        .map(rows -> rows.size()).toCompletionStage().toCompletableFuture().join()).isEqualTo(1);
  }

  @Test
  void nameSearchUsesTheTrigramIndexNotAScanOfEveryCustomer() {
    String plan = plan(false, CustomerStore.SEARCH_BY_NAME, "%vielschreib%", 20, 0);

    assertThat(plan).contains("customers_name_trgm").doesNotContain("Seq Scan on customers");
  }

  @Test
  void nameSearchFindsAFragmentAnywhereInTheNameWhateverItsCase() {
    var found = Await.result(f.stores.customers().searchByName(f.db, "VIELSCHREIB", 20, 0));
    var none = Await.result(f.stores.customers().searchByName(f.db, "%", 20, 0));

    assertThat(found).extracting(c -> c.id().value()).containsExactly(busy);
    assertThat(none).as("a % in the fragment is a character, not a wildcard").isEmpty();
  }

  @Test
  void historyPagesAreAnIndexRangeOfTheCustomerNotASortOfTheirWholeHistory() {
    Row middle = Await.result(f.pool.preparedQuery("SELECT created_at, id FROM interactions WHERE customer_id = $1"
        + " ORDER BY created_at DESC, id DESC OFFSET 1000 LIMIT 1").execute(Tuple.of(busy))).iterator().next();
    OffsetDateTime at = middle.getOffsetDateTime("created_at");

    for (boolean generic : new boolean[] {false, true}) {
      String plan = plan(generic, InteractionStore.OF_CUSTOMERS, new UUID[] {busy}, at, middle.getUUID("id"), 25);

      assertThat(plan).contains("Backward using interactions_customer_history").doesNotContain("interactions_created_at")
        .doesNotContain("Seq Scan");
      assertThat(plan).as("the cursor bounds the index scan").containsPattern("Index Cond: .*ROW\\(created_at, id\\) <");
    }
  }

  @Test
  void theInteractionsTableKeepsTheIndexesItsQueriesNeedAndNoMore() {
    List<String> names = new java.util.ArrayList<>();
    Await.result(f.pool.query("SELECT indexname FROM pg_indexes WHERE tablename = 'interactions' ORDER BY 1").execute())
        .forEach(r -> names.add(r.getString(0)));

    // Issue 12.2 counted 10 besides the primary key; the full (state, queue_id, created_at) and the waiting index are
    // one partial index over open work now, interactions_customer became the history index.
    assertThat(names).containsExactlyInAnyOrder("interactions_pkey", "interactions_channel_external_id_key",
        "interactions_open", "interactions_customer_history", "interactions_agent", "interactions_conversation",
        "interactions_queued_at", "interactions_answered_at", "interactions_ended_at", "interactions_created_at");
    assertThat(Await.result(f.pool.query("SELECT reloptions::text FROM pg_class WHERE relname = 'interactions'").execute())
        .iterator().next().getString(0)).contains("fillfactor=85");
  }

  @Test
  void openWorkIsFoundThroughThePartialIndexOverOpenRows() {
    assertThat(plan(false, RoutingStore.WAITING)).contains("interactions_open").doesNotContain("Seq Scan");
    assertThat(plan(false, RoutingStore.STUCK_CREATED, OffsetDateTime.now().minusMinutes(1)))
        .contains("interactions_open").doesNotContain("Seq Scan");
    assertThat(plan(true, RoutingStore.WAITING)).contains("interactions_open").doesNotContain("Seq Scan");
  }

  @Test
  void historyPagesFollowOneAnotherWithoutGapsOrRepeats() {
    List<UUID> all = new java.util.ArrayList<>();
    InteractionStore.Cursor cursor = null;
    for (int page = 0; page < 100; page++) {
      var rows = Await.result(f.stores.interactions().ofCustomers(f.pool, List.of(new CustomerId(busy)), cursor, 150));
      if (rows.isEmpty()) {
        break;
      }
      rows.forEach(i -> all.add(i.id().value()));
      var last = rows.get(rows.size() - 1);
      cursor = new InteractionStore.Cursor(last.createdAt(), last.id().value());
    }

    assertThat(all).hasSize(2000).doesNotHaveDuplicates();
  }
}
