package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.cluster.ClusterEvents;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("agent console WebSocket on two hub nodes sharing PostgreSQL and Redis")
class AgentSocketMultiNodeTest {
  private SocketFixture fx;
  private TestHub a;
  private TestHub b;

  @BeforeEach
  void start() {
    fx = SocketFixture.start();
    a = fx.hub;
    b = a.sibling();
  }

  @AfterEach
  void stop() {
    b.close();
    fx.close();
  }

  @Test
  void aConsoleOnNodeAHearsOfAStateChangeMadeOnNodeBExactlyOnce() {
    Console alice = fx.available("alice");
    String aliceId = fx.agentId(fx.token("alice"));
    List<JsonObject> onA = new CopyOnWriteArrayList<>();
    List<JsonObject> onB = new CopyOnWriteArrayList<>();
    a.hub().vertx().eventBus().<JsonObject>consumer(ClusterEvents.address(RoutingService.AGENT_STATE_CHANGED), m -> onA.add(m.body()));
    b.hub().vertx().eventBus().<JsonObject>consumer(ClusterEvents.address(RoutingService.AGENT_STATE_CHANGED), m -> onB.add(m.body()));
    var localOnB = SocketFixture.expect(b, RoutingService.AGENT_STATE_CHANGED, e -> "training".equals(e.getString("reason")));

    String sam = bearer(b.login("sam", "sam-demo-pw"));
    var r = b.put("/api/v1/agents/" + aliceId + "/state", sam, "{\"state\":\"break\",\"reason\":\"training\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(204);
    SocketFixture.await(localOnB);
    JsonObject state = alice.next("state");
    assertThat(state.getString("state")).isEqualTo("break");
    assertThat(state.getString("reason")).isEqualTo("training");

    // A later change made on A: once B has it, an echo of the first (published before it) would have come too.
    // Both nodes hear cluster events through Redis pub/sub, the publishing node too, in no fixed order: await each.
    var availableOnA = SocketFixture.expect(a, ClusterEvents.address(RoutingService.AGENT_STATE_CHANGED),
        e -> "available".equals(e.getString("state")));
    var availableOnB = SocketFixture.expect(b, ClusterEvents.address(RoutingService.AGENT_STATE_CHANGED),
        e -> "available".equals(e.getString("state")));
    alice.command(new JsonObject().put("type", "state").put("state", "available"), "back");
    assertThat(alice.next("state").getString("state")).isEqualTo("available");
    SocketFixture.await(availableOnA);
    SocketFixture.await(availableOnB);
    assertThat(onA.stream().filter(e -> "training".equals(e.getString("reason")))).hasSize(1);
    assertThat(onB.stream().filter(e -> "training".equals(e.getString("reason")))).hasSize(1);
    assertThat(onA.stream().filter(e -> "available".equals(e.getString("state")))).hasSize(1);
  }

  @Test
  void aConsoleOnNodeAGetsAnOfferDecidedOnNodeB() {
    Console alice = fx.available("alice");
    // Contacts posted to B are queued on B and usually matched there; which node runs a pass is decided by a
    // Redis lease, so try a few contacts until one was decided on B (declining each frees alice again).
    boolean decidedOnB = false;
    for (int i = 0; i < 5 && !decidedOnB; i++) {
      String externalId = "mn-ws-" + i;
      // Each node's own address carries only the offers its passes made.
      CompletableFuture<JsonObject> onA = SocketFixture.expect(a, RoutingService.OFFER_CREATED, e -> true);
      CompletableFuture<JsonObject> onB = SocketFixture.expect(b, RoutingService.OFFER_CREATED, e -> true);
      String id = SocketFixture.contact(b, externalId, externalId, "billing", "hello from " + i);
      JsonObject offer = alice.next("offer");
      assertThat(offer.getString("interactionId")).isEqualTo(id);
      assertThat(offer.getJsonObject("customer").getJsonArray("identities").stream()
          .map(x -> ((JsonObject) x).getString("value"))).contains(externalId + "@example.com");
      SocketFixture.await(CompletableFuture.anyOf(onA, onB).thenApply(x -> (JsonObject) x));
      decidedOnB = onB.isDone() && !onA.isDone();
      onA.cancel(false);
      onB.cancel(false);
      assertThat(alice.command(new JsonObject().put("type", "decline").put("interactionId", id), "d" + i).getString("type"))
          .isEqualTo("ok");
      assertThat(alice.next("offer_withdrawn").getString("interactionId")).isEqualTo(id);
    }
    assertThat(decidedOnB).as("one of the offers was made by node B's matching pass").isTrue();
  }

  @Test
  void anAgentTypingOnNodeAReachesTheChatAdaptersOfEveryNodeOnce() {
    Console alice = fx.available("alice");
    String id = fx.contact("mn-typing-1", "billing", "hello");
    alice.next("offer");
    alice.command(new JsonObject().put("type", "accept").put("interactionId", id), "a1");
    alice.next("assigned");
    // What the web chat adapter of each node hears; the customer's socket may be on either node.
    List<JsonObject> onA = new CopyOnWriteArrayList<>();
    List<JsonObject> onB = new CopyOnWriteArrayList<>();
    a.hub().vertx().eventBus().<JsonObject>consumer(HubEvents.everyNode(HubEvents.AGENT_TYPING), m -> onA.add(m.body()));
    b.hub().vertx().eventBus().<JsonObject>consumer(HubEvents.everyNode(HubEvents.AGENT_TYPING), m -> onB.add(m.body()));
    var startedOnB = SocketFixture.expect(b, HubEvents.everyNode(HubEvents.AGENT_TYPING), e -> e.getBoolean("on"));
    var stoppedOnB = SocketFixture.expect(b, HubEvents.everyNode(HubEvents.AGENT_TYPING), e -> !e.getBoolean("on"));
    var stoppedOnA = SocketFixture.expect(a, HubEvents.everyNode(HubEvents.AGENT_TYPING), e -> !e.getBoolean("on"));

    assertThat(alice.command(new JsonObject().put("type", "typing").put("interactionId", id).put("on", true), "t1")
        .getString("type")).isEqualTo("ok");
    assertThat(SocketFixture.await(startedOnB)).isEqualTo(new JsonObject().put("interactionId", id).put("on", true));
    // A later event from the same node arrives after the first on both nodes: no echo of the first came.
    alice.command(new JsonObject().put("type", "typing").put("interactionId", id).put("on", false), "t2");
    SocketFixture.await(stoppedOnB);
    SocketFixture.await(stoppedOnA);
    assertThat(onA).containsExactly(new JsonObject().put("interactionId", id).put("on", true),
        new JsonObject().put("interactionId", id).put("on", false));
    assertThat(onB).containsExactlyElementsOf(onA);
  }
}
