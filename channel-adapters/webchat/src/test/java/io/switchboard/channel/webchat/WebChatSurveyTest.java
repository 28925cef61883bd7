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
}
