package io.switchboard.benchmarks;

import static io.switchboard.benchmarks.BenchmarkArgs.option;
import static io.switchboard.benchmarks.BenchmarkArgs.intOption;

import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.ReportStore;
import io.switchboard.hub.store.ReportStore.Dimension;
import io.switchboard.hub.store.ReportStore.Query;
import io.switchboard.hub.store.ReportStore.Unit;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A month report from the report tables over a month of generated traffic (issue #16: "a report for a month over
 * 1 M interactions must answer within a second from the report tables"; docs/reports.md, BENCHMARKS.md).
 *
 * <p>Against an embedded PostgreSQL 17 (a throwaway data folder, removed at the end or on Ctrl-C):
 *
 * <ol>
 *   <li>pgbench (TPC-B-like, 4 clients) in the same run, the machine's raw database limit;</li>
 *   <li>a month (30 days from {@code --month}) of traffic generated with set-based SQL: {@code --interactions}
 *       interactions over 8 queues and 4 channels, day-shaped arrival (busier 8-18 h), 88 % answered by one of
 *       {@code --agents} agents (each with its {@code assigned} transition), the rest abandoned; 20 % of the
 *       handled surveyed, 35 % of those answered; customers coming back (first-contact resolution has work to do);
 *       agents' state changes (a shift a day with a break);</li>
 *   <li>the report tables built for the month by the job's own code ({@code ReportStore.markRange} then
 *       {@code computeNext} 96 intervals at a time, with the agents' day roll-ups) — how long a full rebuild takes;</li>
 *   <li>the month report per queue and per agent (day and week periods, and the month in 15-minute periods per
 *       queue), streamed through a cursor exactly as {@code GET /api/v1/reports/...} does: 3 warm-up reads, then
 *       {@code --rounds} timed reads each; median, 95th percentile and maximum.</li>
 * </ol>
 *
 * <p>Options: {@code --interactions 1050000 --agents 200 --month 2026-11-01 --rounds 20 --pgbench /usr/bin/pgbench
 * --pgbench-seconds 20 --fetch 1000} ({@code --fetch}: the month by 15 minutes once more with that cursor fetch size); {@code --direct} skips the traffic and the build and fills the report tables straight to the
 * sizes the full run gives them and builds the agents' day roll-ups from them with {@code ReportStore.syncDays} (for timing
 * the reads alone, in minutes instead of half an hour on a busy machine).
 */
public final class ReportBenchmark {
  private ReportBenchmark() {}

