package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Ending a session closes the agent's sockets at once, on every node (#11.2); the hub's own periodic session check
 * is 30 s, longer than {@link Console#WAIT}, so only the immediate close passes.
 */
@DisplayName("security: logout, revocation and disabling close agent sockets at once, on every node (#11.2)")
class AccountSessionSocketTest {
  private static SocketFixture fx;
  private static TestHub other;
  private static String admin;

  @BeforeAll
  static void start() {
    fx = SocketFixture.start();
    other = fx.hub.sibling();
    admin = bearer(fx.token("ada"));
  }

  @AfterAll
  static void stop() {
    fx.close();
    other.close();
  }

  @AfterEach
  void closeConsoles() {
    fx.closeConsoles();
  }

  @Test
  void aLoggedOutAgentsSocketClosesAtOnce() {
    String token = fx.token("alice");
    Console console = fx.console();
    console.authenticated(token);
    assertThat(fx.hub.post("/api/v1/auth/logout", bearer(token), "").status()).isEqualTo(204);
    assertThat(console.awaitClose()).isEqualTo(Frames.CLOSE_UNAUTHENTICATED);
  }

  @Test
  void revokingOnOneNodeClosesTheSocketsOnAnother() {
    String token = fx.token("bob");
    String bobId = fx.agentId(token);
    Console onOther = fx.console(other.hub().httpPort());
    onOther.authenticated(token);
    assertThat(fx.hub.delete("/api/v1/agents/" + bobId + "/sessions", admin).status()).isEqualTo(204);
    assertThat(onOther.awaitClose()).isEqualTo(Frames.CLOSE_UNAUTHENTICATED);
    assertThat(other.get("/api/v1/auth/me", bearer(token)).status()).isEqualTo(401);
  }

  @Test
  void disablingClosesTheSocketAndARoleChangeReachesItAtOnce() {
    String token = fx.token("chen");
    String chenId = fx.agentId(token);
    Console console = fx.console(other.hub().httpPort());
    console.authenticated(token);
    JsonObject denied = console.command(new JsonObject().put("type", "dashboard_subscribe"), "before");
    fx.hub.put("/api/v1/agents/" + chenId + "/role", admin, new JsonObject().put("role", "supervisor").encode());
    try {
      long deadline = System.nanoTime() + Console.WAIT.toNanos();
      JsonObject allowed;
      int i = 0;
      do {
        if (i > 0) {
          pause(); // polling for the role change: a few tries a second keep well under the 50 frames/s limit
        }
        allowed = console.command(new JsonObject().put("type", "dashboard_subscribe"), "after-" + i++);
      } while (!"ok".equals(allowed.getString("type")) && System.nanoTime() < deadline);
      assertThat(denied.getString("type")).as(denied.encode()).isEqualTo("error");
      assertThat(allowed.getString("type")).as(allowed.encode()).isEqualTo("ok");
    } finally {
      fx.hub.put("/api/v1/agents/" + chenId + "/role", admin, new JsonObject().put("role", "agent").encode());
    }
    assertThat(fx.hub.post("/api/v1/agents/" + chenId + "/disable", admin, "").status()).isEqualTo(200);
    assertThat(console.awaitClose()).isEqualTo(Frames.CLOSE_UNAUTHENTICATED);
    fx.hub.post("/api/v1/agents/" + chenId + "/enable", admin, "");
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
