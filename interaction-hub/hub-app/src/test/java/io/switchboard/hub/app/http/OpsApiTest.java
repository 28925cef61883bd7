package io.switchboard.hub.app.http;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("health, metrics, events and the console files")
class OpsApiTest {
  private static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void healthReportsPostgresAndRedis() {
    var r = hub.get("/health", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonObject("checks").getString("postgres")).isEqualTo("up");
    assertThat(r.json().getJsonObject("checks").getString("redis")).isEqualTo("up");
  }

  @Test
  void metricsNeedASupervisorOrAMetricsKey() {
    assertThat(hub.get("/metrics", null).status()).isEqualTo(401);
    assertThat(hub.get("/metrics", bearer(hub.login("alice", "alice-demo-pw"))).status()).isEqualTo(403);
    var r = hub.get("/metrics", bearer(hub.login("sam", "sam-demo-pw")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("switchboard_outbox_pending").contains("jvm_memory_used_bytes");
  }

  @Test
  void aStoredInteractionIsAnnouncedOnTheEventBusAndCounted() throws Exception {
    CompletableFuture<JsonObject> event = new CompletableFuture<>();
    hub.hub().vertx().eventBus().<JsonObject>consumer("interaction.created", m -> {
      if ("events-1".equals(m.body().getString("externalId")) || !event.isDone()) {
        event.complete(m.body());
      }
    }).completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    var r = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "social")
        .put("externalId", "events-1").put("sender", new JsonObject().put("kind", "handle").put("provider", "whatsapp").put("value", "4915123456700"))
        .put("content", new JsonObject().put("type", "text").put("text", "hi")).encode());
    assertThat(r.status()).isEqualTo(201);
    JsonObject body = event.get(10, TimeUnit.SECONDS);
    assertThat(body.getString("interactionId")).isEqualTo(r.json().getString("interactionId"));
    assertThat(body.getString("channel")).isEqualTo("social");
    String metrics = hub.get("/metrics", apiKey(TestHub.DEMO_API_KEY)).body();
    assertThat(metrics).contains("switchboard_intake_interactions_total{channel=\"social\",node=\"")
        .containsPattern("switchboard_intake_contacts_total\\{channel=\"social\",node=\"[^\"]+\",outcome=\"created\"} [1-9]")
        // The intake's group commit: the contact went through a batch (of one).
        .containsPattern("switchboard_intake_batches_total\\{node=\"[^\"]+\"} [1-9]")
        .containsPattern("switchboard_intake_batched_contacts_total\\{node=\"[^\"]+\"} [1-9]")
        .contains("switchboard_intake_refused_batches_total{node=\"");
  }

  @Test
  void theFiguresAContactCentreIsRunOnAreLabelledByQueueAndNode() throws Exception {
    String key = apiKey(TestHub.DEMO_API_KEY);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String metrics = "";
    while (System.nanoTime() < deadline) {
      metrics = hub.get("/metrics", key).body();
      if (metrics.contains("switchboard_queue_waiting{") && metrics.contains("switchboard_dependency_up{")) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(metrics)
        .containsPattern("switchboard_queue_waiting\\{node=\"[^\"]+\",queue=\"billing\"} \\d")
        .containsPattern("switchboard_queue_longest_wait_seconds\\{node=\"[^\"]+\",queue=\"billing\"} \\d")
        .containsPattern("switchboard_queue_contacts_today\\{node=\"[^\"]+\",outcome=\"answered_in_target\",queue=\"billing\"}")
        .containsPattern("switchboard_agents\\{node=\"[^\"]+\",state=\"[a-z_-]+\"} \\d")
        .contains("switchboard_agents_present{")
        .containsPattern("switchboard_dependency_up\\{dependency=\"postgres\",node=\"[^\"]+\"} 1")
        .containsPattern("switchboard_dependency_up\\{dependency=\"redis\",node=\"[^\"]+\"} 1");
  }

  @Test
  void unknownPathsAndMethodsAreProblems() {
    var missing = hub.get("/api/v1/nothing-here", null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.isProblem()).isTrue();
    var method = hub.delete("/api/v1/auth/login", null);
    assertThat(method.status()).isEqualTo(405);
  }

  @Test
  void theConsoleLandingPageIsServed() {
    var r = hub.get("/", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("Switchboard");
  }
}
