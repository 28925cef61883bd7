package io.switchboard.channel.voice;

import static io.switchboard.voice.testkit.AsteriskCalls.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.Recording;
import io.switchboard.voice.testkit.TestPhones;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.asteriskjava.manager.event.ChanSpyStartEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.MixMonitorStartEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls through a real Asterisk 22 (skipped where none is installed): Local channels play the caller's phone
 * ({@code ;1} half, which AMI {@code PlayDTMF} presses keys on) and the agent's phone ({@code phones} context), the
 * adapter runs the IVR over FastAGI and rings agents over AMI. One Asterisk for the whole class.
 */
class AsteriskCallFlowTest {
  static final AgentId ANSWERS = AgentId.random();
  static final AgentId NEVER_ANSWERS = AgentId.random();
  static final AgentId SUPERVISOR = AgentId.random();
  /** An agent whose phone answers and says a steady tone of {@value #AGENT_HZ} Hz; callers may say {@value #CALLER_HZ} Hz. */
  static final AgentId SAYS_TONE = AgentId.random();
  static final int CALLER_HZ = 500;
  static final int AGENT_HZ = 1100;
  static final int NOBODY_HZ = 1700;
  /** How long a recorded call talks. */
  static final double TALK_SECONDS = 3;
  /** The share of a recording's windows that makes "most". */
  static final double MOST = 0.7;

  // The sample dialplan as shipped, with only the hub's address changed, plus phones that answer or never do.
  @RegisterExtension
  static final AdapterOnAsterisk voice = new AdapterOnAsterisk(PrivateAsterisk.with(TestPhones.context("test-phones")
          .exten("1001", "Wait(1)", "Answer()", "Playback(tt-monkeys)", "Wait(600)").neverAnswers("1002").answers("1003")
          .and("audio-phones").saysTone("caller", CALLER_HZ).saysTone("agent", AGENT_HZ))
      .callerPrefix("test-caller").ivr("""
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
          """), Map.of("ringTimeout", "10s", "recordQueues", List.of("recorded")))
      .phone(SUPERVISOR, "Local/1003@test-phones/n").phone(ANSWERS, "Local/1001@test-phones/n")
      .phone(NEVER_ANSWERS, "Local/1002@test-phones/n").phone(SAYS_TONE, "Local/agent@audio-phones/n");

  /** Places a call, offers it to the answering agent and waits until caller and agent are bridged. */
  static Call bridgedCall(String callerId, String queue) throws Exception {
    return voice.bridge(voice.queue(voice.dial("5550100", callerId), "1"), ANSWERS, queue);
  }

  static long spies(String agentLeg) {
    return voice.calls.count(ChanSpyStartEvent.class, c -> agentLeg.equals(c.getSpyeeChannel()));
  }

  static boolean hungUp(String channel) {
    return voice.calls.seen(HangupEvent.class, h -> channel.equals(h.getChannel()));
  }

  @Test
  void menuKeysSetAttributesAndTheCallIsTakenInWithTheCallersNumber() throws Exception {
    String phone = voice.dial("5550100", "+4930123456");
    voice.calls.press(phone, "2");
    await("the tech menu", () -> "tech".equals(voice.callOf(phone).menu));
    InboundContact contact = voice.contactOf(voice.queue(phone, "3"));
    assertThat(contact.channel()).isEqualTo(io.switchboard.hub.api.Channel.VOICE);
    assertThat(contact.sender().kind()).isEqualTo(IdentityKind.PHONE);
    assertThat(contact.sender().value()).isEqualTo("+4930123456");
    assertThat(contact.metadata()).containsEntry("topic", "tech").containsEntry("language", "de")
        .containsEntry("line", "sales").containsEntry("voice.entryPoint", "sales").containsEntry("voice.dnis", "5550100");
    assertThat(contact.externalId()).isEqualTo(voice.callOf(phone).linkedId);
    voice.calls.hangUp(phone);
    await("the call ends", () -> voice.callOf(phone) == null);
  }

