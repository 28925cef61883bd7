package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;
import io.switchboard.hub.testsupport.RealAsterisk;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
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
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls through a real Asterisk 22 (skipped where none is installed): Local channels play the caller's phone
 * ({@code ;1} half, which AMI {@code PlayDTMF} presses keys on) and the agent's phone ({@code phones} context), the
 * adapter runs the IVR over FastAGI and rings agents over AMI. One Asterisk for the whole class.
 */
class AsteriskCallFlowTest {
  static final AgentId ANSWERS = AgentId.random();
  static final AgentId NEVER_ANSWERS = AgentId.random();

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
    // The sample dialplan as shipped, with only the hub's address changed, plus phones that answer or never do.
    asterisk = RealAsterisk.start(RealAsterisk.sampleDialplan(agiPort) + """
        [test-phones]
        exten => 1001,1,Wait(1)
         same => n,Answer()
         same => n,Wait(120)
        exten => 1002,1,Wait(120)
        """);
    asterisk.ami().addEventListener(events::add);
    Path ivr = dir.resolve("ivr.yaml");
    Files.writeString(ivr, """
        entryPoints:
          - name: sales
            numbers: ["5550100"]
            menu: main
            set: { line: sales }
        menus:
          main:
            prompts: [beep]
            timeout: 3s
            retries: 1
            options:
              "1": { set: { topic: billing }, goto: queue }
              "2": { goto: tech }
              "9": { goto: hangup }
          tech:
            prompts: [beep]
            options:
              "3": { set: { topic: tech, language: de }, goto: queue }
        waiting:
          announceEvery: 5s
        """);
    vertx = Vertx.vertx();
    hub = new FakeHub(vertx, Map.of("agiPort", agiPort, "agiBind", "127.0.0.1", "amiPort", asterisk.amiPort,
        "ivrFile", ivr.toString(), "ringTimeout", "10s"));
    hub.endpoints.put(ANSWERS, "Local/1001@test-phones/n");
    hub.endpoints.put(NEVER_ANSWERS, "Local/1002@test-phones/n");
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

  /** Places a call from {@code callerId} to {@code dnis}; returns the uniqueid of the caller's phone (the ;1 half). */
  static String dial(String dnis, String callerId) throws Exception {
    String phone = "test-caller-" + (++calls) + "-" + System.nanoTime();
    OriginateAction o = new OriginateAction();
    o.setChannel("Local/" + dnis + "@switchboard-in/n");
    o.setApplication("Wait");
    o.setData("120");
    o.setCallerId("Caller <" + callerId + ">");
    o.setAsync(true);
    o.setChannelId(phone);
    o.setOtherChannelId(phone + "-2");
    o.setTimeout(30_000L);
    asterisk.ami().sendAction(o, 10_000);
    await("the call reaches the IVR's first menu", () -> callOf(phone) != null && callOf(phone).menu != null);
    return phone;
  }

  static void press(String phone, String digits) throws Exception {
    for (char c : digits.toCharArray()) {
      var r = asterisk.ami().sendAction(new PlayDtmfAction(phone, String.valueOf(c)), 5_000);
      assertThat(r.getResponse()).as("PlayDTMF %s: %s", c, r.getMessage()).isEqualTo("Success");
    }
  }

  static Call callOf(String phone) {
    return adapter.calls().get(phone + "-2");
  }

