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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.action.HangupAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.action.PlayDtmfAction;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.NewChannelEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        exten => 1001,1,Wait(1)
         same => n,Answer()
         same => n,Wait(120)
        exten => 1002,1,Wait(120)
        [test-customers]
        exten => +4930100001,1,Wait(1)
         same => n,Answer()
         same => n,Wait(120)
        exten => +4930100002,1,Busy(5)
        exten => +4930100003,1,Wait(120)
        """);
    asterisk.ami().addEventListener(events::add);
    Path ivr = dir.resolve("ivr.yaml");
    Files.writeString(ivr, """
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
        """);
    vertx = Vertx.vertx();
    hub = new FakeHub(vertx, Map.of("agiPort", agiPort, "agiBind", "127.0.0.1", "amiPort", asterisk.amiPort,
        "ivrFile", ivr.toString(), "ringTimeout", "10s"));
    hub.endpoints.put(AGENT, "Local/1001@test-phones/n");
    adapter = new AsteriskAdapter();
    adapter.start(hub).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    AsteriskCallFlowTest.await("AMI connected", () -> adapter.ami().connected());
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

  /** A caller from {@code number} who presses 1 in the menu, waits, then presses 1 for a callback. */
  static Call callbackRequestedBy(String number) throws Exception {
    String phone = "cb-caller-" + (++calls) + "-" + System.nanoTime();
    OriginateAction o = new OriginateAction();
    o.setChannel("Local/5550100@switchboard-in/n");
    o.setApplication("Wait");
    o.setData("120");
    o.setCallerId("Caller <" + number + ">");
    o.setAsync(true);
    o.setChannelId(phone);
    o.setOtherChannelId(phone + "-2");
    o.setTimeout(30_000L);
    asterisk.ami().sendAction(o, 10_000);
    AsteriskCallFlowTest.await("the call reaches the menu", () -> callOf(phone) != null && callOf(phone).menu != null);
    press(phone, '1');
    AsteriskCallFlowTest.await("the call waits", () -> AsteriskCallFlowTest.waiting(adapter, callOf(phone)));
    Call call = callOf(phone);
    press(phone, '1');
    AsteriskCallFlowTest.await("the caller is hung up as a callback", () -> events.stream()
        .anyMatch(e -> e instanceof HangupEvent h && phone.equals(h.getUniqueId())));
    AsteriskCallFlowTest.await("the callback is held", () -> adapter.callbacks().contains(call) && call.state == Call.State.CALLBACK);
    return call;
  }

  static void press(String phone, char key) throws Exception {
    var r = asterisk.ami().sendAction(new PlayDtmfAction(phone, String.valueOf(key)), 5_000);
    assertThat(r.getResponse()).as("PlayDTMF %s: %s", key, r.getMessage()).isEqualTo("Success");
  }

  static Call callOf(String phone) {
    return adapter.calls().get(phone + "-2");
  }

  /** Offers the callback to the agent; returns the agent leg's uniqueid once the agent answered. */
  static String offer(Call call) throws Exception {
    InteractionId id = call.interaction;
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, AGENT));
    AsteriskCallFlowTest.await("the agent's phone rings", () -> call.state == Call.State.CALLBACK_RINGING && call.ringingLeg != null);
    String leg = call.ringingLeg;
    AsteriskCallFlowTest.await("the agent answers", () -> hub.answered.contains(id + " " + AGENT));
    return leg;
  }

  @Test
  void aCallbackKeepsItsPlaceThenRingsTheAgentFirstAndBridgesTheCustomerOnAnswer() throws Exception {
    Call call = callbackRequestedBy(ANSWERS);
    InteractionId id = call.interaction;
    assertThat(hub.left).noneMatch(l -> l.startsWith(id.toString()));
    assertThat(hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "requested")
        .containsEntry("voice.callbackNumber", ANSWERS));
    String leg = offer(call);
    try {
      AsteriskCallFlowTest.await("agent and customer share a bridge", () -> bridgedWith(leg, ANSWERS));
    } catch (AssertionError e) {
      events.stream().filter(ev -> ev instanceof BridgeEnterEvent || ev instanceof NewChannelEvent || ev instanceof org.asteriskjava.manager.event.DialEndEvent)
          .forEach(ev -> System.out.println("DEBUG leg=" + leg + " " + ev));
      throw e;
    }
    AsteriskCallFlowTest.await("the callback is talking", () -> call.state == Call.State.CALLBACK_TALKING);
    // The customer hangs up: the callback is recorded as made, the agent's leg ends.
    String customer = channelOf(ANSWERS);
    asterisk.ami().sendAction(new HangupAction(customer), 5_000);
    AsteriskCallFlowTest.await("the hub hears the callback call ended", () -> hub.left.contains(id + " callback call ended"));
    assertThat(hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "completed")
        .containsEntry("voice.callbackAttempts", "1"));
    AsteriskCallFlowTest.await("the agent's leg is hung up", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h && leg.equals(h.getUniqueId())));
    AsteriskCallFlowTest.await("the callback is done", () -> !adapter.callbacks().contains(call));
    // The console is told: the agent's phone rang, the agent talked with the customer, the call ended.
    assertThat(hub.states.stream().filter(st -> st.interaction().equals(id)).map(st -> st.phase()).distinct())
        .containsExactly(io.switchboard.hub.api.spi.CallState.Phase.RINGING, io.switchboard.hub.api.spi.CallState.Phase.TALKING,
            io.switchboard.hub.api.spi.CallState.Phase.ENDED);
  }

  @Test
  void aCallbackIsHeldWithMusicForTheCustomerAndResumedBridgedAgain() throws Exception {
    Call call = callbackRequestedBy(ANSWERS);
    InteractionId id = call.interaction;
    String leg = offer(call);
    AsteriskCallFlowTest.await("agent and customer share a bridge", () -> bridgedWith(leg, ANSWERS));
    AsteriskCallFlowTest.await("the callback is talking", () -> call.state == Call.State.CALLBACK_TALKING && call.customerChannel != null);
    String customer = call.customerChannel;
    assertThat(refused(call, io.switchboard.hub.api.spi.CallAction.RESUME)).as("not on hold yet")
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class);

    control(call, io.switchboard.hub.api.spi.CallAction.HOLD);
    AsteriskCallFlowTest.await("the customer hears music on hold", () -> events.stream().anyMatch(e ->
        e instanceof org.asteriskjava.manager.event.MusicOnHoldStartEvent m && customer.equals(m.getChannel())));
    AsteriskCallFlowTest.await("the console is told the call is on hold", () -> hub.states.stream().anyMatch(st ->
        st.interaction().equals(id) && st.phase() == io.switchboard.hub.api.spi.CallState.Phase.ON_HOLD));
    assertThat(refused(call, io.switchboard.hub.api.spi.CallAction.HOLD)).as("already on hold")
        .isInstanceOf(io.switchboard.hub.api.error.ConflictException.class);
    assertThat(hub.left).as("the callback goes on").noneMatch(l -> l.startsWith(id.toString()));

    control(call, io.switchboard.hub.api.spi.CallAction.RESUME);
    AsteriskCallFlowTest.await("the customer is bridged with the agent again", () -> events.stream().filter(e ->
        e instanceof BridgeEnterEvent b && customer.equals(b.getChannel())).count() == 2);
    AsteriskCallFlowTest.await("the console is told the call talks again", () -> {
      var mine = hub.states.stream().filter(st -> st.interaction().equals(id)).toList();
      return !mine.isEmpty() && mine.get(mine.size() - 1).phase() == io.switchboard.hub.api.spi.CallState.Phase.TALKING;
    });

    asterisk.ami().sendAction(new HangupAction(customer), 5_000);
    AsteriskCallFlowTest.await("the hub hears the callback call ended", () -> hub.left.contains(id + " callback call ended"));
    assertThat(hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "completed")
        .containsEntry("voice.callbackAttempts", "1"));
    AsteriskCallFlowTest.await("the agent's leg is hung up", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h && leg.equals(h.getUniqueId())));
  }

  static void control(Call call, io.switchboard.hub.api.spi.CallAction action) throws Exception {
    adapter.control(call.interaction, action, null).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static Throwable refused(Call call, io.switchboard.hub.api.spi.CallAction action) {
    try {
      control(call, action);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void aBusyCustomerIsTriedAgainThenTheCallbackIsRecordedAsFailed() throws Exception {
    Call call = callbackRequestedBy(BUSY);
    InteractionId id = call.interaction;
    String leg = offer(call);
    AsteriskCallFlowTest.await("failed after the retries", () -> hub.left.contains(id + " callback failed: busy after 2 attempts"));
    assertThat(hub.attributeUpdatesReasons().stream().filter(r -> r.startsWith(id.toString())))
        .contains(id + " callback attempt 1 of 2: busy", id + " callback attempt 2 of 2: busy", id + " callback failed: busy after 2 attempts");
    assertThat(hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "failed"));
    assertThat(events.stream().filter(e -> e instanceof NewChannelEvent n && n.getChannel() != null
        && n.getChannel().startsWith("Local/" + BUSY + "@test-customers") && n.getChannel().endsWith(";1"))).hasSize(2);
    AsteriskCallFlowTest.await("the agent's leg is hung up", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h && leg.equals(h.getUniqueId())));
    AsteriskCallFlowTest.await("the callback is done", () -> !adapter.callbacks().contains(call));
  }

  @Test
  void aCustomerWhoDoesNotAnswerIsTriedAgainThenTheCallbackIsRecordedAsFailed() throws Exception {
    Call call = callbackRequestedBy(NEVER_ANSWERS);
    InteractionId id = call.interaction;
    offer(call);
    AsteriskCallFlowTest.await("failed after two tries of 5 s ringing", () -> hub.left.contains(id + " callback failed: no answer after 2 attempts"));
    assertThat(hub.attributeUpdatesReasons()).contains(id + " callback attempt 1 of 2: no answer", id + " callback attempt 2 of 2: no answer");
    AsteriskCallFlowTest.await("the callback is done", () -> !adapter.callbacks().contains(call));
  }

  @Test
  void aNumberThatCannotBeReachedIsRecordedAsUnreachable() throws Exception {
    Call call = callbackRequestedBy("+4930100009"); // no such extension in test-customers
    InteractionId id = call.interaction;
    offer(call);
    AsteriskCallFlowTest.await("failed as unreachable", () -> hub.left.contains(id + " callback failed: number unreachable after 2 attempts"));
  }

  @Test
  void theAgentHangingUpWhileTheCustomersPhoneRingsRecordsTheCallbackAsFailed() throws Exception {
    Call call = callbackRequestedBy(NEVER_ANSWERS);
    InteractionId id = call.interaction;
    String leg = offer(call);
    AsteriskCallFlowTest.await("the customer's phone rings", () -> channelOf(NEVER_ANSWERS) != null);
    asterisk.ami().sendAction(new HangupAction(leg), 5_000);
    AsteriskCallFlowTest.await("recorded as failed", () -> hub.left.contains(id + " callback failed: the agent hung up during attempt 1"));
    AsteriskCallFlowTest.await("the customer's phone stops ringing", () -> events.stream().anyMatch(e -> e instanceof HangupEvent h
        && h.getChannel() != null && h.getChannel().startsWith("Local/" + NEVER_ANSWERS + "@test-customers")));
    AsteriskCallFlowTest.await("the callback is done", () -> !adapter.callbacks().contains(call));
  }

  @Test
  void anUnansweredOfferForACallbackStopsRingingAndTheCallbackKeepsWaiting() throws Exception {
    hub.endpoints.put(AGENT, "Local/1002@test-phones/n"); // a phone nobody answers
    try {
      Call call = callbackRequestedBy(ANSWERS);
      InteractionId id = call.interaction;
      adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, AGENT));
      AsteriskCallFlowTest.await("ringing", () -> call.state == Call.State.CALLBACK_RINGING);
      adapter.onInteractionEvent(new InteractionLifecycleEvent.Withdrawn(id, AGENT, "offer timed out"));
      AsteriskCallFlowTest.await("waits again as a callback", () -> call.state == Call.State.CALLBACK);
      assertThat(hub.left).noneMatch(l -> l.startsWith(id.toString()));
      // The hub ends it (a supervisor closed it): the callback is dropped.
      adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(id, "closed by a supervisor"));
      AsteriskCallFlowTest.await("dropped", () -> !adapter.callbacks().contains(call));
    } finally {
      hub.endpoints.put(AGENT, "Local/1001@test-phones/n");
    }
  }

  @Test
  void aWaitingCallbackTheHubHasIsTakenOnByReconciliationAndDialledNotAbandoned() throws Exception {
    // As after a hub restart: the hub has a queued callback whose caller's channel is long gone.
    InteractionId id = InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(id, "1765000000.99", io.switchboard.hub.api.InteractionState.QUEUED,
        Map.of("voice.callback", "requested", "voice.callbackNumber", ANSWERS)));
    try {
      adapter.reconcile();
    } finally {
      hub.open.clear();
    }
    assertThat(hub.left).noneMatch(l -> l.startsWith(id.toString()));
    Call call = adapter.callbacks().stream().filter(c -> id.equals(c.interaction)).findFirst().orElseThrow();
    assertThat(call.state).isEqualTo(Call.State.CALLBACK);
    String leg = offer(call);
    AsteriskCallFlowTest.await("agent and customer share a bridge", () -> bridgedWith(leg, ANSWERS));
    asterisk.ami().sendAction(new HangupAction(leg), 5_000); // the agent hangs up after talking
    AsteriskCallFlowTest.await("the hub hears the callback call ended", () -> hub.left.contains(id + " callback call ended"));
    assertThat(hub.changesOf(id)).anySatisfy(a -> assertThat(a).containsEntry("voice.callback", "completed"));
  }

  @Test
  void aCallbackAnotherNodeDialsIsNotDialledHere() throws Exception {
    Call call = callbackRequestedBy(ANSWERS);
    String lease = AsteriskAdapter.CALLBACK_LEASE + call.interaction;
    assertThat(CallFlows.await(hub.leases().acquire(lease, "another-node", java.time.Duration.ofMinutes(1)))).isTrue();
    adapter.flows().events.ring(call, AGENT); // as for an offer; this node took the callback on too, but the other dials it
    assertThat(call.state).isEqualTo(Call.State.CALLBACK);
    assertThat(call.ringingLeg).isNull();
    CallFlows.await(hub.leases().release(lease, "another-node"));
    adapter.flows().events.ring(call, AGENT);
    assertThat(call.state).isEqualTo(Call.State.CALLBACK_RINGING);
    assertThat(CallFlows.await(hub.leases().acquire(lease, "another-node", java.time.Duration.ofMinutes(1))))
        .as("this node holds the lease while it dials").isFalse();
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Withdrawn(call.interaction, AGENT, "offer timed out"));
    AsteriskCallFlowTest.await("waits again as a callback", () -> call.state == Call.State.CALLBACK);
    assertThat(CallFlows.await(hub.leases().acquire(lease, "another-node", java.time.Duration.ofMinutes(1))))
        .as("the lease is given back when the phone stops ringing").isTrue();
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(call.interaction, "closed by a supervisor"));
    AsteriskCallFlowTest.await("dropped", () -> !adapter.callbacks().contains(call));
  }

  /** The channel name of the customer's phone (the ;1 half of the Local channel the callback dialled). */
  static String channelOf(String number) {
    return events.stream().filter(e -> e instanceof NewChannelEvent n && n.getChannel() != null
            && n.getChannel().startsWith("Local/" + number + "@test-customers") && n.getChannel().endsWith(";1"))
        .map(e -> ((NewChannelEvent) e).getChannel()).reduce((a, b) -> b).orElse(null);
  }

  /** Whether the agent's leg is in a bridge with a channel of the customer's number. */
  static boolean bridgedWith(String leg, String number) {
    for (ManagerEvent e : events) {
      if (e instanceof BridgeEnterEvent b && leg.equals(b.getUniqueId())) {
        return events.stream().anyMatch(o -> o instanceof BridgeEnterEvent ob && ob.getBridgeUniqueId().equals(b.getBridgeUniqueId())
            && ob.getChannel() != null && ob.getChannel().startsWith("Local/" + number + "@test-customers"));
      }
    }
    return false;
  }
}
