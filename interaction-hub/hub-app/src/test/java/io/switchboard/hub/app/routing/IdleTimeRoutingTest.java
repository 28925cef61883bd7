package io.switchboard.hub.app.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * #9.1 "Longest idle" is idle time: how long an agent has been available with no work; holding work or being on a break
 * does not count. Every contact here needs no skill, so every agent scores the same and idle time decides.
 */
@DisplayName("routing: longest idle means idle time")
class IdleTimeRoutingTest {
  static final String RULES = RoutingFixture.RULES.replace("offerTimeout: 1500ms", "offerTimeout: 60s")
      .replace("afterCallWork: 1s", "afterCallWork: 0s");

  private TestHub hub;
  private RoutingFixture fx;

  @BeforeEach
  void start() {
    hub = TestHub.start(Map.of(), RULES);
    fx = new RoutingFixture(hub);
  }

  @AfterEach
  void stop() {
    fx.close();
    hub.close();
  }

  @Test
  @DisplayName("An agent holding a chat does not beat a free agent to the next contact")
  void anAgentHoldingAChatDoesNotBeatAFreeAgent() throws Exception {
    String alice = fx.available("alice");
    String aliceId = fx.agentId(alice);
    var first = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String one = fx.contact("idle-1", "none");
    assertThat(RoutingFixture.await(first).getString("agentId")).isEqualTo(aliceId);
    assertThat(hub.post("/api/v1/interactions/" + one + "/accept", alice, "").status()).isEqualTo(204);

    String chen = fx.available("chen"); // free, and available since after alice
    var second = fx.expect(RoutingService.OFFER_CREATED, e -> !e.getString("interactionId").equals(one));
    fx.contact("idle-2", "none");
    assertThat(RoutingFixture.await(second).getString("agentId")).as("the free agent").isEqualTo(fx.agentId(chen));
  }

  @Test
  @DisplayName("A break does not count as idle: back from a break, an agent waits behind those who were available")
  void aBreakDoesNotCountAsIdle() throws Exception {
    String alice = fx.available("alice");
    String chen = fx.available("chen");
    assertThat(hub.put("/api/v1/agents/me/state", alice,
        new JsonObject().put("state", "break").put("reason", "lunch").encode()).status()).isEqualTo(204);
    assertThat(hub.put("/api/v1/agents/me/state", alice, new JsonObject().put("state", "available").encode()).status()).isEqualTo(204);

    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    fx.contact("idle-3", "none");
    assertThat(RoutingFixture.await(offered).getString("agentId")).as("chen, available longer").isEqualTo(fx.agentId(chen));
  }
}