  public static void main(String[] args) throws Exception {
    int interactions = intOption(args, "--interactions", 1_050_000);
    int agents = intOption(args, "--agents", 200);
    LocalDate month = LocalDate.parse(option(args, "--month", "2026-11-01"));
    int rounds = intOption(args, "--rounds", 20);
    String pgbench = option(args, "--pgbench", "/usr/bin/pgbench");
    int pgbenchSeconds = intOption(args, "--pgbench-seconds", 20);
    boolean direct = List.of(args).contains("--direct");
    int fetch = intOption(args, "--fetch", ReportStore.STREAM_FETCH);
    ZoneId zone = ZoneId.of("Europe/Berlin");
    Instant from = month.atStartOfDay(zone).toInstant();
    Instant to = month.plusDays(30).atStartOfDay(zone).toInstant();

    Vertx vertx = Vertx.vertx();
    EmbeddedPostgresServer pg = EmbeddedPostgresServer.startThrowaway();
    Thread stopPg = new Thread(pg::close, "stop-embedded-postgres");
    Runtime.getRuntime().addShutdownHook(stopPg);
    Database db = null;
    try {
      System.out.printf("machine: %d cores, %s; JDK %s; PostgreSQL embedded (%s)%n", Runtime.getRuntime().availableProcessors(),
          cpuModel(), Runtime.version(), pg.url("bench").replaceAll("//[^@]*@", "//"));
      PgBench.createDatabase(pg, "bench");
      db = Database.connect(vertx, pg.url("bench"), null, 4);
      Migrations.apply(db.options());
      String raw = PgBench.run(pgbench, pg, pgbenchSeconds);

      ReportStore store = new ReportStore();
      List<String> lines = new ArrayList<>();
      lines.add(raw);
      if (direct) {
        // The report tables filled straight to the sizes a month of 1.05 M interactions gives them (measured by the
        // full run: 91,950 queue rows, 877,689 agent rows, 216,000 agent state rows), without the traffic behind them.
        long t0 = System.nanoTime();
        fillReportTables(pg, agents, from);
        long filled = System.nanoTime() - t0;
        // The day roll-ups built from those rows by the job's own code (what its first run after an upgrade does).
        long t1 = System.nanoTime();
        await(store.syncDays(db, zone.getId()));
        lines.add(String.format("report tables filled directly in %.1f s, day roll-ups built from them in %.1f s: %s", filled / 1e9,
            (System.nanoTime() - t1) / 1e9, reportCounts(pg)));
      } else {
        long t0 = System.nanoTime();
        generate(pg, interactions, agents, from);
        long generated = System.nanoTime() - t0;
        System.out.printf("generated in %.1f s: %s%n", generated / 1e9, counts(pg));
        long t1 = System.nanoTime();
        await(store.markRange(db, from, to));
        int intervals = 0;
        while (true) {
          int n = await(store.computeNext(db, 96, 7, to, zone.getId()));
          if (n == 0) {
            break;
          }
          intervals += n;
        }
        long built = System.nanoTime() - t1;
        System.out.printf("report tables built for %,d intervals in %.1f s (%.0f ms per day of traffic): %s%n", intervals,
            built / 1e9, built / 1e6 / 30, reportCounts(pg));
        lines.add(String.format("generated %s in %.1f s; report tables built in %.1f s: %s", counts(pg), generated / 1e9,
            built / 1e9, reportCounts(pg)));
      }
      analyze(pg);

      for (Object[] c : new Object[][] {
          {Dimension.QUEUES, Unit.DAY}, {Dimension.QUEUES, Unit.WEEK}, {Dimension.AGENTS, Unit.DAY}, {Dimension.AGENTS, Unit.WEEK},
          {Dimension.CHANNELS, Unit.DAY}, {Dimension.QUEUES, Unit.MINUTES_15}}) {
        Query q = new Query((Dimension) c[0], (Unit) c[1], from, to, zone.getId(), null, null, null);
        lines.add(measure(db, store, q, rounds, ReportStore.STREAM_FETCH));
      }
      if (fetch != ReportStore.STREAM_FETCH) {
        // The longest report again with another cursor fetch size, for comparison.
        lines.add(measure(db, store, new Query(Dimension.QUEUES, Unit.MINUTES_15, from, to, zone.getId(), null, null, null), rounds, fetch));
      }
      System.out.println();
      System.out.println("== summary ==");
      lines.forEach(System.out::println);
    } finally {
      if (db != null) {
        db.close();
      }
      vertx.close();
      pg.close();
      Runtime.getRuntime().removeShutdownHook(stopPg);
    }
  }