  @Test
  void anOfferRingsTheAgentsPhoneAndTheCallerIsBridgedOnAnswer() throws Exception {
    String phone = voice.dial("5550100", "+4930999000");
    voice.queue(phone, "1");
    InteractionId id = voice.callOf(phone).interaction;
    long offered = System.nanoTime();
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("the agent answers", () -> voice.hub.answered.contains(id + " " + ANSWERS));
    long answered = System.nanoTime();
    await("caller and agent share a bridge", () -> voice.calls.bridged(phone + "-2"));
    long bridgedAt = System.nanoTime();
    assertThat(voice.callOf(phone).state).isEqualTo(Call.State.TALKING);
    System.out.printf("offer→answer %d ms, answer→bridge %d ms%n", (answered - offered) / 1_000_000, (bridgedAt - answered) / 1_000_000);
    voice.calls.hangUp(phone);
    await("the hub hears the call ended", () -> voice.hub.left.stream().anyMatch(l -> l.startsWith(id + " caller hung up")
        || l.startsWith(id + " call ended")));
  }

  @Test
  void callerHangingUpWhileWaitingAbandonsWithTheTimeWaited() throws Exception {
    String phone = voice.dial("5550100", "+4930777000");
    voice.queue(phone, "1");
    InteractionId id = voice.callOf(phone).interaction;
    voice.calls.hangUp(phone);
    await("abandoned", () -> voice.hub.left.stream().anyMatch(l -> l.startsWith(id + " caller hung up after waiting")));
  }

