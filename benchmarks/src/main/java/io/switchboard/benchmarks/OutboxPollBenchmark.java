package io.switchboard.benchmarks;

import static io.switchboard.benchmarks.BenchmarkArgs.option;
import static io.switchboard.benchmarks.BenchmarkArgs.intOption;
import static io.switchboard.benchmarks.BenchmarkArgs.loadAverage;

import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.PgUrls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * The outbox's polls at the size the retention keeps it (issue 12): each relay's poll (the event relay's, the delivery
 * relay's, the webhook dispatcher's) timed over a table of {@code --published} published entries, {@code --since-vacuum}
 * more published since the last vacuum, and pending entries of three families, once on the schema and statements before V90 (the pending index on {@code next_attempt_at}, the
 * event relay's {@code CLAIM} with {@code ($1 IS NULL OR topic LIKE $1)}) and once after (the pending index keyed by
 * family, the claim and the lease naming the family); the event relay's whole pass (and the lease-based pass tried
 * instead, not adopted); then the outbox's own INSERT (the append, 2+ per lifecycle) under pgbench on
 * each schema, beside the same server's raw single-row INSERT commit rate.
 *
 * <p>Each poll runs as the hub's prepared statements do, on the generic plan ({@code --plan-cache-mode}, default
 * {@code force_generic_plan}; a statement {@code PREPARE}d once, then {@code EXECUTE}d), in a transaction rolled back
 * so that every run sees the same rows; the time is the statement's alone, seen by the client (one connection, one
 * poll at a time), mean and percentiles over {@code --polls}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.switchboard.benchmarks.OutboxPollBenchmark --published 200000</pre>
 */
public final class OutboxPollBenchmark {
  // The statements before V90 (main at 9715871), kept here to time them.
  private static final String CLAIM_BEFORE =
      "SELECT id, topic, payload, attempts FROM outbox WHERE published_at IS NULL AND next_attempt_at <= now()"
          + " AND ($1::text IS NULL OR topic LIKE $1) ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED";
  private static final String LEASE_BEFORE =
      "UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $3), attempts = attempts + 1 WHERE id IN ("
          + " SELECT id FROM outbox WHERE published_at IS NULL AND next_attempt_at <= now() AND topic LIKE $1"
          + " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id, topic, payload, attempts";
  private static final String MARK_BEFORE =
      "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1)";
  // OutboxStore.CLAIM and LEASE as of V90.
  private static final String CLAIM_AFTER =
      "SELECT id, topic, payload, attempts FROM outbox WHERE published_at IS NULL AND split_part(topic, '.', 1) = $1"
          + " AND next_attempt_at <= now() AND topic LIKE $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED";
  // Tried and not adopted (BENCHMARKS.md): the relay leasing its batch, then marking it with one statement, no
  // transaction (2 round trips, 1 when nothing is due, but 2 commits and two new row versions per entry).
  private static final String COMPLETE_ALL_TRIED =
      "UPDATE outbox SET published_at = now() WHERE id = ANY($1) AND published_at IS NULL";
  private static final String LEASE_AFTER =
      "UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $4), attempts = attempts + 1 WHERE id IN ("
          + " SELECT id FROM outbox WHERE published_at IS NULL AND split_part(topic, '.', 1) = $1"
          + " AND next_attempt_at <= now() AND topic LIKE $2"
          + " ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING id, topic, payload, attempts";

  /** One relay's poll: its topic pattern, its batch, and how many of its family are due in the table. */
  private record Poll(String who, String pattern, int batch, int due) {
    String family() {
      return pattern.substring(0, pattern.indexOf('.'));
    }
  }

  private static final List<Poll> POLLS = List.of(
      new Poll("OutboxRelay (events)", "event.%", 200, 50),
      new Poll("DeliveryRelay", "delivery.%", 32, 500),
      new Poll("WebhookDispatcher", "webhook.deliver", 20, 1_000));

  private OutboxPollBenchmark() {}

