package io.switchboard.hub.app.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** #9.2 Explanations a supervisor can use: names, real exclusion reasons, idle times, how earlier offers ended. */
@DisplayName("routing: explanations a supervisor can use")
class ExplanationsApiTest {
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
  void theExplanationNamesAgentsGivesRealReasonsIdleTimesAndHowEarlierOffersEnded() throws Exception {
    String supervisor = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    String chen = fx.available("chen");
    assertThat(hub.put("/api/v1/agents/me/state", chen,
        new JsonObject().put("state", "break").put("reason", "lunch").encode()).status()).isEqualTo(204);
    String alice = fx.available("alice");
    String aliceId = fx.agentId(alice);
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String id = fx.contact("explain-1", "none");
    RoutingFixture.await(offered);
    var declined = fx.expect(RoutingService.OFFER_WITHDRAWN, e -> e.getString("interactionId").equals(id));
    assertThat(hub.post("/api/v1/interactions/" + id + "/decline", alice, "").status()).isEqualTo(204);
    RoutingFixture.await(declined);

    JsonObject explanation = hub.get("/api/v1/interactions/" + id + "/routing", supervisor).json();

    JsonObject first = explanation.getJsonArray("decisions").getJsonObject(0);
    assertThat(first.getString("chosenAgentName")).isEqualTo("Alice Agent");
    JsonObject aliceThen = candidate(first.getJsonObject("explanation").getJsonArray("candidates"), aliceId);
    assertThat(aliceThen.getString("name")).isEqualTo("Alice Agent");
    assertThat(aliceThen.containsKey("idleSeconds")).as("the idle time that would break a tie").isTrue();

    JsonObject offer = explanation.getJsonArray("offers").getJsonObject(0);
    assertThat(offer.getString("name")).isEqualTo("Alice Agent");
    assertThat(offer.getString("outcome")).isEqualTo("declined");
    assertThat(offer.getString("endedAt")).isNotNull();

    JsonArray now = explanation.getJsonObject("now").getJsonArray("candidates");
    assertThat(candidate(now, fx.agentId(chen)).getString("excludedBecause")).isEqualTo("on break: lunch");
    assertThat(candidate(now, fx.agentId(chen)).getString("name")).isEqualTo("Chen Li");
    assertThat(candidate(now, aliceId).getString("excludedBecause")).isEqualTo("declined or let the offer lapse");
    assertThat(now.stream().map(c -> ((JsonObject) c).getString("excludedBecause"))).doesNotContain("not available");
  }

  @Test
  void storedDecisionsAreCompactAndANamedAgentIsExplainedOnDemand() throws Exception {
    String supervisor = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    String chen = fx.available("chen"); // billing 3: below the billing queue's requirement
    assertThat(hub.put("/api/v1/agents/me/state", chen,
        new JsonObject().put("state", "break").put("reason", "lunch").encode()).status()).isEqualTo(204);
    String alice = fx.available("alice");
    String aliceId = fx.agentId(alice);
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String id = fx.contact("explain-compact", "billing");
    RoutingFixture.await(offered);

    // The stored decision names the chosen (eligible) agent only and counts everyone else by reason.
    JsonObject stored = hub.get("/api/v1/interactions/" + id + "/routing", supervisor).json()
        .getJsonArray("decisions").getJsonObject(0).getJsonObject("explanation");
    assertThat(stored.getJsonArray("candidates").stream().map(c -> ((JsonObject) c).getString("agentId")).toList())
        .containsExactly(aliceId);
    assertThat(stored.getJsonObject("excluded").getInteger("on break: lunch")).isEqualTo(1);
    assertThat(stored.getJsonObject("excluded").containsKey("not available")).isFalse();

    // Asked about alice (listed) and chen (counted only): the stored verdict, and chen's computed on demand.
    JsonObject aboutAlice = hub.get("/api/v1/interactions/" + id + "/routing?agent=" + aliceId, supervisor).json()
        .getJsonObject("agent");
    assertThat(aboutAlice.getString("name")).isEqualTo("Alice Agent");
    JsonObject aliceThen = aboutAlice.getJsonArray("decisions").getJsonObject(0);
    assertThat(aliceThen.getBoolean("listed")).isTrue();
    assertThat(aliceThen.getBoolean("chosen")).isTrue();
    assertThat(aliceThen.getValue("score")).isNotNull();
    JsonObject chenThen = hub.get("/api/v1/interactions/" + id + "/routing?agent=" + fx.agentId(chen), supervisor).json()
        .getJsonObject("agent").getJsonArray("decisions").getJsonObject(0);
    assertThat(chenThen.getBoolean("listed")).isFalse();
    assertThat(chenThen.getBoolean("chosen")).isFalse();
    assertThat(chenThen.getString("excludedBecause")).isEqualTo("billing 3 < 4");

    // Bad input: not an id is 422 naming the parameter, an unknown agent 404; an agent may not ask.
    var bad = hub.get("/api/v1/interactions/" + id + "/routing?agent=not-an-id", supervisor);
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body()).contains("agent");
    assertThat(hub.get("/api/v1/interactions/" + id + "/routing?agent=" + java.util.UUID.randomUUID(), supervisor).status())
        .isEqualTo(404);
    assertThat(hub.get("/api/v1/interactions/" + id + "/routing?agent=" + aliceId, alice).status()).isEqualTo(403);
  }

  static JsonObject candidate(JsonArray candidates, String agentId) {
    return candidates.stream().map(c -> (JsonObject) c).filter(c -> c.getString("agentId").equals(agentId)).findFirst().orElseThrow();
  }
}
