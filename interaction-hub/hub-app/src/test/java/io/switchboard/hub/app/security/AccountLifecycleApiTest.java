package io.switchboard.hub.app.security;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("security: account lifecycle (#11.2), login limits (#11.3) and password policy (#11.8)")
class AccountLifecycleApiTest {
  private static TestHub hub;
  private static String admin;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    admin = bearer(hub.login("ada", "ada-demo-pw"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static String newAgent(String username, String password) {
    var r = hub.post("/api/v1/agents", admin, new JsonObject().put("username", username).put("displayName", username)
        .put("role", "agent").put("password", password).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("id");
  }

  private static TestHub.Response login(String user, String password) {
    return hub.post("/api/v1/auth/login", null, new JsonObject().put("username", user).put("password", password).encode());
  }

  private static List<String> auditActions(String agentId) {
    return hub.get("/api/v1/audit?entityType=agent&entityId=" + agentId + "&limit=500", admin).json().getJsonArray("items")
        .stream().map(e -> ((JsonObject) e).getString("action")).toList();
  }

  @Test
  void aDisabledAccountsTokenStopsAtOnceAndItCannotLogIn() {
    String id = newAgent("gwen", "gwen-long-password-1");
    String token = bearer(hub.login("gwen", "gwen-long-password-1"));
    assertThat(hub.get("/api/v1/auth/me", token).status()).isEqualTo(200);
    var disabled = hub.post("/api/v1/agents/" + id + "/disable", admin, "");
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    assertThat(disabled.json().getBoolean("active")).isFalse();
    assertThat(hub.get("/api/v1/auth/me", token).status()).isEqualTo(401);
    assertThat(login("gwen", "gwen-long-password-1").status()).isEqualTo(401);
    assertThat(hub.post("/api/v1/agents/" + id + "/enable", admin, "").json().getBoolean("active")).isTrue();
    assertThat(login("gwen", "gwen-long-password-1").status()).isEqualTo(200);
    assertThat(hub.get("/api/v1/auth/me", token).status()).as("a session ended by disabling stays ended").isEqualTo(401);
    String adaId = hub.get("/api/v1/auth/me", admin).json().getString("id");
    assertThat(hub.post("/api/v1/agents/" + adaId + "/disable", admin, "").status()).isEqualTo(409);
    assertThat(auditActions(id)).contains("agent.disabled", "agent.enabled", "auth.logged_in", "auth.login_failed");
  }

  @Test
  void agentsChangeTheirOwnPasswordWithTheOldOneAndAdminsResetIt() {
    String id = newAgent("hanna", "hanna-first-password");
    String first = bearer(hub.login("hanna", "hanna-first-password"));
    String other = bearer(hub.login("hanna", "hanna-first-password"));
    var wrongOld = hub.post("/api/v1/auth/password", first,
        new JsonObject().put("oldPassword", "not-the-password").put("newPassword", "hanna-second-password").encode());
    assertThat(wrongOld.status()).isEqualTo(422);
    assertThat(wrongOld.body()).contains("oldPassword");
    var weak = hub.post("/api/v1/auth/password", first,
        new JsonObject().put("oldPassword", "hanna-first-password").put("newPassword", "Password1234!").encode());
    assertThat(weak.status()).isEqualTo(422);
    assertThat(weak.body()).contains("newPassword");
    var changed = hub.post("/api/v1/auth/password", first,
        new JsonObject().put("oldPassword", "hanna-first-password").put("newPassword", "hanna-second-password").encode());
    assertThat(changed.status()).as(changed.body()).isEqualTo(200);
    assertThat(hub.get("/api/v1/auth/me", other).status()).as("other sessions end with a password change").isEqualTo(401);
    assertThat(hub.get("/api/v1/auth/me", bearer(changed.json().getString("token"))).status()).isEqualTo(200);
    assertThat(login("hanna", "hanna-first-password").status()).isEqualTo(401);
    assertThat(login("hanna", "hanna-second-password").status()).isEqualTo(200);

    String agent = bearer(hub.login("alice", "alice-demo-pw"));
    assertThat(hub.put("/api/v1/agents/" + id + "/password", agent, new JsonObject().put("password", "reset-by-someone-1").encode())
        .status()).isEqualTo(403);
    assertThat(hub.put("/api/v1/agents/" + id + "/password", admin, new JsonObject().put("password", "short").encode())
        .status()).isEqualTo(422);
    assertThat(hub.put("/api/v1/agents/" + id + "/password", admin, new JsonObject().put("password", "reset-by-the-admin-1").encode())
        .status()).isEqualTo(204);
    assertThat(login("hanna", "hanna-second-password").status()).isEqualTo(401);
    assertThat(login("hanna", "reset-by-the-admin-1").status()).isEqualTo(200);
    assertThat(auditActions(id)).contains("agent.password_changed", "agent.password_reset");
  }

  @Test
  void revokingSessionsAndChangingTheRoleTakeEffectAtOnce() {
    String id = newAgent("ivan", "ivan-long-password-1");
    String a = bearer(hub.login("ivan", "ivan-long-password-1"));
    String b = bearer(hub.login("ivan", "ivan-long-password-1"));
    assertThat(hub.get("/api/v1/agents", a).status()).isEqualTo(403);
    var promoted = hub.put("/api/v1/agents/" + id + "/role", admin, new JsonObject().put("role", "supervisor").encode());
    assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
    assertThat(hub.get("/api/v1/agents", a).status()).as("the new role with the same token").isEqualTo(200);
    assertThat(hub.get("/api/v1/auth/me", b).json().getString("role")).isEqualTo("supervisor");
    hub.put("/api/v1/agents/" + id + "/role", admin, new JsonObject().put("role", "agent").encode());
    assertThat(hub.get("/api/v1/agents", a).status()).as("demoted at once").isEqualTo(403);

    assertThat(hub.delete("/api/v1/agents/" + id + "/sessions", admin).status()).isEqualTo(204);
    assertThat(hub.get("/api/v1/auth/me", a).status()).isEqualTo(401);
    assertThat(hub.get("/api/v1/auth/me", b).status()).isEqualTo(401);
    assertThat(login("ivan", "ivan-long-password-1").status()).as("revoking does not disable").isEqualTo(200);
    assertThat(auditActions(id)).contains("agent.role_changed", "agent.sessions_revoked");
  }

  @Test
  void everyLoginLogoutAndFailedLoginIsAudited() {
    String id = newAgent("jules", "jules-long-password-1");
    assertThat(login("jules", "not-jules-password").status()).isEqualTo(401);
    String token = bearer(hub.login("jules", "jules-long-password-1"));
    assertThat(hub.post("/api/v1/auth/logout", token, "").status()).isEqualTo(204);
    List<String> actions = auditActions(id);
    assertThat(actions).contains("auth.login_failed", "auth.logged_in", "auth.logged_out");
    var failed = hub.get("/api/v1/audit?entityType=agent&entityId=" + id, admin).json().getJsonArray("items").stream()
        .map(e -> (JsonObject) e).filter(e -> e.getString("action").equals("auth.login_failed")).findFirst().orElseThrow();
    assertThat(failed.getJsonObject("details").getString("address")).isEqualTo("127.0.0.1");
  }

  @Test
  void anAttackerCannotLockTheRealUserOutAndASprayIsSlowed() {
    newAgent("kira", "kira-long-password-1");
    int port = hub.hub().httpPort();
    // Someone at 127.0.0.2 keeps guessing kira's password.
    int refused = 0;
    for (int i = 0; i < 15; i++) {
      int status = RawHttp.login("127.0.0.2", port, "kira", "guess-number-" + i).status();
      assertThat(status).isIn(401, 429);
      refused += status == 429 ? 1 : 0;
    }
    assertThat(refused).as("guesses from one address are held back").isGreaterThan(0);
    // kira, from her own address, still gets in.
    assertThat(RawHttp.login("127.0.0.1", port, "kira", "kira-long-password-1").status()).isEqualTo(200);

    // A spray: one wrong password against many accounts from 127.0.0.3.
    RawHttp.Answer held = null;
    for (int i = 0; i < 14; i++) {
      var answer = RawHttp.login("127.0.0.3", port, "user" + i, "Spring-2026-password");
      held = answer.status() == 429 ? answer : held;
    }
    assertThat(held).as("a spray from one address is slowed").isNotNull();
    assertThat(held.head()).containsIgnoringCase("Retry-After:");
    assertThat(RawHttp.login("127.0.0.1", port, "bob", "bob-demo-pw").status()).isEqualTo(200);
  }

  @Test
  void weakPasswordsAreRefused() {
    for (String weak : List.of("password", "        ", "Password1234!", "passwordpassword", "qwerty123456", "aaaaaaaaaaaaaaa",
        "shorter-pw1", "long-enough\u0000-password")) {
      var r = hub.post("/api/v1/agents", admin, new JsonObject().put("username", "weakling").put("displayName", "W")
          .put("role", "agent").put("password", weak).encode());
      assertThat(r.status()).as("password '%s': %s", weak, r.body()).isEqualTo(422);
      assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("password");
    }
    var ok = hub.post("/api/v1/agents", admin, new JsonObject().put("username", "strongling").put("displayName", "S")
        .put("role", "agent").put("password", "violet tram under 7 moons").encode());
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
  }
}
