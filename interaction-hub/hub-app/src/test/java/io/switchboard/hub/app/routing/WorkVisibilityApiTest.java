package io.switchboard.hub.app.routing;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The visibility rule (hub-core {@code access/WorkVisibility}): agents read a customer's history across channels
 * without other agents' private notes; supervisors read everything; an interaction itself opens only for who worked it.
 */
@DisplayName("security: agents do not read other agents' private notes through customer history (#11.4)")
class WorkVisibilityApiTest {
  private static TestHub hub;
  private static RoutingFixture fx;
  private static String interaction;
  private static String customer;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of(), RoutingFixture.RULES.replace("offerTimeout: 1500ms", "offerTimeout: 60s"));
    fx = new RoutingFixture(hub);
    String bob = fx.available("bob");
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    interaction = fx.contact("visibility-1", "general");
    RoutingFixture.await(offered);
    assertThat(hub.post("/api/v1/interactions/" + interaction + "/accept", bob, "").status()).isEqualTo(204);
    var note = hub.post("/api/v1/interactions/" + interaction + "/messages", bob,
        new JsonObject().put("text", "VIP asked for a refund; do not promise it").put("privateNote", true).encode());
    assertThat(note.status()).as(note.body()).isIn(201, 202);
    customer = hub.get("/api/v1/interactions/" + interaction, bob).json().getString("customerId");
  }

  @AfterAll
  static void stop() {
    fx.close();
    hub.close();
  }

  private static List<JsonObject> historyMessages(String token) {
    var r = hub.get("/api/v1/customers/" + customer + "/history", token);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonArray items = r.json().getJsonArray("items");
    return items.stream().map(i -> (JsonObject) i)
        .filter(i -> i.getString("id").equals(interaction))
        .flatMap(i -> i.getJsonArray("messages").stream().map(m -> (JsonObject) m)).toList();
  }

  @Test
  void anotherAgentSeesTheConversationButNotThePrivateNote() {
    String alice = bearer(hub.login("alice", "alice-demo-pw"));
    List<JsonObject> seen = historyMessages(alice);
    assertThat(seen).as("the customer's message is in the history").anyMatch(m -> "hello".equals(text(m)));
    assertThat(seen).as("bob's private note").noneMatch(m -> text(m).contains("refund"));
    assertThat(hub.get("/api/v1/interactions/" + interaction, alice).status()).isEqualTo(404);
  }

  @Test
  void whoWorkedItAndSupervisorsSeeTheNote() {
    String bob = bearer(hub.login("bob", "bob-demo-pw"));
    String sam = bearer(hub.login("sam", "sam-demo-pw"));
    assertThat(historyMessages(bob)).anyMatch(m -> text(m).contains("refund"));
    assertThat(historyMessages(sam)).anyMatch(m -> text(m).contains("refund"));
  }

  private static String text(JsonObject m) {
    Object c = m.getValue("content");
    if (c instanceof JsonObject o) {
      return String.valueOf(o.getValue("text"));
    }
    return String.valueOf(m.getValue("text"));
  }
}
