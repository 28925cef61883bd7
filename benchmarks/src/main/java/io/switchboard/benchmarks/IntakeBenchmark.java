package io.switchboard.benchmarks;

import static io.switchboard.benchmarks.BenchmarkArgs.option;
import static io.switchboard.benchmarks.BenchmarkArgs.intOption;
import static io.switchboard.benchmarks.BenchmarkArgs.loadAverage;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.core.intake.IntakeService;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The hub's intake alone (issue 12.2): {@link IntakeService#accept} at {@code --concurrency} contacts in flight, each
 * from a new customer on a new chat thread, against an embedded PostgreSQL durable as a hub's own (fsync and
 * synchronous commit on), with the outbox relay running as in the hub. Measures intakes per second, the intake's
 * latency, and ingest→event (until {@code interaction.created} is on the event bus, where the router hears of it),
 * next to the same server's raw single-row INSERT commit rate (pgbench). No HTTP, no Redis, no routing.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.switchboard.benchmarks.IntakeBenchmark --concurrency 32 --seconds 15</pre>
 *
 * <p>{@code --batch} and {@code --in-flight} set the intake's group commit ({@link IntakeService.Batching}; {@code
 * --batch 1 --in-flight 1000} takes every contact in alone).
 */
public final class IntakeBenchmark {
  private IntakeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int concurrency = intOption(args, "--concurrency", 32);
    int seconds = intOption(args, "--seconds", 15);
    int rawSeconds = intOption(args, "--raw-seconds", 5);
    Path work = Files.createTempDirectory("switchboard-intake-");
    // --statements: a throw-away server (fsync off, pg_stat_statements loaded) to see where PostgreSQL's time goes.
    boolean statements = java.util.Arrays.asList(args).contains("--statements");
    // --url: an existing, empty database on a server of one's own (to watch it with psql while the benchmark runs);
    // the raw commit rate is then not measured here.
    String external = option(args, "--url", null);
    EmbeddedPostgresServer pg = external != null ? null : statements ? EmbeddedPostgresServer.startThrowaway()
        : EmbeddedPostgresServer.startDurable(work.resolve("postgres"), 0);
    Vertx vertx = Vertx.vertx();
    try {
      long rawTicks = pg == null ? 0 : PgWaits.serverCpuTicks(pg.postmasterPid(), -1);
      double raw = pg == null ? Double.NaN
          : PgBench.singleRowInserts(option(args, "--pgbench", "/usr/bin/pgbench"), pg, 16, rawSeconds);
      if (pg != null) {
        System.out.printf("raw: %.0f single-row INSERT commits/s (pgbench, 16 clients), PostgreSQL CPU %.3f ms per commit;"
                + " load average %s%n", raw,
            (PgWaits.serverCpuTicks(pg.postmasterPid(), -1) - rawTicks) * 10.0 / (raw * rawSeconds), loadAverage());
      }
      if (java.util.Arrays.asList(args).contains("--pg-only")) {
        if (pg == null) {
          throw new IllegalArgumentException("--pg-only needs the benchmark's own server (leave out --url)");
        }
        pgOnly(option(args, "--pgbench", "/usr/bin/pgbench"), pg, seconds, raw, statements ? vertx : null);
        return;
      }
      String url = pg == null ? external : pg.createDatabase("intake");
      String planMode = option(args, "--plan-cache-mode", null);
      if (planMode != null) {
        // An experiment: how the intake's statements fare with PostgreSQL's custom or generic plans.
        Database admin = Database.connect(vertx, url, null, 1);
        admin.pool().query("ALTER DATABASE intake SET plan_cache_mode = " + planMode.replaceAll("[^a-z_]", "")).execute()
            .toCompletionStage().toCompletableFuture().get();
        admin.close();
      }
      Database db = Database.connect(vertx, url, null, intOption(args, "--pool", 16));
      Migrations.apply(db.options());
      Stores stores = Stores.over(db);
      // --batch 1 --in-flight 1000: every contact alone, as before group commit.
      IntakeService.Batching batching = new IntakeService.Batching(
          intOption(args, "--batch", IntakeService.Batching.standard().maxBatch()),
          intOption(args, "--in-flight", IntakeService.Batching.standard().maxInFlight()));
      IntakeService intake = new IntakeService(vertx, stores, new IdentityNormalizer("DE"), java.time.Clock.systemUTC(),
          batching);
      Map<String, long[]> sentAt = new ConcurrentHashMap<>();
      Histogram[] toEvent = {new ConcurrentHistogram(3)};
      vertx.eventBus().<JsonObject>consumer("interaction.created",
          m -> meet(sentAt, m.body().getString("interactionId"), 1, System.nanoTime(), toEvent[0]));
      vertx.deployVerticle(new OutboxRelay(stores, Duration.ofSeconds(1))).toCompletionStage().toCompletableFuture().get();

      System.out.printf("machine: %d cores; JDK %s; load average %s%n", Runtime.getRuntime().availableProcessors(),
          Runtime.version(), loadAverage());
      run(intake, sentAt, new ConcurrentHistogram(3), toEvent[0], concurrency, intOption(args, "--warmup", 5), "warm-up", raw,
          null);
      toEvent[0] = new ConcurrentHistogram(3);
      if (statements) {
        resetStatements(db);
      }
      // Where the server's backends spend the measured phase (pg_stat_activity every 10 ms) and its CPU per intake.
      try (PgWaits waits = new PgWaits(io.switchboard.hub.store.PgUrls.jdbcUrl(db.options()), db.options().getUser(),
          db.options().getPassword(), db.options().getDatabase(), intOption(args, "--sample-ms", 10))) {
        IntakeService.BatchStats b0 = intake.batchStats();
        run(intake, sentAt, new ConcurrentHistogram(3), toEvent[0], concurrency, seconds, "measured", raw, waits);
        IntakeService.BatchStats b1 = intake.batchStats();
        System.out.printf("group commit (batch %d, in flight %d): %d batches, %.1f contacts per batch, largest %d,"
                + " %d refused batches%n", batching.maxBatch(), batching.maxInFlight(), b1.batches() - b0.batches(),
            (double) (b1.contacts() - b0.contacts()) / Math.max(1, b1.batches() - b0.batches()), b1.largest(),
            b1.fallbacks() - b0.fallbacks());
      }
      if (statements) {
        printStatements(db);
      }
      db.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
      if (pg != null) {
        pg.close();
      }
      // The durable server's data folder is this run's own: nothing is left behind.
      try (var paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * PostgreSQL's side of the intake without the hub: the intake's statements as pgbench scripts (resources
   * {@code pgbench/}: the transaction of look and write per contact, 16 clients; and a prototype of the same work for 16
   * contacts in two statements, 2 clients), each for {@code seconds}, against a migrated database; prints intakes per
   * second, their ratio to the raw commit rate and the server's CPU per intake.
   */
  private static void pgOnly(String pgbench, EmbeddedPostgresServer pg, int seconds, double raw, Vertx statements)
      throws Exception {
    String url = pg.createDatabase("intakepg");
    Migrations.apply(io.switchboard.hub.store.PgUrls.parse(url, null));
    Database db = statements == null ? null : Database.connect(statements, url, null, 1);
    String[][] scripts = {{"intake-tx.sql", "16", "1"}, {"intake-batch16.sql", "2", "16"}};
    for (String[] s : scripts) {
      Path script = Files.createTempFile("intake-", ".sql");
      try (var in = IntakeBenchmark.class.getResourceAsStream("/pgbench/" + s[0])) {
        Files.write(script, in.readAllBytes());
        if (db != null) {
          resetStatements(db);
        }
        long ticks = PgWaits.serverCpuTicks(pg.postmasterPid(), -1);
        double[] r = PgBench.script(pgbench, pg, "intakepg", script, Integer.parseInt(s[1]), seconds);
        double intakes = r[1] * Integer.parseInt(s[2]);
        double rate = r[0] * Integer.parseInt(s[2]);
        System.out.printf("pg-only %s, %s clients: %.0f intakes/s (%.3f of raw commits), PostgreSQL CPU %.3f ms per intake;"
                + " load average %s%n", s[0], s[1], rate, rate / raw,
            (PgWaits.serverCpuTicks(pg.postmasterPid(), -1) - ticks) * 10.0 / intakes, loadAverage());
        if (db != null) {
          printStatements(db);
        }
      } finally {
        Files.deleteIfExists(script);
      }
    }
    if (db != null) {
      db.close();
    }
  }

  /**
   * Starts {@code pg_stat_statements} from zero, planning counted too (calls against plans: a statement planned on every
   * call is not reused from the plan cache).
   */
  private static void resetStatements(Database db) throws Exception {
    for (String sql : List.of("CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
        "ALTER SYSTEM SET pg_stat_statements.track_planning = on", "SELECT pg_reload_conf()",
        "SELECT pg_stat_statements_reset()")) {
      db.pool().query(sql).execute().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** The database's ten statements that cost PostgreSQL the most time, planning and executing. */
  private static void printStatements(Database db) throws Exception {
    db.pool().query("SELECT calls, plans, round(total_plan_time::numeric, 1) AS plan_ms,"
            + " round(total_exec_time::numeric, 1) AS total_ms,"
            + " round(mean_exec_time::numeric, 3) AS mean_ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q"
            + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " ORDER BY total_exec_time + total_plan_time DESC LIMIT 10").execute()
        .onSuccess(rows -> rows.forEach(r -> System.out.printf(
            "  %8d calls %8d plans %9s ms planning %10s ms executing %8s ms mean  %s%n", r.getLong("calls"),
            r.getLong("plans"), r.getValue("plan_ms"), r.getValue("total_ms"), r.getValue("mean_ms"),
            r.getString("q"))))
        .toCompletionStage().toCompletableFuture().get();
  }

  /**
   * Pairs an interaction's intake start (slot 0) with its event's arrival (slot 1), whichever comes first (a directly
   * published event may arrive before the intake's own callback runs), and records the time between.
   */
  private static void meet(Map<String, long[]> times, String id, int slot, long at, Histogram toEvent) {
    long[] both = times.compute(id, (k, v) -> {
      long[] t = v == null ? new long[] {-1, -1} : v;
      t[slot] = at;
      return t;
    });
    if (both[0] >= 0 && both[1] >= 0 && times.remove(id) != null) {
      toEvent.recordValue(Math.max(0, both[1] - both[0]));
    }
  }

  private static void run(IntakeService intake, Map<String, long[]> sentAt, Histogram latency, Histogram toEvent,
      int concurrency, int seconds, String name, double raw, PgWaits waits) throws InterruptedException {
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long jvmCpu0 = os.getProcessCpuTime();
    if (waits != null) {
      waits.start();
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      next(intake, sentAt, latency, toEvent, done, failed, end, finished);
    }
    finished.await(seconds + 60L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    double serverCpu = waits == null ? Double.NaN : waits.stop();
    double jvmCpu = (os.getProcessCpuTime() - jvmCpu0) / 1e9;
    // Events still on their way are waited for a moment, so the last ones count.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (toEvent.getTotalCount() < done.get() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    double rate = done.get() / elapsed;
    System.out.printf("%s: %d intakes in %.1f s = %.0f/s (%.3f of raw commits), failed %d; intake p50 %.1f / p99 %.1f ms;"
            + " ingest->event p50 %.1f / p99 %.1f ms (%d events); load average %s%n",
        name, done.get(), elapsed, rate, rate / raw, failed.get(), latency.getValueAtPercentile(50) / 1e6,
        latency.getValueAtPercentile(99) / 1e6, toEvent.getValueAtPercentile(50) / 1e6,
        toEvent.getValueAtPercentile(99) / 1e6, toEvent.getTotalCount(), loadAverage());
    System.out.printf("%s: CPU per intake: this JVM (hub side and load generator) %.3f ms (%.2f cores)%s%n", name,
        1000 * jvmCpu / done.get(), jvmCpu / elapsed, waits == null ? "" : String.format(
            "; PostgreSQL: its backends serving the intake %.3f ms (%.2f cores), all its processes %.3f ms",
            1000 * waits.backendSeconds() / done.get(), waits.backendSeconds() / elapsed, 1000 * serverCpu / done.get()));
    if (waits != null) {
      System.out.print(waits.report());
    }
    sentAt.clear();
  }

  private static void next(IntakeService intake, Map<String, long[]> sentAt, Histogram latency, Histogram toEvent,
      AtomicLong done,
      AtomicLong failed, long end, CountDownLatch finished) {
    if (System.nanoTime() >= end) {
      finished.countDown();
      return;
    }
    String phone = "+49151" + (10_000_000 + (long) (Math.random() * 89_999_999));
    InboundContact c = new InboundContact(Channel.CHAT, "bench-" + UUID.randomUUID(), SenderAddress.phone(phone),
        "Bench Customer", "t-" + UUID.randomUUID(), List.of(), null, new MessageContent.Text("hello"),
        Map.of("language", "en"), Instant.now());
    long t0 = System.nanoTime();
    intake.accept(c).onComplete(ar -> {
      long t = System.nanoTime() - t0;
      if (ar.succeeded()) {
        done.incrementAndGet();
        latency.recordValue(t);
        meet(sentAt, ar.result().interactionId().toString(), 0, t0, toEvent);
      } else {
        failed.incrementAndGet();
      }
      next(intake, sentAt, latency, toEvent, done, failed, end, finished);
    });
  }
}
