package io.switchboard.hub.app.ws;

import io.switchboard.hub.app.TestRules;
import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A hub with routing rules that keep offers open (60 s), a Vert.x instance of its own for the test consoles,
 * and helpers: logins, consoles that go available, inbound contacts, event expectations.
 */
final class SocketFixture implements AutoCloseable {
  static final String RULES = TestRules.routing("60s", true, """
          - name: billing-topic
            when: "attributes['topic'] == 'billing'"
            queue: billing
            priority: 10
            require: { billing: 4 }
          - name: default
            queue: general
          """);

  final TestHub hub;
  final Vertx clients = Vertx.vertx();
  private final List<Console> consoles = new ArrayList<>();

  SocketFixture(TestHub hub) {
    this.hub = hub;
  }

  static SocketFixture start() {
    return new SocketFixture(TestHub.start(java.util.Map.of(), RULES));
  }

  /** The login token of a demo user (without "Bearer"). */
  String token(String user) {
    return hub.login(user, user + "-demo-pw");
  }

  String agentId(String token) {
    return hub.get("/api/v1/auth/me", bearer(token)).json().getString("id");
  }

  /** A console connected to this hub, not yet authenticated. */
  Console console() {
    return console(hub.hub().httpPort());
  }

  Console console(int port) {
    return console(port, new WebSocketClientOptions());
  }

  Console console(int port, WebSocketClientOptions options) {
    Console c = new Console(clients, options);
    consoles.add(c);
    return c.connect(port);
  }

  /** A console of {@code user}, authenticated and available (its first snapshot and state frame read). */
  Console available(String user) {
    return available(user, hub.hub().httpPort());
  }

  Console available(String user, int port) {
    // The token first: a login slowed by a loaded machine must not use up the socket's authentication time.
    String token = token(user);
    Console c = console(port);
    c.authenticated(token);
    JsonObject ok = c.command(new JsonObject().put("type", "state").put("state", "available"), "go-" + user);
    assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("ok");
    assertThat(c.next("state").getString("state")).isEqualTo("available");
    return c;
  }

  /** Posts a chat contact (the customer writes {@code text}) and returns the interaction id. */
  String contact(String externalId, String topic, String text) {
    return contact(hub, externalId, externalId, topic, text);
  }

  /** A chat message on {@code node}; the same {@code threadKey} continues the same conversation. */
  static String contact(TestHub node, String externalId, String threadKey, String topic, String text) {
    var r = node.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "chat")
        .put("externalId", externalId).put("threadKey", threadKey)
        .put("sender", new JsonObject().put("kind", "email").put("value", threadKey + "@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", text))
        .put("metadata", new JsonObject().put("topic", topic)).encode());
    assertThat(r.status()).as(r.body()).isIn(200, 201);
    return r.json().getString("interactionId");
  }

  /** Starts listening on the hub's event bus for an event, before the action that causes it. */
  CompletableFuture<JsonObject> expect(String address, Predicate<JsonObject> match) {
    return expect(hub, address, match);
  }

  static CompletableFuture<JsonObject> expect(TestHub node, String address, Predicate<JsonObject> match) {
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    MessageConsumer<JsonObject> consumer = node.hub().vertx().eventBus().consumer(address, m -> {
      if (match.test(m.body())) {
        f.complete(m.body());
      }
    });
    Console.await(consumer.completion());
    f.whenComplete((v, e) -> consumer.unregister());
    return f;
  }

  static JsonObject await(CompletableFuture<JsonObject> f) {
    try {
      return f.get(Console.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("event did not arrive: " + e, e);
    }
  }

  void closeConsoles() {
    consoles.forEach(Console::close);
    consoles.clear();
  }

  @Override
  public void close() {
    closeConsoles();
    hub.close();
    Console.await(clients.close());
  }
}
