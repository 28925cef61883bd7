package io.switchboard.benchmarks;

import io.switchboard.hub.core.dashboard.DashboardService;
import io.switchboard.hub.core.dashboard.DashboardSnapshot;
import io.switchboard.hub.core.routing.RulesService;
import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Migrations;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The supervisor dashboard's per-second computation ({@link DashboardService#compute()}), which every hub
 * node runs once a second: one aggregated SQL query over today's interactions of every queue, the live
 * waiting list and agents from Redis, and the agents' directory entries. Real (embedded) PostgreSQL and
 * Redis, migrated schema, 20 queues, 500 agents, 200 waiting, and a day's interactions in growing volumes
 * (spread from midnight to 18:00 UTC, a fixed clock), so the figure shows how the cost grows with the
 * day's traffic.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.switchboard.benchmarks.DashboardBenchmark
 * [volumes, default 10000,50000,200000] [timed computations per volume, default 200]}
 */
public final class DashboardBenchmark {
  private static final int QUEUES = 20;
  private static final int AGENTS = 500;
  private static final int WAITING = 200;
  private static final Instant NOW = Instant.parse("2026-11-23T18:00:00Z");
  private static final Instant DAY_START = Instant.parse("2026-11-23T00:00:00Z");

  public static void main(String[] args) throws Exception {
    int[] volumes = args.length > 0
        ? java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {10_000, 50_000, 200_000};
    int timed = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Vertx vertx = Vertx.vertx();
    EmbeddedPostgresServer pg = EmbeddedPostgresServer.startThrowaway();
    EmbeddedRedisServer redisServer = EmbeddedRedisServer.startThrowaway();
    Database db = null;
    RedisStore redis = null;
    Path dir = Files.createTempDirectory("switchboard-dashboard-bench-");
    try {
      db = Database.connect(vertx, pg.url("postgres"), null, 4);
      Migrations.apply(db.options());
      redis = RedisStore.connect(vertx, redisServer.url(), null, "bench:");
      Stores stores = Stores.over(db);
      RoutingState live = new RoutingState(redis);
      Path rules = dir.resolve("routing.yaml");
      Files.writeString(rules, rules());
      RulesService rulesService = new RulesService(vertx, stores, rules);
      await(rulesService.start());
      seedAgentsAndWaiting(db, live);
      System.out.printf("dashboard: %d queues, %d agents, %d waiting; java %s, %d cpus%n", QUEUES, AGENTS, WAITING,
          System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
      int inserted = 0;
      for (int volume : volumes) {
        insertInteractions(db, inserted, volume - inserted);
        inserted = volume;
        await(db.pool().query("ANALYZE interactions").execute());
        // A service per volume: its cache of today's closed part (read again once a minute on a running hub;
        // the clock is fixed here) starts empty, so the first computation reads it.
        DashboardService dashboard = new DashboardService(stores, live, rulesService, Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 0; i < 20; i++) {
          await(dashboard.compute());
        }
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        DashboardSnapshot last = null;
        long t0 = System.nanoTime();
        for (int i = 0; i < timed; i++) {
          long s = System.nanoTime();
          last = await(dashboard.compute());
          h.recordValue(System.nanoTime() - s);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        // The read of today's closed part (midnight to the 5-minute boundary before the window), alone.
        List<String> ids = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (int q = 0; q < QUEUES; q++) {
          ids.add("queue-" + q);
          targets.add(30);
        }
        Instant boundary = io.switchboard.hub.core.dashboard.ClosedPeriods.boundary(DAY_START, NOW.minus(DashboardService.WINDOW));
        Histogram closed = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = 0; i < 20; i++) {
          long s = System.nanoTime();
          await(stores.dashboard().queueSpan(db.pool(), ids, targets, DAY_START, boundary));
          closed.recordValue(System.nanoTime() - s);
        }
        long offered = last.queues().stream().mapToLong(q -> q.today().offered()).sum();
        JsonObject json = last.toJson();
        int wholeBytes = json.encode().length();
        // A delta tick in which no agent changed: the queues and totals only.
        int quietBytes = json.put("agents", new io.vertx.core.json.JsonArray()).put("agentsRemoved", new io.vertx.core.json.JsonArray())
            .put("agentsDelta", true).encode().length();
        System.out.printf("%,d interactions today (%,d offered in the snapshot): compute p50 %.1f ms, p99 %.1f ms,"
                + " max %.1f ms; %.0f computations/s one after another; closed part read (once a minute) p50 %.1f ms;"
                + " tick JSON %,d bytes with every agent, %,d bytes as a delta without changes%n",
            volume, offered, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
            timed / seconds, closed.getValueAtPercentile(50) / 1e6, wholeBytes, quietBytes);
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
      if (db != null) {
        db.close();
      }
      redisServer.close();
      pg.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String rules() {
    StringBuilder y = new StringBuilder("skills: [general]\nqueues:\n");
    for (int q = 0; q < QUEUES; q++) {
      y.append("  - id: queue-").append(q).append("\n    name: Queue ").append(q)
          .append("\n    serviceLevel: { percent: 80, within: 30s }\n    maxWait: 15m\n");
    }
    return y.append("rules:\n  - name: default\n    queue: queue-0\n").toString();
  }

  private static void seedAgentsAndWaiting(Database db, RoutingState live) {
    Random random = new Random(7);
    List<Future<?>> writes = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      UUID id = UUID.randomUUID();
      await(db.pool().preparedQuery("INSERT INTO agents (id, username, display_name, role, password_hash) VALUES ($1, $2, $3, 'agent', 'x')")
          .execute(Tuple.of(id, "bench-" + i, "Bench Agent " + i)));
      String state = switch (random.nextInt(5)) {
        case 0 -> "break";
        case 1 -> "after_call_work";
        default -> "available";
      };
      List<String> queues = List.of("queue-" + random.nextInt(QUEUES), "queue-" + random.nextInt(QUEUES));
      writes.add(live.putAgent(new RoutingState.AgentLive(id.toString(), state, null, NOW.minusSeconds(random.nextInt(3600)),
          true, NOW.minusSeconds(random.nextInt(3600)), Map.of("general", 3), queues,
          Map.of("chat", 3, "email", 5, "social", 3, "voice", 1), Map.of("chat", random.nextInt(3)), List.of("voice")), true));
    }
    for (int i = 0; i < WAITING; i++) {
      JsonObject item = new JsonObject().put("channel", "chat")
          .put("classification", new JsonObject().put("queue", "queue-" + random.nextInt(QUEUES)));
      writes.add(live.enqueue("waiting-" + i, item, NOW.minusSeconds(random.nextInt(600))));
    }
    await(Future.all(writes));
  }

  /**
   * {@code count} interactions numbered from {@code from}: queued evenly between midnight and now, on 4
   * channels and 20 queues; 80 % answered (wait 0–60 s, handled 2–12 min, after-call work 0–60 s), 10 %
   * abandoned, the rest still waiting or assigned. One customer and one conversation per channel.
   */
  private static void insertInteractions(Database db, int from, int count) {
    if (count <= 0) {
      return;
    }
    UUID customer = UUID.randomUUID();
    await(db.pool().preparedQuery("INSERT INTO customers (id, display_name) VALUES ($1, 'Bench Customer')").execute(Tuple.of(customer)));
    Map<String, UUID> conversations = new LinkedHashMap<>();
    for (String channel : List.of("chat", "email", "social", "voice")) {
      UUID c = UUID.randomUUID();
      conversations.put(channel, c);
      await(db.pool().preparedQuery("INSERT INTO conversations (id, customer_id, channel) VALUES ($1, $2, $3)")
          .execute(Tuple.of(c, customer, channel)));
    }
    long spanSeconds = Duration.between(DAY_START, NOW).toSeconds();
    String sql = """
        INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, queue_id,
            created_at, queued_at, answered_at, wrap_up_at, ended_at)
        SELECT gen_random_uuid(), ($1::uuid[])[1 + g %% 4], $2, (ARRAY['chat','email','social','voice'])[1 + g %% 4],
               'bench-' || g, s.state, 'queue-' || (g %% %d),
               q.at, q.at,
               CASE WHEN s.state IN ('ended', 'assigned') THEN q.at + make_interval(secs => (g * 7) %% 60) END,
               CASE WHEN s.state = 'ended' THEN q.at + make_interval(secs => (g * 7) %% 60 + 120 + (g * 13) %% 600) END,
               CASE WHEN s.state = 'ended' THEN q.at + make_interval(secs => (g * 7) %% 60 + 120 + (g * 13) %% 600 + (g * 3) %% 60)
                    WHEN s.state = 'abandoned' THEN q.at + make_interval(secs => (g * 11) %% 90) END
        FROM generate_series($3::int, $4::int) g,
             LATERAL (SELECT CASE WHEN g %% 10 < 8 THEN 'ended' WHEN g %% 10 = 8 THEN 'abandoned'
                                  WHEN g %% 20 = 9 THEN 'queued' ELSE 'assigned' END AS state) s,
             LATERAL (SELECT $5::timestamptz + make_interval(secs => ((g::bigint * 7919) %% $6::bigint)::double precision) AS at) q
        """.formatted(QUEUES);
    UUID[] convs = conversations.values().toArray(UUID[]::new);
    await(db.pool().preparedQuery(sql).execute(Tuple.of(convs, customer, from + 1, from + count,
        OffsetDateTime.ofInstant(DAY_START, ZoneOffset.UTC), spanSeconds)));
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