  public static void main(String[] args) throws Exception {
    int published = intOption(args, "--published", 200_000);
    int polls = intOption(args, "--polls", 2_000);
    int sinceVacuum = intOption(args, "--since-vacuum", 20_000);
    // Passes that mark entries put them back after (an UPDATE each), which bloats the table as it goes: fewer of them.
    int passes = intOption(args, "--passes", 300);
    int rawSeconds = intOption(args, "--raw-seconds", 5);
    int insertSeconds = intOption(args, "--insert-seconds", 10);
    String planMode = option(args, "--plan-cache-mode", "force_generic_plan");
    String pgbench = option(args, "--pgbench", "/usr/bin/pgbench");
    Path work = Files.createTempDirectory("switchboard-outbox-");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.startDurable(work.resolve("postgres"), 0)) {
      System.out.printf("machine: %d cores; JDK %s; load average %s%n", Runtime.getRuntime().availableProcessors(),
          Runtime.version(), loadAverage());
      double raw = PgBench.singleRowInserts(pgbench, pg, 16, rawSeconds);
      System.out.printf("raw: %.0f single-row INSERT commits/s (pgbench, 16 clients, %d s)%n", raw, rawSeconds);

      String before = pg.createDatabase("outbox_before");
      String after = pg.createDatabase("outbox_after");
      Migrations.apply(PgUrls.parse(before, null));
      Migrations.apply(PgUrls.parse(after, null));
      try (Connection c = connect(pg, "outbox_before"); Statement s = c.createStatement()) {
        // The schema before V90: the pending index on when an entry is due, over every family.
        s.execute("CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE published_at IS NULL");
        s.execute("DROP INDEX outbox_pending_family");
      }
      for (String db : List.of("outbox_before", "outbox_after")) {
        try (Connection c = connect(pg, db)) {
          fill(c, published, sinceVacuum);
        }
      }
      System.out.printf("table: %,d published entries (VACUUM ANALYZE), %,d more written pending and published since,"
          + " then pending: events 200 not due (waiting for their mark) + 50 due, deliveries 300 leased + 500 due,"
          + " webhooks 1,000 due; plan_cache_mode %s, %,d polls each%n", published, sinceVacuum, planMode, polls);
      System.out.println("| poll | batch | before: first poll µs; mean / p50 / p99 µs | after: first poll µs; mean / p50 / p99 µs |");
      System.out.println("|---|---:|---|---|");
      for (Poll poll : POLLS) {
        boolean claim = poll.pattern().equals("event.%");
        String beforeTimes;
        try (Connection c = connect(pg, "outbox_before")) {
          beforeTimes = claim
              ? time(c, planMode, CLAIM_BEFORE, polls, quote(poll.pattern()) + ", " + poll.batch())
              : time(c, planMode, LEASE_BEFORE, polls, quote(poll.pattern()) + ", " + poll.batch() + ", 30");
        }
        String afterTimes;
        try (Connection c = connect(pg, "outbox_after")) {
          afterTimes = claim
              ? time(c, planMode, CLAIM_AFTER, polls, quote(poll.family()) + ", " + quote(poll.pattern()) + ", " + poll.batch())
              : time(c, planMode, LEASE_AFTER, polls,
                  quote(poll.family()) + ", " + quote(poll.pattern()) + ", " + poll.batch() + ", 30");
        }
        System.out.printf("| %s %s `%s` (%d of its family due) | %d | %s | %s |%n", poll.who(), claim ? "claim" : "lease",
            poll.pattern(), poll.due(), poll.batch(), beforeTimes, afterTimes);
      }

      // The event relay's whole pass, its statements sent one after another (each a round trip): BEGIN, claim, mark,
      // COMMIT; then a pass that finds nothing due (BEGIN, claim, COMMIT). The lease tried instead: lease, mark.
      System.out.println("| event relay pass | before: mean / p50 / p99 µs; PostgreSQL CPU µs per pass (with the"
          + " put-back) | after | tried: lease + one mark, no transaction |");
      System.out.println("|---|---|---|---|");
      String[] rows = new String[6];
      try (Connection c = connect(pg, "outbox_before")) {
        rows[0] = timePass(pg, c, planMode, CLAIM_BEFORE, quote("event.%") + ", 200", MARK_BEFORE, true, passes);
        rows[3] = timePass(pg, c, planMode, CLAIM_BEFORE, quote("survey.%") + ", 200", MARK_BEFORE, true, passes);
      }
      try (Connection c = connect(pg, "outbox_after")) {
        rows[1] = timePass(pg, c, planMode, CLAIM_AFTER, quote("event") + ", " + quote("event.%") + ", 200", MARK_BEFORE,
            true, passes);
        rows[4] = timePass(pg, c, planMode, CLAIM_AFTER, quote("survey") + ", " + quote("survey.%") + ", 200", MARK_BEFORE,
            true, passes);
        rows[2] = timePass(pg, c, planMode, LEASE_AFTER, quote("event") + ", " + quote("event.%") + ", 200, 30",
            COMPLETE_ALL_TRIED, false, passes);
        rows[5] = timePass(pg, c, planMode, LEASE_AFTER, quote("survey") + ", " + quote("survey.%") + ", 200, 30",
            COMPLETE_ALL_TRIED, false, passes);
      }
      System.out.printf("| 50 events due (4 round trips; tried: 2) | %s | %s | %s |%n", rows[0], rows[1], rows[2]);
      System.out.printf("| nothing due (3 round trips; tried: 1) | %s | %s | %s |%n", rows[3], rows[4], rows[5]);

      // The append every lifecycle pays 2+ times, on each schema, alternately (twice each) to even out the machine.
      Path script = Files.createTempFile("outbox-append", ".sql");
      try {
        Files.writeString(script, "INSERT INTO outbox (topic, payload) VALUES ('event.message.created',"
            + " '{\"eventId\": \"00000000-0000-0000-0000-000000000000\", \"type\": \"message.created\"}');\n");
        double[] b = new double[2];
        double[] a = new double[2];
        for (int round = 0; round < 2; round++) {
          b[round] = PgBench.script(pgbench, pg, "outbox_before", script, 16, insertSeconds)[0];
          a[round] = PgBench.script(pgbench, pg, "outbox_after", script, 16, insertSeconds)[0];
        }
        System.out.printf("outbox INSERT commits/s (pgbench, 16 clients, %d s, two rounds): before %.0f, %.0f; after %.0f,"
            + " %.0f (raw single-row INSERT %.0f)%n", insertSeconds, b[0], b[1], a[0], a[1], raw);
      } finally {
        Files.deleteIfExists(script);
      }
      System.out.printf("load average at the end %s%n", loadAverage());
    }
  }

  private static Connection connect(EmbeddedPostgresServer pg, String database) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database, pg.user(),
        pg.password());
  }

  /**
   * The benchmark's shape (as OutboxPollPlanTest's): published history first (vacuumed), then {@code --since-vacuum}
   * entries written pending and published since the last vacuum (their dead versions still in the pending index, as
   * between two autovacuums), then pending entries as they arrive.
   */
  private static void fill(Connection c, int published, int sinceVacuum) throws Exception {
    String topics = "(ARRAY['event.interaction.created', 'event.message.received', 'delivery.send',"
        + " 'event.message.created', 'webhook.deliver'])[1 + i % 5]";
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE outbox SET (autovacuum_enabled = false)");
      s.execute("INSERT INTO outbox (topic, payload, created_at, next_attempt_at, attempts, published_at)"
          + " SELECT " + topics + ", jsonb_build_object('eventId', md5(i::text),"
          + " 'type', 'interaction.created'), now() - interval '2 hours', now() - interval '2 hours', 1,"
          + " now() - interval '2 hours' FROM generate_series(1, " + published + ") AS i");
      s.execute("VACUUM ANALYZE outbox");
      s.execute("INSERT INTO outbox (topic, payload, next_attempt_at) SELECT " + topics + ", jsonb_build_object('eventId',"
          + " md5(i::text)), now() - interval '1 hour' + i * interval '10 ms' FROM generate_series(1, " + sinceVacuum + ") AS i");
      s.execute("UPDATE outbox SET published_at = now(), attempts = 1 WHERE published_at IS NULL");
      pending(s, "event.interaction.created", 200, 30);
      pending(s, "delivery.send", 300, 120);
      pending(s, "webhook.deliver", 1_000, -1);
      pending(s, "delivery.send", 500, -1);
      pending(s, "event.message.created", 50, -1);
      s.execute("ALTER TABLE outbox RESET (autovacuum_enabled)");
    }
  }

  private static void pending(Statement s, String topic, int n, int dueInSeconds) throws Exception {
    s.execute("INSERT INTO outbox (topic, payload, next_attempt_at) SELECT '" + topic + "', jsonb_build_object('i', i),"
        + " now() + make_interval(secs => " + dueInSeconds + ") FROM generate_series(1, " + n + ") AS i");
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /**
   * Prepares {@code sql} as a named server-side statement (as the hub's client does) and executes it with {@code args}
   * {@code n} times (after 50 unmeasured), each in a transaction rolled back; the first run (which meets the dead
   * entries since the vacuum first), then mean / p50 / p99 in µs.
   */
  private static String time(Connection c, String planMode, String sql, int n, String args) throws Exception {
    long[] micros = new long[n];
    long first = -1;
    try (Statement s = c.createStatement()) {
      s.execute("SET plan_cache_mode = " + planMode);
      s.execute("PREPARE poll AS " + sql);
      c.setAutoCommit(false);
      String execute = "EXECUTE poll(" + args + ")";
      for (int i = -50; i < n; i++) {
        long t0 = System.nanoTime();
        int rows = 0;
        try (ResultSet rs = s.executeQuery(execute)) {
          while (rs.next()) {
            rows++;
          }
        }
        long t = (System.nanoTime() - t0) / 1_000;
        c.rollback();
        if (rows == 0) {
          throw new IllegalStateException("the poll took nothing: " + sql);
        }
        if (first < 0) {
          first = t;
        }
        if (i >= 0) {
          micros[i] = t;
        }
      }
      c.setAutoCommit(true);
      s.execute("DEALLOCATE poll");
    }
    Arrays.sort(micros);
    double mean = Arrays.stream(micros).average().orElse(0);
    return String.format("%d; %.0f / %d / %d", first, mean, micros[n / 2], micros[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)]);
  }

  /**
   * The event relay's pass {@code n} times (after 20 unmeasured): {@code take} (a claim in BEGIN/COMMIT when
   * {@code inTransaction}, else a lease on its own), then {@code mark} of what it took; the entries are put back as
   * they were after each pass (not timed) so that every pass finds the same.
   */
  private static String timePass(EmbeddedPostgresServer pg, Connection c, String planMode, String take, String takeArgs,
      String mark, boolean inTransaction, int n) throws Exception {
    long[] micros = new long[n];
    long ticks = 0;
    try (Statement s = c.createStatement()) {
      s.execute("SET plan_cache_mode = " + planMode);
      s.execute("PREPARE take AS " + take);
      s.execute("PREPARE mark AS " + mark);
      for (int i = -20; i < n; i++) {
        if (i == 0) {
          ticks = PgWaits.serverCpuTicks(pg.postmasterPid(), -1);
        }
        List<Long> ids = new java.util.ArrayList<>();
        long t0 = System.nanoTime();
        if (inTransaction) {
          s.execute("BEGIN");
        }
        try (ResultSet rs = s.executeQuery("EXECUTE take(" + takeArgs + ")")) {
          while (rs.next()) {
            ids.add(rs.getLong("id"));
          }
        }
        String array = "ARRAY[" + String.join(",", ids.stream().map(String::valueOf).toList()) + "]::bigint[]";
        if (!ids.isEmpty()) {
          s.execute("EXECUTE mark(" + array + ")");
        }
        if (inTransaction) {
          s.execute("COMMIT");
        }
        long t = (System.nanoTime() - t0) / 1_000;
        if (!ids.isEmpty()) {
          s.execute("UPDATE outbox SET published_at = NULL, attempts = 0, next_attempt_at = now() - interval '1 second'"
              + " WHERE id = ANY(" + array + ")");
        }
        if (i >= 0) {
          micros[i] = t;
        }
      }
      ticks = PgWaits.serverCpuTicks(pg.postmasterPid(), -1) - ticks;
      s.execute("DEALLOCATE take");
      s.execute("DEALLOCATE mark");
    }
    Arrays.sort(micros);
    double mean = Arrays.stream(micros).average().orElse(0);
    return String.format("%.0f / %d / %d; PostgreSQL CPU %.0f", mean, micros[n / 2],
        micros[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)], ticks * 10_000.0 / n);
  }
}
