package io.switchboard.channel.webchat;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.channel.testkit.InMemoryChannelContext;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.spi.Surveys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("web chat: the satisfaction survey after the end")
class WebChatSurveyTest {
  private InMemoryChannelContext hub;
  /** The hub's side as the adapter sees it: one answer per interaction, the same answer again accepted. */
  private final Map<InteractionId, int[]> answers = new ConcurrentHashMap<>();
  private final List<String> invited = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    hub = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of());
    hub.surveys(new Surveys() {
      @Override
      public Future<Optional<Invitation>> invite(InteractionId interaction, String via) {
        invited.add(via);
        return Future.succeededFuture(Optional.of(new Invitation(interaction, "How did we do?", "Tell us more",
            Instant.now().plusSeconds(3600))));
      }

      @Override
      public Future<Void> answer(InteractionId interaction, int rating, String comment) {
        int[] before = answers.putIfAbsent(interaction, new int[] {rating});
        if (before != null && before[0] != rating) {
          return Future.failedFuture(new ConflictException("this survey was answered already"));
        }
        return Future.succeededFuture();
      }
    });
    hub.start(new WebChatAdapter());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private ChatClient endedChat() {
    ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of());
    c.start("Ida", null, "billing");
    c.say("c1", "hello");
    c.send(new JsonObject().put("type", "end").put("transcript", false));
    return c;
  }

  @Test
  void theEndedFrameCarriesTheQuestionAndARatingIsStoredThenTheChatCloses() {
    try (ChatClient c = endedChat()) {
      JsonObject ended = c.await("ended");
      assertThat(ended.getJsonObject("survey").getString("question")).isEqualTo("How did we do?");
      assertThat(ended.getJsonObject("survey").getString("commentPrompt")).isEqualTo("Tell us more");
      assertThat(invited).containsExactly("widget");
      c.send(new JsonObject().put("type", "rate").put("rating", 5).put("comment", "great"));
      assertThat(c.await("rated").getInteger("rating")).isEqualTo(5);
      assertThat(c.awaitClose()).isEqualTo((short) 1000);
      assertThat(answers.values()).singleElement().satisfies(a -> assertThat(a[0]).isEqualTo(5));
    }
  }

  @Test
  void badRatingFramesGetClearErrorsAndTheSurveyStaysOpen() {
    try (ChatClient c = endedChat()) {
      c.await("ended");
      c.send(new JsonObject().put("type", "rate"));
      assertThat(c.await("error", e -> "rating".equals(e.getString("field"))).getString("code")).isEqualTo("missing-field");
      for (Object bad : new Object[] {0, 6, -1, "5", 4.5, true, Long.MAX_VALUE}) {
        c.send(new JsonObject().put("type", "rate").put("rating", bad));
        JsonObject err = c.await("error", e -> "invalid-field".equals(e.getString("code")) && "rating".equals(e.getString("field")));
        assertThat(err.getString("message")).contains("1 to 5");
      }
      c.send(new JsonObject().put("type", "rate").put("rating", 3).put("comment", "nul \u0000 here"));
      assertThat(c.await("error", e -> "comment".equals(e.getString("field"))).getString("code")).isEqualTo("invalid-field");
      c.send(new JsonObject().put("type", "rate").put("rating", 3).put("comment", "x".repeat(1001)));
      assertThat(c.await("error", e -> "text-too-long".equals(e.getString("code"))).getString("field")).isEqualTo("comment");
      c.send(new JsonObject().put("type", "rate").put("rating", 3).put("comment", 42));
      assertThat(c.await("error", e -> "comment".equals(e.getString("field")) && e.getString("message").contains("text"))).isNotNull();
      assertThat(answers).isEmpty();
      c.send(new JsonObject().put("type", "rate").put("rating", 2));
      assertThat(c.await("rated").getInteger("rating")).isEqualTo(2);
    }
  }

  @Test
  void aRatingBeforeTheEndOrWithoutASurveyIsRefused() {
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of())) {
      c.start("Ida", null, "billing");
      c.say("c1", "hello");
      c.send(new JsonObject().put("type", "rate").put("rating", 5));
      assertThat(c.await("error").getString("code")).isEqualTo("no-survey");
    }
    hub.surveys(Surveys.NONE);
    try (ChatClient c = endedChat()) {
      assertThat(c.await("ended").containsKey("survey")).isFalse();
      assertThat(c.awaitClose()).as("no survey: closed at once as before").isEqualTo((short) 1000);
    }
  }

  @Test
  void aSecondDifferentRatingFromAnotherTabIsRefused() {
    try (ChatClient c = endedChat()) {
      c.await("ended");
      InteractionId id = InteractionId.random();
      answers.put(id, new int[] {1});
      // The hub says the interaction's survey was answered (by another tab, say) with another rating.
      hub.surveys(new Surveys() {
        @Override
        public Future<Optional<Invitation>> invite(InteractionId interaction, String via) {
          return Future.succeededFuture(Optional.empty());
        }

        @Override
        public Future<Void> answer(InteractionId interaction, int rating, String comment) {
          return Future.failedFuture(rating == 1 ? new NotFoundException("gone") : new ConflictException("this survey was answered already"));
        }
      });
      c.send(new JsonObject().put("type", "rate").put("rating", 4));
      assertThat(c.await("error").getString("code")).isEqualTo("already-rated");
      c.send(new JsonObject().put("type", "rate").put("rating", 1));
      assertThat(c.await("error", e -> "no-survey".equals(e.getString("code")))).isNotNull();
    }
  }
  @Test
  @DisplayName("the agent ends the chat: one ended frame with the survey, however often told; malformed events change nothing")
  void theAgentEndingTheChatPutsTheSurveyOnce() {
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of())) {
      String sid = c.start("Ida", null, "billing").getString("sessionId");
      c.say("c1", "hello");
      InteractionId id = hub.interactionOf(sid);
      var bus = hub.vertx().eventBus();
      // Delivered in order to the adapter: the bad ones are handled (ignored) before the good one.
      bus.publish(WebChatAdapter.AGENT_ENDED_ADDRESS, null);
      bus.publish(WebChatAdapter.AGENT_ENDED_ADDRESS, new JsonObject());
      bus.publish(WebChatAdapter.AGENT_ENDED_ADDRESS, new JsonObject().put("interactionId", 42));
      bus.publish(WebChatAdapter.AGENT_ENDED_ADDRESS, new JsonObject().put("interactionId", "not an id \u0000"));
      bus.publish(WebChatAdapter.AGENT_ENDED_ADDRESS, new JsonObject().put("interactionId", InteractionId.random().toString()));
      JsonObject event = new JsonObject().put("interactionId", id.toString()).put("channel", "chat").put("reason", "ended by agent");
      bus.publish(WebChatAdapter.AGENT_ENDED_ADDRESS, event);
      bus.publish(WebChatAdapter.AGENT_ENDED_ADDRESS, event);
      JsonObject ended = c.await("ended");
      assertThat(ended.getString("by")).isEqualTo("agent");
      assertThat(ended.getString("transcript")).isEqualTo("not-requested");
      assertThat(ended.getJsonObject("survey").getString("question")).isEqualTo("How did we do?");
      // The chat is over for the customer: a new line is refused, the rating is taken.
      c.send(new JsonObject().put("type", "message").put("clientId", "c2").put("text", "still there?"));
      assertThat(c.await("error").getString("code")).isEqualTo("session-ended");
      c.send(new JsonObject().put("type", "rate").put("rating", 5));
      assertThat(c.await("rated").getInteger("rating")).isEqualTo(5);
      assertThat(c.awaitClose()).isEqualTo((short) 1000);
      assertThat(c.all("ended")).hasSize(1);
      assertThat(invited).containsExactly("widget");
    }
  }

  @Test
  @DisplayName("the customer ended first: the agent's end afterwards asks nothing more")
  void theAgentsEndAfterTheCustomersAsksNothingMore() {
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of())) {
      String sid = c.start("Ida", null, "billing").getString("sessionId");
      c.say("c1", "hello");
      c.send(new JsonObject().put("type", "end").put("transcript", false));
      assertThat(c.await("ended").getString("by")).isEqualTo("customer");
      hub.vertx().eventBus().publish(WebChatAdapter.AGENT_ENDED_ADDRESS,
          new JsonObject().put("interactionId", hub.interactionOf(sid).toString()));
      c.send(new JsonObject().put("type", "rate").put("rating", 3));
      assertThat(c.await("rated").getInteger("rating")).isEqualTo(3);
      assertThat(c.awaitClose()).isEqualTo((short) 1000);
      assertThat(c.all("ended")).hasSize(1);
      assertThat(invited).containsExactly("widget");
    }
  }

  @Test
  @DisplayName("a customer not connected when the agent ends is not asked; the chat resumes as before")
  void aDisconnectedCustomerIsNotAsked() {
    String sid;
    String token;
    InteractionId id;
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of())) {
      sid = c.start("Ida", null, "billing").getString("sessionId");
      c.say("c1", "hello");
      token = c.all("session").getLast().getString("resumeToken");
      id = hub.interactionOf(sid);
    }
    hub.vertx().eventBus().publish(WebChatAdapter.AGENT_ENDED_ADDRESS, new JsonObject().put("interactionId", id.toString()));
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of())) {
      c.send(new JsonObject().put("type", "resume").put("sessionId", sid).put("resumeToken", token));
      assertThat(c.await("session").getBoolean("resumed")).isTrue();
      // Connected now: the agent's end reaches this tab.
      hub.vertx().eventBus().publish(WebChatAdapter.AGENT_ENDED_ADDRESS, new JsonObject().put("interactionId", id.toString()));
      assertThat(c.await("ended").getString("by")).isEqualTo("agent");
      assertThat(invited).containsExactly("widget");
    }
  }
}
