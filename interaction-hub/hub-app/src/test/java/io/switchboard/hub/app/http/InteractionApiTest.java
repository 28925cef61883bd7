package io.switchboard.hub.app.http;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import io.switchboard.hub.core.routing.RoutingService;
import java.util.HashSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("/api/v1/interactions")
class InteractionApiTest {
  private static TestHub hub;
  private static String agent;
  private static String supervisor;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    agent = bearer(hub.login("alice", "alice-demo-pw"));
    supervisor = bearer(hub.login("sam", "sam-demo-pw"));
    CountDownLatch queued = new CountDownLatch(7);
    hub.hub().vertx().eventBus().consumer(RoutingService.INTERACTION_QUEUED, m -> queued.countDown());
    for (int i = 0; i < 7; i++) {
      var r = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", i % 2 == 0 ? "chat" : "email")
          .put("externalId", "list-" + i).put("sender", new JsonObject().put("kind", "email").put("value", "list" + i + "@example.com"))
          .put("content", new JsonObject().put("type", "text").put("text", "message " + i)).encode());
      assertThat(r.status()).isEqualTo(201);
    }
    try {
      assertThat(queued.await(20, TimeUnit.SECONDS)).as("all seven reach their queue").isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void supervisorsPageThroughEveryInteractionWithoutGapsOrRepeats() {
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      var page = hub.get("/api/v1/interactions?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), supervisor).json();
      page.getJsonArray("items").forEach(i -> assertThat(seen.add(((JsonObject) i).getString("id"))).isTrue());
      cursor = page.getString("nextCursor");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(seen).hasSize(7);
  }

  @Test
  void listsFilterByState() {
    // No agent is available, so all seven wait in the demo rules' default queue.
    assertThat(hub.get("/api/v1/interactions?state=queued", supervisor).json().getJsonArray("items")).hasSize(7);
    assertThat(hub.get("/api/v1/interactions?state=created", supervisor).json().getJsonArray("items")).isEmpty();
    assertThat(hub.get("/api/v1/interactions?state=queued&queue=general", supervisor).json().getJsonArray("items")).hasSize(7);
    assertThat(hub.get("/api/v1/interactions?queue=billing", supervisor).json().getJsonArray("items")).isEmpty();
    var bad = hub.get("/api/v1/interactions?state=sleeping", supervisor);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("state");
    assertThat(hub.get("/api/v1/interactions?cursor=not-a-cursor", supervisor).status()).isEqualTo(400);
    assertThat(hub.get("/api/v1/interactions?limit=0", supervisor).status()).isEqualTo(400);
  }

  @Test
  void agentsSeeOnlyInteractionsAssignedToThem() {
    var all = hub.get("/api/v1/interactions", supervisor).json().getJsonArray("items");
    String someone = all.getJsonObject(0).getString("id");
    assertThat(hub.get("/api/v1/interactions", agent).json().getJsonArray("items")).isEmpty();
    assertThat(hub.get("/api/v1/interactions/" + someone, agent).status()).isEqualTo(404);
    var detail = hub.get("/api/v1/interactions/" + someone, supervisor);
    assertThat(detail.status()).isEqualTo(200);
    assertThat(detail.json().getJsonArray("messages")).hasSize(1);
    assertThat(hub.get("/api/v1/interactions", null).status()).isEqualTo(401);
  }
}
