package io.switchboard.hub.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command on the real fat jar: {@code java -jar switchboard.jar} with nothing but a config
 * folder and a data folder starts embedded PostgreSQL and Redis, serves the curl walk-through, shuts down
 * cleanly on SIGTERM leaving no server process behind, and on the next start finds its data again without
 * seeding the demo a second time.
 *
 * <p>Failsafe passes {@code switchboard.jar} and {@code switchboard.config.dir}. Embedded PostgreSQL is
 * daemonized by pg_ctl (re-parented to PID 1), so it is found by its data directory on its command line;
 * embedded Redis by its port (Redis rewrites its command line to {@code redis-server 127.0.0.1:<port>}).
 */
class HubJarIT {
  private static final String DEMO_API_KEY = "sbk_demo_inbound_key_for_trying_switchboard_only";
  private static final Duration START_DEADLINE = Duration.ofSeconds(120);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(60);
  private static final Pattern PG_PORT = Pattern.compile("PostgreSQL\\s+postgresql://[^\\s]*@127\\.0\\.0\\.1:(\\d+)/");
  private static final Pattern REDIS_PORT = Pattern.compile("Redis\\s+redis://(?:[^\\s@]*@)?127\\.0\\.0\\.1:(\\d+)");

  /** Every process this test started or saw belonging to its hubs; killed in {@link #killLeftovers()}. */
  private static final Set<ProcessHandle> tracked = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    // Last resort if the test JVM is ended before @AfterEach runs.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> tracked.forEach(ProcessHandle::destroyForcibly), "hub-jar-it-reaper"));
  }

  @TempDir Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Integer> redisPorts = new ArrayList<>();
  private Path dataDir;

  @Test
  void readmeFlowWorksSurvivesARestartAndLeavesNoProcessBehind() throws Exception {
    Path jar = Path.of(requiredProperty("switchboard.jar"));
    assertThat(jar).as("the fat jar (built by package)").isRegularFile();
    Path config = tmp.resolve("config");
    copyTree(Path.of(requiredProperty("switchboard.config.dir")), config);
    dataDir = tmp.resolve("data");

    // First start: fresh data directory, the demo seed runs.
    RunningHub first = start(jar, config, "first");
    String customerName = "Quinn Jarcheck";
    String email = "Quinn.Jarcheck." + UUID.randomUUID().toString().substring(0, 6) + "@Example.com";
    String text = "hello from the jar test";
    String inbound = new JsonObject()
        .put("channel", "chat")
        .put("externalId", "jar-it-1")
        .put("sender", new JsonObject().put("kind", "email").put("value", email))
        .put("senderName", customerName)
        .put("threadKey", "jar-it-session-1")
        .put("content", new JsonObject().put("type", "text").put("text", text))
        .encode();

    String token = first.login("alice", "alice-demo-pw");

    Resp created = first.post("/api/v1/inbound", "ApiKey " + DEMO_API_KEY, inbound);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonObject createdJson = created.json();
    assertThat(createdJson.getString("outcome")).isEqualTo("created");
    String interactionId = createdJson.getString("interactionId");
    String customerId = createdJson.getString("customerId");
    assertThat(interactionId).isNotBlank();
    assertThat(customerId).isNotBlank();

    Resp duplicate = first.post("/api/v1/inbound", "ApiKey " + DEMO_API_KEY, inbound);
    assertThat(duplicate.status()).as(duplicate.toString()).isEqualTo(200);
    assertThat(duplicate.json().getString("outcome")).isEqualTo("duplicate");
    assertThat(duplicate.json().getString("interactionId")).isEqualTo(interactionId);
    assertThat(duplicate.json().getString("customerId")).isEqualTo(customerId);

    assertHistoryHolds(first, token, customerId, interactionId, text);

    Resp malformed = first.post("/api/v1/inbound", "ApiKey " + DEMO_API_KEY, "{\"channel\": \"chat\", ");
    assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
    assertThat(malformed.contentType()).startsWith("application/problem+json");

    Resp anonymous = first.post("/api/v1/inbound", null, inbound);
    assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(401);
    assertThat(anonymous.contentType()).startsWith("application/problem+json");
    Resp anonymousRead = first.get("/api/v1/customers/" + customerId + "/history", null);
    assertThat(anonymousRead.status()).as(anonymousRead.toString()).isEqualTo(401);

    first.stopAndCheckNothingRemains();

    // Second start on the same data directory: the data is still there, the demo is not seeded again.
    RunningHub second = start(jar, config, "second");
    String token2 = second.login("alice", "alice-demo-pw");
    assertHistoryHolds(second, token2, customerId, interactionId, text);

    Resp again = second.post("/api/v1/inbound", "ApiKey " + DEMO_API_KEY, inbound);
    assertThat(again.status()).as("re-delivery after a restart: " + again).isEqualTo(200);
    assertThat(again.json().getString("outcome")).isEqualTo("duplicate");
    assertThat(again.json().getString("interactionId")).isEqualTo(interactionId);

    String supervisor = second.login("sam", "sam-demo-pw");
    Resp agents = second.get("/api/v1/agents", "Bearer " + supervisor);
    assertThat(agents.status()).as(agents.toString()).isEqualTo(200);
    JsonArray agentList = new JsonArray(agents.body());
    assertThat(agentList).as("demo staff after a restart (seeded once)").hasSize(7);
    assertThat(agentList.stream().map(a -> ((JsonObject) a).getString("username")))
        .containsExactlyInAnyOrder("alice", "bob", "chen", "dilara", "emma", "sam", "ada");

    assertSingleCustomerNamed(second, token2, "Vera Okafor");
    assertSingleCustomerNamed(second, token2, customerName);

    second.stopAndCheckNothingRemains();
  }

  /**
   * kill -9 of the hub: its embedded PostgreSQL and Redis must not outlive it (they are stopped when the hub dies),
   * and when they do anyway (here the whole process tree is killed, watchdog included) the next start on the same
   * data folder stops those orphans, serves with the data intact, and never runs two Redis servers on one folder.
   */
  @Test
  void afterKill9TheServersDoNotOutliveTheHubAndTheNextStartServesWithTheData() throws Exception {
    Path jar = Path.of(requiredProperty("switchboard.jar"));
    Path config = tmp.resolve("config");
    copyTree(Path.of(requiredProperty("switchboard.config.dir")), config);
    dataDir = tmp.resolve("data");

    RunningHub first = start(jar, config, "first");
    String inbound = new JsonObject().put("channel", "chat").put("externalId", "kill9-1")
        .put("sender", new JsonObject().put("kind", "email").put("value", "kill.nine@example.com"))
        .put("threadKey", "kill9-session").put("content", new JsonObject().put("type", "text").put("text", "before the kill"))
        .encode();
    Resp created = first.post("/api/v1/inbound", "ApiKey " + DEMO_API_KEY, inbound);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String interactionId = created.json().getString("interactionId");

    // 1. kill -9 of the hub JVM alone: its servers stop by themselves.
    first.process.destroyForcibly();
    assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    awaitGone("servers of the killed hub", first.servers);
    assertThat(postgresOf(dataDir)).isEmpty();

    // 2. Orphans anyway: the next hub's whole process tree is killed, so nothing is left to stop its servers.
    RunningHub second = start(jar, config, "second");
    List<ProcessHandle> orphans = new ArrayList<>(second.servers);
    List<ProcessHandle> tree = new ArrayList<>(second.process.toHandle().descendants().toList());
    tree.add(second.process.toHandle());
    tree.stream().filter(p -> !orphans.contains(p) && !commandLine(p).contains("redis-server"))
        .forEach(ProcessHandle::destroyForcibly);
    assertThat(second.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(orphans.stream().filter(ProcessHandle::isAlive)).as("orphaned servers").isNotEmpty();

    RunningHub third = start(jar, config, "third");
    awaitGone("orphans of the killed hub after the next start", orphans);
    assertThat(redisServersIn(dataDir.resolve("redis"))).as("Redis servers on the data folder").hasSize(1);
    String token = third.login("alice", "alice-demo-pw");
    Resp again = third.post("/api/v1/inbound", "ApiKey " + DEMO_API_KEY, inbound);
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.json().getString("interactionId")).isEqualTo(interactionId);
    assertThat(token).isNotBlank();
    third.stopAndCheckNothingRemains();
  }

  private static void awaitGone(String what, List<ProcessHandle> processes) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && processes.stream().anyMatch(ProcessHandle::isAlive)) {
      sleep(100);
    }
    assertThat(processes.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " " + commandLine(p)))
        .as(what).isEmpty();
  }

  /** redis-server processes working in {@code dir} (Redis changes into its data folder). */
  private static List<ProcessHandle> redisServersIn(Path dir) {
    return ProcessHandle.allProcesses().filter(p -> commandLine(p).contains("redis-server")).filter(p -> {
      try {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).equals(dir.toAbsolutePath());
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }).toList();
  }

  @AfterEach
  void killLeftovers() {
    List<ProcessHandle> victims = new ArrayList<>();
    tracked.stream().filter(ProcessHandle::isAlive).forEach(victims::add);
    if (dataDir != null) {
      victims.addAll(postgresOf(dataDir));
    }
    for (int port : redisPorts) {
      victims.addAll(redisOnPort(port));
    }
    // SIGTERM first (postgres: fast shutdown once the hub, its client, is gone), then forcibly.
    Set<ProcessHandle> all = new LinkedHashSet<>(victims);
    for (ProcessHandle p : victims) {
      if (p.isAlive()) {
        p.descendants().forEach(all::add);
      }
    }
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && all.stream().anyMatch(ProcessHandle::isAlive)) {
      sleep(100);
    }
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    tracked.clear();
  }

  // ---------------------------------------------------------------------------------------------------------

  private void assertHistoryHolds(RunningHub hub, String token, String customerId, String interactionId, String text) {
    Resp history = hub.get("/api/v1/customers/" + customerId + "/history", "Bearer " + token);
    assertThat(history.status()).as(history.toString()).isEqualTo(200);
    JsonArray items = history.json().getJsonArray("items");
    JsonObject entry = items.stream().map(JsonObject.class::cast)
        .filter(i -> interactionId.equals(i.getString("id")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("interaction " + interactionId + " not in history " + history.body()));
    assertThat(entry.getString("customerId")).isEqualTo(customerId);
    assertThat(entry.getString("channel")).isEqualTo("chat");
    assertThat(entry.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .map(m -> m.getJsonObject("content").getString("text")))
        .contains(text);
  }

  private static void assertSingleCustomerNamed(RunningHub hub, String token, String name) {
    Resp found = hub.get("/api/v1/customers?q=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8), "Bearer " + token);
    assertThat(found.status()).as(found.toString()).isEqualTo(200);
    assertThat(found.json().getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(c -> name.equals(c.getString("displayName"))))
        .as("customers named %s (%s)", name, found.body())
        .hasSize(1);
  }

  private RunningHub start(Path jar, Path config, String label) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path stdout = tmp.resolve(label + ".stdout.log");
    Path stderr = tmp.resolve(label + ".stderr.log");
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toAbsolutePath().toString());
    pb.directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
    env.put("SWITCHBOARD_CONFIG_DIR", config.toAbsolutePath().toString());
    env.put("SWITCHBOARD_DATA_DIR", dataDir.toAbsolutePath().toString());
    env.put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
    env.put("SWITCHBOARD_HTTP_HOST", "127.0.0.1");
    pb.redirectOutput(stdout.toFile());
    pb.redirectError(stderr.toFile());
    Process process = pb.start();
    tracked.add(process.toHandle());
    RunningHub hub = new RunningHub(label, process, port, stdout, stderr);
    hub.awaitUp();
    return hub;
  }

  /** One {@code java -jar} process and what it started. */
  private final class RunningHub {
    private final String label;
    private final Process process;
    private final String base;
    private final Path stdout;
    private final Path stderr;
    private int redisPort;
    private final List<ProcessHandle> servers = new ArrayList<>();

    RunningHub(String label, Process process, int port, Path stdout, Path stderr) {
      this.label = label;
      this.process = process;
      this.base = "http://127.0.0.1:" + port;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    void awaitUp() {
      long deadline = System.nanoTime() + START_DEADLINE.toNanos();
      boolean up = false;
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          fail("the %s hub exited with %d before serving%n%s", label, process.exitValue(), logs());
        }
        if (!up) {
          Optional<Resp> health = tryGet("/health");
          up = health.isPresent() && health.get().status() == 200 && "up".equals(health.get().json().getString("status"));
          if (up) {
            JsonObject checks = health.get().json().getJsonObject("checks");
            assertThat(checks.getString("postgres")).isEqualTo("up");
            assertThat(checks.getString("redis")).isEqualTo("up");
          }
        }
        // /health answers a moment before Main prints its banner.
        if (up && read(stdout).contains("Stop with Ctrl-C")) {
          break;
        }
        sleep(200);
      }
      String out = read(stdout);
      assertThat(up).as("the %s hub served /health within %s%n%s", label, START_DEADLINE, logs()).isTrue();
      assertThat(out).as("stdout of the %s hub", label).contains("Switchboard is running.");
      assertThat(out).contains(dataDir.resolve("postgres").toAbsolutePath().toString());

      Matcher pg = PG_PORT.matcher(out);
      Matcher rd = REDIS_PORT.matcher(out);
      assertThat(pg.find()).as("PostgreSQL URL in %s", out).isTrue();
      assertThat(rd.find()).as("Redis URL in %s", out).isTrue();
      redisPort = Integer.parseInt(rd.group(1));
      redisPorts.add(redisPort);

      // The embedded servers must be visible to the leftover check, or that check proves nothing.
      List<ProcessHandle> pgs = postgresOf(dataDir);
      assertThat(pgs).as("embedded postgres processes for %s", dataDir).isNotEmpty();
      assertThat(pgs.stream().map(HubJarIT::commandLine))
          .as("embedded postgres listens on the printed port")
          .anyMatch(c -> c.contains("-p " + pg.group(1)));
      List<ProcessHandle> redis = redisOnPort(redisPort);
      assertThat(redis).as("embedded redis-server on port %d", redisPort).isNotEmpty();
      assertThat(process.toHandle().descendants().map(HubJarIT::commandLine))
          .as("redis-server is a child of the hub")
          .anyMatch(c -> c.contains("redis-server"));
      servers.addAll(pgs);
      pgs.forEach(p -> servers.addAll(p.descendants().toList()));
      servers.addAll(redis);
      tracked.addAll(servers);
    }

    void stopAndCheckNothingRemains() throws InterruptedException {
      List<ProcessHandle> children = process.toHandle().descendants().toList();
      process.destroy(); // SIGTERM on Linux
      boolean exited = process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(exited).as("the %s hub exits within %s of SIGTERM%n%s", label, STOP_DEADLINE, logs()).isTrue();
      assertThat(process.exitValue()).as("exit code of the %s hub%n%s", label, logs()).isIn(0, 143);
      assertThat(read(stdout) + read(stderr)).contains("hub stopped");

      // Postgres' backends may take a moment to notice the postmaster is gone; the postmaster itself is
      // stopped synchronously by pg_ctl before the JVM exits.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<ProcessHandle> alive;
      do {
        alive = Stream.of(servers, children, postgresOf(dataDir), redisOnPort(redisPort))
            .flatMap(List::stream).filter(ProcessHandle::isAlive).distinct().toList();
        if (alive.isEmpty()) {
          break;
        }
        sleep(100);
      } while (System.nanoTime() < deadline);
      assertThat(alive.stream().map(p -> p.pid() + " " + commandLine(p)))
          .as("processes left behind by the %s hub", label)
          .isEmpty();
      // The postmaster was gone at once (not only after the grace above).
      assertThat(postgresOf(dataDir)).isEmpty();
    }

    String login(String username, String password) {
      Resp r = post("/api/v1/auth/login", null, new JsonObject().put("username", username).put("password", password).encode());
      assertThat(r.status()).as("login of %s: %s", username, r).isEqualTo(200);
      String token = r.json().getString("token");
      assertThat(token).isNotBlank();
      return token;
    }

    Resp get(String path, String authorization) {
      return send(request(path, authorization).GET());
    }

    Resp post(String path, String authorization, String json) {
      return send(request(path, authorization).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Optional<Resp> tryGet(String path) {
      try {
        HttpResponse<String> r = http.send(request(path, null).timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        return Optional.of(new Resp(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body()));
      } catch (ConnectException e) {
        return Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    private HttpRequest.Builder request(String path, String authorization) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      return b;
    }

    private Resp send(HttpRequest.Builder request) {
      try {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Resp(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    String logs() {
      return "--- stdout (" + label + ") ---\n" + tail(read(stdout)) + "\n--- stderr (" + label + ") ---\n" + tail(read(stderr));
    }
  }

  private record Resp(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Postgres processes whose command line names {@code <dataDir>/postgres} as their data directory. */
  private static List<ProcessHandle> postgresOf(Path dataDir) {
    String pgData = dataDir.resolve("postgres").toAbsolutePath().toString();
    return ProcessHandle.allProcesses()
        .filter(p -> {
          List<String> args = arguments(p);
          for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("-D") && args.get(i + 1).equals(pgData)) {
              return true;
            }
          }
          return args.contains("-D" + pgData);
        })
        .toList();
  }

  /** redis-server processes listening on {@code port} (Redis shows itself as {@code redis-server 127.0.0.1:<port>}). */
  private static List<ProcessHandle> redisOnPort(int port) {
    return ProcessHandle.allProcesses()
        .filter(p -> {
          String c = commandLine(p);
          return c.contains("redis-server") && (c.contains(":" + port + " ") || c.endsWith(":" + port)
              || c.contains("--port " + port + " ") || c.endsWith("--port " + port));
        })
        .toList();
  }

  private static List<String> arguments(ProcessHandle p) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
      String s = new String(raw, StandardCharsets.UTF_8);
      if (!s.isEmpty()) {
        List<String> out = new ArrayList<>(Arrays.asList(s.split("\0")));
        // A process that rewrote its title (redis) may leave one space-separated string.
        if (out.size() == 1) {
          out = new ArrayList<>(Arrays.asList(out.get(0).trim().split(" +")));
        }
        return out;
      }
    } catch (IOException | RuntimeException e) {
      // gone, or not Linux: fall back to what the JDK knows
    }
    ProcessHandle.Info info = p.info();
    List<String> out = new ArrayList<>();
    info.command().ifPresent(out::add);
    info.arguments().ifPresent(a -> out.addAll(Arrays.asList(a)));
    return out;
  }

  private static String commandLine(ProcessHandle p) {
    return String.join(" ", arguments(p));
  }

  private static String requiredProperty(String name) {
    String v = System.getProperty(name);
    assertThat(v).as("system property %s (set by failsafe)", name).isNotBlank();
    return v;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path src : (Iterable<Path>) walk::iterator) {
        Path dst = to.resolve(from.relativize(src).toString());
        if (Files.isDirectory(src)) {
          Files.createDirectories(dst);
        } else {
          Files.copy(src, dst);
        }
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static String tail(String s) {
    return s.length() <= 8000 ? s : "..." + s.substring(s.length() - 8000);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
