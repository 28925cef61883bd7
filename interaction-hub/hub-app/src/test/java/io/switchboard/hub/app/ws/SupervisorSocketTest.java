package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The supervisor side of the console: the live dashboard over HTTP and the WebSocket, read-only watching of
 * interactions, and forcing an agent's state; with real WebSocket clients against a running hub.
 */
class SupervisorSocketTest {
  static SocketFixture fx;

  @BeforeAll
  static void start() {
    fx = SocketFixture.start();
  }

  @AfterEach
  void closeConsoles() {
    fx.closeConsoles();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static JsonObject subscribe(String ref) {
    return new JsonObject().put("type", "dashboard_subscribe").put("ref", ref);
  }

  static JsonObject queue(JsonObject dashboard, String id) {
    JsonArray queues = dashboard.getJsonArray("queues");
    for (int i = 0; i < queues.size(); i++) {
      if (id.equals(queues.getJsonObject(i).getString("id"))) {
        return queues.getJsonObject(i);
      }
    }
    throw new AssertionError("no queue " + id + " in " + dashboard.encode());
  }

  @Test
  @DisplayName("GET /api/v1/dashboard gives supervisors and admins every queue with its figures, agents and history")
  void theDashboardOverHttp() {
    TestHub.Response r = fx.hub.get("/api/v1/dashboard", bearer(fx.token("sam")));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonObject d = r.json();
    assertThat(Instant.parse(d.getString("at"))).isBefore(Instant.now().plusSeconds(5));
    assertThat(d.getString("zone")).isNotBlank();
    assertThat(d.getInteger("windowMinutes")).isEqualTo(30);
    JsonObject general = queue(d, "general");
    assertThat(general.getJsonObject("target").getInteger("withinSeconds")).isEqualTo(20);
    assertThat(general.getJsonObject("today").fieldNames()).contains("offered", "answered", "abandoned", "serviceLevel",
        "asaMs", "abandonRate", "ahtMs");
    assertThat(general.getJsonObject("last30m").fieldNames()).contains("serviceLevel");
    assertThat(general.getJsonObject("staffing").fieldNames()).contains("arrivalsPerHour", "ahtSeconds", "erlangs",
        "slotsNeeded", "concurrency", "agentsNeeded", "staffed", "gap");
    queue(d, "billing");
    assertThat(d.getJsonObject("totals").getJsonObject("byState").fieldNames())
        .containsExactly("available", "busy", "after_call_work", "break", "offline");
    assertThat(d.getJsonObject("history").getInteger("intervalSeconds")).isEqualTo(5);
    assertThat(fx.hub.get("/api/v1/dashboard", bearer(fx.token("ada"))).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("GET /api/v1/dashboard: no token is 401, an agent's token is 403, both as problem+json")
  void theDashboardNeedsASupervisor() {
    TestHub.Response none = fx.hub.get("/api/v1/dashboard", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.isProblem()).isTrue();
    TestHub.Response agent = fx.hub.get("/api/v1/dashboard", bearer(fx.token("alice")));
    assertThat(agent.status()).isEqualTo(403);
    assertThat(agent.isProblem()).isTrue();
    assertThat(fx.hub.get("/api/v1/dashboard", "Bearer sbt_not_a_real_token").status()).isEqualTo(401);
  }

  @Test
  @DisplayName("A supervisor subscribes: ok, the full dashboard with history, then a tick every second until unsubscribing")
  void subscribeTicksAndUnsubscribe() {
    Console alice = fx.available("alice");
    Console sam = fx.console();
    sam.authenticated(fx.token("sam"));
    JsonObject ok = sam.command(subscribe("d1"), "d1");
    assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("ok");
    JsonObject full = sam.next("dashboard");
    assertThat(full.getBoolean("full")).isTrue();
    assertThat(full.getJsonObject("history").getJsonObject("points")).isNotNull();
    assertThat(full.getLong("seq")).isEqualTo(ok.getLong("seq") + 1);
    JsonObject tick = sam.next(f -> "dashboard".equals(f.getString("type")) && !f.getBoolean("full"));
    assertThat(tick.containsKey("history")).isFalse();
    queue(tick, "general");
    queue(tick, "billing");
    Instant first = Instant.parse(tick.getString("at"));
    JsonObject next = sam.next(f -> "dashboard".equals(f.getString("type")) && !f.getBoolean("full"));
    assertThat(Instant.parse(next.getString("at"))).isAfter(first);
    // Ticks are numbered; the full frame names the tick of its snapshot; each says whether its agents are a delta.
    assertThat(full.getLong("tick")).isNotNegative();
    assertThat(tick.getLong("tick")).isGreaterThan(full.getLong("tick"));
    assertThat(next.getLong("tick")).isGreaterThan(tick.getLong("tick"));
    for (JsonObject t : List.of(tick, next)) {
      assertThat(t.getValue("agentsDelta")).isInstanceOf(Boolean.class);
      if (t.getBoolean("agentsDelta")) {
        assertThat(t.getJsonArray("agentsRemoved")).isNotNull();
      }
    }

    // The agents' states show up within a tick or two: alice goes on a break.
    assertThat(alice.command(new JsonObject().put("type", "state").put("state", "break").put("reason", "lunch"), "b")
        .getString("type")).isEqualTo("ok");
    String aliceId = fx.agentId(fx.token("alice"));
    JsonObject seen = sam.next(f -> "dashboard".equals(f.getString("type")) && f.getJsonArray("agents").stream()
        .map(JsonObject.class::cast).anyMatch(a -> aliceId.equals(a.getString("id")) && "break".equals(a.getString("state"))));
    JsonObject aliceRow = seen.getJsonArray("agents").stream().map(JsonObject.class::cast)
        .filter(a -> aliceId.equals(a.getString("id"))).findFirst().orElseThrow();
    assertThat(aliceRow.getString("username")).isEqualTo("alice");
    assertThat(aliceRow.getString("reason")).isEqualTo("lunch");
    assertThat(aliceRow.getBoolean("present")).isTrue();
    assertThat(aliceRow.getJsonObject("capacity").getInteger("chat")).isEqualTo(3);

    assertThat(sam.command(new JsonObject().put("type", "dashboard_unsubscribe"), "u1").getString("type")).isEqualTo("ok");
    sam.assertAlive("after-unsubscribe");
    assertThatThrownBy(() -> sam.next(f -> "dashboard".equals(f.getString("type")), Duration.ofMillis(2500))).isInstanceOf(AssertionError.class);
    // Subscribing again brings the full dashboard again.
    assertThat(sam.command(subscribe("d2"), "d2").getString("type")).isEqualTo("ok");
    assertThat(sam.next("dashboard").getBoolean("full")).isTrue();
  }

  @Test
  @DisplayName("An agent may not subscribe to the dashboard nor watch: forbidden, and the socket keeps working")
  void agentsAreForbidden() {
    Console alice = fx.console();
    alice.authenticated(fx.token("alice"));
    String someInteraction = fx.contact("dash-agent-" + UUID.randomUUID(), "general", "hello");
    for (JsonObject frame : List.of(
        new JsonObject().put("type", "dashboard_subscribe"),
        new JsonObject().put("type", "dashboard_unsubscribe"),
        new JsonObject().put("type", "watch").put("interactionId", someInteraction),
        new JsonObject().put("type", "unwatch").put("interactionId", someInteraction))) {
      JsonObject error = alice.command(frame, "f-" + frame.getString("type"));
      assertThat(error.getString("type")).isEqualTo("error");
      assertThat(error.getString("code")).as(frame.encode()).isEqualTo("forbidden");
    }
    alice.assertAlive("still-here");
    assertThatThrownBy(() -> alice.next(f -> "dashboard".equals(f.getString("type")), Duration.ofMillis(1500))).isInstanceOf(AssertionError.class);
  }

  @Test
  @DisplayName("Watching: bad ids are invalid-field, unknown ones not-found; a watched interaction's messages arrive")
  void watchAnInteraction() {
    Console sam = fx.console();
    sam.authenticated(fx.token("sam"));
    record Bad(JsonObject frame, String code) {}
    for (Bad b : List.of(
        new Bad(new JsonObject().put("type", "watch"), "invalid-field"),
        new Bad(new JsonObject().put("type", "watch").put("interactionId", 17), "invalid-field"),
        new Bad(new JsonObject().put("type", "watch").put("interactionId", "not-a-uuid"), "invalid-field"),
        new Bad(new JsonObject().put("type", "unwatch").put("interactionId", "../etc"), "invalid-field"),
        new Bad(new JsonObject().put("type", "watch").put("interactionId", UUID.randomUUID().toString()), "not-found"))) {
      JsonObject error = sam.command(b.frame(), "bad");
      assertThat(error.getString("code")).as(b.frame().encode()).isEqualTo(b.code());
      if (b.code().equals("invalid-field")) {
        assertThat(error.getString("field")).isEqualTo("interactionId");
      }
    }
    sam.assertAlive("after-bad");

    String thread = "dash-watch-" + UUID.randomUUID();
    String interaction = SocketFixture.contact(fx.hub, thread + "-1", thread, "general", "My parcel is late");
    assertThat(sam.command(new JsonObject().put("type", "watch").put("interactionId", interaction), "w1").getString("type"))
        .isEqualTo("ok");
    // Watching twice is fine.
    assertThat(sam.command(new JsonObject().put("type", "watch").put("interactionId", interaction), "w2").getString("type"))
        .isEqualTo("ok");
    SocketFixture.contact(fx.hub, thread + "-2", thread, "general", "Any news?");
    JsonObject message = sam.next(f -> "message".equals(f.getString("type")) && interaction.equals(f.getString("interactionId")));
    assertThat(message.getString("text")).isEqualTo("Any news?");
    assertThat(message.getString("direction")).isEqualTo("inbound");
    assertThat(message.getString("messageId")).isNotBlank();

    assertThat(sam.command(new JsonObject().put("type", "unwatch").put("interactionId", interaction), "uw").getString("type"))
        .isEqualTo("ok");
    SocketFixture.contact(fx.hub, thread + "-3", thread, "general", "Hello?");
    sam.assertAlive("after-unwatch");
    assertThatThrownBy(() -> sam.next(f -> "message".equals(f.getString("type")), Duration.ofMillis(2000)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  @DisplayName("A socket may watch at most 20 interactions; the 21st is validation-failed until one is unwatched")
  void watchLimit() {
    Console sam = fx.console();
    sam.authenticated(fx.token("sam"));
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 21; i++) {
      ids.add(fx.contact("dash-limit-" + UUID.randomUUID(), "general", "limit " + i));
    }
    for (int i = 0; i < 20; i++) {
      assertThat(sam.command(new JsonObject().put("type", "watch").put("interactionId", ids.get(i)), "w" + i)
          .getString("type")).isEqualTo("ok");
    }
    JsonObject refused = sam.command(new JsonObject().put("type", "watch").put("interactionId", ids.get(20)), "w20");
    assertThat(refused.getString("code")).isEqualTo("validation-failed");
    assertThat(sam.command(new JsonObject().put("type", "unwatch").put("interactionId", ids.get(0)), "u0")
        .getString("type")).isEqualTo("ok");
    assertThat(sam.command(new JsonObject().put("type", "watch").put("interactionId", ids.get(20)), "w20b")
        .getString("type")).isEqualTo("ok");
  }

  @Test
  @DisplayName("A supervisor forces an agent to break and offline and the agent's console hears it; an agent cannot (403)")
  void supervisorForcesAnAgentsState() {
    Console alice = fx.available("alice");
    String sam = bearer(fx.token("sam"));
    String aliceId = fx.agentId(fx.token("alice"));
    TestHub.Response onBreak = fx.hub.put("/api/v1/agents/" + aliceId + "/state", sam,
        new JsonObject().put("state", "break").put("reason", "coaching").encode());
    assertThat(onBreak.status()).as(onBreak.body()).isEqualTo(204);
    JsonObject state = alice.next("state");
    assertThat(state.getString("state")).isEqualTo("break");
    assertThat(state.getString("reason")).isEqualTo("coaching");
    TestHub.Response offline = fx.hub.put("/api/v1/agents/" + aliceId + "/state", sam,
        new JsonObject().put("state", "offline").encode());
    assertThat(offline.status()).as(offline.body()).isEqualTo(204);
    assertThat(alice.next("state").getString("state")).isEqualTo("offline");

    String bobToken = fx.token("bob");
    String bobId = fx.agentId(bobToken);
    String before = fx.hub.get("/api/v1/agents/" + bobId + "/state", sam).json().getString("state");
    TestHub.Response refused = fx.hub.put("/api/v1/agents/" + bobId + "/state", bearer(fx.token("alice")),
        new JsonObject().put("state", "break").put("reason", "prank").encode());
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.isProblem()).isTrue();
    assertThat(fx.hub.get("/api/v1/agents/" + bobId + "/state", sam).json().getString("state")).isEqualTo(before);
    alice.assertAlive("alice-fine");
  }
}
