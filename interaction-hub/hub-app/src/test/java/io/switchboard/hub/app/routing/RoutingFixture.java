package io.switchboard.hub.app.routing;

import io.switchboard.hub.app.TestRules;
import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Helpers for routing tests: rules with short timeouts, consoles that keep sending heartbeats, events. */
public final class RoutingFixture {
  static final String RULES = TestRules.routing("1500ms", true, """
          - name: billing-topic
            when: "attributes['topic'] == 'billing'"
            queue: billing
            priority: 10
            require: { billing: 4 }
            relax:
              - after: 10m
                lower: { billing: 2 }
          - name: default
            queue: general
          """);

  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, Boolean> beating = new ConcurrentHashMap<>();
  final TestHub hub;

  public RoutingFixture(TestHub hub) {
    this.hub = hub;
    heartbeats.scheduleAtFixedRate(() -> beating.keySet().forEach(token -> {
      try {
        hub.post("/api/v1/agents/me/heartbeat", token, "");
      } catch (RuntimeException e) {
        // the hub may be stopping
      }
    }), 0, 1, TimeUnit.SECONDS);
  }

  /** Logs in, keeps the console's heartbeat going, and goes available. */
  public String available(String user) {
    String token = bearer(hub.login(user, user + "-demo-pw"));
    beating.put(token, true);
    var r = hub.put("/api/v1/agents/me/state", token, new JsonObject().put("state", "available").encode());
    assertThat(r.status()).as(r.body()).isEqualTo(204);
    return token;
  }

  /** The console of {@code token} sends heartbeats (again) every second. */
  void beat(String token) {
    beating.put(token, true);
  }

  /** The console of {@code token} stops its heartbeats (a lost network, a closed laptop). */
  void silence(String token) {
    beating.remove(token);
  }

  String agentId(String token) {
    return hub.get("/api/v1/auth/me", token).json().getString("id");
  }

  /** Posts a chat contact with a topic and returns the interaction id. */
  String contact(String externalId, String topic) {
    var r = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "chat")
        .put("externalId", externalId).put("threadKey", externalId)
        .put("sender", new JsonObject().put("kind", "email").put("value", externalId + "@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "hello"))
        .put("metadata", new JsonObject().put("topic", topic)).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("interactionId");
  }

  /** Starts listening for an event before the action that causes it. */
  public CompletableFuture<JsonObject> expect(String address, Predicate<JsonObject> match) {
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    MessageConsumer<JsonObject> consumer = hub.hub().vertx().eventBus().consumer(address, m -> {
      if (match.test(m.body())) {
        f.complete(m.body());
      }
    });
    try {
      consumer.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    f.whenComplete((v, e) -> consumer.unregister());
    return f;
  }

  public static JsonObject await(CompletableFuture<JsonObject> f) {
    try {
      return f.get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("event did not arrive: " + e, e);
    }
  }

  public void close() {
    heartbeats.shutdownNow();
  }
}
