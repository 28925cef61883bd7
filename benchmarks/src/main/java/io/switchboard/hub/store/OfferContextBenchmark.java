package io.switchboard.hub.store;

import static io.switchboard.benchmarks.BenchmarkArgs.intOption;
import static io.switchboard.benchmarks.BenchmarkArgs.loadAverage;
import static io.switchboard.benchmarks.FutureTimings.await;

import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The offer frame's one statement ({@link OfferContextStore}, issue 12) over a database of realistic size, before and
 * after session 9's rewrite. Lives in hub-store's package to time the store's own statement text.
 *
 * <p>An embedded PostgreSQL 17 (a throwaway data folder, {@code pg_stat_statements} loaded) is filled with set-based
 * SQL: {@code --customers} customers with 1-3 identities each, 6 % of them merged (groups of a golden record with two
 * members merged straight into it and one through a member); {@code --interactions} chat interactions, each in its own
 * conversation of 1-40 messages (inbound and outbound in turn, every 7th a private note, some conversations opened by
 * an agent, a third of the replies with one or two attachments), the last {@code --offered} of them offered (a tenth of
 * those of a merged member, a third transferred with a note); VACUUM ANALYZE.
 *
 * <p>Then, for each statement (before: the text as of main at b1f7c5d, kept here; after: {@code OfferContextStore}'s),
 * and each {@code plan_cache_mode} ({@code auto}, what the hub runs with; {@code force_custom_plan};
 * {@code force_generic_plan}): one connection of the hub's own client (vertx-pg-client, statements prepared and cached
 * per connection), {@code --warmup} reads, then {@code --reads} reads of the offered interactions in a shuffled order,
 * one at a time; the client's p50 / p99 / mean, {@code pg_stat_statements}' mean planning and execution time and plans
 * per call, and the connection's generic and custom plans ({@code pg_prepared_statements}). Last, {@code EXPLAIN
 * (ANALYZE, BUFFERS)} of one offered interaction with a transfer note, a merged customer and the most messages, custom
 * and generic, {@code --explains} times each: median planning and execution time, and what the plan does: how often the
 * attachments sub-plan ran, how the identities were read.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.switchboard.hub.store.OfferContextBenchmark --customers 200000</pre>
 *
 * <p>{@code --hold} keeps the filled server until Enter is pressed (or stdin ends), printing how to reach it with psql.
 */
public final class OfferContextBenchmark {
  private static final UUID AGENT = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
  private static final List<String> MODES = List.of("auto", "force_custom_plan", "force_generic_plan");

