package io.switchboard.channel.webchat;

import io.switchboard.hub.api.Channel;
import io.switchboard.channel.testkit.InMemoryChannelContext;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("bad frames, limits and origins")
class WebChatLimitsTest {
  private InMemoryChannelContext hub;

  private void start(Map<String, Object> settings) {
    hub = new InMemoryChannelContext("webchat", Channel.CHAT, settings, Map.of());
    hub.start(new WebChatAdapter());
  }

  @AfterEach
  void stop() {
    if (hub != null) {
      hub.close();
    }
  }

  private ChatClient connect() {
    return ChatClient.connect(hub.vertx(), hub.port(), Map.of());
  }

  private static String code(ChatClient c) {
    return c.await("error").getString("code");
  }

  @Test
  void badFramesGetAnErrorNamingTheProblemAndTheConnectionStaysUsable() {
    start(Map.of());
    try (ChatClient c = connect()) {
      c.sendRaw("{not json");
      assertThat(code(c)).isEqualTo("malformed-json");
      c.sendRaw("[1,2]");
      assertThat(code(c)).isEqualTo("malformed-json");
      c.sendRaw("{\"text\":\"no type\"}");
      JsonObject missing = c.await("error");
      assertThat(missing.getString("code")).isEqualTo("missing-field");
      assertThat(missing.getString("field")).isEqualTo("type");
      c.send(new JsonObject().put("type", "teleport"));
      JsonObject unknown = c.await("error");
      assertThat(unknown.getString("code")).isEqualTo("unknown-type");
      assertThat(unknown.getString("message")).contains("teleport").contains("start");
      c.send(new JsonObject().put("type", 7));
      assertThat(code(c)).isEqualTo("invalid-field");
      c.send(new JsonObject().put("type", "message").put("clientId", "c1").put("text", "before start"));
      assertThat(code(c)).isEqualTo("no-session");
      c.send(new JsonObject().put("type", "start").put("topic", "billing"));
      JsonObject noName = c.await("error");
      assertThat(noName.getString("code")).isEqualTo("missing-field");
      assertThat(noName.getString("field")).isEqualTo("name");
      c.send(new JsonObject().put("type", "start").put("name", "Ida").put("topic", "astrology"));
      assertThat(c.await("error").getString("message")).contains("astrology").contains("billing");
      c.send(new JsonObject().put("type", "start").put("name", "Ida").put("topic", "billing").put("email", "not an email"));
      assertThat(c.await("error").getString("field")).isEqualTo("email");
      c.send(new JsonObject().put("type", "start").put("name", "Ida").put("topic", "billing").put("v", 2));
      assertThat(code(c)).isEqualTo("unsupported-version");

      c.start("Ida", null, "billing");
      c.send(new JsonObject().put("type", "start").put("name", "Ida").put("topic", "billing"));
      assertThat(code(c)).isEqualTo("already-started");
      c.send(new JsonObject().put("type", "message").put("text", "no client id"));
      assertThat(c.await("error").getString("field")).isEqualTo("clientId");
      c.send(new JsonObject().put("type", "message").put("clientId", "c1"));
      assertThat(c.await("error").getString("field")).isEqualTo("text");
      c.send(new JsonObject().put("type", "message").put("clientId", "c1").put("text", "   "));
      assertThat(code(c)).isEqualTo("invalid-field");
      c.send(new JsonObject().put("type", "message").put("clientId", "bad id!").put("text", "x"));
      assertThat(c.await("error").getString("field")).isEqualTo("clientId");
      c.send(new JsonObject().put("type", "typing"));
      assertThat(code(c)).isEqualTo("missing-field");
      c.sendRaw("\u0000\u0001binary-ish");
      assertThat(code(c)).isEqualTo("malformed-json");

      assertThat(hub.contacts()).as("nothing stored").isEmpty();
      assertThat(c.say("c1", "still works").getString("status")).isEqualTo("received");
      assertThat(c.isClosed()).isFalse();
    }
  }

  @Test
  void aLineOverTheTextLimitIsRefusedAndNothingIsStored() {
    start(Map.of());
    try (ChatClient c = connect()) {
      c.start("Ida", null, "billing");
      c.send(new JsonObject().put("type", "message").put("clientId", "c1").put("text", "x".repeat(4001)));
      JsonObject err = c.await("error");
      assertThat(err.getString("code")).isEqualTo("text-too-long");
      assertThat(err.getString("clientId")).isEqualTo("c1");
      assertThat(err.getString("message")).contains("4000");
      c.say("c2", "x".repeat(4000));
      assertThat(hub.contacts()).hasSize(1);
    }
  }

  @Test
  void aMessageOverTheWebSocketLimitOf256KiBGetsFrameTooLargeAndTheSocketIsClosedWith1009() {
    start(Map.of());
    try (ChatClient c = connect()) {
      c.start("Ida", null, "billing");
      // Sent as several WebSocket frames (the client splits at 64 KiB) that together pass the 256 KiB message limit.
      c.sendRaw(new JsonObject().put("type", "message").put("clientId", "c1").put("text", "z".repeat(300 * 1024)).encode());
      JsonObject err = c.await("error");
      assertThat(err.getString("code")).isEqualTo("frame-too-large");
      assertThat(err.getString("message")).contains("262144");
      assertThat(c.awaitClose()).isEqualTo((short) 1009);
      assertThat(hub.contacts()).isEmpty();
    }
  }

