package io.switchboard.benchmarks;

import static io.switchboard.benchmarks.BenchmarkArgs.option;
import static io.switchboard.benchmarks.BenchmarkArgs.intOption;
import static io.switchboard.benchmarks.BenchmarkArgs.loadAverage;

import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.embedded.ServerWatchdog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The hub end to end under load, against the machine's raw limits measured in the same run (issue #12,
 * BENCHMARKS.md "Hub under load").
 *
 * <ol>
 *   <li>Starts an embedded PostgreSQL 17 (fsync and synchronous commit on, as a hub's own) and Redis on free ports in a
 *       throwaway folder, watched so that they die with this program however it ends (kill -9 included);</li>
 *   <li>the raw limits on those servers: pgbench with a one-row {@code INSERT} per transaction (16 clients) and
 *       redis-benchmark {@code EVAL "return 1" 0} (50 clients);</li>
 *   <li>starts the hub's own jar ({@code interaction-hub/hub-app/target/switchboard.jar}) as a child process on those
 *       servers (it too dies with this program: a shell holding a pipe from it ends the hub when the pipe closes), with
 *       the demo seed (its admin and inbound API key), one queue and no after-call work;</li>
 *   <li>creates {@code --agents} agents (chat capacity {@code --capacity}), logs each in and connects it on a real
 *       agent WebSocket: available, pinging, accepting every offer, then replying, ending and wrapping up over HTTP;</li>
 *   <li>phases of {@code --seconds} each: REST intake at each of {@code --rates} contacts per second, web chat at
 *       {@code --chat-rate} (a customer socket per chat: start, one line), then REST intake at maximum (
 *       {@code --concurrency} requests in flight); ingest→offer and ingest→wrap-up latency in HdrHistograms, the hub's
 *       CPU (from /proc), heap (its /metrics) and the load average per phase;</li>
 *   <li>last, the intake alone: every agent goes on break, then REST intake at maximum ({@code --intake-concurrency},
 *       64 by default, in flight) while nothing is offered, so the contacts are taken in, stored and queued only
 *       ({@code --no-intake-alone} leaves it out).</li>
 * </ol>
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.switchboard.benchmarks.LoadBenchmark [--agents 60 --capacity 8
 * --rates 100,500 --chat-rate 50 --concurrency 32 --seconds 15 --raw-seconds 10 --hub-heap 2g --hub-jar ...]}
 *
 * <p>Size (over 400 lines, #15): a benchmark program read from top to bottom as the run it performs (servers, raw
 * limits, hub, agents, phases, report); it is not product code and shares its server start-up with the other
 * benchmarks' helpers.
 */
public final class LoadBenchmark {
  private static final String API_KEY = "sbk_load_benchmark_inbound_key_0123456789";
  private static final Pattern PREVIEW = Pattern.compile("load-[0-9]+");

  private final Vertx vertx = Vertx.vertx();
  private final Map<String, Contact> contacts = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final List<Agent> agents = new ArrayList<>();
  private HttpClient http;
  /** The agents' own connections: their replies, ends and wrap-ups never queue behind the intake's requests. */
  private HttpClient agentHttp;
  private WebSocketClient sockets;
  /** What each phase cost the hub, PostgreSQL, Redis, this program and the machine. */
  private Costs costs;
  /** --statements: the statements and the Redis commands (by name, from INFO commandstats) a lifecycle costs. */
  private boolean statements;
  private int port;
  private long hubPid;
  private volatile boolean stopping;