  /** {@code OfferContextStore.OFFER_CONTEXT} as of main at b1f7c5d (before session 9), expanded. */
  static final String BEFORE = "WITH RECURSIVE i AS (SELECT id, conversation_id, customer_id, channel, external_id, state,"
      + " queue_id, priority, agent_id, subject, attributes, disposition, created_at, queued_at, offered_at, answered_at,"
      + " wrap_up_at, ended_at, version, routing FROM interactions WHERE id = $1), chain(id, merged_into, depth) AS ("
      + " SELECT id, merged_into, 0 FROM customers WHERE id = (SELECT customer_id FROM i) UNION ALL SELECT c.id,"
      + " c.merged_into, chain.depth + 1 FROM customers c JOIN chain ON c.id = chain.merged_into WHERE chain.depth < 64),"
      + " golden AS (SELECT coalesce((SELECT id FROM chain WHERE merged_into IS NULL LIMIT 1), (SELECT customer_id FROM i))"
      + " AS id), members(id, depth) AS ( SELECT id, 0 FROM customers WHERE id = (SELECT id FROM golden) UNION ALL SELECT"
      + " c.id, members.depth + 1 FROM customers c JOIN members ON c.merged_into = members.id WHERE members.depth < 64),"
      + " note AS (SELECT CASE WHEN n ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN n::uuid END"
      + " AS id FROM (SELECT routing -> 'transfer' ->> 'noteMessageId' AS n FROM i) t), shown AS ((SELECT id FROM messages"
      + " WHERE interaction_id = $1 AND direction = 'inbound' ORDER BY created_at, id LIMIT 1) UNION (SELECT id FROM"
      + " messages WHERE interaction_id = $1 AND NOT private ORDER BY created_at, id LIMIT 1) UNION (SELECT id FROM messages"
      + " WHERE id = (SELECT id FROM note) AND interaction_id = $1)) SELECT i.id AS i_id, i.conversation_id AS"
      + " i_conversation_id, i.customer_id AS i_customer_id, i.channel AS i_channel, i.external_id AS i_external_id,"
      + " i.state AS i_state, i.queue_id AS i_queue_id, i.priority AS i_priority, i.agent_id AS i_agent_id, i.subject AS"
      + " i_subject, i.attributes AS i_attributes, i.disposition AS i_disposition, i.created_at AS i_created_at,"
      + " i.queued_at AS i_queued_at, i.offered_at AS i_offered_at, i.answered_at AS i_answered_at, i.wrap_up_at AS"
      + " i_wrap_up_at, i.ended_at AS i_ended_at, i.version AS i_version, i.routing AS i_routing, c.id AS c_id,"
      + " c.display_name AS c_display_name, c.tier AS c_tier, c.language AS c_language, c.attributes AS c_attributes,"
      + " c.notes AS c_notes, c.merged_into AS c_merged_into, c.version AS c_version, c.created_at AS c_created_at,"
      + " c.updated_at AS c_updated_at, (SELECT coalesce(json_agg(json_build_object('id', ci.id, 'customer_id',"
      + " ci.customer_id, 'kind', ci.kind, 'provider', ci.provider, 'value', ci.value, 'created_at', ci.created_at) ORDER"
      + " BY ci.created_at, ci.id), '[]') FROM customer_identities ci WHERE ci.customer_id IN (SELECT id FROM members)) AS"
      + " c_identities, m.* FROM i LEFT JOIN customers c ON c.id = (SELECT id FROM golden) LEFT JOIN LATERAL (SELECT id,"
      + " conversation_id, interaction_id, channel, external_id, direction, sender_address, sender_name, agent_id, subject,"
      + " content_type, content, private, status, status_reason, created_at, email, provider_message_id, sent_at, (SELECT"
      + " coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'fileName', a.file_name, 'mediaType', a.media_type,"
      + " 'sizeBytes', a.size_bytes, 'sha256', a.sha256) ORDER BY a.created_at, a.id), '[]'::jsonb) FROM attachments a"
      + " WHERE a.message_id = messages.id) AS attachment_list FROM messages WHERE id IN (SELECT id FROM shown)) m ON true"
      + " ORDER BY m.created_at, m.id";

  private OfferContextBenchmark() {}

