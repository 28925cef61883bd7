package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("agent consoles hear of a console settings reload on their own node")
class ConsoleSettingsSocketTest {
  static final String CHANGED = """
      wrapUp:
        dispositions:
          - { code: resolved, label: Resolved }
      cannedResponses:
        - { id: thanks, title: Thanks, shortcut: /thanks, text: "Thank you, {{customer.firstName}}!" }
      """;

  private SocketFixture fx;

  @BeforeEach
  void start() {
    fx = SocketFixture.start();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void connectedConsolesGetSettingsChangedWhenTheFileChangesAndTheSettingsRouteServesTheNewOnes() throws Exception {
    Console alice = fx.console();
    alice.authenticated(fx.token("alice"));
    Console sam = fx.console();
    sam.authenticated(fx.token("sam"));
    Console notAuthenticated = fx.console();

    Files.writeString(fx.hub.configDirUsed().resolve("console.yaml"), CHANGED);
    JsonObject frame = alice.next("settings_changed");
    assertThat(frame.getLong("seq")).isPositive();
    String admin = bearer(fx.token("ada"));
    JsonObject status = fx.hub.get("/api/v1/console/settings/status", admin).json();
    assertThat(frame.getString("sha256")).isEqualTo(status.getString("sha256"));
    assertThat(frame.getString("loadedAt")).isEqualTo(status.getString("loadedAt"));
    assertThat(sam.next("settings_changed").getString("sha256")).isEqualTo(status.getString("sha256"));
    assertThat(fx.hub.get("/api/v1/console/settings", bearer(fx.token("alice"))).json()
        .getJsonArray("cannedResponses").getJsonObject(0).getString("shortcut")).isEqualTo("/thanks");

    var unchanged = fx.hub.post("/api/v1/console/settings/reload", admin, "");
    assertThat(unchanged.json().getBoolean("changed")).isFalse();
    alice.assertAlive("after-unchanged-reload");
    assertThat(alice.received("settings_changed")).as("a reload that changes nothing tells nobody").hasSize(1);
    notAuthenticated.send(new JsonObject().put("type", "ping"));
    assertThat(notAuthenticated.next("error").getString("code")).isEqualTo("not-authenticated");
    assertThat(notAuthenticated.received("settings_changed")).isEmpty();
  }

  @Test
  void eachNodeReadsItsOwnFileAndTellsOnlyItsOwnConsoles() throws Exception {
    TestHub a = fx.hub;
    Path otherConfig = TestHub.configWithRules(SocketFixture.RULES);
    TestHub b = TestHub.startWith(Map.of(
        "SWITCHBOARD_PG_URL", a.hub().postgresUrl(),
        "SWITCHBOARD_REDIS_URL", a.hub().redisUrl(),
        "SWITCHBOARD_REDIS_PREFIX", a.redisPrefix(),
        "SWITCHBOARD_DEMO", "true"), otherConfig);
    try {
      Console alice = fx.console();
      alice.authenticated(fx.token("alice"));
      Console bob = fx.console(b.hub().httpPort());
      bob.authenticated(fx.token("bob"));

      Files.writeString(otherConfig.resolve("console.yaml"), CHANGED);
      JsonObject frame = bob.next("settings_changed");
      String admin = bearer(fx.token("ada"));
      assertThat(b.get("/api/v1/console/settings/status", admin).json().getString("sha256")).isEqualTo(frame.getString("sha256"));
      assertThat(a.get("/api/v1/console/settings/status", admin).json().getString("sha256"))
          .as("node A still has its own file").isNotEqualTo(frame.getString("sha256"));
      assertThat(a.get("/api/v1/console/settings", admin).json().getJsonArray("cannedResponses").size()).isGreaterThan(1);
      assertThat(b.get("/api/v1/console/settings", admin).json().getJsonArray("cannedResponses").size()).isEqualTo(1);

      alice.assertAlive("after-b-reloaded");
      bob.assertAlive("after-b-reloaded");
      assertThat(alice.received("settings_changed")).as("node A's consoles are not told of node B's file").isEmpty();
      assertThat(bob.received("settings_changed")).hasSize(1);
    } finally {
      b.close();
    }
  }
}
