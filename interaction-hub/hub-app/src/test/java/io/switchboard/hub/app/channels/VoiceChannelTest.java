package io.switchboard.hub.app.channels;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static io.switchboard.voice.testkit.AsteriskCalls.await;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.routing.RoutingFixture;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.switchboard.voice.testkit.AsteriskCalls;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.event.ChanSpyStartEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Phone calls through a whole hub and a real Asterisk 22 (skipped where none is installed): the sample dialplan sends
 * the call to the hub's IVR, the caller ID finds the demo customer, the router offers the call to the available agent,
 * the agent's phone (a Local channel that answers) rings and is bridged with the caller; a caller who hangs up while
 * waiting is abandoned. One Asterisk (the voice test kit's {@link PrivateAsterisk}) and one hub for the class.
 */
@DisplayName("voice channel through the hub and a real Asterisk")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class VoiceChannelTest {
  static final String RULES = """
      settings:
        offerTimeout: 20s
        pauseAgentOnOfferTimeout: false
        stickyAgentWindow: 24h
        afterCallWork: 1s
        wrapUpRequired: false
      skills: [billing, general, english]
      queues:
        - id: general
          name: General
          serviceLevel: { percent: 80, within: 20s }
          maxWait: 10m
        - id: billing
          name: Billing
          serviceLevel: { percent: 80, within: 20s }
          maxWait: 10m
      rules:
        - name: billing
          when: "attributes['ivr.topic'] == 'billing'"
          queue: billing
        - name: default
          queue: general
      """;

  @RegisterExtension
  static final PrivateAsterisk asterisk = PrivateAsterisk.with(TestPhones.context("test-phones")
          // Alice's phone talks (a stock sound): MixMonitor writes a recording only while audio flows.
          .exten("1001", "Wait(1)", "Answer()", "Playback(tt-monkeys)", "Wait(600)").answers("1009"))
      .callerPrefix("hub-caller").ivr("""
          entryPoints:
            - { name: main-line, numbers: ["5550100"], menu: main, set: { line: main } }
          menus:
            main:
              prompts: [beep]
              timeout: 5s
              options:
                "1": { set: { ivr.topic: billing }, goto: queue }
                "2": { set: { ivr.topic: general }, goto: queue }
          waiting: { announceEvery: 5s }
          """);
  static TestHub hub;
  static RoutingFixture fx;
  static AsteriskCalls calls;

  @BeforeAll
  static void start() throws Exception {
    calls = asterisk.calls();
    Path config = TestHub.configWithChannel(RULES, "voice", Map.of("agiBind", "127.0.0.1", "agiPort", asterisk.agiPort(),
        "amiPort", asterisk.amiPort(), "ivrFile", asterisk.ivrFile().toString(), "ringTimeout", "15s",
        "recordQueues", List.of("billing")));
    hub = TestHub.startWith(Map.of("SWITCHBOARD_VOICE_AMI_SECRET", RealAsterisk.AMI_SECRET), config);
    fx = new RoutingFixture(hub);
  }

  @AfterAll
  static void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
    if (hub != null) {
      hub.close();
    }
  }

  static String dial(String dnis, String callerId) throws Exception {
    return calls.dial(dnis, callerId);
  }

  @Test
  @DisplayName("a call reaches the IVR, is matched to the customer, rings the agent's phone and is bridged on answer")
  void aCallIsRoutedToTheAgentsPhoneAndBridged() throws Exception {
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    String alice = fx.available("alice");
    String aliceId = hub.get("/api/v1/auth/me", alice).json().getString("id");
    var set = hub.put("/api/v1/agents/" + aliceId + "/phone", admin,
        new JsonObject().put("endpoint", "Local/1001@test-phones/n").encode());
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(hub.get("/api/v1/agents/" + aliceId + "/phone", alice).json().getString("endpoint"))
        .isEqualTo("Local/1001@test-phones/n");

    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> "voice".equals(e.getString("channel")));
    var accepted = fx.expect(RoutingService.OFFER_ACCEPTED, e -> aliceId.equals(e.getString("agentId")));
    // Leon Albrecht's number in the demo customers (030 29910907), as a trunk would present it.
    String phone = dial("5550100", "+493029910907");
    calls.press(phone, "1");
    JsonObject offer = RoutingFixture.await(offered);
    assertThat(offer.getString("agentId")).isEqualTo(aliceId);
    String interactionId = offer.getString("interactionId");
    RoutingFixture.await(accepted);
    await("caller and agent are bridged", () -> calls.bridged(phone + "-2"));

    JsonObject detail = hub.get("/api/v1/interactions/" + interactionId, alice).json();
    assertThat(detail.getString("channel")).isEqualTo("voice");
    assertThat(detail.getString("state")).isEqualTo("assigned");
    assertThat(detail.getJsonObject("attributes").getString("ivr.topic")).isEqualTo("billing");
    assertThat(detail.getJsonObject("attributes").getString("line")).isEqualTo("main");
    String customerId = detail.getString("customerId");
    assertThat(hub.get("/api/v1/customers/" + customerId, alice).json().getString("displayName")).isEqualTo("Leon Albrecht");

    var left = fx.expect(io.switchboard.hub.app.channels.ChannelRuntime.CUSTOMER_LEFT, e -> interactionId.equals(e.getString("interactionId")));
    // The agent hangs up from the console (REST); the caller's phone hangs up and the hub hears the customer left.
    var hangup = hub.post("/api/v1/interactions/" + interactionId + "/call/hangup", alice, "");
    assertThat(hangup.status()).as(hangup.body()).isEqualTo(202);
    JsonObject gone = RoutingFixture.await(left);
    await("the caller's phone is hung up", () -> calls.hungUp(phone));
    assertThat(gone.getBoolean("abandoned")).isFalse();
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/end", alice, "").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a caller who hangs up while waiting is abandoned")
  void aCallerWhoHangsUpWhileWaitingIsAbandoned() throws Exception {
    // Nobody takes calls now: the call waits.
    String alice = bearer(hub.login("alice", "alice-demo-pw"));
    var onBreak = hub.put("/api/v1/agents/me/state", alice, new JsonObject().put("state", "break").put("reason", "lunch").encode());
    assertThat(onBreak.status()).as(onBreak.body()).isEqualTo(204);
    var queued = fx.expect(RoutingService.INTERACTION_QUEUED, e -> true);
    String phone = dial("5550100", "+4930111222");
    calls.press(phone, "2");
    String interactionId = RoutingFixture.await(queued).getString("interactionId");
    var left = fx.expect(io.switchboard.hub.app.channels.ChannelRuntime.CUSTOMER_LEFT, e -> interactionId.equals(e.getString("interactionId")));
    calls.hangUp(phone);
    assertThat(RoutingFixture.await(left).getBoolean("abandoned")).isTrue();
    String sup = bearer(hub.login("sam", "sam-demo-pw"));
    assertThat(hub.get("/api/v1/interactions/" + interactionId, sup).json().getString("state")).isEqualTo("abandoned");
  }

  @Test
  @DisplayName("hold, resume, supervisor listen and recording through the REST API, with call states for the console")
  void holdResumeListenAndRecordingThroughTheApi() throws Exception {
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    String alice = fx.available("alice");
    String aliceId = hub.get("/api/v1/auth/me", alice).json().getString("id");
    String sam = bearer(hub.login("sam", "sam-demo-pw"));
    String samId = hub.get("/api/v1/auth/me", sam).json().getString("id");
    assertThat(hub.put("/api/v1/agents/" + aliceId + "/phone", admin,
        new JsonObject().put("endpoint", "Local/1001@test-phones/n").encode()).status()).isEqualTo(200);
    assertThat(hub.put("/api/v1/agents/" + samId + "/phone", admin,
        new JsonObject().put("endpoint", "Local/1009@test-phones/n").encode()).status()).isEqualTo(200);
    String callState = io.switchboard.hub.core.cluster.ClusterEvents.address(io.switchboard.hub.core.cluster.ClusterEvents.CALL_STATE);
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> "voice".equals(e.getString("channel")));
    var talking = fx.expect(callState, e -> "talking".equals(e.getString("state")));
    String phone = dial("5550100", "+4930500600");
    calls.press(phone, "1"); // billing: recorded
    String interactionId = RoutingFixture.await(offered).getString("interactionId");
    JsonObject firstTalk = RoutingFixture.await(talking);
    assertThat(firstTalk.getString("interactionId")).isEqualTo(interactionId);
    assertThat(firstTalk.getString("agentId")).isEqualTo(aliceId);
    assertThat(firstTalk.getString("talkingSince")).isNotNull();
    assertThat(firstTalk.getString("recording")).isEqualTo("switchboard-" + interactionId + ".wav");
    await("the recording's file name is stored on the interaction", () -> ("switchboard-" + interactionId + ".wav").equals(
        hub.get("/api/v1/interactions/" + interactionId, alice).json().getJsonObject("attributes").getString("voice.recording")));
    await("Asterisk writes the call to that file", () -> asterisk.recording("switchboard-" + interactionId + ".wav").toFile().length() > 44);

    // Agents may not spy; resume before hold is refused.
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/call/listen", alice, "").status()).isEqualTo(403);
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/call/resume", alice, "").status()).isEqualTo(409);

    var onHold = fx.expect(callState, e -> interactionId.equals(e.getString("interactionId")) && "on_hold".equals(e.getString("state")));
    var hold = hub.post("/api/v1/interactions/" + interactionId + "/call/hold", alice, "");
    assertThat(hold.status()).as(hold.body()).isEqualTo(202);
    JsonObject held = RoutingFixture.await(onHold);
    assertThat(held.getString("talkingSince")).isEqualTo(firstTalk.getString("talkingSince"));
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/call/hold", alice, "").status()).as("already on hold").isEqualTo(409);

    var again = fx.expect(callState, e -> interactionId.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/call/resume", alice, "").status()).isEqualTo(202);
    RoutingFixture.await(again);
    await("caller and agent are bridged again", () -> calls.bridges(phone + "-2") == 2);

    var listen = hub.post("/api/v1/interactions/" + interactionId + "/call/listen", sam, "");
    assertThat(listen.status()).as(listen.body()).isEqualTo(202);
    await("the supervisor's phone spies on the call", () -> calls.seen(ChanSpyStartEvent.class, c -> phone.equals(c.getSpyeeLinkedId())));

    var ended = fx.expect(callState, e -> interactionId.equals(e.getString("interactionId")) && "ended".equals(e.getString("state")));
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/call/hangup", alice, "").status()).isEqualTo(202);
    RoutingFixture.await(ended);
    assertThat(hub.post("/api/v1/interactions/" + interactionId + "/end", alice, "").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a phone endpoint that is no dial string is refused")
  void badPhoneEndpointsAreRefused() {
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    String aliceId = hub.get("/api/v1/auth/me", bearer(hub.login("alice", "alice-demo-pw"))).json().getString("id");
    var r = hub.put("/api/v1/agents/" + aliceId + "/phone", admin, new JsonObject().put("endpoint", "PJSIP/1001,,tT").encode());
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).contains("endpoint");
  }
}
