package io.switchboard.hub.app.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.routing.RoutingFixture;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two hub nodes sharing PostgreSQL and Redis: the customer's chat socket on one, the agent on the other. */
@DisplayName("web chat on two hub nodes")
class WebChatMultiNodeTest {
  private static final Vertx client = Vertx.vertx();
  private TestHub a;
  private TestHub b;
  private RoutingFixture agents;

  @BeforeEach
  void start() {
    var config = TestHub.configWithChannel(WebChatSessionTest.RULES, "webchat", Map.of("queueUpdateInterval", "300ms"));
    Map<String, String> env = Map.of("SWITCHBOARD_WEBCHAT_SESSION_KEY", "a-test-session-key-of-at-least-32-characters");
    a = TestHub.startWith(env, config);
    b = a.sibling();
    agents = new RoutingFixture(a);
  }

  @AfterEach
  void stop() {
    agents.close();
    b.close();
    a.close();
  }

  @AfterAll
  static void closeClient() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anAdaptersBroadcastReachesItsInstancesOnEveryNodeOnceAndNoOtherAdapter() {
    var fromA = new ClusterBroadcast(a.hub().vertx(), "webchat");
    var onB = new ClusterBroadcast(b.hub().vertx(), "webchat");
    var otherOnB = new ClusterBroadcast(b.hub().vertx(), "whatsapp");
    List<JsonObject> heardA = new CopyOnWriteArrayList<>();
    List<JsonObject> heardB = new CopyOnWriteArrayList<>();
    List<JsonObject> heardOther = new CopyOnWriteArrayList<>();
    WebChatCustomer.await(fromA.subscribe("reply", heardA::add));
    WebChatCustomer.await(onB.subscribe("reply", heardB::add));
    WebChatCustomer.await(otherOnB.subscribe("reply", heardOther::add));
    var fenced = new java.util.concurrent.CompletableFuture<Void>();
    var fence = WebChatCustomer.await(onB.subscribe("fence", x -> {
      heardB.add(new JsonObject().put("fence", true));
      fenced.complete(null);
    }));
    // The publishing node hears its own broadcast through Redis too, on a connection of its own: it is awaited by a
    // fence of its own (asserting it once B had its fence raced with A's delivery on a loaded machine).
    var fencedA = new java.util.concurrent.CompletableFuture<Void>();
    var fenceA = WebChatCustomer.await(fromA.subscribe("fence", x -> {
      heardA.add(new JsonObject().put("fence", true));
      fencedA.complete(null);
    }));

    fromA.publish("reply", new JsonObject().put("n", 1));
    fromA.publish("fence", new JsonObject());
    WebChatCustomer.await(io.vertx.core.Future.fromCompletionStage(fenced));
    WebChatCustomer.await(io.vertx.core.Future.fromCompletionStage(fencedA));
    // Order is kept per publishing node: the reply came before the fence, once.
    assertThat(heardB).containsExactly(new JsonObject().put("n", 1), new JsonObject().put("fence", true));
    assertThat(heardA).containsExactly(new JsonObject().put("n", 1), new JsonObject().put("fence", true));
    assertThat(heardOther).isEmpty();
    WebChatCustomer.await(fence.cancel());
    WebChatCustomer.await(fenceA.cancel());
  }

  @Test
  void anAgentOnNodeAAnswersACustomerWhoseSocketIsOnNodeBLive() {
    int portB = Integer.parseInt(b.baseUrl().substring(b.baseUrl().lastIndexOf(':') + 1));
    try (WebChatCustomer ida = new WebChatCustomer(client, portB)) {
      ida.await("hello");
      ida.send(new JsonObject().put("type", "start").put("name", "Ida Kunde").put("email", "ida.mn@example.com").put("topic", "billing"));
      ida.await("session");
      var offered = agents.expect(io.switchboard.hub.core.cluster.ClusterEvents.address(RoutingService.OFFER_CREATED), e -> true);
      ida.say("c1", "Hello from node B");
      String alice = agents.available("alice");
      String interaction = RoutingFixture.await(offered).getString("interactionId");
      assertThat(a.post("/api/v1/interactions/" + interaction + "/accept", alice, "").status()).isEqualTo(204);

      // Several replies: whichever node's delivery relay sends each, the customer sees every one live, once.
      for (int i = 1; i <= 3; i++) {
        var reply = a.post("/api/v1/interactions/" + interaction + "/messages", alice,
            new JsonObject().put("text", "Answer " + i + " from node A").encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        String id = reply.json().getString("id");
        JsonObject pushed = ida.await("message", m -> id.equals(m.getString("messageId")));
        assertThat(pushed.getString("text")).isEqualTo("Answer " + i + " from node A");
      }
      ida.sync();
      assertThat(ida.all("message").stream().filter(m -> "agent".equals(m.getString("from")))).hasSize(3);
    }
  }
}
