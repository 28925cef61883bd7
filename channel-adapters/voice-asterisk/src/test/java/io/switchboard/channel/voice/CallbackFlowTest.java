package io.switchboard.channel.voice;

import static io.switchboard.voice.testkit.AsteriskCalls.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import java.util.Map;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.NewChannelEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Queued callback through a real Asterisk 22 (skipped where none is installed): the caller presses 1 while waiting
 * (AMI PlayDTMF on the {@code ;1} half of the caller's Local channel), is hung up and keeps the place; the offer
 * rings the agent's phone (a Local channel that answers), whose leg then dials the customer's number (context
 * {@code test-customers}: answers, busy, or never answers) and bridges them. One Asterisk for the whole class.
 */
class CallbackFlowTest {
  static final AgentId AGENT = AgentId.random();
  static final String ANSWERS = "+4930100001";
  static final String BUSY = "+4930100002";
  static final String NEVER_ANSWERS = "+4930100003";

  @RegisterExtension
  static final AdapterOnAsterisk voice = new AdapterOnAsterisk(PrivateAsterisk.with(TestPhones.context("test-phones")
          .answersAfter("1001", 1).neverAnswers("1002")
          .and("test-customers").answersAfter(ANSWERS, 1).busy(BUSY).neverAnswers(NEVER_ANSWERS))
      .callerPrefix("cb-caller").ivr("""
          entryPoints:
            - { name: sales, numbers: ["5550100"], menu: main }
          menus:
            main:
              prompts: [beep]
              options:
                "1": { set: { ivr.topic: billing }, goto: queue }
          waiting:
            announceEvery: 0
            callback: { key: "1", prompts: [beep], confirm: [beep] }
          callbacks:
            dial: "Local/{number}@test-customers"
            attempts: 2
            retryDelay: 1s
            ringTimeout: 5s
            agentPrompts: [beep]
          """), Map.of("ringTimeout", "10s", "recordQueues", java.util.List.of("recorded")))
      .phone(AGENT, "Local/1001@test-phones/n");

  /** A caller from {@code number} who presses 1 in the menu, waits, then presses 1 for a callback. */
  static Call callbackRequestedBy(String number) throws Exception {
    String phone = voice.dial("5550100", number);
    Call call = voice.queue(phone, "1");
    voice.calls.press(phone, "1");
    await("the caller is hung up as a callback", () -> voice.calls.hungUp(phone));
    await("the callback is held", () -> voice.adapter.callbacks().contains(call) && call.state == Call.State.CALLBACK);
    return call;
  }

  /**
   * Offers the callback to the agent; returns the agent leg's uniqueid once the agent answered. Awaits what stays true
   * once it happened (Asterisk made the agent's leg, the hub heard the agent answer), never the call's ringing state:
   * that lasts only until the agent's phone answers (1 s) and its leg starts dialling, and a test thread that a loaded
   * machine does not run for that long would miss it and wait in vain.
   */
  static String offer(Call call) throws Exception {
    InteractionId id = call.interaction;
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, AGENT));
    await("the agent's phone rings", () -> agentLeg(id) != null);
    await("the agent answers", () -> voice.hub.answered.contains(id + " " + AGENT));
    return agentLeg(id);
  }

  @Test
  void aCallbackOfARecordedQueueIsRecordedFromTheCustomersAnswerAndOthersAreNot() throws Exception {
    Call call = callbackRequestedBy(ANSWERS);
    InteractionId id = call.interaction;
    // Offered from the queue "recorded" (channels.voice.recordQueues), as the router names it in the offer.
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, AGENT, "recorded"));
    await("the agent's phone rings", () -> agentLeg(id) != null);
    String leg = agentLeg(id);
    await("agent and customer share a bridge", () -> bridgedWith(leg, ANSWERS));
    await("the callback is talking", () -> call.state == Call.State.CALLBACK_TALKING && call.customerChannel != null);
    String customer = call.customerChannel;
    String file = "switchboard-" + id + ".wav";
    await("MixMonitor runs on the customer's leg", () -> voice.calls.seen(org.asteriskjava.manager.event.MixMonitorStartEvent.class,
        m -> customer.equals(m.getChannel())));
    await("the file name is stored on the interaction", () -> voice.hub.changesOf(id).stream()
        .anyMatch(a -> file.equals(a.get("voice.recording"))));
    assertThat(call.recording).isEqualTo(file);
    voice.calls.hangUp(channelOf(ANSWERS));
    await("the hub hears the callback call ended", () -> voice.hub.left.contains(id + " callback call ended"));
  }

  /** The uniqueid of the last agent leg Asterisk made for the interaction ({@code sb-<interaction>-...}); null when none. */
  static String agentLeg(InteractionId id) {
    String start = "sb-" + id + "-";
    return voice.calls.events().stream().filter(e -> e instanceof NewChannelEvent n && n.getUniqueId() != null
            && n.getUniqueId().startsWith(start) && !n.getUniqueId().endsWith("-2"))
        .map(e -> ((NewChannelEvent) e).getUniqueId()).reduce((a, b) -> b).orElse(null);
  }

  @Test
  void aCallbackKeepsItsPlaceThenRingsTheAgentFirstAndBridgesTheCustomerOnAnswer() throws Exception {
    Call call = callbackRequestedBy(ANSWERS);
    InteractionId id = call.interaction;
    assertThat(voice.hub.left).noneMatch(l -> l.startsWith(id.toString()));
    assertThat(voice.hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "requested")
        .containsEntry("voice.callbackNumber", ANSWERS));
    String leg = offer(call);
    try {
      await("agent and customer share a bridge", () -> bridgedWith(leg, ANSWERS));
    } catch (AssertionError e) {
      voice.calls.events().stream().filter(ev -> ev instanceof BridgeEnterEvent || ev instanceof NewChannelEvent || ev instanceof org.asteriskjava.manager.event.DialEndEvent)
          .forEach(ev -> System.out.println("DEBUG leg=" + leg + " " + ev));
      throw e;
    }
    await("the callback is talking", () -> call.state == Call.State.CALLBACK_TALKING);
    assertThat(call.recording).as("a queue that does not record").isNull();
    // The customer hangs up: the callback is recorded as made, the agent's leg ends.
    String customer = channelOf(ANSWERS);
    voice.calls.hangUp(customer);
    await("the hub hears the callback call ended", () -> voice.hub.left.contains(id + " callback call ended"));
    assertThat(voice.hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "completed")
        .containsEntry("voice.callbackAttempts", "1"));
    await("the agent's leg is hung up", () -> voice.calls.hungUp(leg));
    await("the callback is done", () -> !voice.adapter.callbacks().contains(call));
    // The console is told: the agent's phone rang, the agent talked with the customer, the call ended.
    assertThat(voice.hub.states.stream().filter(st -> st.interaction().equals(id)).map(st -> st.phase()).distinct())
        .containsExactly(io.switchboard.hub.api.spi.CallState.Phase.RINGING, io.switchboard.hub.api.spi.CallState.Phase.TALKING,
            io.switchboard.hub.api.spi.CallState.Phase.ENDED);
  }

  @Test
  void aCallbackIsHeldWithMusicForTheCustomerAndResumedBridgedAgain() throws Exception {
    Call call = callbackRequestedBy(ANSWERS);
    InteractionId id = call.interaction;
    String leg = offer(call);
    await("agent and customer share a bridge", () -> bridgedWith(leg, ANSWERS));
    await("the callback is talking", () -> call.state == Call.State.CALLBACK_TALKING && call.customerChannel != null);
    String customer = call.customerChannel;
    assertThat(voice.refused(call, io.switchboard.hub.api.spi.CallAction.RESUME, null)).as("not on hold yet")
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class);

    voice.control(call, io.switchboard.hub.api.spi.CallAction.HOLD, null);
    await("the customer hears music on hold", () -> voice.calls.events().stream().anyMatch(e ->
        e instanceof org.asteriskjava.manager.event.MusicOnHoldStartEvent m && customer.equals(m.getChannel())));
    await("the console is told the call is on hold", () -> voice.hub.states.stream().anyMatch(st ->
        st.interaction().equals(id) && st.phase() == io.switchboard.hub.api.spi.CallState.Phase.ON_HOLD));
    assertThat(voice.refused(call, io.switchboard.hub.api.spi.CallAction.HOLD, null)).as("already on hold")
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class);
    assertThat(voice.hub.left).as("the callback goes on").noneMatch(l -> l.startsWith(id.toString()));

    voice.control(call, io.switchboard.hub.api.spi.CallAction.RESUME, null);
    await("the customer is bridged with the agent again", () -> voice.calls.events().stream().filter(e ->
        e instanceof BridgeEnterEvent b && customer.equals(b.getChannel())).count() == 2);
    await("the console is told the call talks again", () -> {
      var mine = voice.hub.states.stream().filter(st -> st.interaction().equals(id)).toList();
      return !mine.isEmpty() && mine.get(mine.size() - 1).phase() == io.switchboard.hub.api.spi.CallState.Phase.TALKING;
    });

    voice.calls.hangUp(customer);
    await("the hub hears the callback call ended", () -> voice.hub.left.contains(id + " callback call ended"));
    assertThat(voice.hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "completed")
        .containsEntry("voice.callbackAttempts", "1"));
    await("the agent's leg is hung up", () -> voice.calls.hungUp(leg));
  }

  @Test
  void aBusyCustomerIsTriedAgainThenTheCallbackIsRecordedAsFailed() throws Exception {
    Call call = callbackRequestedBy(BUSY);
    InteractionId id = call.interaction;
    String leg = offer(call);
    await("failed after the retries", () -> voice.hub.left.contains(id + " callback failed: busy after 2 attempts"));
    assertThat(voice.hub.attributeUpdatesReasons().stream().filter(r -> r.startsWith(id.toString())))
        .contains(id + " callback attempt 1 of 2: busy", id + " callback attempt 2 of 2: busy", id + " callback failed: busy after 2 attempts");
    assertThat(voice.hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "failed"));
    // The test's AMI connection may hear of the second try's channel after the adapter's FastAGI session heard "busy".
    await("the test hears of both tries' channels", () -> customerChannels(BUSY) >= 2);
    assertThat(customerChannels(BUSY)).as("the customer is dialled twice, no more").isEqualTo(2);
    await("the agent's leg is hung up", () -> voice.calls.hungUp(leg));
    await("the callback is done", () -> !voice.adapter.callbacks().contains(call));
  }

  @Test
  void aCustomerWhoDoesNotAnswerIsTriedAgainThenTheCallbackIsRecordedAsFailed() throws Exception {
    Call call = callbackRequestedBy(NEVER_ANSWERS);
    InteractionId id = call.interaction;
    offer(call);
    await("failed after two tries of 5 s ringing", () -> voice.hub.left.contains(id + " callback failed: no answer after 2 attempts"));
    assertThat(voice.hub.attributeUpdatesReasons()).contains(id + " callback attempt 1 of 2: no answer", id + " callback attempt 2 of 2: no answer");
    await("the callback is done", () -> !voice.adapter.callbacks().contains(call));
  }

  @Test
  void aNumberThatCannotBeReachedIsRecordedAsUnreachable() throws Exception {
    Call call = callbackRequestedBy("+4930100009"); // no such extension in test-customers
    InteractionId id = call.interaction;
    offer(call);
    await("failed as unreachable", () -> voice.hub.left.contains(id + " callback failed: number unreachable after 2 attempts"));
  }

  @Test
  void theAgentHangingUpWhileTheCustomersPhoneRingsRecordsTheCallbackAsFailed() throws Exception {
    Call call = callbackRequestedBy(NEVER_ANSWERS);
    InteractionId id = call.interaction;
    String leg = offer(call);
    await("the customer's phone rings", () -> channelOf(NEVER_ANSWERS) != null);
    voice.calls.hangUp(leg);
    await("recorded as failed", () -> voice.hub.left.contains(id + " callback failed: the agent hung up during attempt 1"));
    await("the customer's phone stops ringing", () -> voice.calls.events().stream().anyMatch(e -> e instanceof HangupEvent h
        && h.getChannel() != null && h.getChannel().startsWith("Local/" + NEVER_ANSWERS + "@test-customers")));
    await("the callback is done", () -> !voice.adapter.callbacks().contains(call));
  }

  @Test
  void anUnansweredOfferForACallbackStopsRingingAndTheCallbackKeepsWaiting() throws Exception {
    voice.hub.endpoints.put(AGENT, "Local/1002@test-phones/n"); // a phone nobody answers
    try {
      Call call = callbackRequestedBy(ANSWERS);
      InteractionId id = call.interaction;
      voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, AGENT));
      await("ringing", () -> call.state == Call.State.CALLBACK_RINGING);
      voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Withdrawn(id, AGENT, "offer timed out"));
      await("waits again as a callback", () -> call.state == Call.State.CALLBACK);
      assertThat(voice.hub.left).noneMatch(l -> l.startsWith(id.toString()));
      // The hub ends it (a supervisor closed it): the callback is dropped.
      voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(id, "closed by a supervisor"));
      await("dropped", () -> !voice.adapter.callbacks().contains(call));
    } finally {
      voice.hub.endpoints.put(AGENT, "Local/1001@test-phones/n");
    }
  }

  @Test
  void aWaitingCallbackTheHubHasIsTakenOnByReconciliationAndDialledNotAbandoned() throws Exception {
    // As after a hub restart: the hub has a queued callback whose caller's channel is long gone.
    InteractionId id = InteractionId.random();
    voice.hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(id, "1765000000.99", io.switchboard.hub.api.InteractionState.QUEUED,
        Map.of("voice.callback", "requested", "voice.callbackNumber", ANSWERS)));
    try {
      voice.adapter.reconcile();
    } finally {
      voice.hub.open.clear();
    }
    assertThat(voice.hub.left).noneMatch(l -> l.startsWith(id.toString()));
    Call call = voice.adapter.callbacks().stream().filter(c -> id.equals(c.interaction)).findFirst().orElseThrow();
    assertThat(call.state).isEqualTo(Call.State.CALLBACK);
    String leg = offer(call);
    await("agent and customer share a bridge", () -> bridgedWith(leg, ANSWERS));
    voice.calls.hangUp(leg); // the agent hangs up after talking
    await("the hub hears the callback call ended", () -> voice.hub.left.contains(id + " callback call ended"));
    assertThat(voice.hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "completed"));
  }

  @Test
  void aCallbackAnotherNodeDialsIsNotDialledHere() throws Exception {
    Call call = callbackRequestedBy(ANSWERS);
    String lease = AsteriskAdapter.CALLBACK_LEASE + call.interaction;
    assertThat(CallFlows.await(voice.hub.leases().acquire(lease, "another-node", java.time.Duration.ofMinutes(1)))).isTrue();
    voice.adapter.flows().events.ring(call, AGENT); // as for an offer; this node took the callback on too, but the other dials it
    assertThat(call.state).isEqualTo(Call.State.CALLBACK);
    assertThat(call.ringingLeg).isNull();
    CallFlows.await(voice.hub.leases().release(lease, "another-node"));
    voice.adapter.flows().events.ring(call, AGENT);
    assertThat(call.state).isEqualTo(Call.State.CALLBACK_RINGING);
    assertThat(CallFlows.await(voice.hub.leases().acquire(lease, "another-node", java.time.Duration.ofMinutes(1))))
        .as("this node holds the lease while it dials").isFalse();
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Withdrawn(call.interaction, AGENT, "offer timed out"));
    await("waits again as a callback", () -> call.state == Call.State.CALLBACK);
    // Given back once the phone was hung up (never while a leg rings: another node would take it for a lost one).
    await("the lease is given back when the phone stopped ringing", () -> {
      try {
        return CallFlows.await(voice.hub.leases().acquire(lease, "another-node", java.time.Duration.ofMinutes(1)));
      } catch (Exception e) {
        return false;
      }
    });
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(call.interaction, "closed by a supervisor"));
    await("dropped", () -> !voice.adapter.callbacks().contains(call));
  }

  /** How many times Asterisk made a channel to the customer's number (the ;1 halves of the Local channels dialled). */
  static long customerChannels(String number) {
    return voice.calls.count(NewChannelEvent.class, n -> n.getChannel() != null
        && n.getChannel().startsWith("Local/" + number + "@test-customers") && n.getChannel().endsWith(";1"));
  }

  /** The channel name of the customer's phone (the ;1 half of the Local channel the callback dialled). */
  static String channelOf(String number) {
    return voice.calls.lastLocal(number, "test-customers");
  }

  /** Whether the agent's leg is in a bridge with a channel of the customer's number. */
  static boolean bridgedWith(String leg, String number) {
    return voice.calls.bridgedWith(leg, "Local/" + number + "@test-customers");
  }
}
