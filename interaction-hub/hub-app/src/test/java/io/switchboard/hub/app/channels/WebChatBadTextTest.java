package io.switchboard.hub.app.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("security: a web chat message with a NUL is refused for good, not retried forever (#11.7)")
class WebChatBadTextTest {
  private static TestHub hub;
  private static final Vertx client = Vertx.vertx();

  @BeforeAll
  static void start() {
    hub = TestHub.startWith(Map.of(), TestHub.configWithChannel(null, "webchat", Map.of()));
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aNulInAChatMessageIsRefusedNamingTheTextAndNotRetryable() {
    try (WebChatCustomer nul = new WebChatCustomer(client, hub.hub().httpPort())) {
      nul.await("hello");
      nul.send(new JsonObject().put("type", "start").put("name", "Nu Ll").put("email", "nu.ll@example.com").put("topic", "billing"));
      nul.await("session");
      nul.send(new JsonObject().put("type", "message").put("clientId", "bad-1").put("text", "hello\u0000world"));
      JsonObject error = nul.await("error", e -> "bad-1".equals(e.getString("clientId")));
      assertThat(error.getString("code")).as(error.encode()).isEqualTo("message-refused");
      assertThat(error.getString("message")).contains("content.text");
      assertThat(error.getBoolean("retryable", false)).isFalse();
      // The chat goes on.
      assertThat(nul.say("good-1", "hello world").getString("messageId")).isNotBlank();
    }
  }
}
