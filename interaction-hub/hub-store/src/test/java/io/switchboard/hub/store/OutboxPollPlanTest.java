package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox's polls cost what is due in their own topic family, however big the table (issue 12): the table of the
 * load benchmark's shape — 200,000 published entries kept for the retention, then pending entries of three families
 * — and the plan PostgreSQL runs for each relay's poll (the generic plan, which the client's prepared statements
 * settle on), executed and counted: the rows the scans of the outbox read (returned plus removed by a filter), besides
 * the primary-key lookups of the rows taken.
 */
class OutboxPollPlanTest {
  private static final int PUBLISHED = 200_000;
  private static final int EVENTS_DUE = 50;
  private static final int DELIVERIES_DUE = 500;
  private static final int WEBHOOKS_DUE = 1_000;
  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture();
    slow(f.exec("INSERT INTO outbox (topic, payload, created_at, next_attempt_at, attempts, published_at)"
        + " SELECT (ARRAY['event.interaction.created', 'event.message.received', 'delivery.send', 'event.message.created',"
        + " 'webhook.deliver'])[1 + i % 5], jsonb_build_object('eventId', md5(i::text), 'type', 'interaction.created'),"
        + " now() - interval '1 hour', now() - interval '1 hour', 1, now() - interval '1 hour'"
        + " FROM generate_series(1, " + PUBLISHED + ") AS i"));
    // Pending, interleaved as they are written: intake events waiting for their mark (due after the grace), deliveries
    // under a lease, and what is due now of each family.
    pending("event.interaction.created", 200, 30);
    pending("delivery.send", 300, 120);
    pending("webhook.deliver", WEBHOOKS_DUE, -1);
    pending("delivery.send", DELIVERIES_DUE, -1);
    pending("event.message.created", EVENTS_DUE, -1);
    slow(f.pool.query("VACUUM ANALYZE outbox").execute());
  }

  /** Filling the table takes longer than a statement's usual wait on a busy machine. */
  private static void slow(io.vertx.core.Future<?> work) {
    try {
      work.toCompletionStage().toCompletableFuture().get(3, java.util.concurrent.TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new AssertionError("filling the outbox failed", e);
    }
  }

  private static void pending(String topic, int n, double dueInSeconds) {
    Await.result(f.exec("INSERT INTO outbox (topic, payload, next_attempt_at) SELECT $1, jsonb_build_object('i', i),"
        + " now() + make_interval(secs => $2) FROM generate_series(1, " + n + ") AS i", topic, dueInSeconds));
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  /**
   * Runs {@code sql} as a prepared statement's generic plan with {@code args} (in a transaction rolled back: a lease
   * changes rows, a claim locks them) and returns that plan with what each node did.
   */
  private static JsonObject generic(String sql, Tuple args) {
    List<String> literals = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      Object v = args.getValue(i);
      literals.add(v instanceof String s ? "'" + s.replace("'", "''") + "'" : String.valueOf(v));
    }
    String explained = Await.result(f.pool.getConnection().compose(c -> c.begin().compose(tx ->
            c.query("SET LOCAL plan_cache_mode = force_generic_plan").execute()
                .compose(x -> c.query("PREPARE poll AS " + sql).execute())
                .compose(x -> c.query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE poll(" + String.join(", ", literals) + ")")
                    .execute())
                .map(rows -> rows.iterator().next().getValue(0).toString())
                .eventually(() -> tx.rollback().compose(x -> c.query("DEALLOCATE poll").execute())))
        .eventually(c::close)));
    return new JsonArray(explained).getJsonObject(0).getJsonObject("Plan");
  }

  /** Outbox rows the plan's scans read (returned or filtered out), the primary-key lookups of taken rows aside. */
  private static long rowsRead(JsonObject node) {
    long n = 0;
    if (node.getString("Node Type").endsWith("Scan") && "outbox".equals(node.getString("Relation Name"))
        && !"outbox_pkey".equals(node.getString("Index Name"))) {
      n += node.getLong("Actual Rows", 0L) * node.getLong("Actual Loops", 1L)
          + node.getLong("Rows Removed by Filter", 0L) + node.getLong("Rows Removed by Index Recheck", 0L);
    }
    for (Object child : node.getJsonArray("Plans", new JsonArray())) {
      n += rowsRead((JsonObject) child);
    }
    return n;
  }

  private static boolean seqScan(JsonObject node) {
    if ("Seq Scan".equals(node.getString("Node Type"))) {
      return true;
    }
    for (Object child : node.getJsonArray("Plans", new JsonArray())) {
      if (seqScan((JsonObject) child)) {
        return true;
      }
    }
    return false;
  }

  private static void assertReadsOnlyItsOwnDueEntries(String pattern, String sql, Tuple args, int limit, int due) {
    JsonObject plan = generic(sql, args);

    assertThat(seqScan(plan)).as("%s: no scan of the whole outbox%n%s", pattern, plan.encodePrettily()).isFalse();
    assertThat(rowsRead(plan))
        .as("%s: rows read by the poll (%d of its family due, %d published in the table)%n%s", pattern, due, PUBLISHED,
            plan.encodePrettily())
        .isLessThanOrEqualTo(due);
    assertThat(plan.getLong("Actual Rows")).as("%s: entries taken", pattern).isEqualTo(Math.min(limit, due));
  }

  @Test
  void theEventRelaysClaimReadsOnlyDueEvents() {
    assertReadsOnlyItsOwnDueEntries("event.%", OutboxStore.CLAIM, OutboxStore.claimArgs("event.%", 200), 200, EVENTS_DUE);
  }

  @Test
  void theDeliveryRelaysLeaseReadsOnlyDueDeliveries() {
    assertReadsOnlyItsOwnDueEntries("delivery.%", OutboxStore.LEASE,
        OutboxStore.leaseArgs("delivery.%", 32, Duration.ofSeconds(30)), 32, DELIVERIES_DUE);
  }

  @Test
  void theWebhookDispatchersLeaseReadsOnlyDueWebhooks() {
    assertReadsOnlyItsOwnDueEntries("webhook.deliver", OutboxStore.LEASE,
        OutboxStore.leaseArgs("webhook.deliver", 20, Duration.ofSeconds(30)), 20, WEBHOOKS_DUE);
  }
}
