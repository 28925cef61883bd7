package io.switchboard.channel.voice;

import static io.switchboard.voice.testkit.AsteriskCalls.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.hub.api.spi.OpenInteraction;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import java.time.Duration;
import java.util.Map;
import org.asteriskjava.manager.action.OriginateAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An offered callback whose agent's phone rings for another hub node (the leg {@code sb-<interaction>-<8 hex>} the test
 * originates as that node would), through a real Asterisk 22 (skipped where none is installed): this node's periodic
 * takeover pass leaves it alone while that node holds the callback's lease, and withdraws it as lost (the phone hung up,
 * the callback taken on here) once nobody does. A phone that was answered, and a leg of another interaction, are never
 * taken for a lost one.
 */
class CallbackOfferLostTest {
  static final AgentId AGENT = AgentId.random();
  static final String NUMBER = "+4930100001";

  @RegisterExtension
  static final AdapterOnAsterisk voice = new AdapterOnAsterisk(PrivateAsterisk.with(TestPhones.context("test-phones")
          .neverAnswers("1002").answers("1001"))
      .callerPrefix("lost-caller").ivr("""
          entryPoints:
            - { name: sales, numbers: ["5550100"], menu: main }
          menus:
            main:
              prompts: [beep]
              options:
                "1": { goto: queue }
          """), Map.of("ringTimeout", "60s", "callLease", "3s"));

  @AfterEach
  void clear() {
    voice.hub.open.clear();
  }

  /** An offered callback the hub has (as when another node rang it). */
  static InteractionId offeredCallback() {
    InteractionId id = InteractionId.random();
    voice.hub.open.add(new OpenInteraction(id, "1765000001." + id.toString().substring(0, 4), InteractionState.OFFERED,
        Map.of("voice.callback", "requested", "voice.callbackNumber", NUMBER)));
    return id;
  }

  /** A callback the agent accepted on the console while another node rang their phone (assigned, nobody dialled yet). */
  static InteractionId acceptedCallback(String number) {
    InteractionId id = InteractionId.random();
    voice.hub.open.add(new OpenInteraction(id, "1765000002." + id.toString().substring(0, 4), InteractionState.ASSIGNED,
        Map.of("voice.callback", "requested", "voice.callbackNumber", number)));
    return id;
  }

  /** The ;1 halves of the legs rung for {@code id} so far (any node), by uniqueid. */
  static java.util.List<String> legsRung(InteractionId id) {
    java.util.regex.Pattern leg = java.util.regex.Pattern.compile("sb-" + id + "-[0-9a-f]{8}");
    return voice.calls.events().stream().filter(e -> e instanceof org.asteriskjava.manager.event.NewChannelEvent n
            && n.getUniqueId() != null && leg.matcher(n.getUniqueId()).matches())
        .map(e -> ((org.asteriskjava.manager.event.NewChannelEvent) e).getUniqueId()).distinct().toList();
  }

  /** Rings {@code phone} as a node rings an agent's phone for {@code id}; returns the leg's uniqueid. */
  static String ring(InteractionId id, String phone, String hex) throws Exception {
    return ring(id, phone, hex, null);
  }

  /** As {@link #ring(InteractionId, String, String)}, the leg's {@code SB_AGENT} set to {@code agent} (null: unset). */
  static String ring(InteractionId id, String phone, String hex, String agent) throws Exception {
    String leg = "sb-" + id + "-" + hex;
    OriginateAction o = new OriginateAction();
    if (agent != null) {
      o.setVariables(Map.of("SB_CALL", id.toString(), "SB_AGENT", agent));
    }
    o.setChannel("Local/" + phone + "@test-phones/n");
    o.setApplication("Wait");
    o.setData("600");
    o.setAsync(true);
    o.setChannelId(leg);
    o.setTimeout(60_000L);
    assertThat(voice.asterisk.real().ami().sendAction(o, 10_000).getResponse()).isEqualTo("Success");
    await("the leg is up in Asterisk", () -> voice.calls.seen(org.asteriskjava.manager.event.NewChannelEvent.class,
        n -> leg.equals(n.getUniqueId())));
    return leg;
  }

