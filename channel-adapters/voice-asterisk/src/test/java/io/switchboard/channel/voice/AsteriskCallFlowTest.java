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
  static final AgentId SUPERVISOR = AgentId.random();

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
         same => n,Playback(tt-monkeys)
         same => n,Wait(120)
        exten => 1002,1,Wait(120)
        exten => 1003,1,Answer()
         same => n,Wait(120)
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
        "ivrFile", ivr.toString(), "ringTimeout", "10s", "recordQueues", List.of("recorded")));
    hub.endpoints.put(SUPERVISOR, "Local/1003@test-phones/n");
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
    await("the call is queued", () -> AsteriskCallFlowTest.waiting(adapter, callOf(phone)));
    return hub.contacts.stream().filter(c -> c.externalId().equals(callOf(phone).linkedId)).findFirst().orElseThrow();
  }

  /**
   * The call waits and an offer for its interaction finds it. The session sets the state just before it makes the call
   * findable by interaction: an offer sent on seeing the state alone could find nothing and be dropped (a flake at load).
   */
  static boolean waiting(AsteriskAdapter adapter, Call call) {
    return call != null && call.state == Call.State.WAITING && call.interaction != null
        && adapter.call(call.interaction).orElse(null) == call;
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

  /** Places a call, offers it to the answering agent and waits until caller and agent are bridged. */
  static Call bridgedCall(String callerId, String queue) throws Exception {
    String phone = dial("5550100", callerId);
    press(phone, "1");
    queued(phone);
    Call call = callOf(phone);
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(call.interaction, ANSWERS, queue));
    await("bridged", () -> bridged(phone + "-2") && call.state == Call.State.TALKING && call.agentChannel != null);
    return call;
  }

  /** The caller's phone (the ;1 half the test placed) of a call whose FastAGI channel is the ;2 half. */
  static String phoneOf(Call call) {
    return call.uniqueId.substring(0, call.uniqueId.length() - 2);
  }

  static void control(Call call, io.switchboard.hub.api.spi.CallAction action, AgentId by) throws Exception {
    adapter.control(call.interaction, action, by).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static Throwable refused(Call call, io.switchboard.hub.api.spi.CallAction action, AgentId by) {
    try {
      control(call, action, by);
      return null;
    } catch (Exception e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }

  static List<io.switchboard.hub.api.spi.CallState.Phase> phases(InteractionId id) {
    return hub.states.stream().filter(s -> s.interaction().equals(id)).map(io.switchboard.hub.api.spi.CallState::phase).toList();
  }

  @Test
  void holdPlaysMusicToTheCallerWhileTheAgentWaitsAndResumeBridgesThemAgain() throws Exception {
    Call call = bridgedCall("+4930100200", null);
    String callerLeg = call.uniqueId;
    String agentLeg = call.agentChannel;
    assertThat(refused(call, io.switchboard.hub.api.spi.CallAction.RESUME, null))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class).hasMessageContaining("not on hold");

    control(call, io.switchboard.hub.api.spi.CallAction.HOLD, null);
    await("the caller is on hold", () -> call.state == Call.State.ON_HOLD);
    await("the caller hears music", () -> events.stream().anyMatch(e -> e instanceof org.asteriskjava.manager.event.MusicOnHoldStartEvent m
        && callerLeg.equals(m.getUniqueId())));
    assertThat(events).as("the agent's leg stays up while the caller is on hold")
        .noneMatch(e -> e instanceof HangupEvent h && agentLeg.equals(h.getChannel()));
    assertThat(refused(call, io.switchboard.hub.api.spi.CallAction.HOLD, null))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class).hasMessageContaining("not talking");

    control(call, io.switchboard.hub.api.spi.CallAction.RESUME, null);
    await("caller and agent are bridged again", () -> bridges(callerLeg) == 2 && call.state == Call.State.TALKING);
    assertThat(call.agentChannel).isEqualTo(agentLeg);
    assertThat(phases(call.interaction)).containsSubsequence(io.switchboard.hub.api.spi.CallState.Phase.RINGING,
        io.switchboard.hub.api.spi.CallState.Phase.TALKING, io.switchboard.hub.api.spi.CallState.Phase.ON_HOLD,
        io.switchboard.hub.api.spi.CallState.Phase.TALKING);
    var talking = hub.states.stream().filter(s -> s.interaction().equals(call.interaction)
        && s.phase() == io.switchboard.hub.api.spi.CallState.Phase.TALKING).toList();
    assertThat(talking.getLast().talkingSince()).as("the duration counts from the first bridge")
        .isEqualTo(talking.getFirst().talkingSince());
    assertThat(talking.getLast().agent()).isEqualTo(ANSWERS);

    asterisk.ami().sendAction(new HangupAction(phoneOf(call)), 5_000);
    await("the hub hears the call ended", () -> hub.left.stream().anyMatch(l -> l.startsWith(call.interaction.toString())));
  }

  @Test
  void aCallerHangingUpOnHoldEndsTheCallAndFreesTheAgentsLeg() throws Exception {
    Call call = bridgedCall("+4930100300", null);
    String agentLeg = call.agentChannel;
    control(call, io.switchboard.hub.api.spi.CallAction.HOLD, null);
    await("the caller is on hold", () -> call.state == Call.State.ON_HOLD);
    asterisk.ami().sendAction(new HangupAction(phoneOf(call)), 5_000);
    await("the agent's waiting leg is hung up", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h && agentLeg.equals(h.getChannel())));
    await("the hub hears the caller left", () -> hub.left.contains(call.interaction + " caller hung up while on hold"));
    await("the call state ends", () -> phases(call.interaction).getLast() == io.switchboard.hub.api.spi.CallState.Phase.ENDED);
  }

  @Test
  void staffHangUpOnHoldEndsTheCall() throws Exception {
    Call call = bridgedCall("+4930100400", null);
    String agentLeg = call.agentChannel;
    control(call, io.switchboard.hub.api.spi.CallAction.HOLD, null);
    await("the caller is on hold", () -> call.state == Call.State.ON_HOLD);
    control(call, io.switchboard.hub.api.spi.CallAction.HANG_UP, null);
    await("the agent's waiting leg is hung up", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h && agentLeg.equals(h.getChannel())));
    await("the hub hears the call ended", () -> hub.left.stream().anyMatch(l -> l.startsWith(call.interaction.toString())));
  }

  @Test
  void callsOfARecordedQueueAreRecordedFromTheBridgeAndTheFileIsReported() throws Exception {
    Call plain = bridgedCall("+4930100500", "general");
    assertThat(plain.recording).isNull();
    asterisk.ami().sendAction(new HangupAction(phoneOf(plain)), 5_000);

    Call call = bridgedCall("+4930100600", "recorded");
    String file = "switchboard-" + call.interaction + ".wav";
    await("MixMonitor runs on the caller's channel", () -> events.stream().anyMatch(e ->
        e instanceof org.asteriskjava.manager.event.MixMonitorStartEvent m && call.uniqueId.equals(m.getUniqueId())));
    assertThat(call.recording).isEqualTo(file);
    await("the hub is told the file", () -> hub.states.stream().anyMatch(s -> s.interaction().equals(call.interaction)
        && file.equals(s.recording())));
    await("the file name is stored on the interaction", () -> hub.attributeChanges.stream().anyMatch(c ->
        c.getKey().equals(call.interaction + " call recorded to " + file) && file.equals(c.getValue().get("voice.recording"))));
    Path recorded = asterisk.run.resolve("var/spool/monitor").resolve(file);
    await("the conversation is written to the file (more than a WAV header)", () -> Files.exists(recorded) && recorded.toFile().length() > 44);
    asterisk.ami().sendAction(new HangupAction(phoneOf(call)), 5_000);
    await("the hub hears the call ended", () -> hub.left.stream().anyMatch(l -> l.startsWith(call.interaction.toString())));
  }

  @Test
  void aSupervisorListensWhispersAndBargesFromTheirOwnPhone() throws Exception {
    Call call = bridgedCall("+4930100700", null);
    String agentLeg = call.agentChannel;
    for (var mode : List.of(io.switchboard.hub.api.spi.CallAction.LISTEN, io.switchboard.hub.api.spi.CallAction.WHISPER,
        io.switchboard.hub.api.spi.CallAction.BARGE)) {
      long before = spies(agentLeg);
      control(call, mode, SUPERVISOR);
      await(mode + ": the supervisor's phone spies on the agent's leg", () -> spies(agentLeg) == before + 1);
    }
    assertThat(refused(call, io.switchboard.hub.api.spi.CallAction.LISTEN, AgentId.random()))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class).hasMessageContaining("no phone endpoint");
    asterisk.ami().sendAction(new HangupAction(phoneOf(call)), 5_000);
    List<String> options = events.stream().filter(e -> e instanceof org.asteriskjava.manager.event.OriginateResponseEvent o
        && o.getData() != null && o.getData().startsWith(agentLeg + ",")).map(e -> ((org.asteriskjava.manager.event.OriginateResponseEvent) e)
        .getData().substring(agentLeg.length() + 1)).toList();
    assertThat(options).as("ChanSpy options: listen quietly, whisper to the agent, barge").containsExactly("qE", "qEw", "qEB");
    await("the spies' phones are hung up with the call", () -> events.stream().filter(e -> e instanceof HangupEvent h && h.getUniqueId() != null
        && h.getUniqueId().startsWith("sb-spy-") && !h.getUniqueId().endsWith("-2")).count() >= 3);
  }

  @Test
  void spyingOnACallThatIsNotTalkingIsRefused() throws Exception {
    String phone = dial("5550100", "+4930100800");
    press(phone, "1");
    queued(phone);
    Call call = callOf(phone);
    assertThat(refused(call, io.switchboard.hub.api.spi.CallAction.BARGE, SUPERVISOR))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class).hasMessageContaining("no agent on the line");
    assertThat(refused(call, io.switchboard.hub.api.spi.CallAction.HOLD, null))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class);
    asterisk.ami().sendAction(new HangupAction(phone), 5_000);
  }

  static long spies(String agentLeg) {
    return events.stream().filter(e -> e instanceof org.asteriskjava.manager.event.ChanSpyStartEvent c
        && agentLeg.equals(c.getSpyeeChannel())).count();
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
