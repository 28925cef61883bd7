package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;
import io.switchboard.hub.testsupport.RealAsterisk;

import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InboundContact;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FastAGI side over TCP without an Asterisk: a test peer plays Asterisk's protocol (environment, then one reply
 * per command). No AMI is reachable here; the adapter keeps trying to log in in the background.
 */
class FastAgiProtocolTest {
  @TempDir
  Path dir;
  Vertx vertx;
  FakeHub hub;
  AsteriskAdapter adapter;
  int port;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("ivr.yaml"), """
        entryPoints:
          - { name: sales, numbers: ["5550100"], menu: main }
        menus:
          main:
            prompts: [beep]
            options:
              "1": { set: { topic: billing }, goto: queue }
        waiting: { announceEvery: 0 }
        """);
    port = RealAsterisk.freePort();
    vertx = Vertx.vertx();
    hub = new FakeHub(vertx, Map.of("agiPort", port, "agiBind", "127.0.0.1", "amiPort", RealAsterisk.freePort(),
        "ivrFile", dir.resolve("ivr.yaml").toString()));
    adapter = new AsteriskAdapter();
    adapter.start(hub).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    adapter.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Asterisk's replies for a caller who presses 1 at the first prompt and hangs up while waiting. */
  static Function<String, String> pressOneThenHangUp(String linkedId) {
    return cmd -> {
      if (cmd.startsWith("GET FULL VARIABLE")) {
        return "200 result=1 (" + linkedId + ")";
      }
      if (cmd.startsWith("STREAM FILE")) {
        return "200 result=49 endpos=1200";
      }
      if (cmd.startsWith("WAIT FOR DIGIT")) {
        return "511 Command Not Permitted on a dead channel or intercept routine";
      }
      return "200 result=0";
    };
  }

  @Test
  void aCallBecomesOneVoiceInteractionAndARetriedRequestCreatesNothingTwice() throws Exception {
    var first = new FastAgiPeer().session(port, FastAgiPeer.env("1733.1", "+4930123456", "5550100"), pressOneThenHangUp("1733.1"));
    assertThat(first.commands).anyMatch(c -> c.startsWith("ANSWER")).anyMatch(c -> c.startsWith("STREAM FILE \"beep\""))
        .anyMatch(c -> c.startsWith("SET VARIABLE \"SB_INTERACTION\""));
    // Asterisk retries the AGI for the same call (same linkedid): the hub's intake sees the same external id again.
    new FastAgiPeer().session(port, FastAgiPeer.env("1733.1", "+4930123456", "5550100"), pressOneThenHangUp("1733.1"));
    assertThat(hub.contacts).hasSize(2).allSatisfy(c -> {
      assertThat(c.externalId()).isEqualTo("1733.1");
      assertThat(c.sender().kind()).isEqualTo(IdentityKind.PHONE);
      assertThat(c.metadata()).containsEntry("topic", "billing");
    });
    assertThat(hub.byExternalId).hasSize(1);
    InboundContact c = hub.contacts.get(0);
    assertThat(c.threadKey()).isEqualTo("1733.1");
    await(() -> hub.left.size() == 2);
    assertThat(hub.left).allMatch(l -> l.contains("caller hung up after waiting"));
  }

  @Test
  void aMalformedEnvironmentIsHungUpWithoutAnInteraction() throws Exception {
    var peer = new FastAgiPeer().session(port, FastAgiPeer.env(null, "+4930123456", "5550100"), cmd -> "200 result=0");
    assertThat(peer.commands).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.contacts).isEmpty();
  }

  @Test
  void anUnknownDialledNumberHearsNoServiceAndIsHungUp() throws Exception {
    var peer = new FastAgiPeer().session(port, FastAgiPeer.env("1734.1", "+4930123456", "999"), cmd -> "200 result=0");
    assertThat(peer.commands).anyMatch(c -> c.startsWith("STREAM FILE \"ss-noservice\"")).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.contacts).isEmpty();
  }

  @Test
  void aCallerIdThatIsNoPhoneNumberIsTakenInAsAnonymous() throws Exception {
    new FastAgiPeer().session(port, FastAgiPeer.env("1735.1", "unknown", "5550100"), pressOneThenHangUp("1735.1"));
    assertThat(hub.contacts).singleElement().satisfies(c -> {
      assertThat(c.sender().kind()).isEqualTo(IdentityKind.HANDLE);
      assertThat(c.sender().value()).isEqualTo("anonymous-1735.1");
    });
  }

  @Test
  void aHangUpInTheIvrCreatesNothing() throws Exception {
    new FastAgiPeer().session(port, FastAgiPeer.env("1736.1", "+4930123456", "5550100"),
        cmd -> cmd.startsWith("STREAM FILE") ? null : "200 result=0");
    await(() -> adapter.calls().isEmpty());
    assertThat(hub.contacts).isEmpty();
    assertThat(hub.left).isEmpty();
  }

  @Test
  void anOversizedEnvironmentLineIsHandledAndTheServerKeepsServing() throws Exception {
    var env = FastAgiPeer.env("1737.1", "+4930123456", "5550100");
    env.put("agi_calleridname", "x".repeat(1_000_000));
    new FastAgiPeer().session(port, env, pressOneThenHangUp("1737.1"));
    await(() -> adapter.calls().isEmpty());
    // The next call is served as usual.
    new FastAgiPeer().session(port, FastAgiPeer.env("1738.1", "+4930123456", "5550100"), pressOneThenHangUp("1738.1"));
    assertThat(hub.contacts).anyMatch(c -> c.externalId().equals("1738.1"));
    await(() -> adapter.calls().isEmpty());
  }

  @Test
  void aBadIvrFileKeepsTheRunningVersionAndAGoodOneIsTakenUp() throws Exception {
    Path file = dir.resolve("ivr.yaml");
    Files.writeString(file, "menus: {main: {prompts: [beep], options: {\"1\": {goto: nowhere}}}}\n");
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    Ivr before = adapter.ivr();
    int refused = adapter.ivrRefusals.get();
    await(() -> adapter.ivrRefusals.get() > refused); // the next reload read the bad file and refused it
    assertThat(adapter.ivr()).isSameAs(before);
    Files.writeString(file, """
        entryPoints:
          - { name: support, numbers: [default], menu: main }
        menus:
          main: { prompts: [beep] }
        """);
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10_000));
    await(() -> adapter.ivr() != before);
    assertThat(adapter.ivr().entryFor("123").name()).isEqualTo("support");
  }

  @Test
  void aBadIvrFileAtStartStopsTheAdapterWithEveryProblem() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "entryPoints: []\nmenus: {}\n");
    var other = new AsteriskAdapter();
    var f = other.start(new FakeHub(vertx, Map.of("agiPort", RealAsterisk.freePort(), "ivrFile", bad.toString())));
    var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
        () -> f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertThat(e.getCause().getMessage()).contains(bad + ":1: entryPoints: must list at least one entry point")
        .contains(bad + ":2: menus: must name at least one menu");
  }

  /**
   * Replies of a caller who presses 1 at the first prompt and then waits (each WAIT FOR DIGIT takes 50 ms, as
   * Asterisk's would with no key) until {@code hangUp} opens.
   */
  static Function<String, String> pressOneThenWait(String linkedId, java.util.concurrent.CountDownLatch hangUp) {
    return cmd -> {
      if (cmd.startsWith("GET FULL VARIABLE")) {
        return "200 result=1 (" + linkedId + ")";
      }
      if (cmd.startsWith("STREAM FILE")) {
        return "200 result=49 endpos=1200";
      }
      if (cmd.startsWith("WAIT FOR DIGIT")) {
        try {
          if (hangUp.await(50, TimeUnit.MILLISECONDS)) {
            return "511 Command Not Permitted on a dead channel or intercept routine";
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "200 result=0";
      }
      return "200 result=0";
    };
  }

  @Test
  void aDuplicateRequestForAChannelBeingServedIsHungUpAndDoesNotAbandonTheWaitingCall() throws Exception {
    var hangUp = new java.util.concurrent.CountDownLatch(1);
    Thread first = Thread.ofVirtual().start(() -> {
      try {
        new FastAgiPeer().session(port, FastAgiPeer.env("1740.1", "+4930123456", "5550100"), pressOneThenWait("1740.1", hangUp));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    await(() -> adapter.calls().get("1740.1") != null && adapter.calls().get("1740.1").state == Call.State.WAITING);
    Call waiting = adapter.calls().get("1740.1");
    // Asterisk sends the same channel's AGI request again while the first session still serves it.
    var duplicate = new FastAgiPeer().session(port, FastAgiPeer.env("1740.1", "+4930123456", "5550100"), pressOneThenHangUp("1740.1"));
    assertThat(hub.left).as("the waiting caller is not abandoned by the duplicate's hang-up").isEmpty();
    assertThat(duplicate.commands).anyMatch(c -> c.startsWith("HANGUP")).noneMatch(c -> c.startsWith("ANSWER"));
    assertThat(adapter.calls().get("1740.1")).isSameAs(waiting);
    assertThat(waiting.state).isEqualTo(Call.State.WAITING);
    hangUp.countDown();
    first.join();
    await(() -> hub.left.size() == 1);
    assertThat(hub.left).singleElement().asString().contains("caller hung up after waiting");
  }

  @Test
  void aSecondSessionOfTheSameCallIsHungUpAndDoesNotAbandonTheWaitingCall() throws Exception {
    var hangUp = new java.util.concurrent.CountDownLatch(1);
    Thread first = Thread.ofVirtual().start(() -> {
      try {
        new FastAgiPeer().session(port, FastAgiPeer.env("1741.1", "+4930123456", "5550100"), pressOneThenWait("1741.1", hangUp));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    await(() -> adapter.calls().get("1741.1") != null && adapter.calls().get("1741.1").state == Call.State.WAITING);
    Call waiting = adapter.calls().get("1741.1");
    // Another channel of the same call (same linkedid) reaches the IVR too: intake finds the same interaction.
    var second = new FastAgiPeer().session(port, FastAgiPeer.env("1741.2", "+4930123456", "5550100"), pressOneThenHangUp("1741.1"));
    assertThat(hub.left).as("the waiting caller is not abandoned by the second session's hang-up").isEmpty();
    assertThat(second.commands).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.byExternalId).hasSize(1);
    assertThat(waiting.state).isEqualTo(Call.State.WAITING);
    hangUp.countDown();
    first.join();
    await(() -> hub.left.size() == 1);
  }

  /**
   * Asterisk's replies for a caller the dialplan hands to this node after the node that held the call went away
   * ({@code SB_INTERACTION} set): Asterisk waits 50 ms per WAIT FOR DIGIT, and the caller hangs up once the session
   * played music a second time (waiting again, after the lease).
   */
  static Function<String, String> handedOver(String interaction, String linkedId) {
    java.util.concurrent.atomic.AtomicInteger music = new java.util.concurrent.atomic.AtomicInteger();
    return cmd -> {
      if (cmd.startsWith("GET VARIABLE") && cmd.contains("SB_INTERACTION")) {
        return interaction == null ? "200 result=0" : "200 result=1 (" + interaction + ")";
      }
      if (cmd.startsWith("GET VARIABLE") && cmd.contains("SB_DNIS")) {
        return "200 result=1 (5550100)";
      }
      if (cmd.startsWith("GET FULL VARIABLE")) {
        return "200 result=1 (" + linkedId + ")";
      }
      if (cmd.startsWith("SET MUSIC ON")) {
        music.incrementAndGet();
      }
      if (cmd.startsWith("WAIT FOR DIGIT")) {
        if (music.get() >= 2) {
          return "511 Command Not Permitted on a dead channel or intercept routine";
        }
        try {
          TimeUnit.MILLISECONDS.sleep(50); // Asterisk waits for a key
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return "200 result=0";
    };
  }

  @Test
  void aWaitingCallHandedOverFromAGoneNodeWaitsOnHereWithoutASecondIntake() throws Exception {
    var id = io.switchboard.hub.api.InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(id, "1750.1", io.switchboard.hub.api.InteractionState.QUEUED,
        Map.of("voice.uniqueId", "1750.1")));
    var peer = new FastAgiPeer().session(port, FastAgiPeer.env("1750.1", "+4930123456", "s"), handedOver(id.toString(), "1750.1"));
    assertThat(peer.commands).noneMatch(c -> c.startsWith("STREAM FILE \"beep\"")).anyMatch(c -> c.startsWith("SET MUSIC ON"));
    assertThat(hub.contacts).as("no second intake").isEmpty();
    await(() -> hub.left.size() == 1);
    assertThat(hub.left.get(0)).contains(id.toString()).contains("caller hung up after waiting");
  }

  @Test
  void aHandedOverCallWhoseOfferRangOnTheGoneNodeHasTheOfferWithdrawnAsLostAndWaitsOn() throws Exception {
    var id = io.switchboard.hub.api.InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(id, "1753.1", io.switchboard.hub.api.InteractionState.OFFERED,
        Map.of("voice.uniqueId", "1753.1")));
    var peer = new FastAgiPeer().session(port, FastAgiPeer.env("1753.1", "+4930123456", "s"), handedOver(id.toString(), "1753.1"));
    assertThat(peer.commands).anyMatch(c -> c.startsWith("SET MUSIC ON"));
    assertThat(hub.lost).containsExactly(id + " " + CallTakeover.OFFER_LOST);
    assertThat(hub.contacts).as("no second intake").isEmpty();
    await(() -> hub.left.size() == 1);
    assertThat(hub.left.get(0)).as("the caller waited on until hanging up").contains(id.toString()).contains("caller hung up after waiting");
  }

  @Test
  void aHandedOverCallWhoseInteractionEndedMeanwhileIsHungUpAndWithdrawsNothing() throws Exception {
    var id = io.switchboard.hub.api.InteractionId.random(); // ended: no longer among the open interactions
    var peer = new FastAgiPeer().session(port, FastAgiPeer.env("1754.1", "+4930123456", "s"), handedOver(id.toString(), "1754.1"));
    assertThat(peer.commands).anyMatch(c -> c.startsWith("HANGUP")).noneMatch(c -> c.startsWith("SET MUSIC ON"));
    assertThat(hub.lost).isEmpty();
    assertThat(hub.left).isEmpty();
    assertThat(hub.contacts).isEmpty();
  }

  @Test
  void aHandedOverCallWaitsUntilTheGoneNodesLeaseRunsOut() throws Exception {
    var id = io.switchboard.hub.api.InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(id, "1751.1", io.switchboard.hub.api.InteractionState.QUEUED,
        Map.of("voice.uniqueId", "1751.1")));
    // The node that died still holds the call's lease for 3 s.
    assertThat(hub.leases().acquire(CallTakeover.CALL_LEASE + id, "dead-node", java.time.Duration.ofSeconds(3))
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
    long started = System.nanoTime();
    var peer = new FastAgiPeer().session(port, FastAgiPeer.env("1751.1", "+4930123456", "s"), handedOver(id.toString(), "1751.1"));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("waited for the lease").isGreaterThanOrEqualTo(2_500);
    assertThat(peer.commands.stream().filter(c -> c.startsWith("SET MUSIC ON")).count()).isEqualTo(2);
    await(() -> hub.left.size() == 1);
    assertThat(hub.contacts).isEmpty();
  }

  @Test
  void aHandedOverCallNamingNoInteractionOfItsOwnIsHungUpAndChangesNothing() throws Exception {
    var other = io.switchboard.hub.api.InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(other, "9999.1", io.switchboard.hub.api.InteractionState.ASSIGNED,
        Map.of("voice.uniqueId", "9999.1")));
    for (String bad : java.util.List.of("not-an-id", "x".repeat(300), "\u0001\u0002", other.toString(),
        io.switchboard.hub.api.InteractionId.random().toString())) {
      var peer = new FastAgiPeer().session(port, FastAgiPeer.env("1752.1", "+4930123456", "s"), handedOver(bad, "1752.1"));
      assertThat(peer.commands).as(bad).anyMatch(c -> c.startsWith("HANGUP")).noneMatch(c -> c.startsWith("SET MUSIC ON"));
    }
    assertThat(hub.contacts).isEmpty();
    assertThat(hub.left).isEmpty();
    assertThat(hub.leases().acquire(CallTakeover.CALL_LEASE + other, "someone", java.time.Duration.ofSeconds(3))
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).as("no lease taken for another call").isTrue();
  }

  /** Asterisk's replies for a callback's agent leg handed to this node with the given channel variables. */
  static Function<String, String> agentLeg(Map<String, String> variables) {
    return cmd -> {
      if (cmd.startsWith("GET VARIABLE")) {
        String name = cmd.substring("GET VARIABLE".length()).trim().replace("\"", "");
        String v = variables.get(name);
        return v == null ? "200 result=0" : "200 result=1 (" + v + ")";
      }
      return "200 result=0";
    };
  }

  static Map<String, String> agentEnv(String uniqueId) {
    Map<String, String> env = FastAgiPeer.env(uniqueId, "+4930123456", "s");
    env.put("agi_network_script", "agent");
    env.put("agi_request", "agi://127.0.0.1/agent");
    return env;
  }

  io.switchboard.hub.api.InteractionId assignedCallback(String linkedId) {
    var id = io.switchboard.hub.api.InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(id, linkedId, io.switchboard.hub.api.InteractionState.ASSIGNED,
        Map.of("voice.callback", "requested", "voice.callbackNumber", "+4930123456")));
    return id;
  }

  @Test
  void aHandedOverCallbackLegWhoseLastTryWasAnsweredCompletesTheCallbackWithoutDiallingAgain() throws Exception {
    var id = assignedCallback("1760.1");
    String agent = io.switchboard.hub.api.AgentId.random().toString();
    var peer = new FastAgiPeer().session(port, agentEnv("1760.9"), agentLeg(Map.of("SB_CALL", id.toString(), "SB_AGENT", agent,
        "SB_CALLBACK", "1", "SB_CALLBACK_ATTEMPT", "2", "SB_CALLBACK_RECORDED", "1", "DIALSTATUS", "ANSWER")));
    assertThat(peer.commands).noneMatch(c -> c.startsWith("EXEC Dial")).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.attributeChanges).anySatisfy(c -> assertThat(c.getValue()).containsEntry("voice.callback", "completed")
        .containsEntry("voice.callbackAttempts", "2"));
    await(() -> hub.left.size() == 1);
    assertThat(hub.left.get(0)).isEqualTo(id + " callback call ended");
  }

  @Test
  void aHandedOverCallbackLegRecordsTheTryItsNodeCouldNotAndFailsWhenNoneIsLeft() throws Exception {
    var id = assignedCallback("1761.1");
    String agent = io.switchboard.hub.api.AgentId.random().toString();
    var peer = new FastAgiPeer().session(port, agentEnv("1761.9"), agentLeg(Map.of("SB_CALL", id.toString(), "SB_AGENT", agent,
        "SB_CALLBACK", "1", "SB_CALLBACK_ATTEMPT", "3", "SB_CALLBACK_RECORDED", "2", "DIALSTATUS", "NOANSWER")));
    assertThat(peer.commands).noneMatch(c -> c.startsWith("EXEC Dial")).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.attributeChanges).extracting(java.util.Map.Entry::getKey)
        .containsExactly(id + " callback attempt 3 of 3: no answer", id + " callback failed: no answer after 3 attempts");
    await(() -> hub.left.size() == 1);
    assertThat(hub.left.get(0)).isEqualTo(id + " callback failed: no answer after 3 attempts");
  }

  @Test
  void aHandedOverAgentLegNamingNoCallbackBeingWorkedIsHungUpAndChangesNothing() throws Exception {
    var waiting = io.switchboard.hub.api.InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(waiting, "1762.1", io.switchboard.hub.api.InteractionState.QUEUED,
        Map.of("voice.callback", "requested", "voice.callbackNumber", "+4930123456")));
    var plain = io.switchboard.hub.api.InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(plain, "1763.1", io.switchboard.hub.api.InteractionState.ASSIGNED, Map.of()));
    var badNumber = io.switchboard.hub.api.InteractionId.random();
    hub.open.add(new io.switchboard.hub.api.spi.OpenInteraction(badNumber, "1764.1", io.switchboard.hub.api.InteractionState.ASSIGNED,
        Map.of("voice.callback", "requested", "voice.callbackNumber", "123,,tT")));
    String agent = io.switchboard.hub.api.AgentId.random().toString();
    for (var id : java.util.List.of(waiting, plain, badNumber, io.switchboard.hub.api.InteractionId.random())) {
      var peer = new FastAgiPeer().session(port, agentEnv("1765.9"), agentLeg(Map.of("SB_CALL", id.toString(), "SB_AGENT", agent,
          "SB_CALLBACK", "1", "SB_CALLBACK_ATTEMPT", "1")));
      assertThat(peer.commands).as(id.toString()).anyMatch(c -> c.startsWith("HANGUP")).noneMatch(c -> c.startsWith("EXEC Dial"));
    }
    assertThat(hub.attributeChanges).isEmpty();
    assertThat(hub.left).isEmpty();
  }

  static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