  private LoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    new LoadBenchmark().run(args);
  }

  /** One contact: its phase, when it was handed in, offered and wrapped up. */
  private static final class Contact {
    final Phase phase;
    final long sentNanos;
    volatile boolean offered;
    WebSocket customer;

    Contact(Phase phase, long sentNanos) {
      this.phase = phase;
      this.sentNanos = sentNanos;
    }
  }

  /** The figures of one phase. */
  private static final class Phase {
    final String name;
    final Histogram offer = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    final Histogram lifecycle = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    final Histogram intake = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    final AtomicLong sent = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong acceptedInWindow = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong offered = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong completedInWindow = new AtomicLong();
    volatile boolean open = true;
    double seconds;
    String cpu = "";
    String load = "";
    String heap = "";
    Costs.Snapshot before;
    String costs = "";

    Phase(String name) {
      this.name = name;
    }

    synchronized void record(Histogram h, long nanos) {
      h.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)));
    }

    synchronized String ms(Histogram h) {
      if (h.getTotalCount() == 0) {
        return "-";
      }
      return String.format("p50 %.1f / p99 %.1f / max %.1f ms", h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }
  }

  private void run(String[] args) throws Exception {
    int agentCount = intOption(args, "--agents", 60);
    int capacity = intOption(args, "--capacity", 8);
    int seconds = intOption(args, "--seconds", 15);
    int rawSeconds = intOption(args, "--raw-seconds", 10);
    int chatRate = intOption(args, "--chat-rate", 50);
    int concurrency = intOption(args, "--concurrency", 32);
    List<Integer> rates = Stream.of(option(args, "--rates", "100,500").split(",")).map(Integer::parseInt).toList();
    Path hubJar = Path.of(option(args, "--hub-jar", "interaction-hub/hub-app/target/switchboard.jar")).toAbsolutePath();
    Path configSource = Path.of(option(args, "--config", "config")).toAbsolutePath();
    String heapMax = option(args, "--hub-heap", "2g");
    if (!Files.isRegularFile(hubJar)) {
      throw new IllegalStateException("no hub jar at " + hubJar + ": build it first (./mvnw -q -DskipTests package -pl benchmarks,interaction-hub/hub-app -am)");
    }

    Path work = Files.createTempDirectory("switchboard-load-");
    // Installed first: whatever has started when the JVM ends (Ctrl-C, SIGTERM, the normal end) is stopped, the folder
    // removed. On kill -9 the servers' watchdog (its pipe closes) and the hub's shell (likewise) stop them.
    Object[] started = new Object[3]; // PostgreSQL, Redis, watchdog
    Process[] hubShell = new Process[1];
    Thread cleanup = new Thread(() -> {
      if (costs != null) {
        costs.close();
      }
      stopHub(hubShell[0]);
      vertx.close();
      for (int i = started.length - 1; i >= 0; i--) {
        if (started[i] instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception e) {
            // best effort
          }
        }
      }
      deleteTree(work);
    }, "load-benchmark-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    // --statements: a throw-away PostgreSQL (fsync off, pg_stat_statements loaded) to list what the run's statements
    // are per lifecycle; its speed figures are not comparable with a durable server's.
    statements = List.of(args).contains("--statements");
    EmbeddedPostgresServer pg = statements ? EmbeddedPostgresServer.startThrowaway()
        : EmbeddedPostgresServer.startDurable(work.resolve("postgres"), 0);
    started[0] = pg;
    EmbeddedRedisServer redis = EmbeddedRedisServer.startDurable(work.resolve("redis"), 0);
    started[1] = redis;
    started[2] = ServerWatchdog.watch(List.of(pg.postmasterPid(), redis.pid()));

    String commit = git("rev-parse", "--short", "HEAD");
    System.out.printf("machine: %d cores, %s, %.1f GiB RAM; JDK %s; commit %s; load average %s%n",
        Runtime.getRuntime().availableProcessors(), cpuModel(), memGiB(), Runtime.version(), commit, loadAverage());

    String pgUrl = pg.ensureDatabase("switchboard");
    double rawCommits = PgBench.singleRowInserts(option(args, "--pgbench", "/usr/bin/pgbench"), pg, 16, rawSeconds);
    double[] rawEval = redisEval(redis, rawSeconds);
    System.out.printf("raw: %.0f single-row INSERT commits/s (pgbench, 16 clients); %.0f EVAL/s (redis-benchmark, 50 clients, p50 %.3f ms)%n",
        rawCommits, rawEval[0], rawEval[1]);

    port = freePort();
    Path config = hubConfig(configSource, work.resolve("config"), capacity);
    hubShell[0] = startHub(hubJar, config, work, pgUrl, redis.url(), heapMax);
    hubPid = hubShell[0].toHandle().children().findFirst().orElseThrow(() -> new IllegalStateException("hub did not start")).pid();
    awaitHealthy(work.resolve("hub.log"));
    System.out.println("hub pid " + hubPid + " on port " + port + " (log " + work.resolve("hub.log") + ")");
    costs = new Costs(hubPid, pg.postmasterPid(), pg.jdbcUrl("switchboard"), pg.user(), pg.password(), redis.pid(), redis.url());
    Costs.Snapshot runStart = null;
    if (statements) {
      costs.resetStatements();
      runStart = costs.take(true);
    }

    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(64, concurrency * 2)));
    agentHttp = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(16, agentCount)));
    sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000));
    setUpAgents(agentCount, capacity);

    List<Phase> phases = new ArrayList<>();
    if (!List.of(args).contains("--no-contacts")) {
      phases.add(fixedRate("warm-up REST 50/s", 50, Math.min(seconds, 10), false));
      for (int rate : rates) {
        phases.add(fixedRate("REST " + rate + "/s", rate, seconds, false));
      }
      phases.add(fixedRate("web chat " + chatRate + "/s", chatRate, seconds, true));
      Phase atMaximum = maximum("REST at maximum, " + concurrency + " in flight", concurrency, seconds);
      phases.add(atMaximum);
      if (!List.of(args).contains("--no-intake-alone")) {
        // Last: the intake alone, every agent on break, so nothing is offered and the contacts only queue (the queue
        // is left as it is when the run ends). Its intakes/s are the hub's intake, not the lifecycle's. The lifecycles
        // still under way finish first, so their work is not counted as the intake's.
        drain(atMaximum);
        awayAll();
        int alone = intOption(args, "--intake-concurrency", 64);
        phases.add(maximum("REST intake alone at maximum (agents on break), " + alone + " in flight", alone, seconds));
      }
    }
    int socketCount = intOption(args, "--sockets", 0);
    String socketLine = socketCount > 0 ? manySockets(socketCount, intOption(args, "--socket-hold", 20)) : null;

    System.out.println();
    System.out.println("== summary (commit " + commit + ", " + Instant.now() + ") ==");
    System.out.printf("raw limits: %.0f INSERT commits/s; %.0f EVAL/s, EVAL p50 %.3f ms%n", rawCommits, rawEval[0], rawEval[1]);
    System.out.println("| phase | sent / intake ok | intake/s in the window (ratio to raw commits) | lifecycles/s in window | ingest→offer | ingest→wrap-up | intake HTTP | hub CPU | hub heap | load avg |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Phase p : phases) {
      double intakeRate = p.acceptedInWindow.get() / p.seconds;
      System.out.printf("| %s | %,d / %,d | %.0f (%.3f) | %.0f | %s | %s | %s | %s | %s | %s |%n", p.name, p.sent.get(), p.accepted.get(),
          intakeRate, intakeRate / rawCommits, p.completedInWindow.get() / p.seconds, p.ms(p.offer), p.ms(p.lifecycle),
          p.ms(p.intake), p.cpu, p.heap, p.load);
      System.out.printf("|   | failed %,d, offered %,d, completed %,d (after the window too) | | | | | | | | |%n", p.failed.get(),
          p.offered.get(), p.completed.get());
    }
    System.out.println();
    System.out.println("Where the work went (CPU from /proc, commits from pg_stat_database, Redis commands from INFO; per intake"
        + " taken in and per lifecycle wrapped up in the window):");
    for (Phase p : phases) {
      System.out.println("- " + p.name + ": " + p.costs);
    }
    if (statements) {
      long lifecycles = phases.stream().mapToLong(p -> p.completed.get()).sum();
      System.out.println();
      System.out.printf("Statements by calls over the whole run (%,d lifecycles; fsync off, so times are not a durable server's):%n",
          lifecycles);
      System.out.print(costs.topStatements(30, lifecycles, "lifecycle"));
      System.out.println();
      System.out.println("Redis calls by command per lifecycle over the whole run (INFO commandstats; a script's own commands"
          + " counted under their names beside its EVALSHA):");
      System.out.println(Costs.redisCallsBetween(runStart, costs.take(true), lifecycles));
    }
    if (socketLine != null) {
      System.out.println(socketLine);
    }
    stopping = true;
    Runtime.getRuntime().removeShutdownHook(cleanup);
    cleanup.run();
    System.exit(0);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Phases

  private Phase fixedRate(String name, int rate, int seconds, boolean webChat) throws Exception {
    Phase phase = new Phase(name);
    System.out.println("phase: " + name + " for " + seconds + " s");
    phase.before = costs.take(statements);
    long[] cpu0 = {hubCpuTicks()};
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(1);
    vertx.setPeriodic(5, timer -> {
      long now = System.nanoTime();
      long due = Math.min(now, end) - start;
      long target = due * rate / 1_000_000_000L;
      while (phase.sent.get() < target) {
        phase.sent.incrementAndGet();
        if (webChat) {
          chat(phase);
        } else {
          rest(phase, null);
        }
      }
      if (now >= end) {
        vertx.cancelTimer(timer);
        done.countDown();
      }
    });
    done.await();
    closeWindow(phase, start, cpu0[0]);
    drain(phase);
    return phase;
  }

  /**
   * {@code count} more agent sockets (the agents' tokens in turn), opened 200 at a time: each authenticates, then pings
   * every 2 s as the console does. Held {@code hold} seconds; then the hub's heap, resident set and CPU, the sockets
   * that authenticated, failed or were dropped, auth (connect to hello) and ping-to-pong latency.
   */
  private String manySockets(int count, int hold) throws Exception {
    System.out.println("phase: " + count + " agent sockets, held " + hold + " s");
    Histogram auth = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    Histogram pong = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    AtomicLong ready = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong dropped = new AtomicLong();
    List<WebSocket> open = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(200);
    long cpu0 = hubCpuTicks();
    long rampStart = System.nanoTime();
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      String token = agents.get(i % agents.size()).token;
      long t0 = System.nanoTime();
      boolean[] done = {false};
      Runnable settle = () -> {
        if (!done[0]) {
          done[0] = true;
          inFlight.release();
        }
      };
      sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/agent")).onComplete(ar -> {
        if (ar.failed()) {
          failed.incrementAndGet();
          settle.run();
          return;
        }
        WebSocket ws = ar.result();
        long[] pingAt = {0};
        boolean[] authed = {false};
        ws.textMessageHandler(text -> {
          JsonObject f = new JsonObject(text);
          switch (f.getString("type", "")) {
            case "hello" -> {
              synchronized (auth) {
                auth.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0)));
              }
              ready.incrementAndGet();
              authed[0] = true;
              open.add(ws);
              settle.run();
              vertx.setPeriodic(2000, t -> {
                if (!stopping) {
                  pingAt[0] = System.nanoTime();
                  ws.writeTextMessage("{\"type\":\"ping\"}");
                }
              });
            }
            case "pong" -> {
              if (pingAt[0] != 0) {
                synchronized (pong) {
                  pong.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - pingAt[0])));
                }
              }
            }
            case "error" -> {
              if (!done[0]) {
                failed.incrementAndGet();
                settle.run();
              }
            }
            default -> { }
          }
        });
        ws.closeHandler(v -> {
          if (!done[0]) {
            failed.incrementAndGet();
            settle.run();
          } else if (authed[0] && !stopping) {
            dropped.incrementAndGet();
          }
        });
        ws.writeTextMessage(new JsonObject().put("type", "auth").put("token", token).encode());
      });
    }
    inFlight.acquire(200);
    inFlight.release(200);
    double ramp = (System.nanoTime() - rampStart) / 1e9;
    System.out.printf("  %,d sockets ready, %,d failed in %.1f s; holding %d s%n", ready.get(), failed.get(), ramp, hold);
    long holdStart = System.nanoTime();
    long cpuHold = hubCpuTicks();
    Thread.sleep(TimeUnit.SECONDS.toMillis(hold)); // a timed hold, not a wait for an event
    double cores = (hubCpuTicks() - cpuHold) / 100.0 / ((System.nanoTime() - holdStart) / 1e9);
    String heap = hubHeap();
    String line;
    synchronized (auth) {
      synchronized (pong) {
        line = String.format("sockets: %,d asked, %,d authenticated, %,d failed, %,d dropped while held; ramp %.1f s (%.0f/s, hub "
                + "%.2f cores over ramp and hold: %.2f while held); auth p50 %.1f / p99 %.1f / max %.1f ms; ping->pong p50 %.1f / "
                + "p99 %.1f / max %.1f ms; hub heap %s; load %s",
            count, ready.get(), failed.get(), dropped.get(), ramp, ready.get() / ramp,
            (hubCpuTicks() - cpu0) / 100.0 / ((System.nanoTime() - rampStart) / 1e9), cores,
            auth.getValueAtPercentile(50) / 1000.0, auth.getValueAtPercentile(99) / 1000.0, auth.getMaxValue() / 1000.0,
            pong.getValueAtPercentile(50) / 1000.0, pong.getValueAtPercentile(99) / 1000.0, pong.getMaxValue() / 1000.0,
            heap, loadAverage());
      }
    }
    System.out.println("  " + line);
    return line;
  }

  private Phase maximum(String name, int concurrency, int seconds) throws Exception {
    Phase phase = new Phase(name);
    System.out.println("phase: " + name + " for " + seconds + " s");
    phase.before = costs.take(statements);
    long cpu0 = hubCpuTicks();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      vertx.runOnContext(v -> loop(phase, end, done));
    }
    done.await();
    closeWindow(phase, start, cpu0);
    return phase;
  }

  /** Every agent on break (its console says so and the hub confirms), so contacts from now on only queue. */
  private void awayAll() throws Exception {
    List<Future<Void>> all = new ArrayList<>();
    for (Agent a : agents) {
      all.add(a.away());
    }
    Future.all(all).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    System.out.println("all " + agents.size() + " agents on break");
  }

  private void loop(Phase phase, long end, CountDownLatch done) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    phase.sent.incrementAndGet();
    rest(phase, () -> loop(phase, end, done));
  }

  private void closeWindow(Phase phase, long start, long cpu0) {
    phase.seconds = (System.nanoTime() - start) / 1e9;
    phase.open = false;
    double cores = (hubCpuTicks() - cpu0) / 100.0 / phase.seconds;
    phase.cpu = String.format("%.2f cores", cores);
    phase.load = loadAverage();
    phase.heap = hubHeap();
    Costs.Snapshot after = costs.take(statements);
    long lifecycles = phase.completedInWindow.get();
    phase.costs = Costs.between(phase.before, after, phase.acceptedInWindow.get(), "intake")
        + (lifecycles > 0 ? String.format(" | per lifecycle: %s", Costs.between(phase.before, after, lifecycles, "lifecycle")
            .replaceFirst("^.*; per lifecycle: ", "")) : "")
        + (statements && lifecycles > 0 ? "\n    Redis calls per lifecycle: " + Costs.redisCallsBetween(phase.before, after, lifecycles) : "");
    System.out.println("  " + phase.costs);
    System.out.printf("  %s: sent %,d, intake ok %,d, failed %,d, offered %,d, completed %,d in %.1f s; hub %s, heap %s; load %s%n",
        phase.name, phase.sent.get(), phase.accepted.get(), phase.failed.get(), phase.offered.get(), phase.completed.get(),
        phase.seconds, phase.cpu, phase.heap, phase.load);
  }

  /** Waits (at most 60 s) until every contact of the phase is wrapped up, so the next phase starts on an empty queue. */
  private void drain(Phase phase) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (phase.completed.get() + phase.failed.get() < phase.sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
  }

  /** One contact through {@code POST /api/v1/inbound} (a new customer each time). */
  private void rest(Phase phase, Runnable next) {
    long n = ids.incrementAndGet();
    String key = "load-" + n;
    JsonObject body = new JsonObject().put("channel", "chat").put("externalId", "bench-" + n)
        .put("threadKey", "bench-thread-" + n)
        .put("sender", new JsonObject().put("kind", "email").put("value", "customer" + n + "@load.example"))
        .put("content", new JsonObject().put("type", "text").put("text", key))
        .put("metadata", new JsonObject().put("topic", "general"));
    long sent = System.nanoTime();
    contacts.put(key, new Contact(phase, sent));
    send(http, HttpMethod.POST, "/api/v1/inbound", "ApiKey " + API_KEY, body.encode()).onComplete(r -> {
      if (r.succeeded() && r.result() == 201) {
        phase.accepted.incrementAndGet();
        if (phase.open) {
          phase.acceptedInWindow.incrementAndGet();
        }
        phase.record(phase.intake, System.nanoTime() - sent);
      } else {
        phase.failed.incrementAndGet();
        contacts.remove(key);
      }
      if (next != null) {
        next.run();
      }
    });
  }

  /** One web chat: a customer socket, {@code start}, one line; ingest is timed from the line. */
  private void chat(Phase phase) {
    long n = ids.incrementAndGet();
    String key = "load-" + n;
    sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/channels/webchat/socket?v=1"))
        .onFailure(e -> phase.failed.incrementAndGet())
        .onSuccess(ws -> ws.textMessageHandler(text -> {
          JsonObject f = new JsonObject(text);
          switch (f.getString("type", "")) {
            case "hello" -> ws.writeTextMessage(new JsonObject().put("type", "start").put("name", "Customer " + n)
                .put("topic", "general").encode());
            case "session" -> {
              if (!contacts.containsKey(key)) {
                Contact c = new Contact(phase, System.nanoTime());
                c.customer = ws;
                contacts.put(key, c);
                ws.writeTextMessage(new JsonObject().put("type", "message").put("clientId", "c-" + n).put("text", key).encode());
              }
            }
            case "ack" -> {
              phase.accepted.incrementAndGet();
              if (phase.open) {
                phase.acceptedInWindow.incrementAndGet();
              }
            }
            case "ended" -> ws.close();
            case "error" -> {
              phase.failed.incrementAndGet();
              System.err.println("web chat error: " + f.encode());
              ws.close();
            }
            default -> { }
          }
        }));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Agents

  /** An agent on its console socket: accepts every offer, then replies, ends and wraps up over HTTP. */
  private final class Agent {
    final String token;
    WebSocket ws;

    Agent(String token) {
      this.token = token;
    }

    /** Set when the agent asked for a break; completed when the hub confirms it. */
    io.vertx.core.Promise<Void> awayConfirmed;

    /** Goes on break on its console and completes when the hub confirms. */
    Future<Void> away() {
      awayConfirmed = io.vertx.core.Promise.promise();
      ws.writeTextMessage(new JsonObject().put("type", "state").put("state", "break").put("reason", "load benchmark")
          .put("ref", "away").encode());
      return awayConfirmed.future();
    }

    Future<Void> connect() {
      return sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/agent")).compose(w -> {
        ws = w;
        io.vertx.core.Promise<Void> ready = io.vertx.core.Promise.promise();
        w.textMessageHandler(text -> onFrame(new JsonObject(text), ready));
        w.closeHandler(v -> {
          if (!stopping) {
            System.err.println("an agent socket closed: " + w.closeStatusCode() + " " + w.closeReason());
          }
        });
        w.writeTextMessage(new JsonObject().put("type", "auth").put("token", token).encode());
        return ready.future();
      });
    }

    void onFrame(JsonObject f, io.vertx.core.Promise<Void> ready) {
      switch (f.getString("type", "")) {
        case "snapshot" -> {
          if ("auth".equals(f.getString("cause"))) {
            ws.writeTextMessage(new JsonObject().put("type", "state").put("state", "available").put("ref", "available").encode());
            vertx.setPeriodic(2000, t -> ws.writeTextMessage("{\"type\":\"ping\"}"));
          }
        }
        case "ok" -> {
          String ref = String.valueOf(f.getValue("ref"));
          if (ref.equals("away") && awayConfirmed != null) {
            awayConfirmed.tryComplete();
          } else if (ref.equals("available")) {
            ready.tryComplete();
          } else if (ref.startsWith("a:")) {
            work(ref.substring(2), (String) null);
          }
        }
        case "offer" -> {
          String id = f.getString("interactionId");
          Matcher m = PREVIEW.matcher(String.valueOf(f.getString("preview")));
          Contact c = m.find() ? contacts.get(m.group()) : null;
          if (c != null && !c.offered) {
            c.offered = true;
            c.phase.offered.incrementAndGet();
            c.phase.record(c.phase.offer, System.nanoTime() - c.sentNanos);
          }
          ws.writeTextMessage(new JsonObject().put("type", "accept").put("interactionId", id).put("ref", "a:" + id).encode());
          pending.put(id, c == null ? "" : m.group());
        }
        case "error" -> {
          String ref = String.valueOf(f.getValue("ref"));
          if (ref.startsWith("a:")) {
            String key = pending.remove(ref.substring(2));
            Contact c = key == null ? null : contacts.remove(key);
            if (c != null) {
              c.phase.failed.incrementAndGet();
            }
          } else {
            System.err.println("agent error frame: " + f.encode());
          }
        }
        default -> { }
      }
    }

    final Map<String, String> pending = new ConcurrentHashMap<>();

    void work(String interactionId, String unused) {
      String key = pending.remove(interactionId);
      Contact c = key == null || key.isEmpty() ? null : contacts.get(key);
      String base = "/api/v1/interactions/" + interactionId;
      send(agentHttp, HttpMethod.POST, base + "/messages", "Bearer " + token, "{\"text\":\"Thanks, that is sorted now.\"}")
          .compose(s -> s / 100 == 2 ? send(agentHttp, HttpMethod.POST, base + "/end", "Bearer " + token, "{}") : Future.failedFuture("reply " + s))
          .compose(s -> s == 200 ? send(agentHttp, HttpMethod.POST, base + "/wrap-up", "Bearer " + token, "{\"disposition\":\"resolved\"}")
              : Future.failedFuture("end " + s))
          .onComplete(r -> {
            if (c == null) {
              return;
            }
            contacts.remove(key);
            if (r.succeeded() && r.result() == 204) {
              c.phase.completed.incrementAndGet();
              if (c.phase.open) {
                c.phase.completedInWindow.incrementAndGet();
              }
              c.phase.record(c.phase.lifecycle, System.nanoTime() - c.sentNanos);
            } else if (!stopping) {
              c.phase.failed.incrementAndGet();
              System.err.println("lifecycle of " + interactionId + " failed: " + (r.succeeded() ? "wrap-up " + r.result() : r.cause().getMessage()));
            }
          });
    }
  }

  private void setUpAgents(int count, int capacity) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    String admin = "Bearer " + login(client, "ada", "ada-demo-pw");
    for (int i = 0; i < count; i++) {
      String username = "load" + i;
      String body = new JsonObject().put("username", username).put("displayName", "Load Agent " + i).put("role", "agent")
          .put("password", "load-benchmark-pw-" + i).put("skills", new JsonObject().put("general", 3))
          .put("capacity", new JsonObject().put("chat", capacity)).encode();
      var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/agents"))
          .header("Authorization", admin).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201) {
        throw new IllegalStateException("creating " + username + ": " + r.statusCode() + " " + r.body());
      }
      agents.add(new Agent(login(client, username, "load-benchmark-pw-" + i)));
    }
    for (Agent a : agents) {
      a.connect().await(30, TimeUnit.SECONDS);
    }
    System.out.println(count + " agents available on their sockets (chat capacity " + capacity + " each)");
  }

  private String login(java.net.http.HttpClient client, String username, String password) throws Exception {
    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/auth/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", username).put("password", password).encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login of " + username + ": " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body()).getString("token");
  }

  private Future<Integer> send(HttpClient client, HttpMethod method, String path, String authorization, String body) {
    return client.request(new RequestOptions().setMethod(method).setURI(path).putHeader("Authorization", authorization)
            .putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The hub process

  private Path hubConfig(Path source, Path target, int capacity) throws IOException {
    Files.createDirectories(target.resolve("demo"));
    for (String f : List.of("console.yaml", "analytics.yaml", "demo/agents.yaml", "demo/customers.csv")) {
      if (Files.exists(source.resolve(f))) {
        Files.copy(source.resolve(f), target.resolve(f));
      }
    }
    Files.writeString(target.resolve("switchboard.yaml"), """
        dataDir: data
        http:
          port: %d
          maxConnectionsPerAddress: 1000000
        postgres:
          poolSize: 16
        customers:
          defaultRegion: DE
        security:
          bcryptCost: 4
        demo:
          enabled: true
          apiKey: %s
        channels:
          webchat:
            topics: [general]
            limits:
              connectionsPerAddress: 100000
              sessionStartsPerAddress: 100000
              sessionStartWindow: 1m
        """.formatted(port, API_KEY));
    Files.writeString(target.resolve("routing.yaml"), """
        settings:
          offerTimeout: 30s
          pauseAgentOnOfferTimeout: false
          stickyAgentWindow: 0s
          afterCallWork: 0s
          wrapUpRequired: true
        skills: [general]
        queues:
          - id: general
            name: General
            serviceLevel: { percent: 80, within: 20s }
            maxWait: 10m
        rules:
          - name: default
            queue: general
            require: { general: 1 }
        """);
    return target;
  }

  private Process startHub(Path jar, Path config, Path work, String pgUrl, String redisUrl, String heap) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // The shell reads a pipe only this JVM writes to: when this JVM ends, however it ends, the read returns and the
    // shell stops the hub (SIGTERM: a clean stop). The hub's own stdin is /dev/null (a background job of sh).
    String script = "\"$0\" -Xmx" + heap + " -jar \"$1\" >\"$2\" 2>&1 & hub=$!; read -r _; kill -TERM $hub 2>/dev/null; wait $hub";
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script, java, jar.toString(), work.resolve("hub.log").toString())
        .directory(work.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
    Map<String, String> env = pb.environment();
    env.put("SWITCHBOARD_CONFIG_DIR", config.toString());
    env.put("SWITCHBOARD_PG_URL", pgUrl);
    env.put("SWITCHBOARD_REDIS_URL", redisUrl);
    env.put("SWITCHBOARD_DATA_DIR", work.resolve("data").toString());
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (p.toHandle().children().findAny().isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    return p;
  }

  private void awaitHealthy(Path log) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    // Generous: on a machine shared with other builds (load 40) a hub's start took more than 3 minutes.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (text.contains("switchboard: could not start") || text.contains("switchboard: configuration error")
          || ProcessHandle.of(hubPid).map(h -> !h.isAlive()).orElse(true)) {
        throw new IllegalStateException("the hub stopped:\n" + Files.readString(log));
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the hub did not become healthy within 10 minutes:\n" + Files.readString(log));
  }

  private static void stopHub(Process shell) {
    if (shell == null || !shell.isAlive()) {
      return;
    }
    try {
      OutputStream in = shell.getOutputStream();
      in.close();
      if (!shell.waitFor(60, TimeUnit.SECONDS)) {
        shell.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        shell.destroyForcibly();
      }
    } catch (IOException | InterruptedException e) {
      shell.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      shell.destroyForcibly();
    }
  }

  /** The hub's user + system CPU time in clock ticks (1/100 s), from /proc. */
  private long hubCpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/" + hubPid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Heap in use (from the hub's /metrics) and the resident set (from /proc). */
  private String hubHeap() {
    try {
      var r = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .header("Authorization", "ApiKey " + API_KEY).build(), HttpResponse.BodyHandlers.ofString());
      double heap = 0;
      for (String line : r.body().split("\n")) {
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
          heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      String rss = Files.readAllLines(Path.of("/proc/" + hubPid + "/status")).stream().filter(l -> l.startsWith("VmRSS"))
          .map(l -> l.replaceAll("[^0-9]", "")).findFirst().orElse("0");
      return String.format("%.0f MiB (RSS %.0f MiB)", heap / 1048576, Long.parseLong(rss) / 1024.0);
    } catch (Exception e) {
      return "n/a (" + e.getMessage() + ")";
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Raw limits on the same servers

  /** EVAL of a script that returns 1: requests per second and p50 latency (ms). */
  private static double[] redisEval(EmbeddedRedisServer redis, int seconds) throws Exception {
    // About `seconds` long on this machine's order of magnitude (50-100 k EVAL/s).
    String n = Integer.toString(Math.max(50_000, seconds * 60_000));
    String out = run(Map.of(), List.of("redis-benchmark", "-h", "127.0.0.1", "-p",
        Integer.toString(redis.port()), "-a", redis.password(), "-c", "50", "-n", n, "--csv", "EVAL", "return 1", "0"));
    for (String line : out.split("\n")) {
      String[] f = line.replace("\"", "").split(",");
      if (f.length >= 5 && !f[0].equals("test")) {
        try {
          return new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[4])};
        } catch (NumberFormatException e) {
          // header or noise
        }
      }
    }
    throw new IllegalStateException("no result in redis-benchmark's output:\n" + out);
  }

  private static String run(Map<String, String> env, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The machine

  private static String git(String... args) {
    try {
      List<String> cmd = new ArrayList<>(List.of("git"));
      cmd.addAll(List.of(args));
      return run(Map.of(), cmd).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static double memGiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576.0;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return 0;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  private static int freePort() throws IOException {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
