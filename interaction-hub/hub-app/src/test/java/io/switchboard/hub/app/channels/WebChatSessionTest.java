package io.switchboard.hub.app.channels;

import io.switchboard.hub.app.TestRules;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole customer side of a web chat against a real hub: the widget's socket, intake, routing by the
 * pre-chat topic, an agent who accepts and answers, receipts, a reconnect with resume, and the transcript.
 */
@DisplayName("web chat: a customer's session through the hub")
class WebChatSessionTest {
  static final String RULES = TestRules.routing("60s", false, """
          - name: billing-topic
            when: "channel == 'chat' && attributes['topic'] == 'billing'"
            queue: billing
            require: { billing: 4 }
          - name: default
            queue: general
          """);

  private static WebChatSmtpPeer smtp;
  private static TestHub hub;
  private static final Vertx client = Vertx.vertx();
  private static ScheduledExecutorService heartbeats;

  /** A hub of its own per test: a chat left waiting by one test must not be offered in another. */
  @BeforeEach
  void start() throws Exception {
    heartbeats = Executors.newSingleThreadScheduledExecutor();
    smtp = new WebChatSmtpPeer();
    // Transcripts go out through the email adapter's mailbox "chat" (SMTP only, a relay without login).
    Path config = TestHub.addChannel(TestHub.configWithChannel(RULES, "webchat", Map.of("queueUpdateInterval", "300ms",
        "transcriptMailbox", "chat")), "email", Map.of("mailboxes", java.util.List.of(Map.of("name", "chat",
        "address", "chat@shop.example.com", "smtp", Map.of("host", "127.0.0.1", "port", smtp.port(), "tls", "none", "auth", false)))));
    hub = TestHub.startWith(Map.of(), config);
  }

  @AfterEach
  void stop() throws Exception {
    heartbeats.shutdownNow();
    if (hub != null) {
      hub.close();
    }
    smtp.close();
  }

