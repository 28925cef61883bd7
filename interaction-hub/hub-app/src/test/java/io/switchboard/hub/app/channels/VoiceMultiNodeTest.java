package io.switchboard.hub.app.channels;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.routing.RoutingFixture;
import io.switchboard.hub.core.cluster.ClusterEvents;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.switchboard.voice.testkit.AsteriskCalls;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.action.PlayDtmfAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two hub nodes sharing PostgreSQL and Redis, one real Asterisk 22 (skipped where none is installed): calls come in
 * through node A (the dialplan's {@code HUB}); node A is closed mid-call and node B takes the call over (its lease, its
 * control): a talking call is held, resumed, transferred and hung up from B; a waiting caller waits on at B and is
 * bridged to the agent B's router picks. Agents' consoles are on node B.
 */
@DisplayName("voice calls on two hub nodes: a node that goes away hands its calls over")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VoiceMultiNodeTest {
  @RegisterExtension
  static final PrivateAsterisk asterisk = PrivateAsterisk.with(TestPhones.context("test-phones")
          .answersAfter("1001", 1).answersAfter("1002", 1)
          .exten("1003", ringsFirstThenAnswers("1003")).exten("1004", ringsFirstThenAnswers("1004"))
          .exten("1005", ringsFirstThenAnswers("1005"))
          .and("test-customers").busy("_+X.")
          .answers("_+493050061X")) // these customers answer a callback
      .nodes(2).callerPrefix("mn-caller").ivr("""
          entryPoints:
            - { name: main-line, numbers: ["5550100"], menu: main }
          menus:
            main:
              prompts: [beep]
              timeout: 5s
              options:
                "1": { set: { ivr.topic: billing }, goto: queue }
                "2": { set: { ivr.topic: general }, goto: queue }
          waiting:
            announceEvery: 0
            callback: { key: "9", prompts: [beep], confirm: [beep] }
          callbacks: { dial: "Local/{number}@test-customers", attempts: 3, retryDelay: 5s, ringTimeout: 5s, agentPrompts: [beep] }
          """);
  static Path configA;
  static Path configB;
  static int portB;
  static AsteriskCalls calls;
  TestHub a;
  TestHub b;
  RoutingFixture fx;

  /** A phone that rings without answering the first time it is called, and answers every later call after 1 s. */
  static String[] ringsFirstThenAnswers(String exten) {
    String rung = "RUNG" + exten;
    return new String[] {"Set(GLOBAL(" + rung + ")=$[0${" + rung + "} + 1])", "GotoIf($[${" + rung + "} = 1]?6)", "Wait(1)",
        "Answer()", "Wait(120)", "Ringing()", "Wait(120)"};
  }

  /**
   * The first interaction queued, on whichever node queued it: queueing is heard on the node that queued (the one the
   * call came in on), not sent to the others ({@code ClusterEvents.BRIDGED}).
   */
  CompletableFuture<JsonObject> queuedOnEitherNode() throws Exception {
    CompletableFuture<JsonObject> first = new CompletableFuture<>();
    for (TestHub node : List.of(a, b)) {
      MessageConsumer<JsonObject> c = node.hub().vertx().eventBus().consumer(RoutingService.INTERACTION_QUEUED,
          m -> first.complete(m.body()));
      c.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      first.whenComplete((v, e) -> c.unregister());
    }
    return first;
  }

  @BeforeAll
  static void nodes() {
    calls = asterisk.calls();
    portB = asterisk.agiPort(1);
    configA = node(asterisk.agiPort(0));
    configB = node(portB);
  }

  static Path node(int agiPort) {
    return TestHub.configWithChannel(VoiceChannelTest.RULES, "voice", Map.of("agiBind", "127.0.0.1", "agiPort", agiPort,
        "agiAddress", "127.0.0.1:" + agiPort, "amiPort", asterisk.amiPort(), "ivrFile", asterisk.ivrFile().toString(),
        "ringTimeout", "15s", "callLease", "6s"));
  }

  @BeforeEach
  void startNodes() {
    a = TestHub.startWith(Map.of("SWITCHBOARD_VOICE_AMI_SECRET", RealAsterisk.AMI_SECRET), configA);
    b = a.sibling(configB);
    fx = new RoutingFixture(b);
  }

  @AfterEach
  void stopNodes() {
    fx.close();
    b.close();
    a.close();
  }

  @Test
  @DisplayName("a talking call is taken over by the other node: hold, resume, transfer and hang-up work from it")
  void aTalkingCallIsTakenOverAndControlledFromTheOtherNode() throws Exception {
    String admin = bearer(b.login("ada", "ada-demo-pw"));
    String alice = fx.available("alice");
    String aliceId = b.get("/api/v1/auth/me", alice).json().getString("id");
    phone(admin, aliceId, "1001");
    String callState = ClusterEvents.address(ClusterEvents.CALL_STATE);
    var offered = fx.expect(ClusterEvents.address(RoutingService.OFFER_CREATED), e -> "voice".equals(e.getString("channel")));
    var talking = fx.expect(callState, e -> "talking".equals(e.getString("state")));
    String phone = dial();
    calls.press(phone, "1");
    String id = RoutingFixture.await(offered).getString("interactionId");
    RoutingFixture.await(talking);
    AsteriskCalls.await("caller and agent are bridged (through node A)", () -> calls.bridges(phone + "-2") == 1);

    // Node A goes away mid-call; the call talks on in Asterisk and node B takes it over.
    var takenOver = fx.expect(callState, e -> id.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    a.close();
    JsonObject again = RoutingFixture.await(takenOver);
    assertThat(again.getString("agentId")).isEqualTo(aliceId);
    assertThat(calls.variable(phone + "-2", "SB_HUB")).as("the dialplan now reaches node B first").isEqualTo("127.0.0.1:" + portB);
    assertThat(calls.hungUp(phone)).as("the call survived its node").isFalse();
    assertThat(b.get("/api/v1/interactions/" + id, alice).json().getString("state")).isEqualTo("assigned");

    // Hold from node B: the agent's leg leaves the bridge, the caller comes back from Asterisk to node B.
    var onHold = fx.expect(callState, e -> id.equals(e.getString("interactionId")) && "on_hold".equals(e.getString("state")));
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hold", alice, "").status()).isEqualTo(202);
    RoutingFixture.await(onHold);
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hold", alice, "").status()).as("already on hold").isEqualTo(409);
    var resumed = fx.expect(callState, e -> id.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    assertThat(b.post("/api/v1/interactions/" + id + "/call/resume", alice, "").status()).isEqualTo(202);
    RoutingFixture.await(resumed);
    AsteriskCalls.await("caller and agent are bridged again by node B", () -> calls.bridges(phone + "-2") == 2);

    // Blind transfer to bob from node B: alice's leg is hung up, bob's phone rings and is bridged.
    String bob = fx.available("bob");
    String bobId = b.get("/api/v1/auth/me", bob).json().getString("id");
    phone(admin, bobId, "1002");
    var toBob = fx.expect(ClusterEvents.address(RoutingService.OFFER_CREATED), e -> id.equals(e.getString("interactionId")) && bobId.equals(e.getString("agentId")));
    var transfer = b.post("/api/v1/interactions/" + id + "/transfer", alice, new JsonObject().put("agentId", bobId).encode());
    assertThat(transfer.status()).as(transfer.body()).isBetween(200, 204);
    RoutingFixture.await(toBob);
    AsteriskCalls.await("the caller is bridged with bob's phone", () -> calls.bridges(phone + "-2") == 3);
    assertThat(calls.hungUp(phone)).isFalse();

    // Hang-up from node B.
    var left = fx.expect(ClusterEvents.address(ChannelRuntime.CUSTOMER_LEFT), e -> id.equals(e.getString("interactionId")));
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hangup", bob, "").status()).isEqualTo(202);
    assertThat(RoutingFixture.await(left).getBoolean("abandoned")).isFalse();
    AsteriskCalls.await("the caller's phone is hung up", () -> calls.hungUp(phone));
  }

  @Test
  @DisplayName("a waiting caller is taken over by the other node and bridged to the agent it picks")
  void aWaitingCallerIsTakenOverByTheOtherNode() throws Exception {
    String admin = bearer(b.login("ada", "ada-demo-pw"));
    String alice = bearer(b.login("alice", "alice-demo-pw"));
    String aliceId = b.get("/api/v1/auth/me", alice).json().getString("id");
    phone(admin, aliceId, "1001");
    var queued = queuedOnEitherNode();
    String phone = dial();
    calls.press(phone, "2");
    String id = RoutingFixture.await(queued).getString("interactionId");
    var left = fx.expect(ClusterEvents.address(ChannelRuntime.CUSTOMER_LEFT), e -> id.equals(e.getString("interactionId")));

    a.close();
    AsteriskCalls.await("node B serves the caller", () -> ("127.0.0.1:" + portB).equals(calls.variable(phone + "-2", "SB_HUB")));
    assertThat(calls.hungUp(phone)).isFalse();
    assertThat(b.get("/api/v1/interactions/" + id, admin).json().getString("state")).isEqualTo("queued");

    var offered = fx.expect(ClusterEvents.address(RoutingService.OFFER_CREATED), e -> id.equals(e.getString("interactionId")));
    fx.available("alice");
    assertThat(RoutingFixture.await(offered).getString("agentId")).isEqualTo(aliceId);
    AsteriskCalls.await("the caller is bridged with alice's phone by node B", () -> calls.bridges(phone + "-2") == 1);
    assertThat(left).as("the caller never left").isNotDone();
    assertThat(b.get("/api/v1/interactions/" + id, admin).json().getString("state")).isEqualTo("assigned");
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hangup", alice, "").status()).isEqualTo(202);
    assertThat(RoutingFixture.await(left).getBoolean("abandoned")).isFalse();
  }

  @Test
  @DisplayName("a callback whose node goes away between tries is dialled on by the other node: no try lost, none twice")
  void aCallbackBeingDialledIsTakenOverByTheOtherNode() throws Exception {
    String admin = bearer(b.login("ada", "ada-demo-pw"));
    String alice = bearer(b.login("alice", "alice-demo-pw"));
    String aliceId = b.get("/api/v1/auth/me", alice).json().getString("id");
    phone(admin, aliceId, "1001");
    var queued = queuedOnEitherNode();
    String phone = dial();
    calls.press(phone, "2");
    String id = RoutingFixture.await(queued).getString("interactionId");
    // The caller asks for a callback (a key press may fall between two AGI commands: press again until it counts).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"requested".equals(attribute(id, admin, "voice.callback"))) {
      assertThat(System.nanoTime()).as("the callback is requested in time").isLessThan(deadline);
      asterisk.real().ami().sendAction(new PlayDtmfAction(phone, "9"), 5_000); // fails harmlessly once hung up
      long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (!"requested".equals(attribute(id, admin, "voice.callback")) && System.nanoTime() < next) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
    AsteriskCalls.await("the caller is hung up", () -> calls.hungUp(phone));

    // Alice takes it: node A rings her phone and dials the customer (busy) from her leg; node A goes away between tries.
    fx.available("alice");
    AsteriskCalls.await("node A made the first try", () -> "1".equals(attribute(id, admin, "voice.callbackAttempts")));
    var left = fx.expect(ClusterEvents.address(ChannelRuntime.CUSTOMER_LEFT), e -> id.equals(e.getString("interactionId")));
    a.close();
    JsonObject gone = RoutingFixture.await(left);
    assertThat(gone.getString("reason")).isEqualTo("callback failed: busy after 3 attempts");
    JsonObject detail = b.get("/api/v1/interactions/" + id, admin).json();
    assertThat(detail.getJsonObject("attributes").getString("voice.callback")).isEqualTo("failed");
    assertThat(detail.getJsonObject("attributes").getString("voice.callbackAttempts")).isEqualTo("3");
    List<String> reasons = detail.getJsonArray("transitions").stream().map(o -> ((JsonObject) o).getString("reason"))
        .filter(java.util.Objects::nonNull).toList();
    for (int n = 1; n <= 3; n++) {
      String attempt = "callback attempt " + n + " of 3: busy";
      assertThat(reasons.stream().filter(attempt::equals).count()).as(attempt).isEqualTo(1);
    }
    assertThat(customerDials()).as("the customer was dialled three times in all").isEqualTo(3);
  }

  @Test
  @DisplayName("an offer ringing when its node goes away is withdrawn at once, not missed: the phone stops, the caller is offered again and bridged")
  void anOfferRingingWhenItsNodeGoesAwayIsWithdrawnAndOfferedAgain() throws Exception {
    String admin = bearer(b.login("ada", "ada-demo-pw"));
    String alice = fx.available("alice");
    String aliceId = b.get("/api/v1/auth/me", alice).json().getString("id");
    phone(admin, aliceId, "1003");
    String offerCreated = ClusterEvents.address(RoutingService.OFFER_CREATED);
    var offered = fx.expect(offerCreated, e -> "voice".equals(e.getString("channel")));
    String phone = dial();
    calls.press(phone, "2");
    String id = RoutingFixture.await(offered).getString("interactionId");
    AsteriskCalls.await("alice's phone rings (rung by node A)", () -> ringingLegs("1003").size() == 1);
    String firstLeg = ringingLegs("1003").get(0);
    var offeredAgain = fx.expect(offerCreated, e -> id.equals(e.getString("interactionId")));
    var left = fx.expect(ClusterEvents.address(ChannelRuntime.CUSTOMER_LEFT), e -> id.equals(e.getString("interactionId")));

    // Node A goes away while alice's phone rings (the offer's timeout is 20 s, the ring's 15 s).
    long gone = System.nanoTime();
    a.close();
    assertThat(RoutingFixture.await(offeredAgain).getString("agentId")).as("offered to alice again, not kept away from her")
        .isEqualTo(aliceId);
    long reOffered = System.nanoTime();
    AsteriskCalls.await("the phone node A rang is hung up", () -> calls.hungUp(firstLeg));
    AsteriskCalls.await("the caller is bridged with alice's phone by node B", () -> calls.bridges(phone + "-2") == 1);
    long bridged = System.nanoTime();
    System.out.printf("node A closed -> offered again %d ms, -> bridged %d ms%n", (reOffered - gone) / 1_000_000,
        (bridged - gone) / 1_000_000);
    assertThat(left).as("the caller never left").isNotDone();
    JsonObject detail = b.get("/api/v1/interactions/" + id, admin).json();
    assertThat(detail.getString("state")).isEqualTo("assigned");
    List<String> reasons = detail.getJsonArray("transitions").stream().map(o -> ((JsonObject) o).getString("reason"))
        .filter(java.util.Objects::nonNull).toList();
    assertThat(reasons).as("withdrawn because its node went away, not timed out")
        .contains("the hub node ringing the agent's phone went away").doesNotContain("offer timed out");
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hangup", alice, "").status()).isEqualTo(202);
    assertThat(RoutingFixture.await(left).getBoolean("abandoned")).isFalse();
  }

  /** The ;1 halves of the Local channels rung on phone {@code exten} that are still up, by uniqueid. */
  static List<String> ringingLegs(String exten) {
    return calls.events().stream().filter(e -> e instanceof org.asteriskjava.manager.event.NewChannelEvent n && n.getChannel() != null
            && n.getChannel().startsWith("Local/" + exten + "@test-phones-") && n.getChannel().endsWith(";1"))
        .map(e -> ((org.asteriskjava.manager.event.NewChannelEvent) e).getUniqueId()).filter(u -> !calls.hungUp(u)).toList();
  }

  @Test
  @DisplayName("a callback offer ringing when its node goes away is withdrawn at once, not missed: the phone stops, it is offered again and dialled")
  void aCallbackOfferRingingWhenItsNodeGoesAwayIsWithdrawnAndOfferedAgain() throws Exception {
    String admin = bearer(b.login("ada", "ada-demo-pw"));
    String alice = bearer(b.login("alice", "alice-demo-pw"));
    String aliceId = b.get("/api/v1/auth/me", alice).json().getString("id");
    phone(admin, aliceId, "1004");
    String id = callbackRequested("+4930500613", admin);
    String offerCreated = ClusterEvents.address(RoutingService.OFFER_CREATED);
    var offered = fx.expect(offerCreated, e -> id.equals(e.getString("interactionId")));
    fx.available("alice");
    RoutingFixture.await(offered);
    AsteriskCalls.await("alice's phone rings for the callback (rung by node A)", () -> ringingLegs("1004").size() == 1);
    String firstLeg = ringingLegs("1004").get(0);
    var offeredAgain = fx.expect(offerCreated, e -> id.equals(e.getString("interactionId")));
    var talking = fx.expect(ClusterEvents.address(ClusterEvents.CALL_STATE),
        e -> id.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    var left = fx.expect(ClusterEvents.address(ChannelRuntime.CUSTOMER_LEFT), e -> id.equals(e.getString("interactionId")));

    // Node A goes away while alice's phone rings for the callback (offer timeout 20 s, ring 15 s): no caller comes back
    // to hand over; node B's takeover pass finds the phone ringing for a callback nobody holds.
    long gone = System.nanoTime();
    a.close();
    assertThat(RoutingFixture.await(offeredAgain).getString("agentId")).as("offered to alice again, not kept away from her")
        .isEqualTo(aliceId);
    long reOffered = System.nanoTime();
    AsteriskCalls.await("the phone node A rang is hung up", () -> calls.hungUp(firstLeg));
    RoutingFixture.await(talking);
    String customer = customerLeg("+4930500613");
    AsteriskCalls.await("node B dialled the customer from alice's leg and they talk", () -> calls.bridges(customer) == 1);
    System.out.printf("node A closed -> callback offered again %d ms, -> customer talking %d ms%n", (reOffered - gone) / 1_000_000,
        (System.nanoTime() - gone) / 1_000_000);
    JsonObject detail = b.get("/api/v1/interactions/" + id, admin).json();
    assertThat(detail.getString("state")).isEqualTo("assigned");
    List<String> reasons = detail.getJsonArray("transitions").stream().map(o -> ((JsonObject) o).getString("reason"))
        .filter(java.util.Objects::nonNull).toList();
    assertThat(reasons).as("withdrawn because its node went away, not timed out")
        .contains("the hub node ringing the agent's phone went away").doesNotContain("offer timed out");
    assertThat(left).as("the callback goes on").isNotDone();
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hangup", alice, "").status()).isEqualTo(202);
    assertThat(RoutingFixture.await(left).getString("reason")).isEqualTo("callback call ended");
    AsteriskCalls.await("the customer's phone is hung up", () -> calls.hungUp(customer));
  }

  @Test
  @DisplayName("a callback accepted on the console while its phone rang, whose node goes away: the other node rings the agent's phone again and dials the customer")
  void aCallbackAcceptedWhileItsPhoneRangIsRungAgainByTheOtherNode() throws Exception {
    String admin = bearer(b.login("ada", "ada-demo-pw"));
    String alice = bearer(b.login("alice", "alice-demo-pw"));
    String aliceId = b.get("/api/v1/auth/me", alice).json().getString("id");
    phone(admin, aliceId, "1005");
    String id = callbackRequested("+4930500614", admin);
    String offerCreated = ClusterEvents.address(RoutingService.OFFER_CREATED);
    var offered = fx.expect(offerCreated, e -> id.equals(e.getString("interactionId")));
    String console = fx.available("alice");
    RoutingFixture.await(offered);
    AsteriskCalls.await("alice's phone rings for the callback (rung by node A)", () -> ringingLegs("1005").size() == 1);
    String firstLeg = ringingLegs("1005").get(0);
    // Alice accepts on the console (as the console's Accept button does) while her phone rings: assigned, nobody dialled.
    assertThat(b.post("/api/v1/interactions/" + id + "/accept", console, "").status()).isEqualTo(204);
    assertThat(b.get("/api/v1/interactions/" + id, admin).json().getString("state")).isEqualTo("assigned");
    var talking = fx.expect(ClusterEvents.address(ClusterEvents.CALL_STATE),
        e -> id.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    var left = fx.expect(ClusterEvents.address(ChannelRuntime.CUSTOMER_LEFT), e -> id.equals(e.getString("interactionId")));

    // Node A goes away while alice's phone rings (ring 15 s): no caller comes back to hand over, no offer to withdraw;
    // node B's takeover pass finds the assigned callback's phone ringing for a node nobody renews the lease of.
    long gone = System.nanoTime();
    a.close();
    AsteriskCalls.await("the phone node A rang is hung up", () -> calls.hungUp(firstLeg));
    String[] again = new String[1];
    AsteriskCalls.await("node B rings alice's phone again", () -> {
      again[0] = ringingLegs("1005").stream().filter(l -> !l.equals(firstLeg)).findFirst().orElse(null);
      return again[0] != null;
    });
    long rungAgain = System.nanoTime();
    assertThat(RoutingFixture.await(talking).getString("agentId")).as("the agent who accepted").isEqualTo(aliceId);
    String customer = customerLeg("+4930500614");
    AsteriskCalls.await("node B dialled the customer from alice's new leg and they talk", () -> calls.bridges(customer) == 1);
    System.out.printf("node A closed -> accepted callback rung again %d ms, -> customer talking %d ms%n",
        (rungAgain - gone) / 1_000_000, (System.nanoTime() - gone) / 1_000_000);
    assertThat(ringingLegs("1005")).as("one new ring, not several").containsExactly(again[0]);
    JsonObject detail = b.get("/api/v1/interactions/" + id, admin).json();
    assertThat(detail.getString("state")).isEqualTo("assigned");
    List<String> reasons = detail.getJsonArray("transitions").stream().map(o -> ((JsonObject) o).getString("reason"))
        .filter(java.util.Objects::nonNull).toList();
    assertThat(reasons).as("accepted: nothing withdrawn or timed out").doesNotContain("the hub node ringing the agent's phone went away")
        .doesNotContain("offer timed out");
    assertThat(left).as("the callback goes on").isNotDone();
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hangup", alice, "").status()).isEqualTo(202);
    assertThat(RoutingFixture.await(left).getString("reason")).isEqualTo("callback call ended");
    AsteriskCalls.await("the customer's phone is hung up", () -> calls.hungUp(customer));
  }

  @Test
  @DisplayName("a talking callback is taken over by the other node: hold, resume and hang-up work from it, the callback is completed and ended as usual")
  void aTalkingCallbackIsTakenOverAndControlledFromTheOtherNode() throws Exception {
    String admin = bearer(b.login("ada", "ada-demo-pw"));
    String alice = bearer(b.login("alice", "alice-demo-pw"));
    String aliceId = b.get("/api/v1/auth/me", alice).json().getString("id");
    phone(admin, aliceId, "1001");
    String id = callbackRequested("+4930500611", admin);
    String callState = ClusterEvents.address(ClusterEvents.CALL_STATE);
    var talking = fx.expect(callState, e -> id.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    fx.available("alice");
    RoutingFixture.await(talking);
    String customer = customerLeg("+4930500611");
    AsteriskCalls.await("the customer talks with alice (node A dialled)", () -> calls.bridges(customer) == 1);

    // Node A goes away while they talk; node B takes the callback over.
    var takenOver = fx.expect(callState, e -> id.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    var left = fx.expect(ClusterEvents.address(ChannelRuntime.CUSTOMER_LEFT), e -> id.equals(e.getString("interactionId")));
    long gone = System.nanoTime();
    a.close();
    assertThat(RoutingFixture.await(takenOver).getString("agentId")).isEqualTo(aliceId);
    System.out.printf("node A closed -> talking callback taken over by node B %d ms%n", (System.nanoTime() - gone) / 1_000_000);
    assertThat(calls.hungUp(customer)).as("the call survived its node").isFalse();
    assertThat(left).isNotDone();

    var onHold = fx.expect(callState, e -> id.equals(e.getString("interactionId")) && "on_hold".equals(e.getString("state")));
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hold", alice, "").status()).isEqualTo(202);
    RoutingFixture.await(onHold);
    var resumed = fx.expect(callState, e -> id.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    assertThat(b.post("/api/v1/interactions/" + id + "/call/resume", alice, "").status()).isEqualTo(202);
    RoutingFixture.await(resumed);
    AsteriskCalls.await("the customer is bridged with alice again by node B", () -> calls.bridges(customer) == 2);

    assertThat(b.post("/api/v1/interactions/" + id + "/call/hangup", alice, "").status()).isEqualTo(202);
    JsonObject ended = RoutingFixture.await(left);
    assertThat(ended.getString("reason")).isEqualTo("callback call ended");
    assertThat(ended.getBoolean("abandoned")).isFalse();
    AsteriskCalls.await("the customer's phone is hung up", () -> calls.hungUp(customer));
    assertThat(attribute(id, admin, "voice.callback")).isEqualTo("completed");
    var end = b.post("/api/v1/interactions/" + id + "/end", alice, "");
    assertThat(end.status()).as(end.body()).isEqualTo(200);
    assertThat(b.get("/api/v1/interactions/" + id, admin).json().getString("state")).isIn("ended", "wrap_up");
  }

  @Test
  @DisplayName("a talking callback is transferred blind through the router, to an agent and to a queue, keeping the customer")
  void aTalkingCallbackIsTransferredBlindToAnAgentAndToAQueue() throws Exception {
    String admin = bearer(b.login("ada", "ada-demo-pw"));
    String alice = bearer(b.login("alice", "alice-demo-pw"));
    String aliceId = b.get("/api/v1/auth/me", alice).json().getString("id");
    phone(admin, aliceId, "1001");
    String id = callbackRequested("+4930500612", admin);
    JsonObject before = b.get("/api/v1/interactions/" + id, admin).json();
    var talking = fx.expect(ClusterEvents.address(ClusterEvents.CALL_STATE),
        e -> id.equals(e.getString("interactionId")) && "talking".equals(e.getString("state")));
    fx.available("alice");
    RoutingFixture.await(talking);
    String customer = customerLeg("+4930500612");
    AsteriskCalls.await("the customer talks with alice", () -> calls.bridges(customer) == 1);

    // To an agent: bob's phone rings and is bridged with the customer.
    String bob = fx.available("bob");
    String bobId = b.get("/api/v1/auth/me", bob).json().getString("id");
    phone(admin, bobId, "1002");
    String offerCreated = ClusterEvents.address(RoutingService.OFFER_CREATED);
    var toBob = fx.expect(offerCreated, e -> id.equals(e.getString("interactionId")) && bobId.equals(e.getString("agentId")));
    var left = fx.expect(ClusterEvents.address(ChannelRuntime.CUSTOMER_LEFT), e -> id.equals(e.getString("interactionId")));
    var transfer = b.post("/api/v1/interactions/" + id + "/transfer", alice, new JsonObject().put("agentId", bobId).encode());
    assertThat(transfer.status()).as(transfer.body()).isEqualTo(200);
    RoutingFixture.await(toBob);
    AsteriskCalls.await("the customer is bridged with bob's phone", () -> calls.bridges(customer) == 2);
    JsonObject withBob = b.get("/api/v1/interactions/" + id, admin).json();
    assertThat(withBob.getString("state")).isEqualTo("assigned");
    assertThat(withBob.getString("customerId")).as("the customer's context is kept").isEqualTo(before.getString("customerId"));
    assertThat(withBob.getJsonObject("attributes").getString("voice.callbackNumber")).isEqualTo("+4930500612");
    assertThat(withBob.getJsonObject("attributes").getString("voice.callback")).as("the callback reached the customer").isEqualTo("completed");

    // To a queue: the router's next offer (to dilara: alice and bob each transferred it away) rings that agent's phone,
    // bridged with the customer again.
    String dilara = fx.available("dilara");
    String dilaraId = b.get("/api/v1/auth/me", dilara).json().getString("id");
    phone(admin, dilaraId, "1001");
    var next = fx.expect(offerCreated, e -> id.equals(e.getString("interactionId")) && dilaraId.equals(e.getString("agentId")));
    var toQueue = b.post("/api/v1/interactions/" + id + "/transfer", bob, new JsonObject().put("queue", "billing").encode());
    assertThat(toQueue.status()).as(toQueue.body()).isEqualTo(200);
    RoutingFixture.await(next);
    AsteriskCalls.await("the customer is bridged with the next agent's phone", () -> calls.bridges(customer) == 3);
    assertThat(calls.hungUp(customer)).isFalse();
    assertThat(left).as("the customer never left").isNotDone();
    assertThat(b.post("/api/v1/interactions/" + id + "/call/hangup", admin, "").status()).isEqualTo(202);
    assertThat(RoutingFixture.await(left).getBoolean("abandoned")).isFalse();
    AsteriskCalls.await("the customer's phone is hung up", () -> calls.hungUp(customer));
  }

  /** A call from {@code number} waits in the general queue and asks for a callback; returns its interaction id. */
  String callbackRequested(String number, String admin) throws Exception {
    var queued = queuedOnEitherNode();
    String phone = calls.dial("5550100", number);
    calls.press(phone, "2");
    String id = RoutingFixture.await(queued).getString("interactionId");
    // A key press may fall between two AGI commands: press again until it counts.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"requested".equals(attribute(id, admin, "voice.callback"))) {
      assertThat(System.nanoTime()).as("the callback is requested in time").isLessThan(deadline);
      asterisk.real().ami().sendAction(new PlayDtmfAction(phone, "9"), 5_000); // fails harmlessly once hung up
      long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (!"requested".equals(attribute(id, admin, "voice.callback")) && System.nanoTime() < next) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
    AsteriskCalls.await("the caller is hung up", () -> calls.hungUp(phone));
    return id;
  }

  /** The customer's leg a callback dialled to {@code number} (uniqueid of the Local channel's ;1 half). */
  static String customerLeg(String number) throws InterruptedException {
    String[] leg = new String[1];
    AsteriskCalls.await("the customer's phone is dialled", () -> {
      leg[0] = calls.events().stream().filter(e -> e instanceof org.asteriskjava.manager.event.NewChannelEvent n && n.getChannel() != null
              && n.getChannel().startsWith("Local/" + number + "@test-customers-") && n.getChannel().endsWith(";1"))
          .map(e -> ((org.asteriskjava.manager.event.NewChannelEvent) e).getUniqueId()).findFirst().orElse(null);
      return leg[0] != null;
    });
    return leg[0];
  }

  String attribute(String id, String token, String name) {
    return b.get("/api/v1/interactions/" + id, token).json().getJsonObject("attributes").getString(name);
  }

  static long customerDials() {
    return calls.events().stream().filter(e -> e instanceof org.asteriskjava.manager.event.NewChannelEvent n && n.getChannel() != null
        && n.getChannel().startsWith("Local/+4930500600@test-customers-") && n.getChannel().endsWith(";1")).count();
  }

  void phone(String admin, String agentId, String extension) {
    var set = b.put("/api/v1/agents/" + agentId + "/phone", admin,
        new JsonObject().put("endpoint", "Local/" + extension + "@test-phones/n").encode());
    assertThat(set.status()).as(set.body()).isEqualTo(200);
  }

  static String dial() throws Exception {
    return calls.dial("5550100", "+4930500600");
  }
}
