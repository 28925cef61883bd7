package io.switchboard.hub.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.FaultyServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hub processes killed with -9 in external mode (PostgreSQL and Redis of the test's own), under a bounded intake load
 * spread over two nodes as a load balancer would spread it: one node killed while the other carries on, then
 * restarted; then the other killed and restarted, with one working console on each node (it goes available, accepts
 * what it is offered and ends it, and reconnects to its node when that node is back). Every acknowledged contact is
 * stored exactly once and offered to an agent within {@link FaultInjectionTest#RECOVERY} of the last restart, every
 * contact is acknowledged in the end, no answer is a 500, and a killed hub leaves no process behind.
 *
 * <p>Failsafe passes {@code switchboard.jar} and {@code switchboard.config.dir}, as for HubJarIT.
 */
class HubProcessesIT {
  static final Duration START_DEADLINE = Duration.ofSeconds(180);

  @TempDir Path tmp;
  FaultyServers servers;
  final List<Process> started = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final Vertx vertx = Vertx.vertx();
  final List<LiveConsole> consoles = new ArrayList<>();
  final Path config = io.switchboard.hub.app.TestHub.configWithRules(RoutingSelfHealingTest.RULES);

  @BeforeEach
  void servers() {
    servers = FaultyServers.start();
  }

  @AfterEach
  void cleanUp() {
    consoles.forEach(LiveConsole::close);
    vertx.close();
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    servers.close();
  }

  @Test
  void nodesKilledWithMinus9UnderLoadLoseNothingAcknowledgedAndLeaveNothingBehind() throws Exception {
    int portA = freePort();
    int portB = freePort();
    Process a = start("a", portA);
    Process b = start("b", portB);
    String run = "nodes-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> nodes = List.of("http://127.0.0.1:" + portA, "http://127.0.0.1:" + portB);
    consoles.add(LiveConsole.working(vertx, portA, () -> login(portA, "alice")).connect());
    consoles.add(LiveConsole.working(vertx, portB, () -> login(portB, "bob")).connect());
    try (IntakeLoad load = IntakeLoad.start(nodes, run, 80, 10, Duration.ofSeconds(240))) {
      awaitAnswers(load, 15);
      kill(b); // node B dies; the balancer sends everything to A
      awaitAnswers(load, 35);
      b = start("b2", portB); // B back: external mode, nothing to clean up
      awaitAnswers(load, 50);
      kill(a);
      awaitAnswers(load, 60);
      a = start("a2", portA);
      load.finish();

      assertThat(load.answers().stream().filter(x -> x.error() == null && !x.acceptable()))
          .as("answers other than 201/200 or 503 with Retry-After").isEmpty();
      assertThat(load.acknowledged()).as("contacts acknowledged in the end").hasSize(80);
      FaultInjectionTest.assertStoredExactlyOnce(servers, run, load.acknowledged());
      FaultInjectionTest.assertOfferedWithin(servers, List.copyOf(load.acknowledged().values()));
    }
    consoles.forEach(LiveConsole::close);
    stop(a);
    stop(b);
  }

  /** A demo agent's token from the node on {@code port}, retried while that node is away (the console's relogin). */
  private String login(int port, String user) throws Exception {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (true) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/auth/login"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", user).put("password", user + "-demo-pw").encode()))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return new JsonObject(r.body()).getString("token");
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("login of " + user + " failed: " + r.statusCode() + " " + r.body());
        }
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      sleep(500);
    }
  }

  private Process start(String label, int port) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-jar", Path.of(System.getProperty("switchboard.jar")).toAbsolutePath().toString());
    pb.directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
    // The sample config with the routing test's rules: no business hours (the sample's calendar closes on Sundays).
    env.put("SWITCHBOARD_CONFIG_DIR", config.toString());
    env.put("SWITCHBOARD_ROUTING_RECONCILE_EVERY", "1s");
    env.put("SWITCHBOARD_DATA_DIR", tmp.resolve("data-" + label).toString());
    env.put("SWITCHBOARD_PG_URL", servers.postgresUrl());
    env.put("SWITCHBOARD_REDIS_URL", servers.redisUrl());
    env.put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
    env.put("SWITCHBOARD_HTTP_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_BCRYPT_COST", "4");
    env.put("SWITCHBOARD_NODE_NAME", label);
    env.put("SWITCHBOARD_DEMO", "true"); // the demo agents work the consoles
    pb.redirectOutput(tmp.resolve(label + ".out.log").toFile());
    pb.redirectError(tmp.resolve(label + ".err.log").toFile());
    Process p = pb.start();
    started.add(p);
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("hub %s exited before serving: %s", label, log(label)).isTrue();
      if (healthy(port)) {
        return p;
      }
      sleep(250);
    }
    throw new AssertionError("hub " + label + " did not serve within " + START_DEADLINE + ": " + log(label));
  }

  private boolean healthy(int port) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** kill -9, and nothing the process started outlives it. */
  private static void kill(Process p) throws InterruptedException {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(children.stream().filter(ProcessHandle::isAlive)).as("processes left by the killed hub").isEmpty();
  }

  /** SIGTERM, a clean exit, nothing left. */
  private void stop(Process p) throws InterruptedException {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the hub exits after SIGTERM").isTrue();
    assertThat(p.exitValue()).isIn(0, 143);
    assertThat(children.stream().filter(ProcessHandle::isAlive)).as("processes left by the stopped hub").isEmpty();
  }

  private static void awaitAnswers(IntakeLoad load, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (load.answered() < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private String log(String label) {
    try {
      String s = Files.readString(tmp.resolve(label + ".out.log")) + Files.readString(tmp.resolve(label + ".err.log"));
      return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
