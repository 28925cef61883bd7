package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.hub.api.spi.OpenInteraction;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.asteriskjava.manager.action.HangupAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.action.PlayDtmfAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asterisk crashes (SIGKILL: every channel gone, no hang-up events) and comes back on the same AMI port while the
 * adapter runs: the adapter's AMI connection comes back by itself, reconciles at once, and again periodically. No
 * interaction stays waiting or assigned for a channel that is gone, and calls placed after the restart are kept.
 */
class AmiReconnectTest {
  static final AgentId AGENT = AgentId.random();

  RealAsterisk asterisk;
  Vertx vertx;
  FakeHub hub;
  AsteriskAdapter adapter;
  int calls;

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(RealAsterisk.home() != null, "no Asterisk installed (set SWITCHBOARD_ASTERISK_HOME)");
    int agiPort = RealAsterisk.freePort();
    asterisk = RealAsterisk.start(RealAsterisk.sampleDialplan(agiPort) + """
        [test-phones]
        exten => 1001,1,Answer()
         same => n,Wait(120)
        """);
    Path ivr = dir.resolve("ivr.yaml");
    Files.writeString(ivr, """
        entryPoints:
          - { name: main, numbers: [default], menu: main }
        menus:
          main:
            prompts: [beep]
            timeout: 3s
            options:
              "1": { goto: queue }
        waiting: { announceEvery: 0s }
        """);
    vertx = Vertx.vertx();
    hub = new FakeHub(vertx, Map.of("agiPort", agiPort, "agiBind", "127.0.0.1", "amiPort", asterisk.amiPort,
        "ivrFile", ivr.toString(), "reconcileEvery", "1s"));
    hub.endpoints.put(AGENT, "Local/1001@test-phones/n");
    adapter = new AsteriskAdapter();
    adapter.start(hub).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    await("AMI connected", () -> adapter.ami().connected());
  }

  @AfterEach
  void stop() throws Exception {
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

  /** Places a call that presses 1 in the menu; tries again when a just restarted Asterisk refused the Originate. */
  String dial(String callerId) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return dialOnce(callerId);
      } catch (AssertionError e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  String dialOnce(String callerId) throws Exception {
    String phone = "rc-caller-" + (++calls) + "-" + System.nanoTime();
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
    await("the call reaches the IVR", Duration.ofSeconds(15), () -> callOf(phone) != null && callOf(phone).menu != null);
    var r = asterisk.ami().sendAction(new PlayDtmfAction(phone, "1"), 5_000);
    assertThat(r.getResponse()).isEqualTo("Success");
    await("the call is queued", () -> AdapterOnAsterisk.waiting(adapter, callOf(phone)));
    return phone;
  }

  Call callOf(String phone) {
    return adapter.calls().get(phone + "-2");
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    await(what, Duration.ofSeconds(60), condition);
  }

  static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Test
  void afterAnAsteriskCrashNoInteractionWaitsForAGoneChannelAndNewCallsAreKept() throws Exception {
    String waiting = dial("+4930700100");
    Call waitingCall = callOf(waiting);
    String talking = dial("+4930700200");
    Call talkingCall = callOf(talking);
    adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(talkingCall.interaction, AGENT));
    await("bridged", () -> talkingCall.state == Call.State.TALKING);
    // The hub's view: both calls, plus one left over from before (as after a hub restart).
    InteractionId leftOver = InteractionId.random();
    hub.open.add(new OpenInteraction(leftOver, "1733000000.77", InteractionState.QUEUED));
    hub.open.add(new OpenInteraction(waitingCall.interaction, waitingCall.linkedId, InteractionState.QUEUED));
    hub.open.add(new OpenInteraction(talkingCall.interaction, talkingCall.linkedId, InteractionState.ASSIGNED));

    long crashed = System.nanoTime();
    asterisk.crashAndRestart();
    await("the adapter's AMI connection is back", () -> adapter.ami().connected());
    long back = System.nanoTime();
    for (InteractionId id : new InteractionId[] {leftOver, waitingCall.interaction, talkingCall.interaction}) {
      await("the hub hears " + id + " is gone", () -> hub.left.stream().anyMatch(l -> l.startsWith(id.toString())));
    }
    long reconciled = System.nanoTime();
    assertThat(adapter.calls()).as("no call of the crashed Asterisk is held").isEmpty();
    hub.open.clear();
    System.out.printf("Asterisk crash → AMI back %d ms, → every gone call reported %d ms%n",
        (back - crashed) / 1_000_000, (reconciled - crashed) / 1_000_000);

    // A call placed after the restart is kept by the periodic reconciliation, also while the hub lists it.
    String fresh = dial("+4930700300");
    Call freshCall = callOf(fresh);
    hub.open.add(new OpenInteraction(freshCall.interaction, freshCall.linkedId, InteractionState.QUEUED));
    int before = adapter.reconciliations.get();
    await("two more periodic reconciliations", () -> adapter.reconciliations.get() >= before + 2);
    assertThat(hub.left).noneMatch(l -> l.startsWith(freshCall.interaction.toString()));
    assertThat(callOf(fresh)).isSameAs(freshCall);
    asterisk.ami().sendAction(new HangupAction(fresh), 5_000);
    await("the fresh call ends as usual", () -> hub.left.stream().anyMatch(l -> l.startsWith(freshCall.interaction.toString())));
  }

  @Test
  void anInteractionWhoseChannelIsGoneIsClosedWithoutAnyReconnect() throws Exception {
    // A hang-up the adapter never heard of (an AMI event lost, a session on a node that died): the hub still lists the
    // call as waiting while AMI stays connected. Before periodic reconciliation it waited until the next AMI login.
    await("the reconciliations of the login (after login() and on its ConnectEvent) are done", () -> hub.openReads.get() >= 2);
    InteractionId stale = InteractionId.random();
    hub.open.add(new OpenInteraction(stale, "1733000000.88", InteractionState.QUEUED));
    await("the stale interaction is reported gone", () -> hub.left.contains(stale + " call gone in Asterisk (reconciled)"));
  }
}
