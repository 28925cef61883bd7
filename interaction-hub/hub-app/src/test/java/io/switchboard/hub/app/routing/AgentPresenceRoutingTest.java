package io.switchboard.hub.app.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("routing: what a lost console, a sign-out and a forced state do to offers")
class AgentPresenceRoutingTest {
  /** Offers last a minute here, so only what the test does ends them. */
  static final String RULES = RoutingFixture.RULES.replace("offerTimeout: 1500ms", "offerTimeout: 60s");

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
  @DisplayName("#9.3 A console drop is not a decline: a sole agent whose console came back is offered the contact again")
  void aSoleAgentWhoseConsoleDroppedIsOfferedTheContactAgainWhenItComesBack() throws Exception {
    String alice = fx.available("alice");
    String aliceId = fx.agentId(alice);
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String id = fx.contact("drop-1", "none");
    assertThat(RoutingFixture.await(offered).getString("interactionId")).isEqualTo(id);

    var withdrawn = fx.expect(RoutingService.OFFER_WITHDRAWN, e -> e.getString("interactionId").equals(id));
    fx.silence(alice); // the console is gone (closed laptop, reload): presence lapses
    assertThat(RoutingFixture.await(withdrawn).getString("reason")).isEqualTo("agent console disconnected");

    var again = fx.expect(RoutingService.OFFER_CREATED, e -> e.getString("interactionId").equals(id));
    fx.available("alice"); // the console is back
    assertThat(RoutingFixture.await(again).getString("agentId")).isEqualTo(aliceId);
  }

  @Test
  @DisplayName("#10.4 Signing out makes the agent offline and withdraws its offers; the next login is not offered work")
  void signingOutMakesTheAgentOfflineAndWithdrawsItsOffers() throws Exception {
    String supervisor = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    String alice = fx.available("alice");
    String aliceId = fx.agentId(alice);
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String id = fx.contact("signout-1", "none");
    RoutingFixture.await(offered);

    var withdrawn = fx.expect(RoutingService.OFFER_WITHDRAWN, e -> e.getString("interactionId").equals(id));
    assertThat(hub.post("/api/v1/auth/logout", alice, "").status()).isEqualTo(204);
    assertThat(RoutingFixture.await(withdrawn).getString("reason")).isEqualTo("agent signed out");
    assertThat(hub.get("/api/v1/agents/" + aliceId + "/state", supervisor).json().getString("state")).isEqualTo("offline");

    String again = TestHub.bearer(hub.login("alice", "alice-demo-pw"));
    assertThat(hub.get("/api/v1/agents/me/state", again).json().getString("state")).isEqualTo("offline");
    assertThat(hub.get("/api/v1/agents/me/offers", again).jsonArray()).isEmpty();
  }

  @Test
  @DisplayName("#10.4 A supervisor who puts an agent on break withdraws the agent's pending offer")
  void aForcedBreakWithdrawsThePendingOffer() throws Exception {
    String supervisor = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    String alice = fx.available("alice");
    String aliceId = fx.agentId(alice);
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    var loaded = fx.expect(RoutingService.AGENT_LOAD_CHANGED,
        e -> e.getString("agentId").equals(aliceId) && e.getJsonObject("load").getInteger("chat", 0) == 1);
    String id = fx.contact("forced-1", "none");
    RoutingFixture.await(offered);
    assertThat(RoutingFixture.await(loaded).getJsonObject("capacity").getInteger("chat")).isEqualTo(3);

    var withdrawn = fx.expect(RoutingService.OFFER_WITHDRAWN, e -> e.getString("interactionId").equals(id));
    var freed = fx.expect(RoutingService.AGENT_LOAD_CHANGED,
        e -> e.getString("agentId").equals(aliceId) && e.getJsonObject("load").getInteger("chat", 0) == 0);
    assertThat(hub.put("/api/v1/agents/" + aliceId + "/state", supervisor,
        new io.vertx.core.json.JsonObject().put("state", "break").put("reason", "coaching").encode()).status()).isEqualTo(204);
    assertThat(RoutingFixture.await(withdrawn).getString("reason")).isEqualTo("agent is now on break: coaching");
    RoutingFixture.await(freed); // the load the console shows follows at once
    assertThat(hub.get("/api/v1/agents/me/offers", alice).jsonArray()).isEmpty();
  }
}