  /** Waits for two more takeover passes (each reads the hub's open interactions) than have run now. */
  static void twoPasses() throws InterruptedException {
    int now = voice.hub.openReads.get();
    await("two takeover passes ran", Duration.ofSeconds(30), () -> voice.hub.openReads.get() >= now + 2);
  }

  static boolean leaseFree(String lease) {
    try {
      boolean free = CallFlows.await(voice.hub.leases().acquire(lease, "probe", Duration.ofSeconds(1)));
      if (free) {
        CallFlows.await(voice.hub.leases().release(lease, "probe"));
      }
      return free;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void aRingingCallbackOfferIsLeftToTheNodeThatHoldsItsLeaseAndWithdrawnAsLostOnceNobodyDoes() throws Exception {
    InteractionId id = offeredCallback();
    String lease = AsteriskAdapter.CALLBACK_LEASE + id;
    assertThat(CallFlows.await(voice.hub.leases().acquire(lease, "other-node", Duration.ofMinutes(1)))).isTrue();
    String leg = ring(id, "1002", "0000abcd");

    twoPasses();
    assertThat(voice.calls.hungUp(leg)).as("the other node rings it: left alone").isFalse();
    assertThat(voice.hub.lost).noneMatch(l -> l.startsWith(id.toString()));
    assertThat(voice.adapter.call(id)).isEmpty();

    // The other node goes away and gives its lease up (a crash lets it run out).
    CallFlows.await(voice.hub.leases().release(lease, "other-node"));
    await("this node withdraws the offer as lost", () -> voice.hub.lost.contains(id + " " + CallTakeover.OFFER_LOST));
    await("the phone the other node rang is hung up", () -> voice.calls.hungUp(leg));
    Call call = voice.adapter.call(id).orElseThrow();
    assertThat(call.state).as("taken on here, waiting as a callback for the router's next offer").isEqualTo(Call.State.CALLBACK);
    assertThat(call.callbackNumber).isEqualTo(NUMBER);
    assertThat(voice.hub.lost.stream().filter(l -> l.startsWith(id.toString()))).as("withdrawn once").hasSize(1);
    assertThat(leaseFree(lease)).as("this node holds the callback's lease now (it rings the next offer)").isFalse();

    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(id, "closed by a supervisor"));
    await("dropped", () -> voice.adapter.call(id).isEmpty());
  }

  @Test
  void anAnsweredLegAndALegOfAnotherInteractionAreNeverTakenForALostOffer() throws Exception {
    InteractionId id = offeredCallback();
    InteractionId other = InteractionId.random();
    String answered = ring(id, "1001", "0000beef"); // the agent's phone answered (an answer reaches the node that rang)
    await("the phone answered", () -> voice.calls.answered(answered));
    String foreign = ring(other, "1002", "00001234"); // not an offered callback of the hub's
    String malformed = ring(id, "1002", "xyz"); // not sb-<interaction>-<8 hex>

    twoPasses();
    assertThat(voice.hub.lost).noneMatch(l -> l.startsWith(id.toString()) || l.startsWith(other.toString()));
    assertThat(voice.calls.hungUp(answered)).isFalse();
    assertThat(voice.calls.hungUp(foreign)).isFalse();
    assertThat(voice.calls.hungUp(malformed)).isFalse();
    assertThat(voice.adapter.call(id)).isEmpty();
    for (String leg : new String[] {answered, foreign, malformed}) {
      voice.calls.hangUp(leg);
    }
  }

  @Test
  void anAcceptedCallbackWhosePhoneRingsForANodeThatWentAwayIsRungAgainForTheSameAgentOnce() throws Exception {
    voice.hub.endpoints.put(AGENT, "Local/1002@test-phones/n"); // rings, never answers: the new ring stays visible
    InteractionId id = acceptedCallback(NUMBER);
    String lease = AsteriskAdapter.CALLBACK_LEASE + id;
    assertThat(CallFlows.await(voice.hub.leases().acquire(lease, "other-node", Duration.ofMinutes(1)))).isTrue();
    String leg = ring(id, "1002", "0000abcd", AGENT.toString());

    twoPasses();
    assertThat(voice.calls.hungUp(leg)).as("the other node rings it: left alone").isFalse();
    assertThat(legsRung(id)).as("nothing rung here").containsExactly(leg);
    assertThat(voice.adapter.call(id)).isEmpty();

    // The other node goes away and gives its lease up (a crash lets it run out).
    CallFlows.await(voice.hub.leases().release(lease, "other-node"));
    await("the phone the other node rang is hung up", () -> voice.calls.hungUp(leg));
    await("this node rings the agent's phone again", () -> legsRung(id).size() == 2);
    String again = legsRung(id).get(1);
    Call call = voice.adapter.call(id).orElseThrow();
    assertThat(call.state).as("ringing here for the agent who accepted").isEqualTo(Call.State.CALLBACK_RINGING);
    assertThat(call.ringing).isEqualTo(AGENT);
    assertThat(call.ringingLeg).isEqualTo(again);
    assertThat(call.callbackNumber).isEqualTo(NUMBER);
    assertThat(leaseFree(lease)).as("this node holds the callback's lease (it dials on answer)").isFalse();
    twoPasses();
    assertThat(legsRung(id)).as("rung again once, not at every pass").hasSize(2);
    assertThat(voice.calls.hungUp(again)).isFalse();
    assertThat(voice.hub.lost).as("accepted: no offer to withdraw").noneMatch(l -> l.startsWith(id.toString()));

    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(id, "closed by a supervisor"));
    await("the new ring stops with the interaction", () -> voice.calls.hungUp(again));
  }