  public static void main(String[] args) throws Exception {
    int customers = intOption(args, "--customers", 200_000);
    int interactions = intOption(args, "--interactions", 20_000);
    int offered = intOption(args, "--offered", 2_000);
    int warmup = intOption(args, "--warmup", 200);
    int reads = intOption(args, "--reads", 4_000);
    int explains = intOption(args, "--explains", 15);
    boolean hold = Arrays.asList(args).contains("--hold");
    boolean printPlans = Arrays.asList(args).contains("--print-plans");
    if (customers < 100 || offered > interactions) {
      throw new IllegalArgumentException("--customers at least 100, --offered at most --interactions");
    }
    Vertx vertx = Vertx.vertx();
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.startThrowaway()) {
      System.out.printf("machine: %d cores; JDK %s; load average %s%n", Runtime.getRuntime().availableProcessors(),
          Runtime.version(), loadAverage());
      String url = pg.createDatabase("offer");
      Migrations.apply(PgUrls.parse(url, null));
      long t0 = System.nanoTime();
      try (Connection c = connect(pg)) {
        fill(c, customers, interactions, offered, !Arrays.asList(args).contains("--no-analyze"));
        System.out.printf("filled in %.0f s: %s%n", (System.nanoTime() - t0) / 1e9, sizes(c));
      }
      if (hold) {
        System.out.printf("holding: PGPASSWORD=%s psql -h %s -p %d -U %s offer  (Enter ends)%n", pg.password(), pg.host(),
            pg.port(), pg.user());
        System.in.read();
        return;
      }
      List<UUID> ids = new ArrayList<>();
      UUID sample;
      try (Connection c = connect(pg); Statement s = c.createStatement()) {
        try (ResultSet r = s.executeQuery("SELECT id FROM interactions WHERE state = 'offered' ORDER BY id")) {
          while (r.next()) {
            ids.add(r.getObject(1, UUID.class));
          }
        }
        try (ResultSet r = s.executeQuery("SELECT i.id, (SELECT count(*) FROM messages m WHERE m.interaction_id = i.id) AS n,"
            + " c.merged_into IS NOT NULL AS merged FROM interactions i JOIN customers c ON c.id = i.customer_id WHERE i.state = 'offered'"
            + " AND i.routing ? 'transfer' ORDER BY c.merged_into IS NOT NULL DESC, 2 DESC, 1 LIMIT 1")) {
          r.next();
          sample = r.getObject(1, UUID.class);
          System.out.printf("sample for EXPLAIN: interaction %s, %d messages, transferred with a note, customer %s%n",
              sample, r.getLong(2), r.getBoolean(3) ? "merged" : "not merged");
        }
        s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        s.execute("ALTER SYSTEM SET pg_stat_statements.track_planning = on");
        s.execute("SELECT pg_reload_conf()");
      }
      Collections.shuffle(ids, new Random(42));

      System.out.printf("%n%,d offered interactions read %,d times each way, one at a time, after %d unmeasured reads;"
          + " one connection of vertx-pg-client (prepared, cached)%n", ids.size(), reads, warmup);
      System.out.println("| statement | plan_cache_mode | client p50 / p99 / mean µs | pg_stat_statements: mean plan + exec"
          + " ms; plans per call | generic / custom plans on the connection |");
      System.out.println("|---|---|---|---|---|");
      for (String mode : MODES) {
        for (String[] variant : new String[][] {{"before", BEFORE}, {"after", OfferContextStore.OFFER_CONTEXT}}) {
          System.out.printf("| %s | %s | %s |%n", variant[0], mode, timed(vertx, url, mode, variant[1], ids, warmup, reads));
        }
      }

      System.out.printf("%nEXPLAIN (ANALYZE, BUFFERS) of the sample, %d times each (median ms)%n", explains);
      System.out.println("| statement | plan | planning ms | execution ms | shared buffers hit | attachments sub-plan:"
          + " loops | customer_identities read by | messages rows read |");
      System.out.println("|---|---|---:|---:|---:|---|---|---:|");
      try (Connection c = connect(pg)) {
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
          for (String[] variant : new String[][] {{"before", BEFORE}, {"after", OfferContextStore.OFFER_CONTEXT}}) {
            System.out.printf("| %s | %s |%n", variant[0], explained(c, mode, variant[1], sample, explains,
                printPlans ? variant[0] + ", " + mode : null));
          }
        }
      }
      System.out.printf("load average at the end %s%n", loadAverage());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static Connection connect(EmbeddedPostgresServer pg) throws Exception {
    return DriverManager.getConnection(pg.jdbcUrl("offer"), pg.user(), pg.password());
  }