  /** Streams the report {@code rounds} times after 3 warm-up reads; median, p95, max in ms. */
  private static String measure(Database db, ReportStore store, Query q, int rounds, int fetch) {
    long rows = 0;
    for (int i = 0; i < 3; i++) {
      rows = stream(db, store, q, fetch);
    }
    long[] ms = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long t = System.nanoTime();
      stream(db, store, q, fetch);
      ms[i] = (System.nanoTime() - t) / 1_000;
    }
    Arrays.sort(ms);
    String line = String.format("month per %s by %s: %,d rows; median %.1f ms, p95 %.1f ms, max %.1f ms (%d reads, %d rows a fetch)",
        q.dimension().name().toLowerCase(), q.unit().name().toLowerCase(), rows, ms[rounds / 2] / 1e3,
        ms[(int) Math.ceil(rounds * 0.95) - 1] / 1e3, ms[rounds - 1] / 1e3, rounds, fetch);
    System.out.println(line);
    return line;
  }

  private static long stream(Database db, ReportStore store, Query q, int fetch) {
    return await(store.stream(db, q, fetch, new ReportStore.RowSink() {
      @Override
      public void write(ReportStore.ReportRow row) {
        // written and dropped: the time is the database's and the cursor's
      }

      @Override
      public boolean full() {
        return false;
      }

      @Override
      public void onDrain(Runnable resume) {
        resume.run();
      }
    }));
  }

  /** The month's traffic, set-based (see the class comment). */
  private static void generate(EmbeddedPostgresServer pg, int n, int agents, Instant from) throws Exception {
    String start = from.toString();
    int customers = Math.max(1000, n / 3);
    List<String> sql = List.of(
        "SET synchronous_commit = off",
        """
        INSERT INTO queues (id, name, service_level_seconds)
        SELECT q, initcap(q), s FROM (VALUES ('general', 20), ('billing', 30), ('tech-support', 60), ('vip', 15),
          ('sales', 20), ('returns', 30), ('claims', 120), ('social-care', 300)) v(q, s) ON CONFLICT DO NOTHING""",
        "INSERT INTO agents (id, username, display_name, role, password_hash) SELECT gen_random_uuid(), 'agent' || g, 'Agent ' || g,"
            + " 'agent', 'x' FROM generate_series(1, " + agents + ") g",
        "CREATE TEMP TABLE a AS SELECT row_number() OVER (ORDER BY username) AS n, id FROM agents",
        "CREATE TEMP TABLE q AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM queues",
        "INSERT INTO customers (id, display_name) SELECT gen_random_uuid(), 'Customer ' || g FROM generate_series(1, " + customers + ") g",
        "CREATE TEMP TABLE c AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM customers",
        // One row per interaction: when (day-shaped: two thirds between 8 and 18 h), which queue, channel, customer,
        // agent, whether answered, waits and handling.
        """
        CREATE TEMP TABLE gen AS
        SELECT g, gen_random_uuid() AS id, gen_random_uuid() AS conv,
               timestamptz '%1$s' + make_interval(days => (g %% 30)::int)
                 + CASE WHEN random() < 0.67 THEN make_interval(secs => 8 * 3600 + random() * 36000)
                        ELSE make_interval(secs => random() * 86400) END AS created,
               1 + (hashint4(g * 7 + 1) & 2147483647) %% 8 AS qn,
               (ARRAY['voice','email','chat','social'])[1 + (hashint4(g * 13 + 5) & 2147483647) %% 4] AS channel,
               1 + (hashint4(g) & 2147483647) %% %2$d AS cn, 1 + (g / 32 %% %3$d) AS an,
               random() < 0.88 AS answered, random() * 120 AS wait_s, 60 + random() * 600 AS handle_s,
               random() < 0.2 AS surveyed, random() AS r
          FROM generate_series(1, %4$d) g""".formatted(start, customers, agents, n),
        "INSERT INTO conversations (id, customer_id, channel, created_at, last_activity_at, status)"
            + " SELECT gen.conv, c.id, gen.channel, gen.created, gen.created, 'closed' FROM gen JOIN c ON c.n = gen.cn",
        """
        INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id, agent_id, created_at,
            queued_at, offered_at, answered_at, wrap_up_at, ended_at)
        SELECT gen.id, gen.conv, c.id, gen.channel, 'bench-' || gen.g, CASE WHEN answered THEN 'ended' ELSE 'abandoned' END,
               q.id, CASE WHEN answered THEN a.id END, created, created,
               CASE WHEN answered THEN created + make_interval(secs => wait_s * 0.9) END,
               CASE WHEN answered THEN created + make_interval(secs => wait_s) END,
               CASE WHEN answered THEN created + make_interval(secs => wait_s + handle_s) END,
               created + make_interval(secs => wait_s + CASE WHEN answered THEN handle_s + 30 ELSE 0 END)
          FROM gen JOIN c ON c.n = gen.cn JOIN q ON q.n = gen.qn JOIN a ON a.n = gen.an""",
        """
        INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, at)
        SELECT i.id, 'offered', 'assigned', i.queue_id, i.agent_id, i.answered_at FROM interactions i WHERE i.answered_at IS NOT NULL""",
        """
        INSERT INTO csat_surveys (interaction_id, customer_id, channel, queue_id, agent_id, via, status, sent_at, expires_at, rating,
            answered_at)
        SELECT i.id, i.customer_id, i.channel, i.queue_id, i.agent_id, 'email',
               CASE WHEN gen.r < 0.35 THEN 'answered' ELSE 'sent' END, i.ended_at, i.ended_at + interval '7 days',
               CASE WHEN gen.r < 0.35 THEN 1 + (gen.g % 5) END, CASE WHEN gen.r < 0.35 THEN i.ended_at + interval '1 hour' END
          FROM gen JOIN interactions i ON i.id = gen.id WHERE gen.surveyed AND i.state = 'ended'""",
        // A shift a day per agent: available at 8, a break at 12, available at 12:30, offline at 17.
        """
        INSERT INTO agent_state_changes (agent_id, state, at)
        SELECT a.id, s.state, timestamptz '%s' + make_interval(days => d) + s.at
          FROM a CROSS JOIN generate_series(0, 29) d
          CROSS JOIN (VALUES ('available', interval '8 hours'), ('break', interval '12 hours'),
                             ('available', interval '12 hours 30 minutes'), ('offline', interval '17 hours')) s(state, at)""".formatted(start),
        "ANALYZE");
    try (Connection c = DriverManager.getConnection(jdbc(pg), pg.user(), pg.password()); Statement st = c.createStatement()) {
      for (String s : sql) {
        long t = System.nanoTime();
        st.execute(s);
        System.out.printf("  %.1f s  %s%n", (System.nanoTime() - t) / 1e9, s.strip().lines().findFirst().orElse("").strip());
      }
    }
  }

  /** Report rows as a month of 1.05 M interactions over 8 queues, 4 channels and the agents leaves them. */
  private static void fillReportTables(EmbeddedPostgresServer pg, int agents, Instant from) throws Exception {
    String start = from.toString();
    List<String> sql = List.of(
        """
        INSERT INTO queues (id, name, service_level_seconds)
        SELECT q, initcap(q), s FROM (VALUES ('general', 20), ('billing', 30), ('tech-support', 60), ('vip', 15),
          ('sales', 20), ('returns', 30), ('claims', 120), ('social-care', 300)) v(q, s) ON CONFLICT DO NOTHING""",
        "INSERT INTO agents (id, username, display_name, role, password_hash) SELECT gen_random_uuid(), 'agent' || g, 'Agent ' || g,"
            + " 'agent', 'x' FROM generate_series(1, " + agents + ") g",
        """
        INSERT INTO report_queue_intervals (interval_start, queue_id, channel, offered, answered, answered_in_target, abandoned,
            abandoned_after_target, wait_ms, handled, handle_ms, talk_ms, transfers, fcr_resolved, csat_sent, csat_answered, csat_sum)
        SELECT t, q.id, ch, 4, 3, 2, 1, 1, 90000, 3, 900000, 800000, 0, 2, 1, 1, 4
          FROM generate_series(timestamptz '%1$s', timestamptz '%1$s' + interval '30 days' - interval '15 minutes', interval '15 minutes') t
          CROSS JOIN queues q CROSS JOIN unnest(ARRAY['voice','email','chat','social']) ch""".formatted(start),
        """
        INSERT INTO report_agent_intervals (interval_start, agent_id, channel, answered, handled, handle_ms, talk_ms, transfers,
            csat_sent, csat_answered, csat_sum)
        SELECT t, a.id, ch, 1, 1, 300000, 250000, 0, 1, 0, 0
          FROM generate_series(timestamptz '%1$s', timestamptz '%1$s' + interval '30 days' - interval '15 minutes', interval '15 minutes') t
          CROSS JOIN agents a CROSS JOIN unnest(ARRAY['voice','email','chat','social']) ch WHERE random() < 0.381""".formatted(start),
        """
        INSERT INTO report_agent_states (interval_start, agent_id, state, ms)
        SELECT d + make_interval(mins => 15 * k), a.id, 'available', 900000
          FROM generate_series(timestamptz '%1$s', timestamptz '%1$s' + interval '29 days', interval '1 day') d
          CROSS JOIN generate_series(32, 67) k CROSS JOIN agents a""".formatted(start));
    try (Connection c = DriverManager.getConnection(jdbc(pg), pg.user(), pg.password()); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  private static void analyze(EmbeddedPostgresServer pg) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc(pg), pg.user(), pg.password()); Statement st = c.createStatement()) {
      st.execute("VACUUM ANALYZE report_queue_intervals");
      st.execute("VACUUM ANALYZE report_agent_intervals");
      st.execute("VACUUM ANALYZE report_agent_states");
      st.execute("VACUUM ANALYZE report_agent_days");
      st.execute("VACUUM ANALYZE report_agent_state_days");
    }
  }

  private static String counts(EmbeddedPostgresServer pg) throws Exception {
    return String.format("%,d interactions, %,d transitions, %,d customers, %,d surveys (%,d answered), %,d agent state changes",
        count(pg, "SELECT count(*) FROM interactions"), count(pg, "SELECT count(*) FROM interaction_transitions"),
        count(pg, "SELECT count(*) FROM customers"), count(pg, "SELECT count(*) FROM csat_surveys"),
        count(pg, "SELECT count(*) FROM csat_surveys WHERE rating IS NOT NULL"), count(pg, "SELECT count(*) FROM agent_state_changes"));
  }

  private static String reportCounts(EmbeddedPostgresServer pg) throws Exception {
    return String.format("%,d queue rows, %,d agent rows, %,d agent state rows, %,d agent day rows, %,d agent state day rows",
        count(pg, "SELECT count(*) FROM report_queue_intervals"), count(pg, "SELECT count(*) FROM report_agent_intervals"),
        count(pg, "SELECT count(*) FROM report_agent_states"), count(pg, "SELECT count(*) FROM report_agent_days"),
        count(pg, "SELECT count(*) FROM report_agent_state_days"));
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  private static String jdbc(EmbeddedPostgresServer pg) {
    return "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/bench";
  }

  private static long count(EmbeddedPostgresServer pg, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc(pg), pg.user(), pg.password()); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
