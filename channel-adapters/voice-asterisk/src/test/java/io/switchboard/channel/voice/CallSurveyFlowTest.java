package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.asteriskjava.manager.action.HangupAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.action.PlayDtmfAction;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The post-call survey through a real Asterisk 22 (skipped where none is installed): caller and agent are Local
 * channels (the caller's {@code ;1} half gets its keys by AMI {@code PlayDTMF}); after the agent's leg hangs up the
 * caller's session goes on, asks for a rating and hands the key to the hub's {@code Surveys}.
 */
class CallSurveyFlowTest {
  static final AgentId AGENT = AgentId.random();

  static RealAsterisk asterisk;
  static Vertx vertx;
  static FakeHub hub;
  static AsteriskAdapter adapter;
  static final List<ManagerEvent> events = new CopyOnWriteArrayList<>();
  static int calls;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(RealAsterisk.home() != null, "no Asterisk installed (set SWITCHBOARD_ASTERISK_HOME)");
    int agiPort = RealAsterisk.freePort();
    asterisk = RealAsterisk.start(RealAsterisk.sampleDialplan(agiPort) + """
        [test-phones]
        exten => 1001,1,Answer()
         same => n,Wait(120)
        """);
    asterisk.ami().addEventListener(events::add);
    Path ivr = dir.resolve("ivr.yaml");
    Files.writeString(ivr, """
        entryPoints:
          - name: sales
            numbers: ["5550100"]
            menu: main
        menus:
          main:
            prompts: [beep]
            timeout: 3s
            options:
              "1": { set: { topic: billing }, goto: queue }
        waiting:
          announceEvery: 0
        survey:                       # the IVR file's own question: "press" then the digits 1 to 5 spoken (SayDigits)
          question: [beep, vm-press, {digits: "12345"}]
          timeout: 8s
        """);
    vertx = Vertx.vertx();
    hub = new FakeHub(vertx, Map.of("agiPort", agiPort, "agiBind", "127.0.0.1", "amiPort", asterisk.amiPort,
        "ivrFile", ivr.toString(), "ringTimeout", "10s"));
    hub.endpoints.put(AGENT, "Local/1001@test-phones/n");
    adapter = new AsteriskAdapter();
    adapter.start(hub).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    await("AMI connected", () -> adapter.ami().connected());
  }

  @AfterAll
  static void stop() throws Exception {
    if (adapter != null) {
      adapter.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (asterisk != null) {
      asterisk.close();
    }
  }

  /** A caller bridged with the agent; returns the caller phone's uniqueid (the ;1 half). */
  static String talking(String callerId, boolean surveyed) throws Exception {
    String phone = "survey-caller-" + (++calls) + "-" + System.nanoTime();
    OriginateAction o = new OriginateAction();
    o.setChannel("Local/5550100@switchboard-in/n");
    o.setApplication("Wait");
    o.setData("120");
    o.setCallerId("Caller <" + callerId + ">");
    o.setAsync(true);
    o.setChannelId(phone);
    o.setOtherChannelId(phone + "-2");
    o.setTimeout(30_000L);
    asterisk.ami().sendAction(o, 10_000);
    await("the call reaches the IVR's first menu", () -> callOf(phone) != null && callOf(phone).menu != null);
    press(phone, '1');
    await("the call is queued", () -> AsteriskCallFlowTest.waiting(adapter, callOf(phone)));
    InteractionId id = callOf(phone).interaction;
    if (surveyed) {
      hub.surveyed.add(id);
    }
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, AGENT));
    await("caller and agent share a bridge", () -> bridged(phone + "-2"));
    assertThat(callOf(phone).state).isEqualTo(Call.State.TALKING);
    return phone;
  }

  static void press(String phone, char key) throws Exception {
    var r = asterisk.ami().sendAction(new PlayDtmfAction(phone, String.valueOf(key)), 5_000);
    assertThat(r.getResponse()).as("PlayDTMF %s: %s", key, r.getMessage()).isEqualTo("Success");
  }

  static void agentHangsUp(String phone) throws Exception {
    String leg = callOf(phone).agentChannel;
    assertThat(leg).isNotNull();
    asterisk.ami().sendAction(new HangupAction(leg), 5_000);
  }

  static Call callOf(String phone) {
    return adapter.calls().get(phone + "-2");
  }

  static boolean gone(String phone) {
    return events.stream().anyMatch(e -> e instanceof org.asteriskjava.manager.event.HangupEvent h && phone.equals(h.getUniqueId()));
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  static boolean bridged(String callerUniqueId) {
    for (ManagerEvent e : events) {
      if (e instanceof BridgeEnterEvent b && callerUniqueId.equals(b.getUniqueId())) {
        return events.stream().anyMatch(o -> o instanceof BridgeEnterEvent ob && ob.getBridgeUniqueId().equals(b.getBridgeUniqueId())
            && !callerUniqueId.equals(ob.getUniqueId()));
      }
    }
    return false;
  }

  @Test
  void afterTheAgentHangsUpTheCallerRatesTheCallOnceAndTheRatingReachesTheInteraction() throws Exception {
    String phone = talking("+4930111000", true);
    InteractionId id = callOf(phone).interaction;
    agentHangsUp(phone);
    await("the hub hears the call ended", () -> hub.left.contains(id + " call ended"));
    await("the caller is asked for a rating", () -> hub.surveyInvites.contains(id + " voice"));
    // The agent wraps up meanwhile: the hub ends the interaction; the caller rating the call is not hung up.
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(id, "agent wrapped up"));
    press(phone, '4');
    await("the rating is stored", () -> hub.ratings.containsKey(id));
    press(phone, '2'); // a second key during the thank-you
    await("the caller's phone is hung up after the thank-you", () -> gone(phone));
    assertThat(hub.ratings).containsEntry(id, 4);
    assertThat(hub.surveyAnswers).containsExactly(id + " 4");
    assertThat(hub.surveyInvites).containsOnlyOnce(id + " voice");
  }

  @Test
  void aCallerWhoHangsUpDuringTheQuestionLeavesNoRatingAndTheCallEnds() throws Exception {
    String phone = talking("+4930222000", true);
    InteractionId id = callOf(phone).interaction;
    agentHangsUp(phone);
    await("the caller is asked for a rating", () -> hub.surveyInvites.contains(id + " voice"));
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
    await("the call is over", () -> callOf(phone) == null || callOf(phone).state == Call.State.ENDED);
    await("the caller's phone is gone", () -> gone(phone));
    assertThat(hub.ratings).doesNotContainKey(id);
    assertThat(hub.surveyAnswers).noneMatch(a -> a.startsWith(id + " "));
  }

  @Test
  void aCallerOfAQueueWithoutSurveyIsHungUpWhenTheAgentHangsUp() throws Exception {
    String phone = talking("+4930333000", false);
    InteractionId id = callOf(phone).interaction;
    agentHangsUp(phone);
    await("the caller's phone is hung up", () -> gone(phone));
    assertThat(hub.surveyInvites).containsExactly(id + " voice").hasSize(1);
    assertThat(hub.surveyAnswers).noneMatch(a -> a.startsWith(id + " "));
  }
}