  @Test
  void anUnansweredOfferStopsRingingAndTheNextOfferIsBridged() throws Exception {
    String phone = voice.dial("5550100", "+4930555000");
    voice.queue(phone, "1");
    Call call = voice.callOf(phone);
    InteractionId id = call.interaction;
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, NEVER_ANSWERS));
    await("ringing", () -> call.state == Call.State.RINGING && call.ringingLeg != null);
    String leg = call.ringingLeg;
    // The hub's offer timeout ran out: it withdraws the offer and the call waits again.
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Withdrawn(id, NEVER_ANSWERS, "offer timed out"));
    await("the agent's phone stops ringing", () -> voice.calls.hungUp(leg));
    assertThat(call.state).isEqualTo(Call.State.WAITING);
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("bridged to the next agent", () -> voice.calls.bridged(phone + "-2"));
    voice.calls.hangUp(phone);
  }

  @Test
  void theIvrHangUpOptionEndsTheCallWithoutAnInteraction() throws Exception {
    int before = voice.hub.contacts.size();
    String phone = voice.dial("5550100", "+4930444000");
    voice.calls.press(phone, "9");
    await("the call ends", () -> voice.callOf(phone) == null);
    assertThat(voice.hub.contacts).hasSize(before);
  }

  @Test
  void aTransferHangsUpTheAgentsLegAndTheCallerWaitsForTheNextAgent() throws Exception {
    String phone = voice.dial("5550100", "+4930666000");
    voice.queue(phone, "1");
    Call call = voice.callOf(phone);
    InteractionId id = call.interaction;
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("bridged to the first agent", () -> voice.calls.bridges(phone + "-2") == 1 && call.agentChannel != null);
    String firstLeg = call.agentChannel;
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Transferred(id, "billing", null));
    await("the first agent's leg is hung up", () -> hungUp(firstLeg));
    await("the caller waits again", () -> call.state == Call.State.WAITING);
    assertThat(voice.hub.left).noneMatch(l -> l.startsWith(id.toString()));
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("bridged to the next agent", () -> voice.calls.bridges(phone + "-2") == 2);
    voice.calls.hangUp(phone);
  }

  @Test
  void staffHangUpEndsTheCall() throws Exception {
    String phone = voice.dial("5550100", "+4930888000");
    voice.queue(phone, "1");
    Call call = voice.callOf(phone);
    InteractionId id = call.interaction;
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, ANSWERS));
    await("bridged", () -> voice.calls.bridged(phone + "-2"));
    voice.adapter.control(id, io.switchboard.hub.api.spi.CallAction.HANG_UP);
    await("the caller's phone is hung up", () -> voice.calls.hungUp(phone));
    await("the hub hears the call ended", () -> voice.hub.left.stream().anyMatch(l -> l.startsWith(id.toString())));
  }

  @Test
  void reconciliationClosesInteractionsWhoseCallIsGoneAndKeepsLiveCalls() throws Exception {
    String phone = voice.dial("5550100", "+4930999111");
    voice.queue(phone, "1");
    Call live = voice.callOf(phone);
    // As after a hub restart: the hub still has an unfinished call that Asterisk no longer has, and a live one.
    InteractionId stale = InteractionId.random();
    voice.hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(stale, "1733000000.42", io.switchboard.hub.api.InteractionState.QUEUED));
    voice.hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(live.interaction, live.linkedId, io.switchboard.hub.api.InteractionState.QUEUED));
    int channels = voice.adapter.reconcile();
    assertThat(channels).as("channel ids CoreShowChannels reported").isGreaterThanOrEqualTo(2);
    assertThat(voice.hub.left).contains(stale + " call gone in Asterisk (reconciled)");
    assertThat(voice.hub.left).noneMatch(l -> l.startsWith(live.interaction.toString()));
    assertThat(voice.callOf(phone)).isSameAs(live);
    voice.hub.open.clear();
    voice.calls.hangUp(phone);
  }

  @Test
  void callerHangingUpWhileTheAgentsPhoneRingsStopsTheRingingAndAbandons() throws Exception {
    String phone = voice.dial("5550100", "+4930222333");
    voice.queue(phone, "1");
    Call call = voice.callOf(phone);
    InteractionId id = call.interaction;
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, NEVER_ANSWERS));
    await("ringing", () -> call.state == Call.State.RINGING && call.ringingLeg != null);
    String leg = call.ringingLeg;
    await("the agent's phone rings in Asterisk", () -> voice.calls.events().stream().anyMatch(e -> e instanceof org.asteriskjava.manager.event.NewChannelEvent n
        && leg.equals(n.getUniqueId())));
    voice.calls.hangUp(phone);
    await("the agent's phone stops ringing", () -> voice.calls.hungUp(leg));
    await("abandoned", () -> voice.hub.left.stream().anyMatch(l -> l.startsWith(id + " caller hung up after waiting")));
  }

  @Test
  void holdPlaysMusicToTheCallerWhileTheAgentWaitsAndResumeBridgesThemAgain() throws Exception {
    Call call = bridgedCall("+4930100200", null);
    String callerLeg = call.uniqueId;
    String agentLeg = call.agentChannel;
    assertThat(voice.refused(call, io.switchboard.hub.api.spi.CallAction.RESUME, null))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class).hasMessageContaining("not on hold");

    voice.control(call, io.switchboard.hub.api.spi.CallAction.HOLD, null);
    await("the caller is on hold", () -> call.state == Call.State.ON_HOLD);
    await("the caller hears music", () -> voice.calls.events().stream().anyMatch(e -> e instanceof org.asteriskjava.manager.event.MusicOnHoldStartEvent m
        && callerLeg.equals(m.getUniqueId())));
    assertThat(hungUp(agentLeg)).as("the agent's leg stays up while the caller is on hold").isFalse();
    assertThat(voice.refused(call, io.switchboard.hub.api.spi.CallAction.HOLD, null))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class).hasMessageContaining("not talking");

    voice.control(call, io.switchboard.hub.api.spi.CallAction.RESUME, null);
    await("caller and agent are bridged again", () -> voice.calls.bridges(callerLeg) == 2 && call.state == Call.State.TALKING);
    assertThat(call.agentChannel).isEqualTo(agentLeg);
    assertThat(voice.phases(call.interaction)).containsSubsequence(io.switchboard.hub.api.spi.CallState.Phase.RINGING,
        io.switchboard.hub.api.spi.CallState.Phase.TALKING, io.switchboard.hub.api.spi.CallState.Phase.ON_HOLD,
        io.switchboard.hub.api.spi.CallState.Phase.TALKING);
    var talking = voice.hub.states.stream().filter(s -> s.interaction().equals(call.interaction)
        && s.phase() == io.switchboard.hub.api.spi.CallState.Phase.TALKING).toList();
    assertThat(talking.getLast().talkingSince()).as("the duration counts from the first bridge")
        .isEqualTo(talking.getFirst().talkingSince());
    assertThat(talking.getLast().agent()).isEqualTo(ANSWERS);

    voice.calls.hangUp(AdapterOnAsterisk.phoneOf(call));
    await("the hub hears the call ended", () -> voice.hub.left.stream().anyMatch(l -> l.startsWith(call.interaction.toString())));
  }

  @Test
  void aCallerHangingUpOnHoldEndsTheCallAndFreesTheAgentsLeg() throws Exception {
    Call call = bridgedCall("+4930100300", null);
    String agentLeg = call.agentChannel;
    voice.control(call, io.switchboard.hub.api.spi.CallAction.HOLD, null);
    await("the caller is on hold", () -> call.state == Call.State.ON_HOLD);
    voice.calls.hangUp(AdapterOnAsterisk.phoneOf(call));
    await("the agent's waiting leg is hung up", () -> hungUp(agentLeg));
    await("the hub hears the caller left", () -> voice.hub.left.contains(call.interaction + " caller hung up while on hold"));
    await("the call state ends", () -> voice.phases(call.interaction).getLast() == io.switchboard.hub.api.spi.CallState.Phase.ENDED);
  }

  @Test
  void staffHangUpOnHoldEndsTheCall() throws Exception {
    Call call = bridgedCall("+4930100400", null);
    String agentLeg = call.agentChannel;
    voice.control(call, io.switchboard.hub.api.spi.CallAction.HOLD, null);
    await("the caller is on hold", () -> call.state == Call.State.ON_HOLD);
    voice.control(call, io.switchboard.hub.api.spi.CallAction.HANG_UP, null);
    await("the agent's waiting leg is hung up", () -> hungUp(agentLeg));
    await("the hub hears the call ended", () -> voice.hub.left.stream().anyMatch(l -> l.startsWith(call.interaction.toString())));
  }

  /** A caller whose phone says {@value #CALLER_HZ} Hz, bridged from {@code queue} with the agent whose phone says {@value #AGENT_HZ} Hz. */
  static Call toneCall(String callerId, String queue) throws Exception {
    String phone = voice.dial("5550100", callerId, "audio-phones", "caller");
    return voice.bridge(voice.queue(phone, "1"), SAYS_TONE, queue);
  }

  @Test
  void aRecordedQueuesCallIsRecordedWithBothSidesFromTheBridgeAndAQueueWithoutRecordingWritesNoFile() throws Exception {
    // Two calls talk at the same time, one from a queue without recording, one from a recorded queue.
    Call plain = toneCall("+4930100500", "general");
    Call call = toneCall("+4930100600", "recorded");
    String file = "switchboard-" + call.interaction + ".wav";
    await("MixMonitor runs on the caller's channel", () -> voice.calls.seen(MixMonitorStartEvent.class,
        m -> call.uniqueId.equals(m.getUniqueId())));
    assertThat(call.recording).isEqualTo(file);
    await("the hub is told the file", () -> voice.hub.states.stream().anyMatch(s -> s.interaction().equals(call.interaction)
        && file.equals(s.recording())));
    await("the file name is stored on the interaction", () -> voice.hub.attributeChanges.stream().anyMatch(c ->
        c.getKey().equals(call.interaction + " call recorded to " + file) && file.equals(c.getValue().get("voice.recording"))));

    // Both sides talk for a while (the file grows as the call goes on: 8,000 16-bit samples a second), then hang up.
    Path recorded = voice.asterisk.recording(file);
    long bytes = 44 + (long) (TALK_SECONDS * 8_000 * 2);
    await("the call is recorded for " + TALK_SECONDS + " s", Duration.ofSeconds(90), () -> recorded.toFile().length() >= bytes);
    for (Call c : List.of(call, plain)) {
      voice.calls.hangUp(AdapterOnAsterisk.phoneOf(c));
    }
    for (Call c : List.of(call, plain)) {
      await("the hub hears the call ended", () -> voice.left(c.interaction));
      await("the caller's channel is gone (its recording is closed)", () -> voice.calls.hungUp(c.uniqueId));
    }

    // The recording holds the call: the caller's and the agent's tones, heard together while they talked.
    Recording r = Recording.read(recorded);
    double both = r.together(CALLER_HZ, AGENT_HZ);
    System.out.printf("recorded call (%.1f s): caller %.2f, agent %.2f, both together %.2f of %d ms windows%n", r.seconds(),
        r.presence(CALLER_HZ), r.presence(AGENT_HZ), both, Recording.WINDOW_MS);
    assertThat(r.seconds()).isGreaterThanOrEqualTo(TALK_SECONDS);
    assertThat(r.presence(CALLER_HZ)).as("the caller is heard").isGreaterThanOrEqualTo(MOST);
    assertThat(r.presence(AGENT_HZ)).as("the agent is heard").isGreaterThanOrEqualTo(MOST);
    assertThat(both).as("caller and agent are heard together in most of the recording").isGreaterThanOrEqualTo(MOST);
    assertThat(r.presence(NOBODY_HZ)).as("a tone nobody said is not found").isLessThanOrEqualTo(0.05);

    // The call of the queue without recording left no file and no MixMonitor.
    assertThat(plain.recording).isNull();
    assertThat(voice.calls.seen(MixMonitorStartEvent.class, m -> plain.uniqueId.equals(m.getUniqueId()))).isFalse();
    assertThat(voice.hub.attributeChanges).noneMatch(c -> c.getKey().startsWith(plain.interaction.toString())
        && c.getValue().containsKey("voice.recording"));
    assertThat(voice.hub.states).filteredOn(s -> s.interaction().equals(plain.interaction)).allMatch(s -> s.recording() == null);
    try (var files = Files.list(voice.asterisk.monitorFolder())) {
      assertThat(files.map(f -> f.getFileName().toString())).as("the only recording is the recorded queue's call's")
          .containsExactly(file);
    }
  }

  @Test
  void aSupervisorListensWhispersAndBargesFromTheirOwnPhone() throws Exception {
    Call call = bridgedCall("+4930100700", null);
    String agentLeg = call.agentChannel;
    for (var mode : List.of(io.switchboard.hub.api.spi.CallAction.LISTEN, io.switchboard.hub.api.spi.CallAction.WHISPER,
        io.switchboard.hub.api.spi.CallAction.BARGE)) {
      long before = spies(agentLeg);
      voice.control(call, mode, SUPERVISOR);
      await(mode + ": the supervisor's phone spies on the agent's leg", () -> spies(agentLeg) == before + 1);
    }
    assertThat(voice.refused(call, io.switchboard.hub.api.spi.CallAction.LISTEN, AgentId.random()))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class).hasMessageContaining("no phone endpoint");
    voice.calls.hangUp(AdapterOnAsterisk.phoneOf(call));
    List<String> options = voice.calls.events().stream().filter(e -> e instanceof org.asteriskjava.manager.event.OriginateResponseEvent o
        && o.getData() != null && o.getData().startsWith(agentLeg + ",")).map(e -> ((org.asteriskjava.manager.event.OriginateResponseEvent) e)
        .getData().substring(agentLeg.length() + 1)).toList();
    assertThat(options).as("ChanSpy options: listen quietly, whisper to the agent, barge").containsExactly("qE", "qEw", "qEB");
    await("the spies' phones are hung up with the call", () -> voice.calls.events().stream().filter(e -> e instanceof HangupEvent h && h.getUniqueId() != null
        && h.getUniqueId().startsWith("sb-spy-") && !h.getUniqueId().endsWith("-2")).count() >= 3);
  }

  @Test
  void spyingOnACallThatIsNotTalkingIsRefused() throws Exception {
    String phone = voice.dial("5550100", "+4930100800");
    voice.queue(phone, "1");
    Call call = voice.callOf(phone);
    assertThat(voice.refused(call, io.switchboard.hub.api.spi.CallAction.BARGE, SUPERVISOR))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class).hasMessageContaining("no agent on the line");
    assertThat(voice.refused(call, io.switchboard.hub.api.spi.CallAction.HOLD, null))
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class);
    voice.calls.hangUp(phone);
  }
}