  /**
   * The data, with set-based SQL. Interaction {@code i} has {@code 1 + (37 i mod 40)} messages; ids are md5 of a
   * prefix and the numbers, so every run builds the same rows.
   */
  private static void fill(Connection c, int customers, int interactions, int offered, boolean analyze) throws Exception {
    int groups = (customers - 10) / 50;
    // One row per interaction: its number, message count, customer number, start and whether it is offered.
    String each = "(SELECT i, 1 + (i * 37) % 40 AS n,"
        + " CASE WHEN i % 10 = 0 THEN 50 * ((i / 10) % " + groups + ") + 3 ELSE 1 + (i::bigint * 7919) % " + customers
        + " END AS cust, now() - make_interval(mins => " + interactions + " - i) - interval '10 minutes' AS t0,"
        + " i > " + (interactions - offered) + " AS offered FROM generate_series(1, " + interactions + ") AS i) s";
    // One row per message: k-th of interaction i, with its direction.
    String messages = "(SELECT s.*, k, CASE WHEN k % 7 = 0 THEN 'internal' WHEN k <= 2 AND i % 8 = 0 THEN 'outbound'"
        + " WHEN k % 2 = 1 THEN 'inbound' ELSE 'outbound' END AS dir FROM " + each + ", generate_series(1, s.n) AS k) mk";
    String[] statements = {
      "INSERT INTO agents (id, username, display_name, role, password_hash) VALUES ('" + AGENT + "', 'bench', 'Bench',"
          + " 'agent', 'x')",
      "INSERT INTO queues (id, name) VALUES ('general', 'General') ON CONFLICT DO NOTHING",
      // Customer b+1 and b+2 of each group of 50 merged into b+10, b+3 into b+2 (a chain of two).
      "INSERT INTO customers (id, display_name, tier, language, attributes, notes, merged_into, created_at, updated_at)"
          + " SELECT md5('c' || i)::uuid, 'Kunde ' || i, CASE WHEN i % 10 = 0 THEN 'gold' END, 'de',"
          + " jsonb_build_object('source', 'bench', 'n', i), CASE WHEN i % 4 = 0 THEN 'Rings back in the afternoon' END,"
          + " CASE WHEN i % 50 IN (1, 2) AND i - i % 50 + 10 <= " + customers + " THEN md5('c' || (i - i % 50 + 10))::uuid"
          + " WHEN i % 50 = 3 THEN md5('c' || (i - 1))::uuid END,"
          + " now() - make_interval(mins => i), now() - make_interval(mins => i) FROM generate_series(1, " + customers + ") AS i",
      "INSERT INTO customer_identities (id, customer_id, kind, provider, value, created_at)"
          + " SELECT md5('ci' || i || '-' || k)::uuid, md5('c' || i)::uuid, (ARRAY['phone', 'email', 'handle'])[k],"
          + " CASE k WHEN 3 THEN 'whatsapp' ELSE '' END, CASE k WHEN 1 THEN '+49151' || lpad(i::text, 8, '0')"
          + " WHEN 2 THEN 'kunde' || i || '@example.com' ELSE 'handle' || i END, now() - make_interval(mins => i - k)"
          + " FROM generate_series(1, " + customers + ") AS i, generate_series(1, 1 + i % 3) AS k",
      "INSERT INTO conversations (id, customer_id, channel, thread_key, subject, status, created_at, last_activity_at)"
          + " SELECT md5('v' || i)::uuid, md5('c' || cust)::uuid, 'chat', 'thread-' || i, 'Subject ' || i,"
          + " CASE WHEN offered THEN 'open' ELSE 'closed' END, t0, t0 + make_interval(secs => n) FROM " + each,
      "INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, priority,"
          + " agent_id, subject, attributes, disposition, created_at, queued_at, offered_at, answered_at, ended_at, routing,"
          + " waiting_since) SELECT md5('x' || i)::uuid, md5('v' || i)::uuid, md5('c' || cust)::uuid, 'chat', 'bench-' || i,"
          + " CASE WHEN offered THEN 'offered' ELSE 'ended' END, 'general', i % 3, CASE WHEN NOT offered THEN '" + AGENT
          + "'::uuid END, 'Subject ' || i, jsonb_build_object('language', 'de', 'page', '/pricing/' || i % 17),"
          + " CASE WHEN NOT offered THEN 'resolved' END, t0, t0, t0 + interval '2 seconds',"
          + " CASE WHEN NOT offered THEN t0 + interval '5 seconds' END, CASE WHEN NOT offered THEN t0 + interval '9 minutes' END,"
          + " jsonb_build_object('rule', 'billing-rule', 'queue', 'general', 'priority', 3, 'requirements',"
          + " jsonb_build_array('billing'), 'rulesVersion', 1) || CASE WHEN i % 3 = 0 AND n >= 7 THEN"
          + " jsonb_build_object('transfer', jsonb_build_object('from', '" + AGENT + "', 'by', '" + AGENT + "', 'at',"
          + " (extract(epoch FROM t0) * 1000)::bigint, 'to', null, 'noteMessageId', md5('m' || i || '-' || (7 * (n / 7)))::uuid::text))"
          + " ELSE '{}'::jsonb END, CASE WHEN offered THEN t0 END FROM " + each,
      "INSERT INTO messages (id, conversation_id, interaction_id, channel, direction, sender_address, sender_name, agent_id,"
          + " content_type, content, private, status, created_at, status_at, sent_at)"
          + " SELECT md5('m' || i || '-' || k)::uuid, md5('v' || i)::uuid, md5('x' || i)::uuid, 'chat', dir,"
          + " CASE WHEN dir = 'inbound' THEN '+49151' || lpad(cust::text, 8, '0') END,"
          + " CASE WHEN dir = 'inbound' THEN 'Kunde ' || cust ELSE 'Bench' END,"
          + " CASE WHEN dir <> 'inbound' THEN '" + AGENT + "'::uuid END, 'text',"
          + " jsonb_build_object('text', 'Message ' || k || ' of conversation ' || i || ': ' || repeat('lorem ipsum ', 2 + k % 9)),"
          + " dir = 'internal', CASE dir WHEN 'inbound' THEN 'received' ELSE 'sent' END, t0 + make_interval(secs => k),"
          + " t0 + make_interval(secs => k), CASE WHEN dir = 'outbound' THEN t0 + make_interval(secs => k) END FROM " + messages,
      // One or two attachments on the agent's opening message and on every other reply.
      "INSERT INTO attachments (id, uploaded_by, media_type, file_name, size_bytes, sha256, bytes, created_at, message_id)"
          + " SELECT md5('a' || i || '-' || k || '-' || j)::uuid, '" + AGENT + "', 'application/pdf', 'file-' || j || '.pdf',"
          + " 10000 + k * 100 + j, md5('s' || i || k || j) || md5('t' || i || k || j), decode(md5('b' || i || k || j), 'hex'),"
          + " t0 + make_interval(secs => k), md5('m' || i || '-' || k)::uuid FROM " + messages
          + ", generate_series(1, 1 + (i + k) % 2) AS j WHERE dir = 'outbound' AND (k = 1 OR k % 4 = 2)",
    };
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
      if (analyze) {
        s.execute("VACUUM ANALYZE");
      } else {
        // As a new hub's tables before autovacuum first looks at them: no statistics, only their size.
        for (String table : List.of("customers", "customer_identities", "conversations", "interactions", "messages",
            "attachments")) {
          s.execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
        }
      }
    }
  }

  private static String sizes(Connection c) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Statement s = c.createStatement()) {
      for (String table : List.of("customers", "customer_identities", "conversations", "interactions", "messages",
          "attachments")) {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
          r.next();
          out.append(out.isEmpty() ? "" : ", ").append(String.format("%,d %s", r.getLong(1), table));
        }
      }
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM customers WHERE merged_into IS NOT NULL")) {
        r.next();
        out.append(String.format(" (%,d customers merged)", r.getLong(1)));
      }
    }
    return out.toString();
  }

  /**
   * {@code reads} reads of {@code sql} (after {@code warmup}) on one new connection whose {@code plan_cache_mode} is
   * {@code mode}, as the hub's client makes them; the figures of one table row.
   */
  private static String timed(Vertx vertx, String url, String mode, String sql, List<UUID> ids, int warmup, int reads)
      throws Exception {
    PgConnectOptions options = PgUrls.parse(url, null).addProperty("plan_cache_mode", mode);
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(options).using(vertx).build();
    Duration timeout = Duration.ofSeconds(30);
    try {
      await(pool.query("SELECT pg_stat_statements_reset()").execute(), timeout);
      long[] micros = new long[reads];
      int rows = 0;
      for (int n = -warmup; n < reads; n++) {
        UUID id = ids.get(Math.floorMod(n, ids.size()));
        long t0 = System.nanoTime();
        rows += await(pool.preparedQuery(sql).execute(Tuple.of(id)), timeout).size();
        if (n >= 0) {
          micros[n] = (System.nanoTime() - t0) / 1_000;
        }
      }
      Row plans = await(pool.preparedQuery("SELECT generic_plans, custom_plans FROM pg_prepared_statements"
          + " WHERE statement = $1").execute(Tuple.of(sql)), timeout).iterator().next();
      Row stats = await(pool.query("SELECT calls, plans, mean_plan_time, mean_exec_time FROM pg_stat_statements"
          + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC LIMIT 1")
          .execute(), timeout).iterator().next();
      Arrays.sort(micros);
      double mean = Arrays.stream(micros).average().orElse(0);
      long calls = stats.getLong("calls");
      return String.format("%d / %d / %.0f | %.3f + %.3f; %.2f | %d / %d (%.1f rows a read)", micros[reads / 2],
          micros[(int) Math.min(reads - 1, Math.ceil(reads * 0.99) - 1)], mean, stats.getDouble("mean_plan_time"),
          stats.getDouble("mean_exec_time"), (double) stats.getLong("plans") / calls, plans.getLong("generic_plans"),
          plans.getLong("custom_plans"), (double) rows / (reads + warmup));
    } finally {
      await(pool.close(), timeout);
    }
  }

  /**
   * {@code EXPLAIN (ANALYZE, BUFFERS)} of {@code sql} for {@code id}, prepared with {@code plan_cache_mode} {@code mode},
   * {@code runs} times: median planning and execution time, then what the last run's plan did.
   */
  private static String explained(Connection c, String mode, String sql, UUID id, int runs, String print) throws Exception {
    double[] planning = new double[runs];
    double[] execution = new double[runs];
    JsonObject last = null;
    try (Statement s = c.createStatement()) {
      s.execute("SET plan_cache_mode = " + mode);
      s.execute("PREPARE offer_context AS " + sql);
      String explain = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE offer_context('" + id + "')";
      for (int n = 0; n < runs; n++) {
        try (ResultSet r = s.executeQuery(explain)) {
          r.next();
          last = new JsonArray(r.getString(1)).getJsonObject(0);
        }
        planning[n] = last.getDouble("Planning Time");
        execution[n] = last.getDouble("Execution Time");
      }
      if (print != null) {
        System.out.println("plan (" + print + "):");
        try (ResultSet r = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE offer_context('" + id + "')")) {
          while (r.next()) {
            System.out.println("  " + r.getString(1));
          }
        }
      }
      s.execute("DEALLOCATE offer_context");
      s.execute("RESET plan_cache_mode");
    }
    Arrays.sort(planning);
    Arrays.sort(execution);
    JsonObject plan = last.getJsonObject("Plan");
    List<String> identities = new ArrayList<>();
    long[] attachmentLoops = {0};
    long[] messageRows = {0};
    walk(plan, node -> {
      String relation = node.getString("Relation Name");
      if ("attachments".equals(relation)) {
        attachmentLoops[0] += node.getLong("Actual Loops");
      } else if ("customer_identities".equals(relation)) {
        identities.add(node.getString("Node Type") + (node.containsKey("Index Name") ? " " + node.getString("Index Name") : ""));
      } else if ("messages".equals(relation)) {
        messageRows[0] += node.getLong("Actual Rows") * node.getLong("Actual Loops")
            + node.getLong("Rows Removed by Filter", 0L) * node.getLong("Actual Loops");
      }
    });
    return String.format("%s | %.3f | %.3f | %d | %d | %s | %d", mode, planning[runs / 2], execution[runs / 2],
        plan.getLong("Shared Hit Blocks", 0L), attachmentLoops[0], String.join(", ", identities), messageRows[0]);
  }

  private static void walk(JsonObject node, java.util.function.Consumer<JsonObject> visit) {
    visit.accept(node);
    JsonArray children = node.getJsonArray("Plans");
    if (children != null) {
      for (int i = 0; i < children.size(); i++) {
        walk(children.getJsonObject(i), visit);
      }
    }
  }
}
