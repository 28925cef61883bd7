package io.switchboard.hub.app.channels;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.Database;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The web chat survey when the agent ends the chat (issue #16: "rating 1–5 and a comment in the widget after the
 * end"): the customer still connected is asked in the widget whether the agent ends the chat or wraps it up straight
 * away, once per interaction, against a real hub with a real WebSocket client.
 */
@DisplayName("web chat: the agent ends the chat, the customer rates it in the widget")
class WebChatAgentEndSurveyTest {
  private static TestHub hub;
  private static Database db;
  private static final Vertx client = Vertx.vertx();
  private static final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
  private static String alice;

  @BeforeAll
  static void start() throws Exception {
    Path config = TestHub.configWithChannel(WebChatSessionTest.RULES, "webchat", Map.of("queueUpdateInterval", "300ms"));
    Files.writeString(config.resolve("analytics.yaml"), """
        surveys:
          queues:
            billing:
              channels: [chat]
              question: "How did billing do?"
              commentPrompt: "Anything to add?"
        """);
    hub = TestHub.startWith(Map.of(), config);
    db = Database.connect(hub.hub().vertx(), hub.postgresUrl(), null, 2);
    alice = bearer(hub.login("alice", "alice-demo-pw"));
    heartbeats.scheduleAtFixedRate(() -> {
      try {
        hub.post("/api/v1/agents/me/heartbeat", alice, "");
      } catch (RuntimeException e) {
        // the hub may be stopping
      }
    }, 0, 1, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    heartbeats.shutdownNow();
    if (db != null) {
      db.close();
    }
    if (hub != null) {
      hub.close();
    }
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the agent ends the chat: the connected customer gets the question, rates it, and wrap-up asks nothing more")
  void theAgentEndsTheCustomerRatesOnce() throws Exception {
    try (WebChatCustomer ida = customer()) {
      String interaction = answeredChat(ida, "Ida");
      var r = hub.post("/api/v1/interactions/" + interaction + "/end", alice, "");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().getString("state")).isEqualTo("wrap_up");

      JsonObject ended = ida.await("ended");
      assertThat(ended.getString("by")).isEqualTo("agent");
      assertThat(ended.getJsonObject("survey").getString("question")).isEqualTo("How did billing do?");
      assertThat(ended.getJsonObject("survey").getString("commentPrompt")).isEqualTo("Anything to add?");
      // Out of range first: refused, the survey stays open.
      ida.send(new JsonObject().put("type", "rate").put("rating", 9));
      assertThat(ida.await("error").getString("code")).isEqualTo("invalid-field");
      ida.send(new JsonObject().put("type", "rate").put("rating", 4).put("comment", "quick and kind"));
      assertThat(ida.await("rated").getInteger("rating")).isEqualTo(4);
      assertThat(ida.awaitClose()).isEqualTo((short) 1000);

      // The wrap-up afterwards ends the interaction without a second survey.
      var wrap = hub.post("/api/v1/interactions/" + interaction + "/wrap-up", alice,
          new JsonObject().put("disposition", "resolved").encode());
      assertThat(wrap.status()).as(wrap.body()).isEqualTo(204);
      List<Row> surveys = surveys(interaction);
      assertThat(surveys).hasSize(1);
      assertThat(surveys.get(0).getString("via")).isEqualTo("widget");
      assertThat(surveys.get(0).getShort("rating")).isEqualTo((short) 4);
      assertThat(surveys.get(0).getString("comment")).isEqualTo("quick and kind");
      assertThat(ida.all("ended")).hasSize(1);
    }
  }

  @Test
  @DisplayName("the agent wraps up straight from the conversation: every open tab of the customer gets the question once")
  void aWrapUpStraightAwayAsksEveryTabOnce() throws Exception {
    try (WebChatCustomer tab1 = customer()) {
      String interaction = answeredChat(tab1, "Jon");
      JsonObject session = tab1.all("session").getLast();
      try (WebChatCustomer tab2 = customer()) {
        tab2.send(new JsonObject().put("type", "resume").put("sessionId", session.getString("sessionId"))
            .put("resumeToken", session.getString("resumeToken")));
        assertThat(tab2.await("session").getBoolean("resumed")).isTrue();
        var wrap = hub.post("/api/v1/interactions/" + interaction + "/wrap-up", alice,
            new JsonObject().put("disposition", "resolved").encode());
        assertThat(wrap.status()).as(wrap.body()).isEqualTo(204);
        for (WebChatCustomer tab : List.of(tab1, tab2)) {
          assertThat(tab.await("ended").getJsonObject("survey").getString("question")).isEqualTo("How did billing do?");
        }
        tab2.send(new JsonObject().put("type", "rate").put("rating", 2));
        assertThat(tab1.await("rated").getInteger("rating")).isEqualTo(2);
        assertThat(tab2.await("rated").getInteger("rating")).isEqualTo(2);
        assertThat(tab1.awaitClose()).isEqualTo((short) 1000);
        assertThat(tab2.awaitClose()).isEqualTo((short) 1000);
        assertThat(tab1.all("ended")).hasSize(1);
        assertThat(tab2.all("ended")).hasSize(1);
      }
      assertThat(surveys(interaction)).singleElement().satisfies(s -> assertThat(s.getShort("rating")).isEqualTo((short) 2));
    }
  }

  // ---------------------------------------------------------------------------------------------- fixture

  private static WebChatCustomer customer() {
    return new WebChatCustomer(client, Integer.parseInt(hub.baseUrl().substring(hub.baseUrl().lastIndexOf(':') + 1)));
  }

  /** A billing chat that alice has accepted and answered; its interaction id. */
  private static String answeredChat(WebChatCustomer c, String name) throws Exception {
    c.await("hello");
    // Alice may be available already (after an earlier test): the offer can follow the start at once.
    var offered = expect(RoutingService.OFFER_CREATED);
    c.send(new JsonObject().put("type", "start").put("name", name).put("email", name.toLowerCase() + "@example.com")
        .put("topic", "billing"));
    c.await("session");
    c.say("c1", "My invoice is wrong");
    var state = hub.put("/api/v1/agents/me/state", alice, new JsonObject().put("state", "available").encode());
    assertThat(state.status()).as(state.body()).isEqualTo(204);
    String interaction = offered.get(30, TimeUnit.SECONDS).getString("interactionId");
    assertThat(hub.post("/api/v1/interactions/" + interaction + "/accept", alice, "").status()).isEqualTo(204);
    var reply = hub.post("/api/v1/interactions/" + interaction + "/messages", alice,
        new JsonObject().put("text", "Hello " + name + ", let me look.").encode());
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    c.await("message", m -> "agent".equals(m.getString("from")));
    return interaction;
  }

  /** Listens for an event before the action that causes it. */
  private static CompletableFuture<JsonObject> expect(String address) throws Exception {
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    MessageConsumer<JsonObject> consumer = hub.hub().vertx().eventBus().consumer(address, m -> f.complete(m.body()));
    consumer.completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    f.whenComplete((v, e) -> consumer.unregister());
    return f;
  }

  private static List<Row> surveys(String interaction) throws Exception {
    List<Row> out = new ArrayList<>();
    db.pool().preparedQuery("SELECT via, rating, comment FROM csat_surveys WHERE interaction_id = $1")
        .execute(Tuple.of(UUID.fromString(interaction))).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .forEach(out::add);
    return out;
  }
}
