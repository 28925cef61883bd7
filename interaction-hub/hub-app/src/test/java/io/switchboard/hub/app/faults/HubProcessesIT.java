package io.switchboard.hub.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.FaultyServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
  @TempDir Path tmp;
  FaultyServers servers;
  final List<HubProcess> started = new ArrayList<>();
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
    started.forEach(HubProcess::destroy);
    servers.close();
  }

  @Test
  void nodesKilledWithMinus9UnderLoadLoseNothingAcknowledgedAndLeaveNothingBehind() throws Exception {
    int portA = HubProcess.freePort();
    int portB = HubProcess.freePort();
    HubProcess a = start("a", portA);
    HubProcess b = start("b", portB);
    String run = "nodes-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> nodes = List.of("http://127.0.0.1:" + portA, "http://127.0.0.1:" + portB);
    consoles.add(LiveConsole.working(vertx, portA, () -> login(portA, "alice")).connect());
    consoles.add(LiveConsole.working(vertx, portB, () -> login(portB, "bob")).connect());
    try (IntakeLoad load = IntakeLoad.start(nodes, run, 80, 10, Duration.ofSeconds(240))) {
      awaitAnswers(load, 15);
      b.kill(); // node B dies; the balancer sends everything to A
      awaitAnswers(load, 35);
      b = start("b2", portB); // B back: external mode, nothing to clean up
      awaitAnswers(load, 50);
      a.kill();
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
    a.stop();
    b.stop();
  }

  /** A demo agent's token from the node on {@code port}, retried while that node is away (the console's relogin). */
  private String login(int port, String user) throws Exception {
    long deadline = System.nanoTime() + HubProcess.START_DEADLINE.toNanos();
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

  private HubProcess start(String label, int port) throws IOException {
    // The sample config with the routing test's rules: no business hours (the sample's calendar closes on Sundays).
    HubProcess hub = HubProcess.start(label, port, config, servers, tmp, Map.of("SWITCHBOARD_ROUTING_RECONCILE_EVERY", "1s"));
    started.add(hub);
    return hub;
  }

  private static void awaitAnswers(IntakeLoad load, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (load.answered() < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private static void sleep(long ms) {
    HubProcess.sleep(ms);
  }
}