  static InboundContact queued(String phone) throws Exception {
    await("the call is queued", () -> callOf(phone) != null && callOf(phone).state == Call.State.WAITING);
    return hub.contacts.stream().filter(c -> c.externalId().equals(callOf(phone).linkedId)).findFirst().orElseThrow();
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

  @Test
  void menuKeysSetAttributesAndTheCallIsTakenInWithTheCallersNumber() throws Exception {
    String phone = dial("5550100", "+4930123456");
    press(phone, "2");
    await("the tech menu", () -> "tech".equals(callOf(phone).menu));
    press(phone, "3");
    InboundContact contact = queued(phone);
    assertThat(contact.channel()).isEqualTo(io.switchboard.hub.api.Channel.VOICE);
    assertThat(contact.sender().kind()).isEqualTo(IdentityKind.PHONE);
    assertThat(contact.sender().value()).isEqualTo("+4930123456");
    assertThat(contact.metadata()).containsEntry("topic", "tech").containsEntry("language", "de")
        .containsEntry("line", "sales").containsEntry("voice.entryPoint", "sales").containsEntry("voice.dnis", "5550100");
    assertThat(contact.externalId()).isEqualTo(callOf(phone).linkedId);
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
    await("the call ends", () -> callOf(phone) == null);
  }

  @Test
  void anOfferRingsTheAgentsPhoneAndTheCallerIsBridgedOnAnswer() throws Exception {
    String phone = dial("5550100", "+4930999000");
    press(phone, "1");
    queued(phone);
    InteractionId id = callOf(phone).interaction;
    long offered = System.nanoTime();
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("the agent answers", () -> hub.answered.contains(id + " " + ANSWERS));
    long answered = System.nanoTime();
    await("caller and agent share a bridge", () -> bridged(phone + "-2"));
    long bridgedAt = System.nanoTime();
    assertThat(callOf(phone).state).isEqualTo(Call.State.TALKING);
    System.out.printf("offer→answer %d ms, answer→bridge %d ms%n", (answered - offered) / 1_000_000, (bridgedAt - answered) / 1_000_000);
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
    await("the hub hears the call ended", () -> hub.left.stream().anyMatch(l -> l.startsWith(id + " caller hung up")
        || l.startsWith(id + " call ended")));
  }

  @Test
  void callerHangingUpWhileWaitingAbandonsWithTheTimeWaited() throws Exception {
    String phone = dial("5550100", "+4930777000");
    press(phone, "1");
    queued(phone);
    InteractionId id = callOf(phone).interaction;
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
    await("abandoned", () -> hub.left.stream().anyMatch(l -> l.startsWith(id + " caller hung up after waiting")));
  }

  @Test
  void anUnansweredOfferStopsRingingAndTheNextOfferIsBridged() throws Exception {
    String phone = dial("5550100", "+4930555000");
    press(phone, "1");
    queued(phone);
    Call call = callOf(phone);
    InteractionId id = call.interaction;
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, NEVER_ANSWERS));
    await("ringing", () -> call.state == Call.State.RINGING && call.ringingLeg != null);
    String leg = call.ringingLeg;
    // The hub's offer timeout ran out: it withdraws the offer and the call waits again.
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Withdrawn(id, NEVER_ANSWERS, "offer timed out"));
    await("the agent's phone stops ringing", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h && leg.equals(h.getUniqueId())));
    assertThat(call.state).isEqualTo(Call.State.WAITING);
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("bridged to the next agent", () -> bridged(phone + "-2"));
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
  }

  @Test
  void theIvrHangUpOptionEndsTheCallWithoutAnInteraction() throws Exception {
    int before = hub.contacts.size();
    String phone = dial("5550100", "+4930444000");
    press(phone, "9");
    await("the call ends", () -> callOf(phone) == null);
    assertThat(hub.contacts).hasSize(before);
  }

  @Test
  void aTransferHangsUpTheAgentsLegAndTheCallerWaitsForTheNextAgent() throws Exception {
    String phone = dial("5550100", "+4930666000");
    press(phone, "1");
    queued(phone);
    Call call = callOf(phone);
    InteractionId id = call.interaction;
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("bridged to the first agent", () -> bridges(phone + "-2") == 1 && call.agentChannel != null);
    String firstLeg = call.agentChannel;
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Transferred(id, "billing", null));
    await("the first agent's leg is hung up", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h
        && firstLeg.equals(h.getChannel())));
    await("the caller waits again", () -> call.state == Call.State.WAITING);
    assertThat(hub.left).noneMatch(l -> l.startsWith(id.toString()));
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("bridged to the next agent", () -> bridges(phone + "-2") == 2);
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
  }

  @Test
  void staffHangUpEndsTheCall() throws Exception {
    String phone = dial("5550100", "+4930888000");
    press(phone, "1");
    queued(phone);
    Call call = callOf(phone);
    InteractionId id = call.interaction;
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("bridged", () -> bridged(phone + "-2"));
    adapter.control(id, io.switchboard.hub.api.spi.CallAction.HANG_UP);
    await("the caller's phone is hung up", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h && phone.equals(h.getUniqueId())));
    await("the hub hears the call ended", () -> hub.left.stream().anyMatch(l -> l.startsWith(id.toString())));
  }

  @Test
  void reconciliationClosesInteractionsWhoseCallIsGoneAndKeepsLiveCalls() throws Exception {
    String phone = dial("5550100", "+4930999111");
    press(phone, "1");
    queued(phone);
    Call live = callOf(phone);
    // As after a hub restart: the hub still has an unfinished call that Asterisk no longer has, and a live one.
    InteractionId stale = InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(stale, "1733000000.42", io.switchboard.hub.api.InteractionState.QUEUED));
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(live.interaction, live.linkedId, io.switchboard.hub.api.InteractionState.QUEUED));
    int channels = adapter.reconcile();
    assertThat(channels).as("channel ids CoreShowChannels reported").isGreaterThanOrEqualTo(2);
    assertThat(hub.left).contains(stale + " call gone in Asterisk (reconciled)");
    assertThat(hub.left).noneMatch(l -> l.startsWith(live.interaction.toString()));
    assertThat(callOf(phone)).isSameAs(live);
    hub.open.clear();
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
  }

  @Test
  void callerHangingUpWhileTheAgentsPhoneRingsStopsTheRingingAndAbandons() throws Exception {
    String phone = dial("5550100", "+4930222333");
    press(phone, "1");
    queued(phone);
    Call call = callOf(phone);
    InteractionId id = call.interaction;
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, NEVER_ANSWERS));
    await("ringing", () -> call.state == Call.State.RINGING && call.ringingLeg != null);
    String leg = call.ringingLeg;
    await("the agent's phone rings in Asterisk", () -> events.stream().anyMatch(e -> e instanceof org.asteriskjava.manager.event.NewChannelEvent n
        && leg.equals(n.getUniqueId())));
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
    await("the agent's phone stops ringing", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h && leg.equals(h.getUniqueId())));
    await("abandoned", () -> hub.left.stream().anyMatch(l -> l.startsWith(id + " caller hung up after waiting")));
  }

  /** How many bridges the caller's channel (by uniqueid) entered. */
  static long bridges(String callerUniqueId) {
    return events.stream().filter(e -> e instanceof BridgeEnterEvent b && callerUniqueId.equals(b.getUniqueId())).count();
  }

  /** Whether the caller's channel (by uniqueid) is in a bridge that another channel entered too. */
  static boolean bridged(String callerUniqueId) {
    for (ManagerEvent e : events) {
      if (e instanceof BridgeEnterEvent b && callerUniqueId.equals(b.getUniqueId())) {
        return events.stream().anyMatch(o -> o instanceof BridgeEnterEvent ob && ob.getBridgeUniqueId().equals(b.getBridgeUniqueId())
            && !callerUniqueId.equals(ob.getUniqueId()));
      }
    }
    return false;
  }
}