  @Test
  void anOversizedFrameIsRefusedAndRepeatedOnesCloseTheSocketWith1009() {
    start(Map.of("limits", Map.of("strikesBeforeClose", 2)));
    try (ChatClient c = connect()) {
      c.start("Ida", null, "billing");
      String big = new JsonObject().put("type", "message").put("clientId", "c1").put("text", "y".repeat(17_000)).encode();
      c.sendRaw(big);
      JsonObject err = c.await("error");
      assertThat(err.getString("code")).isEqualTo("frame-too-large");
      assertThat(err.getString("message")).contains("16384");
      c.sync();
      assertThat(c.isClosed()).isFalse();
      c.sendRaw(big);
      c.sendRaw(big);
      assertThat(c.awaitClose()).isEqualTo((short) 1009);
      assertThat(c.closeReason()).contains("oversized");
      assertThat(hub.contacts()).isEmpty();
    }
  }

  @Test
  void tooManyLinesTooFastAreRefusedThenTheSocketIsClosedWith1008() {
    start(Map.of("limits", Map.of("messagesPerWindow", 3, "window", "1m", "strikesBeforeClose", 2)));
    try (ChatClient c = connect()) {
      c.start("Ida", null, "billing");
      for (int i = 0; i < 3; i++) {
        c.say("m" + i, "line " + i);
      }
      c.send(new JsonObject().put("type", "message").put("clientId", "m3").put("text", "one too many"));
      JsonObject err = c.await("error");
      assertThat(err.getString("code")).isEqualTo("rate-limited");
      assertThat(err.getString("clientId")).isEqualTo("m3");
      assertThat(err.getLong("retryAfterSeconds")).isPositive();
      c.sync();
      assertThat(c.isClosed()).isFalse();
      c.send(new JsonObject().put("type", "message").put("clientId", "m4").put("text", "again"));
      c.send(new JsonObject().put("type", "message").put("clientId", "m5").put("text", "and again"));
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
      assertThat(c.closeReason()).contains("too fast");
      assertThat(hub.contacts()).hasSize(3);
    }
  }

  @Test
  void tooManyFailedResumesCloseTheSocket() {
    start(Map.of("limits", Map.of("strikesBeforeClose", 3)));
    try (ChatClient c = connect()) {
      for (int i = 0; i < 3; i++) {
        c.send(new JsonObject().put("type", "resume").put("sessionId", "wc_guess" + i).put("resumeToken", "v1.x.y"));
        assertThat(code(c)).isEqualTo("invalid-resume-token");
      }
      c.send(new JsonObject().put("type", "resume").put("sessionId", "wc_guess").put("resumeToken", "v1.x.y"));
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
    }
  }

  @Test
  void aPageOfAnOriginNotAllowedCannotOpenTheSocket() {
    start(Map.of("allowedOrigins", java.util.List.of("https://shop.example.com")));
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of("Origin", "https://evil.example.net"))) {
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
      assertThat(c.closeReason()).isEqualTo("origin not allowed");
      assertThat(c.all("hello")).isEmpty();
    }
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of("Origin", "https://Shop.Example.com"))) {
      assertThat(c.await("hello").getInteger("protocol")).isEqualTo(1);
    }
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of("Origin", "http://127.0.0.1:" + hub.port()))) {
      assertThat(c.await("hello")).as("the hub's own pages (the demo) are always allowed").isNotNull();
    }
  }

  @Test
  void anyOriginIsAllowedWhenNoneAreListed() {
    start(Map.of());
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of("Origin", "https://anywhere.example.org"))) {
      assertThat(c.await("hello")).isNotNull();
    }
  }

  @Test
  void oneAddressMayHoldOnlySoManySocketsAndStartOnlySoManySessions() {
    start(Map.of("limits", Map.of("connectionsPerAddress", 2, "sessionStartsPerAddress", 1)));
    try (ChatClient a = connect(); ChatClient b = connect(); ChatClient c = connect()) {
      assertThat(c.awaitClose()).isEqualTo((short) 1013);
      assertThat(c.closeReason()).contains("too many connections");
      a.start("Ida", null, "billing");
      b.send(new JsonObject().put("type", "start").put("name", "Ida").put("topic", "billing"));
      JsonObject err = b.await("error");
      assertThat(err.getString("code")).isEqualTo("rate-limited");
      assertThat(err.getLong("retryAfterSeconds")).isPositive();
    }
    // Closed sockets free their places.
    try (ChatClient d = connect()) {
      assertThat(d.await("hello")).isNotNull();
    }
  }

  @Test
  void aClientAskingForAnotherProtocolVersionIsToldAndClosed() {
    start(Map.of());
    try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), "/channels/webchat/socket?v=9", Map.of())) {
      assertThat(c.await("error").getString("code")).isEqualTo("unsupported-version");
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
    }
  }
}