  @Test
  void anAcceptedCallbacksAnsweredLegOrALegNamingNoAgentIsNeverRungAgain() throws Exception {
    voice.hub.endpoints.put(AGENT, "Local/1002@test-phones/n");
    InteractionId answeredId = acceptedCallback(NUMBER);
    String answered = ring(answeredId, "1001", "0000beef", AGENT.toString()); // answered: the agent's leg dials or is handed over
    await("the phone answered", () -> voice.calls.answered(answered));
    InteractionId noAgentId = acceptedCallback(NUMBER);
    String noAgent = ring(noAgentId, "1002", "00005678"); // no SB_AGENT: whose phone is unknown
    InteractionId badAgentId = acceptedCallback(NUMBER);
    String badAgent = ring(badAgentId, "1002", "00009abc", "not-an-agent");
    InteractionId noNumberId = acceptedCallback("12\u0000; Dial(evil)");
    String noNumber = ring(noNumberId, "1002", "0000def0", AGENT.toString()); // no usable number to dial

    twoPasses();
    twoPasses();
    for (String leg : new String[] {answered, noAgent, badAgent, noNumber}) {
      assertThat(voice.calls.hungUp(leg)).as(leg + " untouched").isFalse();
    }
    for (InteractionId id : new InteractionId[] {answeredId, noAgentId, badAgentId, noNumberId}) {
      assertThat(legsRung(id)).as("nothing rung again for " + id).hasSize(1);
      assertThat(voice.adapter.call(id)).isEmpty();
      await("the lease taken to look is given back", () -> leaseFree(AsteriskAdapter.CALLBACK_LEASE + id));
    }
    assertThat(voice.hub.lost).noneMatch(l -> l.startsWith(answeredId.toString()) || l.startsWith(noAgentId.toString())
        || l.startsWith(badAgentId.toString()) || l.startsWith(noNumberId.toString()));
    for (String leg : new String[] {answered, noAgent, badAgent, noNumber}) {
      voice.calls.hangUp(leg);
    }
  }
}
