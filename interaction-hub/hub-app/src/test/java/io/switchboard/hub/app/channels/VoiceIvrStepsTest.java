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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The IVR's own steps through a whole hub and a real Asterisk 22 (skipped where none is installed): a caller who asks
 * to be called back keeps the place in the queue and is dialled once an agent accepts (agent's phone first, then the
 * customer's number, bridged); a caller who enters a customer number is matched to that customer through intake; a
 * call outside the entry point's routing.yaml calendar takes the after-hours branch. One Asterisk (the voice test kit's
 * {@link PrivateAsterisk}) and one hub for the class.
 */
@DisplayName("IVR steps (callback, customer number, after hours) through the hub and a real Asterisk")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class VoiceIvrStepsTest {
  @RegisterExtension
  static final PrivateAsterisk asterisk = PrivateAsterisk.with(TestPhones.context("test-phones").answersAfter("1001", 1)
          .and("test-customers").answersAfter("+4930100001", 1).busy("+4930100002"))
      .callerPrefix("ivr-caller").ivr("""
          entryPoints:
            - { name: main-line, numbers: ["5550100"], menu: main }
            - name: members
              numbers: ["5550200"]
              menu: direct
              customerNumber: { prompts: [beep], minDigits: 4, maxDigits: 4, timeout: 5s, retries: 1, invalid: [beep] }
            - name: night
              numbers: ["5550300"]
              menu: main
              hours: closed
              afterHours: { action: callback, prompts: [beep], key: "1", timeout: 20s, confirm: [beep] }
          menus:
            main:
              prompts: [beep]
              timeout: 10s
              options:
                "2": { set: { ivr.topic: general }, goto: queue }
            direct: { prompts: [beep], timeout: 1s, retries: 0, fallback: queue }
          waiting:
            announceEvery: 0
            callback: { key: "1", prompts: [beep], confirm: [beep] }
          callbacks: { dial: "Local/{number}@test-customers", attempts: 1, retryDelay: 1s, ringTimeout: 15s, agentPrompts: [beep] }
          """);
  static TestHub hub;
  static RoutingFixture fx;
  static AsteriskCalls calls;

  static String rules() {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    return """
        settings:
          offerTimeout: 20s
          pauseAgentOnOfferTimeout: false
          stickyAgentWindow: 24h
          afterCallWork: 1s
          wrapUpRequired: false
        skills: [general, nights]
        calendars:
          closed:
            zone: UTC
            hours: { mon: "00:00-00:01" }
            holidays: ["%s", "%s", "%s"]
        queues:
          - id: general
            name: General
            serviceLevel: { percent: 80, within: 20s }
            maxWait: 10m
          - id: later
            name: Called back later
            serviceLevel: { percent: 80, within: 20s }
            maxWait: 10m
        rules:
          - name: after-hours
            when: "attributes['voice.afterHours'] == 'true'"
            queue: later
            require: { nights: 5 }
          - name: default
            queue: general
        """.formatted(today.minusDays(1), today, today.plusDays(1));
  }

  @BeforeAll
  static void start() throws Exception {
    calls = asterisk.calls();
    Path config = TestHub.configWithChannel(rules(), "voice", Map.of("agiBind", "127.0.0.1", "agiPort", asterisk.agiPort(),
        "amiPort", asterisk.amiPort(), "ivrFile", asterisk.ivrFile().toString(), "ringTimeout", "15s"));
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

  /** The callback the interaction's caller asked for is recorded on it. */
  static boolean callbackRequested(String id, String sup) {
    return "requested".equals(hub.get("/api/v1/interactions/" + id, sup).json().getJsonObject("attributes").getString("voice.callback"));
  }

  static void hungUp(String phone) throws InterruptedException {
    await("the caller's phone is hung up", () -> calls.hungUp(phone));
  }

  static String onBreak(String user) {
    String token = bearer(hub.login(user, user + "-demo-pw"));
    var r = hub.put("/api/v1/agents/me/state", token, new JsonObject().put("state", "break").put("reason", "lunch").encode());
    assertThat(r.status()).as(r.body()).isEqualTo(204);
    return token;
  }

  static List<String> reasons(JsonObject detail) {
    JsonArray t = detail.getJsonArray("transitions");
    return t.stream().map(o -> ((JsonObject) o).getString("reason")).filter(java.util.Objects::nonNull).toList();
  }

  @Test
  @DisplayName("a caller who asks for a callback keeps the place, and the accepting agent's phone then the customer's are dialled and bridged")
  void aCallbackKeepsThePlaceAndIsDialledAgentFirstThenCustomer() throws Exception {
    onBreak("alice");
    String sup = bearer(hub.login("sam", "sam-demo-pw"));
    var queued = fx.expect(RoutingService.INTERACTION_QUEUED, e -> true);
    String phone = calls.dial("5550100", "+4930100001");
    calls.press(phone, "2");
    String id = RoutingFixture.await(queued).getString("interactionId");
    JsonObject before = hub.get("/api/v1/interactions/" + id, sup).json();
    calls.press(phone, "1"); // the callback key, once the waiting caller's session reads it
    await("the callback is recorded", () -> callbackRequested(id, sup));
    hungUp(phone);
    JsonObject after = hub.get("/api/v1/interactions/" + id, sup).json();
    assertThat(after.getString("state")).as("the callback keeps its place").isEqualTo("queued");
    assertThat(after.getString("queuedAt")).isEqualTo(before.getString("queuedAt"));
    assertThat(after.getJsonObject("attributes").getString("voice.callbackNumber")).isEqualTo("+4930100001");
    assertThat(reasons(after)).contains("callback requested to +4930100001");

    // An agent with a phone becomes available: the offer (showing the callback and its number) rings the phone first.
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    String aliceId = hub.get("/api/v1/auth/me", bearer(hub.login("alice", "alice-demo-pw"))).json().getString("id");
    assertThat(hub.put("/api/v1/agents/" + aliceId + "/phone", admin,
        new JsonObject().put("endpoint", "Local/1001@test-phones/n").encode()).status()).isEqualTo(200);
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> id.equals(e.getString("interactionId")));
    var accepted = fx.expect(RoutingService.OFFER_ACCEPTED, e -> id.equals(e.getString("interactionId")));
    String alice = fx.available("alice");
    RoutingFixture.await(offered);
    RoutingFixture.await(accepted);
    await("agent and customer are bridged", () -> calls.seen(BridgeEnterEvent.class, b -> b.getChannel() != null
        && b.getChannel().startsWith("Local/+4930100001@test-customers")));
    var left = fx.expect(ChannelRuntime.CUSTOMER_LEFT, e -> id.equals(e.getString("interactionId")));
    calls.hangUp(calls.lastLocal("+4930100001", "test-customers"));
    JsonObject gone = RoutingFixture.await(left);
    assertThat(gone.getBoolean("abandoned")).isFalse();
    assertThat(gone.getString("reason")).isEqualTo("callback call ended");
    JsonObject done = hub.get("/api/v1/interactions/" + id, alice).json();
    assertThat(done.getJsonObject("attributes").getString("voice.callback")).isEqualTo("completed");
    assertThat(reasons(done)).contains("callback answered on attempt 1");
    assertThat(hub.post("/api/v1/interactions/" + id + "/end", alice, "").status()).isEqualTo(200);
    onBreak("alice");
  }

  @Test
  @DisplayName("a callback whose customer is busy on every try is recorded as failed with the reason, and the agent is told")
  void aCallbackThatFailsIsRecordedWithItsReason() throws Exception {
    onBreak("alice");
    String sup = bearer(hub.login("sam", "sam-demo-pw"));
    var queued = fx.expect(RoutingService.INTERACTION_QUEUED, e -> true);
    String phone = calls.dial("5550100", "+4930100002");
    calls.press(phone, "2");
    String id = RoutingFixture.await(queued).getString("interactionId");
    calls.press(phone, "1");
    await("the callback is recorded", () -> callbackRequested(id, sup));
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    String aliceId = hub.get("/api/v1/auth/me", bearer(hub.login("alice", "alice-demo-pw"))).json().getString("id");
    assertThat(hub.put("/api/v1/agents/" + aliceId + "/phone", admin,
        new JsonObject().put("endpoint", "Local/1001@test-phones/n").encode()).status()).isEqualTo(200);
    var left = fx.expect(ChannelRuntime.CUSTOMER_LEFT, e -> id.equals(e.getString("interactionId")));
    String alice = fx.available("alice");
    JsonObject gone = RoutingFixture.await(left);
    assertThat(gone.getBoolean("abandoned")).isFalse();
    assertThat(gone.getString("reason")).isEqualTo("callback failed: busy after 1 attempt");
    assertThat(gone.getString("agentId")).isEqualTo(aliceId);
    JsonObject detail = hub.get("/api/v1/interactions/" + id, alice).json();
    assertThat(detail.getString("state")).isEqualTo("assigned");
    assertThat(detail.getJsonObject("attributes").getMap()).containsEntry("voice.callback", "failed")
        .containsEntry("voice.callbackAttempts", "1").containsEntry("voice.callbackResult", "busy");
    assertThat(reasons(detail)).contains("callback requested to +4930100002", "callback attempt 1 of 1: busy",
        "customer left: callback failed: busy after 1 attempt");
    assertThat(hub.post("/api/v1/interactions/" + id + "/end", alice, "").status()).isEqualTo(200);
    onBreak("alice");
  }

  @Test
  @DisplayName("a customer number the hub knows identifies the caller through intake")
  void aCustomerNumberIdentifiesTheCaller() throws Exception {
    onBreak("alice");
    String sup = bearer(hub.login("sam", "sam-demo-pw"));
    String leon = hub.get("/api/v1/customers?q=Leon%20Albrecht", sup).json().getJsonArray("items").getJsonObject(0).getString("id");
    var added = hub.post("/api/v1/customers/" + leon + "/identities", sup, new JsonObject().put("kind", "handle")
        .put("provider", "customer-number").put("value", "4711").encode());
    assertThat(added.status()).as(added.body()).isIn(201, 409);
    var queued = fx.expect(RoutingService.INTERACTION_QUEUED, e -> true);
    String phone = calls.dial("5550200", "+4930999888");
    // The number's digits back to back once the prompt reads the first (then the menu's fallback queues the call).
    // Pressed one by one, each after the last was seen heard, the DTMFEnd of the 7 twice never reached the session's
    // WAIT FOR DIGIT that followed the 4 (DTMFBegin 7 seen, no end; Asterisk 22.10.1 Local channel, load ~30).
    await("the IVR on " + phone + " reads the customer number", () -> calls.listening(phone, '4'));
    calls.pressNow(phone, "4711");
    String id = RoutingFixture.await(queued).getString("interactionId");
    JsonObject detail = hub.get("/api/v1/interactions/" + id, sup).json();
    assertThat(detail.getString("customerId")).isEqualTo(leon);
    assertThat(detail.getJsonObject("attributes").getString("voice.customerNumber")).isEqualTo("4711");
    calls.hangUp(phone);
  }

  @Test
  @DisplayName("outside the entry point's calendar the caller may ask for a callback, which is queued as one")
  void afterHoursTheCallerMayAskForACallback() throws Exception {
    onBreak("alice");
    String sup = bearer(hub.login("sam", "sam-demo-pw"));
    var queued = fx.expect(RoutingService.INTERACTION_QUEUED, e -> true);
    String phone = calls.dial("5550300", "+4930100001");
    calls.press(phone, "1");
    String id = RoutingFixture.await(queued).getString("interactionId");
    hungUp(phone);
    JsonObject detail = hub.get("/api/v1/interactions/" + id, sup).json();
    assertThat(detail.getJsonObject("attributes").getMap()).containsEntry("voice.afterHours", "true")
        .containsEntry("voice.callback", "requested").containsEntry("voice.callbackNumber", "+4930100001")
        .containsEntry("voice.entryPoint", "night");
    assertThat(detail.getString("state")).isEqualTo("queued");
    assertThat(detail.getString("queue")).as("routing rules see the IVR's attributes").isEqualTo("later");
  }
}
