package io.switchboard.hub.app.routing;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.app.Hub;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.config.ConfigException;
import io.switchboard.hub.app.config.ConfigLoader;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("console settings: served to staff, dispositions enforced at wrap-up, a bad file stops the hub")
class ConsoleSettingsApiTest {
  private TestHub hub;
  private RoutingFixture fx;

  @BeforeEach
  void start() {
    hub = TestHub.start(Map.of(), RoutingFixture.RULES);
    fx = new RoutingFixture(hub);
  }

  @AfterEach
  void stop() {
    fx.close();
    hub.close();
  }

  @Test
  void anyStaffMemberReadsDispositionsCannedResponsesAndWrapUpSettings() {
    var r = hub.get("/api/v1/console/settings", bearer(hub.login("alice", "alice-demo-pw")));
    assertThat(r.status()).isEqualTo(200);
    JsonObject s = r.json();
    assertThat(s.getJsonArray("dispositions").stream().map(d -> ((JsonObject) d).getString("code")))
        .contains("resolved", "follow_up", "escalated", "no_answer", "spam");
    assertThat(s.getJsonArray("cannedResponses").size()).isGreaterThanOrEqualTo(6);
    JsonObject refund = s.getJsonArray("cannedResponses").stream().map(c -> (JsonObject) c)
        .filter(c -> "/refund".equals(c.getString("shortcut"))).findFirst().orElseThrow();
    assertThat(refund.getJsonArray("placeholders").getList()).contains("customer.firstName");
    assertThat(s.getJsonArray("placeholders").getList())
        .containsExactly("customer.firstName", "customer.name", "agent.name", "queue", "interaction.subject");
    assertThat(s.getBoolean("wrapUpRequired")).isTrue();
    assertThat(s.getLong("afterCallWorkSeconds")).isEqualTo(1);
    assertThat(s.getBoolean("notesRequired")).isFalse();
    assertThat(s.getJsonArray("ownAddresses")).containsExactly("@northwind.example");
    assertThat(hub.get("/api/v1/console/settings", null).status()).isEqualTo(401);
    assertThat(hub.get("/api/v1/console/settings", TestHub.apiKey(TestHub.DEMO_API_KEY)).status()).isEqualTo(403);
  }

  @Test
  void aWrapUpWithAnUnknownDispositionIsRefusedWithTheKnownCodes() {
    String alice = fx.available("alice");
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String id = fx.contact("cs-1", "billing");
    RoutingFixture.await(offered);
    assertThat(hub.post("/api/v1/interactions/" + id + "/accept", alice, "").status()).isEqualTo(204);
    assertThat(hub.post("/api/v1/interactions/" + id + "/end", alice, "").status()).isEqualTo(200);
    var bad = hub.post("/api/v1/interactions/" + id + "/wrap-up", alice, new JsonObject().put("disposition", "solved").encode());
    assertThat(bad.status()).isEqualTo(422);
    JsonObject error = bad.json().getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("field")).isEqualTo("disposition");
    assertThat(error.getString("message")).contains("resolved", "follow_up", "spam");
    assertThat(hub.get("/api/v1/interactions/" + id, alice).json().getString("state")).isEqualTo("wrap_up");
    assertThat(hub.post("/api/v1/interactions/" + id + "/wrap-up", alice, new JsonObject().put("disposition", "follow_up").encode())
        .status()).isEqualTo(204);
  }

  @Test
  void aBadConsoleYamlStopsTheHubAtStartWithEveryProblem() throws Exception {
    Path dir = TestHub.configWithRules(RoutingFixture.RULES);
    Files.writeString(dir.resolve("console.yaml"), """
        wrapUp:
          dispositions:
            - { code: resolved, label: Resolved }
            - { code: resolved, label: Again }
        cannedResponses:
          - { id: a, title: A, shortcut: /a, text: "Hi {{customer.email}}" }
        """);
    Map<String, String> env = TestHub.freshEnv();
    env.put("SWITCHBOARD_DEMO", "false");
    var config = new ConfigLoader(env).load(dir);
    assertThatThrownBy(() -> Hub.start(config, env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("console.yaml:4: wrapUp.dispositions[1].code: disposition 'resolved' is listed twice")
        .hasMessageContaining("console.yaml:6: cannedResponses[0].text: unknown placeholder {{customer.email}}");
  }
}
