package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.channels.WebChatCustomer;
import io.switchboard.hub.core.cluster.ClusterEvents;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Web chat customers and agent consoles on different event loops of one hub (four HTTP verticle instances; new
 * connections go to the instances in turn, so of four customers connecting one after the other at most one shares the
 * agent's loop): every customer's lines reach the agent's socket and every reply reaches the customer's socket.
 */
@DisplayName("web chat customers and agents on different event loops")
class WebChatAcrossEventLoopsTest {
  private SocketFixture fx;

  @BeforeEach
  void start() {
    var config = TestHub.configWithChannel(SocketFixture.RULES, "webchat", Map.of("queueUpdateInterval", "300ms"));
    fx = new SocketFixture(TestHub.startWith(Map.of("SWITCHBOARD_HTTP_INSTANCES", String.valueOf(AgentSocketEventLoopsTest.INSTANCES)),
        config));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void everyCustomerAndItsAgentHearEachOtherWhateverLoopEachSocketIsOn() {
    Map<String, Console> consoles = new LinkedHashMap<>();
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String user : List.of("alice", "chen")) {
      tokens.put(user, fx.token(user));
      consoles.put(fx.agentId(tokens.get(user)), fx.available(user));
    }
    List<WebChatCustomer> customers = new ArrayList<>();
    try {
      for (int i = 0; i < AgentSocketEventLoopsTest.INSTANCES; i++) {
        WebChatCustomer c = new WebChatCustomer(fx.clients, fx.hub.hub().httpPort());
        customers.add(c);
        c.await("hello");
      }
      for (int i = 0; i < customers.size(); i++) {
        WebChatCustomer c = customers.get(i);
        String second = "second line of customer " + i;
        c.send(new JsonObject().put("type", "start").put("name", "Kunde " + i).put("email", "loops-" + i + "@example.com")
            .put("topic", "general"));
        c.await("session");
        var offered = fx.expect(ClusterEvents.address(RoutingService.OFFER_CREATED), e -> true);
        c.say("first-" + i, "hello from customer " + i);
        JsonObject offer = SocketFixture.await(offered);
        String interaction = offer.getString("interactionId");
        Console agent = consoles.get(offer.getString("agentId"));
        assertThat(agent).as("offer to one of the two agents: %s", offer.encode()).isNotNull();
        agent.next(o -> "offer".equals(o.getString("type")) && interaction.equals(o.getString("interactionId")));
        JsonObject accepted = agent.command(new JsonObject().put("type", "accept").put("interactionId", interaction), "acc-" + i);
        assertThat(accepted.getString("type")).as(accepted.encode()).isEqualTo("ok");

        // Customer to agent: the line reaches the agent's socket.
        c.say("second-" + i, second);
        assertThat(agent.next(m -> "message".equals(m.getString("type")) && second.equals(m.getString("text")))).isNotNull();

        // Agent to customer: the reply reaches the customer's socket.
        String token = tokens.get(offer.getString("agentId").equals(fx.agentId(tokens.get("alice"))) ? "alice" : "chen");
        var reply = fx.hub.post("/api/v1/interactions/" + interaction + "/messages", bearer(token),
            new JsonObject().put("text", "answer to customer " + i).encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        String text = "answer to customer " + i;
        assertThat(c.await("message", m -> text.equals(m.getString("text")))).isNotNull();
      }
    } finally {
      customers.forEach(WebChatCustomer::close);
    }
  }
}
