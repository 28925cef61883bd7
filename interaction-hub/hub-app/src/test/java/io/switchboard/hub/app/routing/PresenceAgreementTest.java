package io.switchboard.hub.app.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * #9.1: the agent directory ({@code GET /api/v1/directory/agents}), the dashboard ({@code GET /api/v1/dashboard}) and
 * the agent state endpoint ({@code GET /api/v1/agents/{id}/state}) say the same about every agent — state, reason,
 * since and console presence — from a fresh account to a lost console and a sign-out; a fresh agent's state never
 * reads 1970 or empty skills.
 */
@DisplayName("#9.1 directory, dashboard and state endpoints agree on presence")
class PresenceAgreementTest {
  private TestHub hub;
  private RoutingFixture fx;
  private String admin;
  private String supervisor;

  @BeforeEach
  void start() {
    hub = TestHub.start(Map.of(), RoutingFixture.RULES);
    fx = new RoutingFixture(hub);
    admin = TestHub.bearer(hub.login("ada", "ada-demo-pw"));
    supervisor = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
  }

  @AfterEach
  void stop() {
    fx.close();
    hub.close();
  }

  /** What one endpoint says about an agent. */
  record Seen(String state, String reason, String since, boolean present) {}

  private Seen fromState(String id) {
    JsonObject s = hub.get("/api/v1/agents/" + id + "/state", supervisor).json();
    return new Seen(s.getString("state"), s.getString("reason"), s.getString("since"), s.getBoolean("present"));
  }

  private Seen fromDirectory(String id) {
    var list = hub.get("/api/v1/directory/agents", supervisor).jsonArray();
    for (int i = 0; i < list.size(); i++) {
      JsonObject a = list.getJsonObject(i);
      if (id.equals(a.getString("id"))) {
        return new Seen(a.getString("state"), a.getString("reason"), a.getString("since"), a.getBoolean("present"));
      }
    }
    return null;
  }

  private Seen fromDashboard(String id) {
    var list = hub.get("/api/v1/dashboard", supervisor).json().getJsonArray("agents");
    for (int i = 0; i < list.size(); i++) {
      JsonObject a = list.getJsonObject(i);
      if (id.equals(a.getString("id"))) {
        return new Seen(a.getString("state"), a.getString("reason"), a.getString("since"), a.getBoolean("present"));
      }
    }
    return null;
  }

  /**
   * Waits (the dashboard is a snapshot computed every second, presence lapses after 4 s) until the three endpoints
   * agree and {@code expected} holds; fails naming what each said.
   */
  private Seen agreed(String id, Predicate<Seen> expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Seen state;
    Seen directory;
    Seen dashboard;
    do {
      state = fromState(id);
      directory = fromDirectory(id);
      dashboard = fromDashboard(id);
      if (state.equals(directory) && state.equals(dashboard) && expected.test(state)) {
        return state;
      }
      TimeUnit.MILLISECONDS.sleep(200); // polling a snapshot that is recomputed every second
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the endpoints disagree or are not as expected:\n  state     " + state
        + "\n  directory " + directory + "\n  dashboard " + dashboard);
  }

  @Test
  void aFreshAgentALoginALostConsoleAndASignOutReadTheSameEverywhere() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    var created = hub.post("/api/v1/agents", admin, new JsonObject().put("username", "fresh").put("displayName", "Fresh Face")
        .put("role", "agent").put("password", "fresh-demo-pw-long").put("skills", new JsonObject().put("billing", 4)).encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String id = created.json().getString("id");

    // Never signed in: offline since the account was made, not 1970 and not "now" at each read; not present.
    // The dashboard and the directory are read first: they must not depend on the state endpoint having been asked.
    // (The dashboard is a snapshot computed every second: wait for the next one.)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (fromDashboard(id) == null && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200);
    }
    assertThat(fromDashboard(id)).as("a fresh agent is on the dashboard").isNotNull();
    assertThat(fromDirectory(id)).as("a fresh agent is in the directory").isNotNull();
    Seen fresh = agreed(id, s -> s.state().equals("offline") && !s.present());
    Instant since = Instant.parse(fresh.since());
    assertThat(since).isAfter(before).isBefore(Instant.now().plusSeconds(1));
    JsonObject state = hub.get("/api/v1/agents/" + id + "/state", supervisor).json();
    assertThat(state.getJsonObject("skills").getMap()).isEqualTo(Map.of("billing", 4));
    assertThat(agreed(id, s -> true).since()).as("since does not move while nothing happens").isEqualTo(fresh.since());

    // Signed in, console beating, available.
    String token = TestHub.bearer(hub.login("fresh", "fresh-demo-pw-long"));
    fx.beat(token);
    assertThat(hub.put("/api/v1/agents/me/state", token, new JsonObject().put("state", "available").encode()).status())
        .isEqualTo(204);
    agreed(id, s -> s.state().equals("available") && s.present());

    // On break with a reason.
    assertThat(hub.put("/api/v1/agents/me/state", token, new JsonObject().put("state", "break").put("reason", "lunch").encode())
        .status()).isEqualTo(204);
    agreed(id, s -> s.state().equals("break") && "lunch".equals(s.reason()) && s.present());

    // The console goes silent: presence lapses everywhere at once.
    fx.silence(token);
    agreed(id, s -> s.state().equals("break") && !s.present());

    // Back, then signed out.
    fx.beat(token);
    agreed(id, s -> s.present());
    fx.silence(token);
    assertThat(hub.post("/api/v1/auth/logout", token, "").status()).isEqualTo(204);
    agreed(id, s -> s.state().equals("offline") && "signed out".equals(s.reason()) && !s.present());
  }
}