  @AfterAll
  static void closeClient() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }


  private static WebChatCustomer customer() {
    return new WebChatCustomer(client, Integer.parseInt(hub.baseUrl().substring(hub.baseUrl().lastIndexOf(':') + 1)));
  }

  private static String available(String user) {
    String token = bearer(hub.login(user, user + "-demo-pw"));
    heartbeats.scheduleAtFixedRate(() -> {
      try {
        hub.post("/api/v1/agents/me/heartbeat", token, "");
      } catch (RuntimeException e) {
        // the hub may be stopping
      }
    }, 0, 1, TimeUnit.SECONDS);
    var r = hub.put("/api/v1/agents/me/state", token, new JsonObject().put("state", "available").encode());
    assertThat(r.status()).as(r.body()).isEqualTo(204);
    return token;
  }

  /** Listens for an event before the action that causes it. */
  private static CompletableFuture<JsonObject> expect(String address, Predicate<JsonObject> match) throws Exception {
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    MessageConsumer<JsonObject> consumer = hub.hub().vertx().eventBus().consumer(address, m -> {
      if (match.test(m.body())) {
        f.complete(m.body());
      }
    });
    consumer.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    f.whenComplete((v, e) -> consumer.unregister());
    return f;
  }

  private static JsonObject await(CompletableFuture<JsonObject> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private static JsonArray messagesOf(String interaction, String token) {
    var r = hub.get("/api/v1/interactions/" + interaction, token);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonArray("messages");
  }

  private static JsonObject message(JsonArray messages, String id) {
    return messages.stream().map(JsonObject.class::cast).filter(m -> id.equals(m.getString("id"))).findFirst().orElseThrow();
  }

  @Test
  void aCustomerChatsWithTheRightAgentAcrossAReconnectAndGetsTheTranscript() throws Exception {
    String sessionId;
    String token;
    String interaction;
    String alice;
    String hello;
    try (WebChatCustomer ida = customer()) {
      assertThat(ida.await("hello").getJsonArray("topics").size()).isEqualTo(3);
      ida.send(new JsonObject().put("type", "start").put("name", "Ida Kunde").put("email", "ida.kunde@example.com")
          .put("topic", "billing").put("page", "http://localhost:8080/demo/webchat.html"));
      sessionId = ida.await("session").getString("sessionId");
      ida.say("c1", "My invoice is wrong");
      token = ida.await("session").getString("resumeToken");

      // Nobody is available yet: the customer waits and is told where.
      JsonObject queue = ida.await("queue", q -> "waiting".equals(q.getString("state")));
      assertThat(queue.getInteger("position")).isEqualTo(1);
      assertThat(queue.getString("queue")).isEqualTo("billing");

      var offered = expect(RoutingService.OFFER_CREATED, e -> true);
      alice = available("alice");
      interaction = await(offered).getString("interactionId");
      ida.await("queue", q -> "left".equals(q.getString("state")));
      assertThat(hub.post("/api/v1/interactions/" + interaction + "/accept", alice, "").status()).isEqualTo(204);

      var detail = hub.get("/api/v1/interactions/" + interaction, alice).json();
      assertThat(detail.encode()).contains("billing").contains("ida.kunde@example.com");

      var delivered = expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "delivered".equals(e.getString("status")));
      var reply = hub.post("/api/v1/interactions/" + interaction + "/messages", alice,
          new JsonObject().put("text", "Hello Ida, let me look at it.").encode());
      assertThat(reply.status()).as(reply.body()).isEqualTo(201);
      hello = reply.json().getString("id");
      JsonObject pushed = ida.await("message", m -> "agent".equals(m.getString("from")));
      assertThat(pushed.getString("messageId")).isEqualTo(hello);
      assertThat(pushed.getString("text")).isEqualTo("Hello Ida, let me look at it.");
      ida.send(new JsonObject().put("type", "received").put("messageId", hello));
      assertThat(await(delivered).getString("messageId")).isEqualTo(hello);
      assertThat(message(messagesOf(interaction, alice), hello).getString("status")).isEqualTo("delivered");

      var note = hub.post("/api/v1/interactions/" + interaction + "/messages", alice,
          new JsonObject().put("text", "PRIVATE: customer was rude last time").put("privateNote", true).encode());
      assertThat(note.status()).isEqualTo(201);
    }

    // The customer is offline when the agent writes again.
    var sent = expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "sent".equals(e.getString("status")));
    var missed = hub.post("/api/v1/interactions/" + interaction + "/messages", alice,
        new JsonObject().put("text", "I have corrected the invoice.").encode());
    assertThat(missed.status()).isEqualTo(201);
    String missedId = missed.json().getString("id");
    assertThat(await(sent).getString("messageId")).isEqualTo(missedId);

    try (WebChatCustomer ida = customer()) {
      ida.send(new JsonObject().put("type", "resume").put("sessionId", sessionId).put("resumeToken", token)
          .put("lastSeenMessageId", hello));
      assertThat(ida.await("session").getBoolean("resumed")).isTrue();
      assertThat(ida.await("replayed").getInteger("count")).isEqualTo(1);
      assertThat(ida.all("message")).extracting(m -> m.getString("messageId")).containsExactly(missedId);

      // The line whose ack was lost in the drop is sent again: stored once.
      JsonObject again = ida.say("c1", "My invoice is wrong");
      assertThat(again.getBoolean("duplicate")).isTrue();
      JsonArray stored = messagesOf(interaction, alice);
      assertThat(stored.stream().map(JsonObject.class::cast).filter(m -> "inbound".equals(m.getString("direction"))))
          .hasSize(1);

      var read = expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "read".equals(e.getString("status"))
          && missedId.equals(e.getString("messageId")));
      ida.send(new JsonObject().put("type", "read").put("upTo", missedId));
      await(read);
      assertThat(message(messagesOf(interaction, alice), missedId).getString("status")).isEqualTo("read");

      ida.send(new JsonObject().put("type", "end").put("transcript", true));
      JsonObject ended = ida.await("ended");
      assertThat(ended.getString("transcript")).isEqualTo("sent");
      if (ended.containsKey("survey")) {
        // The queue asks for a rating (config/analytics.yaml): the socket stays open for it, then closes.
        ida.send(new JsonObject().put("type", "rate").put("rating", 5));
        ida.await("rated");
      }
      assertThat(ida.closed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 1000);
      for (JsonObject m : ida.all("message")) {
        assertThat(m.getString("text")).doesNotContain("PRIVATE");
      }
    }
    String mail = smtp.awaitMail();
    assertThat(mail).contains("ida.kunde@example.com").contains("My invoice is wrong").contains("Hello Ida, let me look at it.")
        .contains("I have corrected the invoice.").doesNotContain("PRIVATE");
  }

  @Test
  void aWrongResumeTokenGetsAnErrorAndSeesNothing() throws Exception {
    String sessionId;
    try (WebChatCustomer eve = customer()) {
      eve.send(new JsonObject().put("type", "start").put("name", "Eve").put("topic", "general"));
      sessionId = eve.await("session").getString("sessionId");
      eve.say("e1", "my account number is 12345");
    }
    try (WebChatCustomer mallory = customer()) {
      mallory.send(new JsonObject().put("type", "resume").put("sessionId", sessionId).put("resumeToken", "v1.eyJzaWQiOiJ4In0.AAAA"));
      assertThat(mallory.await("error").getString("code")).isEqualTo("invalid-resume-token");
      mallory.send(new JsonObject().put("type", "message").put("clientId", "m1").put("text", "hi"));
      assertThat(mallory.await("error").getString("code")).isEqualTo("no-session");
      mallory.sync();
      assertThat(mallory.all("message")).isEmpty();
      assertThat(mallory.all("session")).isEmpty();
    }
  }

  @Test
  void aCustomerWhoEndsAWaitingChatLeavesTheQueue() throws Exception {
    String supervisor = bearer(hub.login("sam", "sam-demo-pw"));
    var left = new java.util.concurrent.CompletableFuture<JsonObject>();
    hub.hub().vertx().eventBus().<JsonObject>consumer(io.switchboard.hub.app.channels.ChannelRuntime.CUSTOMER_LEFT, m -> left.complete(m.body()))
        .completion().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
    try (WebChatCustomer quinn = customer()) {
      quinn.await("hello");
      quinn.send(new JsonObject().put("type", "start").put("name", "Quinn").put("topic", "general"));
      quinn.await("session");
      quinn.say("q1", "anyone there?");
      quinn.send(new JsonObject().put("type", "end").put("transcript", false));
      JsonObject event = left.get(20, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(event.getBoolean("abandoned")).isTrue();
      var detail = hub.get("/api/v1/interactions/" + event.getString("interactionId"), supervisor).json();
      assertThat(detail.getString("state")).isEqualTo("abandoned");
      assertThat(detail.getJsonArray("transitions").stream().map(t -> ((JsonObject) t).getString("reason")))
          .contains("customer ended the chat");
    }
  }

  @Test
  void theWidgetIsServedByTheHub() {
    var r = hub.get("/channels/webchat/widget.js", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/javascript");
    assertThat(r.body()).contains("/socket?v=1");
    assertThat(List.of(r.body().split("\n"))).noneMatch(line -> line.contains("innerHTML"));
  }
}
