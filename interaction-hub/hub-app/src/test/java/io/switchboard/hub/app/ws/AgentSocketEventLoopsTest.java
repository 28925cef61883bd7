package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.cluster.ClusterEvents;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API runs as one verticle instance per event loop (here 4, set explicitly): agent sockets land on different
 * loops, and each still gets every event of its agent; sockets opening and closing at once on several loops leave the
 * node's registry exact.
 */
@DisplayName("agent sockets on every event loop")
class AgentSocketEventLoopsTest {
  static final int INSTANCES = 4;
  private SocketFixture fx;

  @BeforeEach
  void start() {
    fx = new SocketFixture(TestHub.start(Map.of("SWITCHBOARD_HTTP_INSTANCES", String.valueOf(INSTANCES)), SocketFixture.RULES));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void consolesOnDifferentEventLoopsEachGetTheirAgentsStatesAndOffers() {
    // Two consoles per agent, eight sockets over four loops: Vert.x hands new connections to the instances in turn.
    Map<String, List<Console>> byUser = new LinkedHashMap<>();
    for (String user : List.of("alice", "chen", "dilara", "emma")) {
      byUser.put(user, new ArrayList<>(List.of(fx.available(user), fx.available(user))));
    }
    var gateway = fx.hub.hub().agentSockets();
    assertThat(gateway.openSockets()).isEqualTo(8);
    assertThat(gateway.contextsInUse()).as("event loops holding agent sockets").isGreaterThan(1);

    // A state change made over REST reaches both sockets of each agent, wherever they are.
    String sam = bearer(fx.token("sam"));
    for (var e : byUser.entrySet()) {
      String id = fx.agentId(fx.token(e.getKey()));
      var r = fx.hub.put("/api/v1/agents/" + id + "/state", sam, "{\"state\":\"break\",\"reason\":\"loop-" + e.getKey() + "\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(204);
      for (Console c : e.getValue()) {
        assertThat(c.next(f -> "state".equals(f.getString("type")) && ("loop-" + e.getKey()).equals(f.getString("reason")))
            .getString("state")).isEqualTo("break");
      }
      JsonObject ok = e.getValue().get(0).command(new JsonObject().put("type", "state").put("state", "available"), "back-" + e.getKey());
      assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("ok");
      for (Console c : e.getValue()) {
        assertThat(c.next(f -> "state".equals(f.getString("type")) && "available".equals(f.getString("state")))).isNotNull();
      }
    }

    // Offers: every offer made reaches both sockets of the agent it was made to.
    List<JsonObject> offers = new java.util.concurrent.CopyOnWriteArrayList<>();
    var consumer = fx.hub.hub().vertx().eventBus().<JsonObject>consumer(ClusterEvents.address(RoutingService.OFFER_CREATED),
        m -> offers.add(m.body()));
    Console.await(consumer.completion());
    for (int i = 0; i < 4; i++) {
      fx.contact("loops-" + i, "general", "hello " + i);
    }
    eventually(() -> assertThat(offers).hasSizeGreaterThanOrEqualTo(4));
    Console.await(consumer.unregister());
    Map<String, String> users = new LinkedHashMap<>();
    byUser.keySet().forEach(u -> users.put(fx.agentId(fx.token(u)), u));
    for (JsonObject offer : offers) {
      String interaction = offer.getString("interactionId");
      String user = users.get(offer.getString("agentId"));
      assertThat(user).as("offer to an agent with consoles: %s", offer.encode()).isNotNull();
      for (Console c : byUser.get(user)) {
        assertThat(c.next(o -> "offer".equals(o.getString("type")) && interaction.equals(o.getString("interactionId"))))
            .as("offer %s on every socket of %s", interaction, user).isNotNull();
      }
    }
  }

  @Test
  void socketsOpeningAndClosingAtOnceOnSeveralLoopsNeitherLoseTheAgentNorLingerInTheRegistry() throws Exception {
    Console anchor = fx.available("alice");
    var offered = fx.expect(ClusterEvents.address(RoutingService.OFFER_CREATED), e -> true);
    String interaction = fx.contact("churn-1", "general", "keep my offer");
    assertThat(SocketFixture.await(offered).getString("interactionId")).isEqualTo(interaction);
    anchor.next(o -> "offer".equals(o.getString("type")) && interaction.equals(o.getString("interactionId")));

    // 24 more sockets of the same agent, authenticated and closed again from several threads at once.
    String token = fx.token("alice");
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<java.util.concurrent.Future<?>> churn = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        churn.add(pool.submit(() -> {
          Console c = new Console(fx.clients).connect(fx.hub.hub().httpPort());
          c.authenticated(token);
          c.close();
        }));
      }
      for (var f : churn) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    var gateway = fx.hub.hub().agentSockets();
    eventually(() -> assertThat(gateway.openSockets()).isEqualTo(1));

    // The anchor kept the agent connected: no socket closing counted as the agent's last, so the offer stands.
    anchor.assertAlive("still-here");
    assertThat(anchor.received("offer_withdrawn")).isEmpty();
    assertThat(anchor.command(new JsonObject().put("type", "resync"), "after-churn").getString("type")).isEqualTo("ok");
    assertThat(anchor.received("snapshot").stream().filter(f -> "requested".equals(f.getString("cause"))).findFirst().orElseThrow()
        .getJsonArray("offers").encode()).as("the offer still stands").contains(interaction);
    // The anchor closes last: now the agent's offer goes back at once.
    var withdrawn = fx.expect(ClusterEvents.address(RoutingService.OFFER_WITHDRAWN), e -> interaction.equals(e.getString("interactionId")));
    anchor.close();
    SocketFixture.await(withdrawn);
    eventually(() -> assertThat(gateway.openSockets()).isZero());
  }

  /** Retries {@code check} until it passes, at most 30 s (the machine may be loaded). */
  static void eventually(Runnable check) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
