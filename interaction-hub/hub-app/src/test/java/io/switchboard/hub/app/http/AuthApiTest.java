package io.switchboard.hub.app.http;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("authentication, roles and API keys")
class AuthApiTest {
  private static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static TestHub.Response login(String user, String password) {
    return hub.post("/api/v1/auth/login", null, new JsonObject().put("username", user).put("password", password).encode());
  }

  @Test
  void loginReturnsATokenThatIdentifiesTheAgent() {
    var r = login("Alice", "alice-demo-pw");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("token")).startsWith("sbt_");
    assertThat(r.json().getJsonObject("agent").getString("role")).isEqualTo("agent");
    var me = hub.get("/api/v1/auth/me", bearer(r.json().getString("token")));
    assertThat(me.json().getString("username")).isEqualTo("alice");
  }

  @Test
  void wrongPasswordAndUnknownUserGetTheSameAnswer() {
    var wrong = login("bob", "not-his-password");
    var unknown = login("nobody-here", "whatever-pw");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(wrong.json().getString("detail")).isEqualTo(unknown.json().getString("detail"));
  }

  @Test
  void malformedLoginsAreBadRequests() {
    assertThat(hub.post("/api/v1/auth/login", null, "{\"username\":\"alice\"}").status()).isEqualTo(422);
    assertThat(hub.post("/api/v1/auth/login", null, "{\"username\":\"alice\",\"password\":1}").status()).isEqualTo(400);
    assertThat(hub.post("/api/v1/auth/login", null, "{\"username\":").status()).isEqualTo(400);
    assertThat(hub.post("/api/v1/auth/login", null, "{\"username\":\"a\",\"password\":\"b\",\"remember\":true}").status()).isEqualTo(400);
  }

  @Test
  void repeatedFailuresFromOneAddressAreHeldBackWithoutLockingOthersOut() {
    TestHub.Response held = null;
    for (int i = 0; i < 10; i++) {
      var r = login("chen", "wrong-" + i);
      assertThat(r.status()).isIn(401, 429);
      held = r.status() == 429 ? r : held;
    }
    assertThat(held).as("guesses past the free ones are held back").isNotNull();
    assertThat(held.json().getString("type")).isEqualTo("urn:switchboard:problem:rate-limited");
    assertThat(held.retryAfter()).isNotNull();
    assertThat(login("dilara", "dilara-demo-pw").status()).isEqualTo(200);
  }

  @Test
  void logoutEndsTheSession() {
    String token = login("emma", "emma-demo-pw").json().getString("token");
    assertThat(hub.post("/api/v1/auth/logout", bearer(token), "").status()).isEqualTo(204);
    assertThat(hub.get("/api/v1/auth/me", bearer(token)).status()).isEqualTo(401);
  }

  @Test
  void eachRoleSeesOnlyWhatItMay() {
    String agent = bearer(hub.login("alice", "alice-demo-pw"));
    String supervisor = bearer(hub.login("sam", "sam-demo-pw"));
    String admin = bearer(hub.login("ada", "ada-demo-pw"));

    assertThat(hub.get("/api/v1/agents", agent).status()).isEqualTo(403);
    var agents = hub.get("/api/v1/agents", supervisor);
    assertThat(agents.status()).isEqualTo(200);
    assertThat(agents.jsonArray()).hasSize(7);
    String bobId = agents.jsonArray().stream().map(a -> (JsonObject) a)
        .filter(a -> a.getString("username").equals("bob")).findFirst().orElseThrow().getString("id");
    assertThat(hub.get("/api/v1/agents/" + bobId, agent).status()).isEqualTo(403);
    assertThat(hub.get("/api/v1/agents/" + bobId, supervisor).json().getJsonObject("capacity").getInteger("chat")).isEqualTo(2);

    String newAgent = new JsonObject().put("username", "frank").put("displayName", "Frank New").put("role", "agent")
        .put("password", "frank-secret-pw").put("skills", new JsonObject().put("billing", 3)).encode();
    assertThat(hub.post("/api/v1/agents", supervisor, newAgent).status()).isEqualTo(403);
    var created = hub.post("/api/v1/agents", admin, newAgent);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().getJsonObject("capacity").getInteger("voice")).isEqualTo(1);
    assertThat(created.json().getJsonObject("capacity").getInteger("email")).isEqualTo(5);
    assertThat(hub.post("/api/v1/agents", admin, newAgent).status()).isEqualTo(409);
    assertThat(login("frank", "frank-secret-pw").status()).isEqualTo(200);

    var badAgent = hub.post("/api/v1/agents", admin, new JsonObject().put("username", "x").put("displayName", "")
        .put("role", "boss").put("password", "short").encode());
    assertThat(badAgent.status()).isEqualTo(422);
    var badSkill = hub.post("/api/v1/agents", admin, new JsonObject().put("username", "gina").put("displayName", "Gina")
        .put("role", "agent").put("password", "long-enough-pw").put("skills", new JsonObject().put("billing", 9)).encode());
    assertThat(badSkill.status()).isEqualTo(422);
    assertThat(badSkill.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("skills.billing");

    assertThat(hub.get("/api/v1/audit", supervisor).status()).isEqualTo(403);
    var audit = hub.get("/api/v1/audit?entityType=agent", admin);
    assertThat(audit.status()).isEqualTo(200);
    assertThat(audit.json().getJsonArray("items").stream().map(e -> ((JsonObject) e).getString("action"))).contains("agent.created");
  }

  @Test
  void adminsIssueAndRevokeApiKeys() {
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    String body = new JsonObject().put("name", "crm-bridge").put("scopes", new JsonArray().add("inbound")).encode();
    assertThat(hub.post("/api/v1/api-keys", bearer(hub.login("sam", "sam-demo-pw")), body).status()).isEqualTo(403);
    var created = hub.post("/api/v1/api-keys", admin, body);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String secret = created.json().getString("secret");
    assertThat(secret).startsWith("sbk_");
    assertThat(hub.post("/api/v1/api-keys", admin, body).status()).isEqualTo(409);
    assertThat(hub.get("/api/v1/api-keys", admin).body()).doesNotContain(secret);

    String contact = new JsonObject().put("channel", "chat").put("externalId", "key-1")
        .put("sender", new JsonObject().put("kind", "email").put("value", "key@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "hi")).encode();
    assertThat(hub.post("/api/v1/inbound", apiKey(secret), contact).status()).isEqualTo(201);
    assertThat(hub.get("/metrics", apiKey(secret)).status()).isEqualTo(403);

    assertThat(hub.delete("/api/v1/api-keys/" + created.json().getString("id"), admin).status()).isEqualTo(200);
    assertThat(hub.post("/api/v1/inbound", apiKey(secret), contact).status()).isEqualTo(401);

    var badScope = hub.post("/api/v1/api-keys", admin, new JsonObject().put("name", "x").put("scopes", new JsonArray().add("root")).encode());
    assertThat(badScope.status()).isEqualTo(422);
  }
}
