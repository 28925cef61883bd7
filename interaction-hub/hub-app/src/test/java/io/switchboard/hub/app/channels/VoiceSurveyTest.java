package io.switchboard.hub.app.channels;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.routing.RoutingFixture;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.switchboard.voice.testkit.AsteriskCalls;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The voice CSAT question through a whole hub and a real Asterisk 22 (skipped where none is installed): billing asks
 * for a rating on voice (analytics.yaml); after the agent's phone hangs up the caller presses a key (AMI PlayDTMF on
 * the caller's Local channel, once the survey's question reads it) and the rating is stored on the interaction's survey and
 * shows on the customer 360. One Asterisk (the voice test kit's {@link PrivateAsterisk}) and one hub for the class.
 */
@DisplayName("voice CSAT through the hub and a real Asterisk")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class VoiceSurveyTest {
  @RegisterExtension
  static final PrivateAsterisk asterisk = PrivateAsterisk.with(TestPhones.context("test-phones").answers("1001"))
      .callerPrefix("survey-caller").ivr("""
          entryPoints:
            - { name: main-line, numbers: ["5550100"], menu: main }
          menus:
            main:
              prompts: [beep]
              timeout: 5s
              options:
                "1": { set: { ivr.topic: billing }, goto: queue }
          waiting: { announceEvery: 0 }
          """);
  static TestHub hub;
  static RoutingFixture fx;
  static Database db;
  static AsteriskCalls calls;

  @BeforeAll
  static void start() throws Exception {
    calls = asterisk.calls();
    Path config = TestHub.configWithChannel(VoiceChannelTest.RULES, "voice", Map.of("agiBind", "127.0.0.1",
        "agiPort", asterisk.agiPort(), "amiPort", asterisk.amiPort(), "ivrFile", asterisk.ivrFile().toString(),
        "ringTimeout", "15s"));
    Files.writeString(config.resolve("analytics.yaml"), """
        surveys:
          queues:
            billing:
              channels: [voice]
              question: "How did billing do?"
        """);
    hub = TestHub.startWith(Map.of("SWITCHBOARD_VOICE_AMI_SECRET", RealAsterisk.AMI_SECRET), config);
    fx = new RoutingFixture(hub);
    db = Database.connect(hub.hub().vertx(), hub.postgresUrl(), null, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (db != null) {
      db.close();
    }
    if (fx != null) {
      fx.close();
    }
    if (hub != null) {
      hub.close();
    }
  }

  static List<Object> survey(String interactionId) {
    var rows = await(db.pool().preparedQuery("SELECT via, status, rating FROM csat_surveys WHERE interaction_id = $1")
        .execute(Tuple.of(UUID.fromString(interactionId))));
    if (rows.size() == 0) {
      return null;
    }
    var r = rows.iterator().next();
    return java.util.Arrays.asList(r.getValue(0), r.getValue(1), r.getValue(2));
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("after the agent hangs up, the caller presses 4 and the rating is stored once on the interaction")
  void theCallersKeyIsStoredOnTheInteractionsSurvey() throws Exception {
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    String alice = fx.available("alice");
    String aliceId = hub.get("/api/v1/auth/me", alice).json().getString("id");
    assertThat(hub.put("/api/v1/agents/" + aliceId + "/phone", admin,
        new JsonObject().put("endpoint", "Local/1001@test-phones/n").encode()).status()).isEqualTo(200);
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> "voice".equals(e.getString("channel")));

    String phone = calls.dial("5550100", "+493029910907");
    calls.press(phone, "1");
    String interactionId = RoutingFixture.await(offered).getString("interactionId");
    AsteriskCalls.await("caller and agent are bridged", () -> calls.agentLeg(phone + "-2") != null);

    calls.hangUp(calls.agentLeg(phone + "-2"));
    AsteriskCalls.await("the caller is asked", () -> survey(interactionId) != null);
    assertThat(survey(interactionId)).containsExactly("voice", "sent", null);
    calls.press(phone, "4"); // once the survey's question reads it
    AsteriskCalls.await("the rating is stored", () -> survey(interactionId).get(2) != null);
    calls.pressIfUp(phone, "1"); // a second key (the phone may be hung up already): not stored
    AsteriskCalls.await("the caller's phone is hung up", () -> calls.hungUp(phone));
    assertThat(survey(interactionId)).containsExactly("voice", "answered", (short) 4);

    JsonObject detail = hub.get("/api/v1/interactions/" + interactionId, alice).json();
    JsonObject last = hub.get("/api/v1/customers/" + detail.getString("customerId") + "/kpis", alice).json().getJsonObject("lastCsat");
    assertThat(last.getInteger("rating")).isEqualTo(4);
  }
}
