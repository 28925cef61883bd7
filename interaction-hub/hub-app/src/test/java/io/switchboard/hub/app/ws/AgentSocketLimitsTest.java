package io.switchboard.hub.app.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.core.cluster.ClusterEvents;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("agent console WebSocket: auth timeout, allowed origins, back-pressure")
class AgentSocketLimitsTest {
  /** A burst of frames much larger than what socket buffers hold on the way to a console that stops reading. */
  private static final int FLOOD_EVENTS = 3_000;
  private static final String FLOOD_REASON = "x".repeat(8 * 1024);

  private SocketFixture fx;
  private GatewayUnderTest gateway;

  @BeforeEach
  void start() {
    fx = SocketFixture.start();
  }

  @AfterEach
  void stop() {
    fx.closeConsoles();
    if (gateway != null) {
      gateway.close();
    }
    fx.close();
  }

  private int gateway(Duration authTimeout, Duration backPressureGrace) {
    AgentSocketGateway.Limits d = AgentSocketGateway.Limits.defaults();
    gateway = new GatewayUnderTest(fx.hub, new AgentSocketGateway.Limits(authTimeout, d.heartbeat(), d.idleTimeout(),
        d.maxFrameBytes(), d.framesPerSecond(), d.frameBurst(), backPressureGrace, d.sessionCheck()),
        List.of("https://console.example.com"));
    return gateway.port();
  }

  @Test
  void aSocketWithoutAuthInTimeIsClosedWith4401() {
    int port = gateway(Duration.ofMillis(300), Duration.ofSeconds(10));
    Console silent = fx.console(port);
    long connected = System.nanoTime();
    assertThat(silent.awaitClose()).isEqualTo((short) 4401);
    // Closed by the 300-ms auth timeout, not by the 10-s idle timeout or a later check (no sub-second bound).
    assertThat((System.nanoTime() - connected) / 1_000_000).isLessThan(4_000L);
    assertThat(silent.next("error").getString("code")).isEqualTo("unauthenticated");
  }

  @Test
  void aTokenSentInTimeIsCheckedToTheEndWhileTheHubIsSlowerThanTheAuthTimeout() {
    int port = gateway(Duration.ofMillis(300), Duration.ofSeconds(10));
    String token = fx.token("alice");
    Console c = fx.console(port);
    // The gateway's own session store cannot answer for 2.5 s (Redis pauses its clients): the check outlasts the
    // 300-ms auth timeout, as on a hub swamped by a ramp of connections. The console sent its token in time.
    gateway.pauseRedis(Duration.ofMillis(2_500));
    JsonObject hello = c.authenticate(token);
    assertThat(hello.getString("type")).as(hello.encode()).isEqualTo("hello");
    c.assertAlive("after-slow-auth");
  }

  @Test
  void originsListedInTheConfigurationMayConnectOthersMayNot() {
    int port = gateway(Duration.ofSeconds(5), Duration.ofSeconds(10));
    Console listed = new Console(fx.clients);
    try {
      listed.connect(port, "https://console.example.com").authenticated(fx.token("alice"));
    } finally {
      listed.close();
    }
    Console other = new Console(fx.clients);
    try {
      Throwable refused = null;
      try {
        other.tryConnect(Console.options(port, "https://console.example.com.evil.example"))
            .toCompletionStage().toCompletableFuture().get(Console.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        refused = e.getCause();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(403);
    } finally {
      other.close();
    }
  }

  @Test
  void aConsoleThatStopsReadingIsClosedWith4408AndItsOffersGoToAConsoleThatStillGetsItsFramesPromptly() {
    int port = gateway(Duration.ofSeconds(5), Duration.ofSeconds(1));
    Console alice = fx.console(port, smallReceiveBuffer());
    String aliceToken = fx.token("alice");
    String aliceId = fx.agentId(aliceToken);
    alice.authenticated(aliceToken);
    alice.command(new JsonObject().put("type", "state").put("state", "available"), "go");
    String id = fx.contact("bp-1", "billing", "hello"); // alice (billing 5) before emma (billing 4)
    assertThat(alice.next("offer").getString("interactionId")).isEqualTo(id);
    Console emma = fx.available("emma", port);

    var requeued = fx.expect(RoutingService.OFFER_WITHDRAWN, e -> id.equals(e.getString("interactionId")));
    alice.pause();
    flood(aliceId);
    // Emma's console, on the same gateway and event loop, is answered while alice's is stuck (alice has not resumed
    // reading): each ping's pong is awaited, so a gateway blocked behind alice's socket fails here.
    for (int i = 0; i < 5; i++) {
      emma.assertAlive("emma-" + i);
    }
    JsonObject withdrawn = SocketFixture.await(requeued);
    assertThat(withdrawn.getString("agentId")).isEqualTo(aliceId);
    assertThat(withdrawn.getString("reason")).isEqualTo("agent console disconnected");
    long requeuedAt = System.nanoTime();
    assertThat(emma.next("offer").getString("interactionId")).isEqualTo(id);
    assertThat((System.nanoTime() - requeuedAt) / 1_000_000).as("offer to emma after the requeue").isLessThan(5_000);

    alice.resume();
    assertThat(alice.awaitClose()).isEqualTo((short) 4408);
    assertThat(alice.received("state").size()).as("events held back").isLessThan(FLOOD_EVENTS);
  }

  @Test
  void aConsoleThatFallsBehindGetsASnapshotOnceItCatchesUp() {
    int port = gateway(Duration.ofSeconds(5), Duration.ofSeconds(60));
    Console alice = fx.console(port, smallReceiveBuffer());
    String aliceToken = fx.token("alice");
    String aliceId = fx.agentId(aliceToken);
    alice.authenticated(aliceToken);
    Console bob = fx.console(port);
    String bobToken = fx.token("bob");
    bob.authenticated(bobToken);

    alice.pause();
    flood(aliceId);
    // Events reach each console in the order the gateway hears them: once bob has this one, every event of
    // the flood has been written to alice's socket or held back.
    // Bob gets it while alice is still stuck (she has not resumed reading): her backlog holds nobody else up.
    publishState(fx.agentId(bobToken), "busy", "marker");
    assertThat(bob.next("state").getString("reason")).isEqualTo("marker");

    alice.resume();
    JsonObject snapshot = alice.next(f -> "snapshot".equals(f.getString("type")) && "overflow".equals(f.getString("cause")));
    assertThat(snapshot.getString("state")).isNotBlank();
    assertThat(alice.received("state").size()).as("events held back").isLessThan(FLOOD_EVENTS);
    List<Long> seqs = alice.received().stream().map(f -> f.getLong("seq")).toList();
    for (int i = 0; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).as("frames are numbered without gaps").isEqualTo(i + 1L);
    }
    alice.assertAlive("caught-up");
  }

  /** Events for one agent, as a busy hub pushes them (each about 8 KiB on the wire). */
  private void flood(String agentId) {
    for (int i = 0; i < FLOOD_EVENTS; i++) {
      publishState(agentId, "busy", FLOOD_REASON);
    }
  }

  private void publishState(String agentId, String state, String reason) {
    fx.hub.hub().vertx().eventBus().publish(ClusterEvents.address(RoutingService.AGENT_STATE_CHANGED),
        new JsonObject().put("agentId", agentId).put("state", state).put("reason", reason));
  }

  private static WebSocketClientOptions smallReceiveBuffer() {
    return new WebSocketClientOptions().setReceiveBufferSize(16 * 1024);
  }
}
