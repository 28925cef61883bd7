package io.switchboard.channel.voice;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.spi.OpenInteraction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several hub nodes: every call is controlled by exactly one node at a time, the holder of the call's lease
 * ({@code voice-call:<interaction>}, {@link io.switchboard.hub.api.spi.ChannelLeases}), taken when the call is queued and
 * renewed every third of {@code callLease} while the node lives. A node that dies hands its calls over:
 *
 * <ul>
 *   <li>a caller whose FastAGI session dies with the node (waiting, on hold, or whose bridge ends) comes back from
 *       Asterisk's {@code AGI()} with {@code SB_INTERACTION} set and the sample dialplan ({@code switchboard-takeover})
 *       hands the caller to the next node, which waits for the lease and carries on ({@link #resume});
 *   <li>a call whose caller and agent talk ({@code Bridge()} runs on in Asterisk without a session) is taken on by the
 *       node whose periodic pass ({@link #tick}) gets its lease ({@link Call#detached}): hang-up, hold and transfer work
 *       from it over AMI, and when the bridge ends the caller comes to it as above;
 *   <li>an offered callback whose agent's phone rings for a node that went away (no caller to hand over) is found by the
 *       same pass: the phone is hung up and the offer withdrawn as lost ({@link #callbackOfferLost}); one the agent
 *       accepted on the console while the phone rang is rung again for that agent ({@link #acceptedCallbackLost}).
 * </ul>
 *
 * <p>What a node needs to know comes from the caller's channel variables, which this node sets: {@value #INTERACTION_VAR},
 * {@value #DNIS_VAR}, {@value #AGENT_VAR}, {@value #AGENT_CHANNEL_VAR}, {@value #HOLD_VAR} and {@value #HUB_VAR} (this
 * node's FastAGI address, tried first by the dialplan).
 *
 * <p>Size (over 400 lines, #15): every way a call changes hands between nodes lives here (a handed-over waiting or
 * held caller, a talking inbound call, a talking callback, an offer or an accepted callback left ringing by the node
 * that went away), because they share one lease protocol and one reading of the channel variables; split by case, each
 * part would repeat both.
 */
final class CallTakeover {
  private static final Logger log = LoggerFactory.getLogger(CallTakeover.class);

  /** The lease of the node controlling a call (name prefix; the interaction id follows). */
  static final String CALL_LEASE = "voice-call:";
  static final String INTERACTION_VAR = "SB_INTERACTION";
  static final String DNIS_VAR = "SB_DNIS";
  static final String AGENT_VAR = "SB_AGENT";
  static final String AGENT_CHANNEL_VAR = "SB_AGENT_CHANNEL";
  static final String HOLD_VAR = "SB_HOLD";
  static final String HUB_VAR = "SB_HUB";
  /** On a callback's agent leg: set while the callback is dialled from it, the try under way, the tries recorded. */
  static final String CALLBACK_VAR = "SB_CALLBACK";
  static final String ATTEMPT_VAR = "SB_CALLBACK_ATTEMPT";
  static final String RECORDED_VAR = "SB_CALLBACK_RECORDED";
  /** A caller ID kept for a taken-over call (shown on a supervisor's phone). */
  private static final java.util.regex.Pattern CALLER_ID = java.util.regex.Pattern.compile("[+0-9A-Za-z*#._\\-]{1,64}");

  private final AsteriskAdapter adapter;

  /**
   * The Asterisk uniqueid of an agent's leg rung for an offer of {@code interaction}: {@code sb-<interaction>-<8 hex>}
   * (a Local channel's other half adds {@code -2}), so that a node taking the call over finds the legs rung for it.
   */
  static String legId(InteractionId interaction) {
    return "sb-" + interaction + "-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt());
  }

  CallTakeover(AsteriskAdapter adapter) {
    this.adapter = adapter;
  }

  private Duration ttl() {
    return adapter.settings().callLease();
  }

  /**
   * Takes the call's lease for this node as the call is queued; false when another node controls the call (the same
   * call sent to two nodes). A lease store that does not answer does not stop the call (logged).
   */
  boolean hold(Call call) {
    try {
      return Boolean.TRUE.equals(CallFlows.await(adapter.context().leases().acquire(CALL_LEASE + call.interaction, adapter.node(), ttl())));
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
          .log("could not take the call's lease; this node controls the call without one");
      return true;
    }
  }

  /** Gives the call's lease up (the call ended here, or became a callback). */
  void release(Call call) {
    if (call.interaction != null && adapter.context() != null) {
      adapter.context().leases().release(CALL_LEASE + call.interaction, adapter.node());
    }
  }

  /** Tells Asterisk, on the caller's channel, that this node controls the call (the dialplan tries it first). */
  void advertise(AgiChannel channel) throws AgiException {
    if (adapter.settings().agiAddress() != null) {
      channel.setVariable(HUB_VAR, adapter.settings().agiAddress());
    }
  }

  /**
   * The periodic pass (every third of {@code callLease}): renews the leases of the calls this node controls (a call
   * whose lease another node took is no longer controlled here), then takes on talking calls nobody controls.
   */
  void tick() {
    for (Call call : List.copyOf(adapter.controlled())) {
      if (call.state == Call.State.CALLBACK_RINGING || call.state == Call.State.CALLBACK_DIALLING
          || call.state == Call.State.CALLBACK_TALKING) {
        renewCallback(call);
        continue;
      }
      if (call.interaction == null || call.state == Call.State.IVR || call.state == Call.State.ENDED || call.state.callback()) {
        continue;
      }
      try {
        if (!Boolean.TRUE.equals(CallFlows.await(adapter.context().leases().acquire(CALL_LEASE + call.interaction, adapter.node(), ttl())))) {
          log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("channel", call.channel)
              .log("another hub node took this call's lease; this node no longer controls the call");
          adapter.forget(call);
        }
      } catch (Exception e) {
        log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
            .log("could not renew the call's lease; trying again at the next pass");
      }
    }
    adoptTalking();
  }

  /**
   * Talking calls (interaction assigned, caller in {@code Bridge()}) whose lease nobody holds: their node went away. This
   * node takes the lease and controls the call from now on. Calls whose caller runs a FastAGI session (or is on the way
   * to one) are left to that session's node; calls whose channel is gone are left to reconciliation.
   */
  private void adoptTalking() {
    List<OpenInteraction> open;
    try {
      open = CallFlows.await(adapter.context().openInteractions());
    } catch (Exception e) {
      log.atDebug().addKeyValue("error", e.toString()).log("takeover pass: could not read the hub's open voice interactions");
      return;
    }
    List<AmiClient.LiveChannel> channels = null;
    for (OpenInteraction o : open) {
      String uniqueId = o.attributes().get("voice.uniqueId");
      if (o.state() == InteractionState.OFFERED && "requested".equals(o.attributes().get("voice.callback"))) {
        Call here = adapter.call(o.id()).orElse(null);
        if (here == null || here.state == Call.State.CALLBACK) { // not rung by this node
          if (channels == null) {
            channels = adapter.ami() == null ? null : adapter.ami().channels();
          }
          if (channels != null) {
            callbackOfferLost(o, here, channels);
          }
        }
        continue;
      }
      if (o.state() != InteractionState.ASSIGNED) {
        continue;
      }
      if ("requested".equals(o.attributes().get("voice.callback"))) {
        Call here = adapter.call(o.id()).orElse(null);
        if (here != null && here.state != Call.State.CALLBACK) {
          continue; // rung, dialled or talked to by this node
        }
        // A callback being worked whose node's lease ran out or was given up: its customer talks with the agent, or the
        // agent accepted it on the console while their phone rang.
        if (leased(AsteriskAdapter.CALLBACK_LEASE + o.id())) {
          if (channels == null) {
            channels = adapter.ami() == null ? null : adapter.ami().channels();
          }
          boolean taken = channels != null && ((here == null && adoptCallback(o, channels)) || acceptedCallbackLost(o, here, channels));
          if (!taken) {
            adapter.context().leases().release(AsteriskAdapter.CALLBACK_LEASE + o.id(), adapter.node());
          }
        }
        continue;
      }
      if (adapter.call(o.id()).isPresent()) {
        continue;
      }
      if (uniqueId == null) {
        continue;
      }
      if (!leased(CALL_LEASE + o.id())) {
        continue;
      }
      if (channels == null) {
        channels = adapter.ami() == null ? null : adapter.ami().channels();
        if (channels == null) {
          release(o.id());
          return;
        }
      }
      AmiClient.LiveChannel caller = channels.stream().filter(c -> uniqueId.equals(c.uniqueId())).findFirst().orElse(null);
      if (caller == null || caller.name() == null || !"Bridge".equalsIgnoreCase(caller.application())) {
        release(o.id());
        continue;
      }
      String agentChannel = adapter.ami().getVariable(caller.name(), AGENT_CHANNEL_VAR);
      AgentId agent = agent(adapter.ami().getVariable(caller.name(), AGENT_VAR));
      if (agentChannel == null || agent == null) {
        log.atWarn().addKeyValue("interactionId", o.id()).addKeyValue("channel", caller.name())
            .log("takeover: a talking call without the agent's leg on its channel is left alone");
        release(o.id());
        continue;
      }
      String number = caller.callerIdNumber() != null && CALLER_ID.matcher(caller.callerIdNumber()).matches() ? caller.callerIdNumber() : null;
      Call call = new Call(caller.uniqueId(), o.externalId(), caller.name(), number, o.attributes().get("voice.dnis"));
      call.interaction = o.id();
      call.agent = agent;
      call.agentChannel = agentChannel;
      call.recording = o.attributes().get(CallControls.RECORDING_ATTRIBUTE);
      call.queuedAt = Instant.now();
      call.detached = true;
      call.state = Call.State.TALKING;
      if (!adapter.register(call) || !adapter.queued(call)) {
        adapter.forget(call);
        release(o.id());
        continue;
      }
      if (adapter.settings().agiAddress() != null) {
        adapter.ami().setVariable(caller.name(), HUB_VAR, adapter.settings().agiAddress());
      }
      log.atWarn().addKeyValue("interactionId", o.id()).addKeyValue("channel", caller.name()).addKeyValue("agentId", agent)
          .log("took over a talking call whose hub node went away");
      adapter.controls().state(call, Call.State.TALKING);
    }
  }

  /**
   * An offered callback whose agent's phone still rings (a leg rung for it, {@link #legId}, not answered) while no node
   * holds the callback's lease: the node that rang it went away (its lease ran out, or it gave it up stopping), and an
   * answer would reach no node. As for a caller's offer ({@link #resume}): this node takes the lease, hangs the phone up,
   * takes the callback on (it waits here as a callback, {@link Call.State#CALLBACK}) and withdraws the offer as lost, so
   * the router offers it again at once (not after the offer timeout, and not as missed) and this node rings the next
   * phone. An offer shown on the console only (no leg) or whose phone was answered is left alone; a node that rings the
   * callback renews its lease, so a live node's offer is never touched.
   */
  private void callbackOfferLost(OpenInteraction o, Call here, List<AmiClient.LiveChannel> channels) {
    java.util.regex.Pattern legPattern = java.util.regex.Pattern.compile("sb-" + java.util.regex.Pattern.quote(o.id().toString()) + "-[0-9a-f]{8}");
    List<AmiClient.LiveChannel> ringing = channels.stream().filter(c -> c.uniqueId() != null && legPattern.matcher(c.uniqueId()).matches()
        && !c.answered()).toList();
    if (ringing.isEmpty() || !leased(AsteriskAdapter.CALLBACK_LEASE + o.id())) {
      return;
    }
    int legs = 0;
    for (AmiClient.LiveChannel leg : ringing) {
      if (adapter.ami().hangup(leg.uniqueId())) {
        log.atInfo().addKeyValue("interactionId", o.id()).addKeyValue("leg", leg.uniqueId())
            .log("hung up an agent's phone its hub node rang for a callback before it went away");
        legs++;
      }
    }
    if (here == null) {
      adapter.adopt(o); // a callback without a usable number is not taken on: its offer shows on the console only
    }
    boolean takenOn = adapter.call(o.id()).isPresent();
    log.atWarn().addKeyValue("interactionId", o.id()).addKeyValue("ringingLegsHungUp", legs).addKeyValue("takenOn", takenOn)
        .log("took over a callback whose agent's phone rang when its hub node went away");
    withdrawLostOffer(o.id());
  }

  /**
   * A callback the agent accepted on the console while their phone rang for a node that went away (interaction assigned,
   * a leg rung for it, {@link #legId}, still up and not answered, nobody renewing the callback's lease, which this node
   * holds now): an answer would reach no node and nobody would dial the customer. As for a caller accepted that way
   * ({@link #resume}): this node takes the callback on, hangs the old leg up and rings the same agent's phone again (the
   * agent named on the leg, {@value #AGENT_VAR}); the answer dials the customer ({@link CallbackDialler}) with the usual
   * tries. Runs on the pass's thread, so the next pass finds the callback ringing here and never rings it twice. False
   * (nothing done) when no such leg is up, the leg names no agent, or the callback has no usable number: left to the
   * agent, as before.
   */
  private boolean acceptedCallbackLost(OpenInteraction o, Call here, List<AmiClient.LiveChannel> channels) {
    String number = o.attributes().get("voice.callbackNumber");
    if (number == null || !number.matches("\\+?[0-9]{3,20}")) {
      return false;
    }
    java.util.regex.Pattern legPattern = java.util.regex.Pattern.compile("sb-" + java.util.regex.Pattern.quote(o.id().toString()) + "-[0-9a-f]{8}");
    List<AmiClient.LiveChannel> ringing = channels.stream().filter(c -> c.uniqueId() != null && legPattern.matcher(c.uniqueId()).matches()
        && !c.answered() && c.name() != null).toList();
    AgentId agent = null;
    for (AmiClient.LiveChannel leg : ringing) {
      agent = agent(adapter.ami().getVariable(leg.name(), AGENT_VAR));
      if (agent != null) {
        break;
      }
    }
    if (agent == null) {
      if (!ringing.isEmpty()) {
        log.atWarn().addKeyValue("interactionId", o.id()).log("takeover: an accepted callback's ringing leg names no agent; left alone");
      }
      return false;
    }
    Call call = new Call(o.externalId(), o.externalId(), null, number, null);
    call.callbackNumber = number;
    call.interaction = o.id();
    call.queuedAt = Instant.now();
    call.state = Call.State.CALLBACK;
    if (!(here == null ? adapter.queued(call) : adapter.replace(here, call))) {
      return false;
    }
    int legs = 0;
    for (AmiClient.LiveChannel leg : ringing) {
      if (adapter.ami().hangup(leg.uniqueId())) {
        legs++;
      }
    }
    log.atWarn().addKeyValue("interactionId", o.id()).addKeyValue("agentId", agent).addKeyValue("ringingLegsHungUp", legs)
        .log("took over an accepted callback whose agent's phone rang when its hub node went away; ringing it again");
    adapter.flows().events.ring(call, agent);
    return true;
  }

  /**
   * A callback whose customer talks with the agent (the agent leg's {@code Dial} runs on in Asterisk) and whose node
   * went away: this node, holding the callback's lease, controls it from now on ({@link Call#detached}): hold, resume,
   * transfer and hang-up work over AMI, the agent leg's hang-up (AMI) or its return to a FastAGI session of this node
   * ({@link CallbackDialler#attach}) ends it as completed. The agent's leg is the one rung for it ({@link #legId}); the
   * customer's is the other channel in its bridge. False when no such bridge exists (between tries the leg's own
   * handover through the dialplan goes on with the callback).
   */
  private boolean adoptCallback(OpenInteraction o, List<AmiClient.LiveChannel> channels) {
    String number = o.attributes().get("voice.callbackNumber");
    if (number == null || !number.matches("\\+?[0-9]{3,20}")) {
      return false;
    }
    java.util.regex.Pattern legPattern = java.util.regex.Pattern.compile("sb-" + java.util.regex.Pattern.quote(o.id().toString()) + "-[0-9a-f]{8}");
    AmiClient.LiveChannel leg = channels.stream().filter(c -> c.uniqueId() != null && legPattern.matcher(c.uniqueId()).matches()
        && c.bridgeId() != null && !c.bridgeId().isBlank()).findFirst().orElse(null);
    AmiClient.LiveChannel customer = leg == null ? null : channels.stream().filter(c -> leg.bridgeId().equals(c.bridgeId())
        && !leg.uniqueId().equals(c.uniqueId())).findFirst().orElse(null);
    if (customer == null || leg.name() == null || customer.name() == null) {
      return false;
    }
    AgentId agent = agent(adapter.ami().getVariable(leg.name(), AGENT_VAR));
    if (agent == null) {
      log.atWarn().addKeyValue("interactionId", o.id()).addKeyValue("channel", leg.name())
          .log("takeover: a talking callback whose agent's leg names no agent is left alone");
      return false;
    }
    Call call = new Call(o.externalId(), o.externalId(), null, number, null);
    call.callbackNumber = number;
    call.interaction = o.id();
    call.agent = agent;
    call.agentChannel = leg.name();
    call.agentLegId = leg.uniqueId();
    call.customerChannel = customer.name();
    call.customerLegId = customer.uniqueId();
    call.callbackConnected = true;
    String attempt = adapter.ami().getVariable(leg.name(), ATTEMPT_VAR);
    call.attempt = attempt != null && attempt.matches("[0-9]{1,2}") ? Integer.parseInt(attempt) : 1;
    call.queuedAt = Instant.now();
    call.detached = true;
    call.state = Call.State.CALLBACK_TALKING;
    if (!adapter.queued(call)) {
      return false;
    }
    if (adapter.settings().agiAddress() != null) {
      adapter.ami().setVariable(leg.name(), HUB_VAR, adapter.settings().agiAddress()); // its Dial's end comes here
    }
    log.atWarn().addKeyValue("interactionId", o.id()).addKeyValue("agentId", agent).addKeyValue("agentChannel", leg.name())
        .addKeyValue("customerChannel", customer.name()).log("took over a talking callback whose hub node went away");
    adapter.controls().state(call, Call.State.CALLBACK_TALKING);
    return true;
  }

  /**
   * A caller handed to this node by the dialplan after the node that held the call went away ({@code SB_INTERACTION}
   * set on the channel): this node takes the call's lease (waiting, with music, until the old holder's lease runs out)
   * and carries on where the call stands in the hub: waiting, on hold, or over (the agent's leg went meanwhile).
   */
  void resume(Call call, String interactionVar, AgiChannel channel) throws AgiException {
    InteractionId id;
    try {
      id = InteractionId.parse(interactionVar);
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("channel", call.channel).addKeyValue(INTERACTION_VAR, CallFlows.printable(interactionVar))
          .log("a call handed over between hub nodes names no interaction; hanging up");
      channel.hangup();
      return;
    }
    Call held = adapter.call(id).orElse(null);
    if (held != null && held.detached && held.uniqueId.equals(call.uniqueId)) {
      attach(held, channel);
      return;
    }
    if (held != null) {
      log.atWarn().addKeyValue("interactionId", id).addKeyValue("channel", call.channel)
          .log("a call handed over between hub nodes is already served here; hanging up the duplicate");
      channel.hangup();
      return;
    }
    OpenInteraction o = open(id);
    // The call's own: its linkedid is the interaction's external id, or (a transferred callback's customer) its uniqueid
    // is the interaction's voice.uniqueId.
    boolean ours = o != null && (o.externalId().equals(call.linkedId) || call.uniqueId.equals(o.attributes().get("voice.uniqueId")));
    if (!ours || "requested".equals(o.attributes().get("voice.callback"))) {
      log.atWarn().addKeyValue("interactionId", id).addKeyValue("channel", call.channel).addKeyValue("linkedId", call.linkedId)
          .log("a call handed over between hub nodes names no open interaction of this call; hanging up");
      channel.hangup();
      return;
    }
    if (!adapter.register(call)) {
      log.atWarn().addKeyValue("channel", call.channel).log("duplicate FastAGI request for a call this node is already serving; hanging up");
      channel.hangup();
      return;
    }
    call.interaction = id;
    String dnis = CallFlows.quiet(() -> channel.getVariable(DNIS_VAR));
    call.entry = adapter.ivr().entryFor(dnis);
    CallFlows flows = adapter.flows();
    try {
      channel.playMusicOnHold(adapter.ivr().waiting().musicClass());
      if (!awaitLease(call, channel)) {
        return;
      }
      advertise(channel);
      call.queuedAt = Instant.now();
      o = open(id); // as it stands now that this node holds the call
      if (o == null) {
        log.atInfo().addKeyValue("interactionId", id).log("a handed-over call ended meanwhile; hanging up");
        channel.hangup();
        return;
      }
      switch (o.state()) {
        case CREATED, QUEUED, OFFERED -> {
          call.state = Call.State.WAITING;
          // An offer the old node was ringing: its phone is hung up (before this node can ring one of its own).
          int legs = o.state() == InteractionState.OFFERED ? hangUpRingingLegs(id) : 0;
          if (!adapter.queued(call)) {
            channel.hangup();
            return;
          }
          log.atWarn().addKeyValue("interactionId", id).addKeyValue("channel", call.channel).addKeyValue("ringingLegsHungUp", legs)
              .log("took over a waiting call whose hub node went away");
          if (o.state() == InteractionState.OFFERED) {
            withdrawLostOffer(id);
          }
          flows.waiting.waitForAgent(adapter.ivr(), call, channel);
        }
        case ASSIGNED -> {
          String agentChannel = CallFlows.quiet(() -> channel.getVariable(AGENT_CHANNEL_VAR));
          AgentId agent = agent(CallFlows.quiet(() -> channel.getVariable(AGENT_VAR)));
          boolean onHold = "1".equals(CallFlows.quiet(() -> channel.getVariable(HOLD_VAR)));
          if (agentChannel == null && agent != null) {
            // Accepted on the console while the agent's phone rang, never bridged: ring that agent's phone again.
            int legs = hangUpRingingLegs(id);
            call.state = Call.State.WAITING;
            if (!adapter.queued(call)) {
              channel.hangup();
              return;
            }
            log.atWarn().addKeyValue("interactionId", id).addKeyValue("agentId", agent).addKeyValue("ringingLegsHungUp", legs)
                .log("took over an accepted call whose agent's phone rang when its hub node went away; ringing it again");
            Thread.ofVirtual().start(() -> adapter.flows().events.ring(call, agent));
            flows.waiting.waitForAgent(adapter.ivr(), call, channel);
            return;
          }
          call.agent = agent;
          call.state = Call.State.TALKING;
          adapter.queued(call);
          if (onHold && agentChannel != null && agent != null) {
            log.atWarn().addKeyValue("interactionId", id).log("took over a call on hold whose hub node went away");
            call.agentChannel = agentChannel;
            call.holding = true;
            if (flows.waiting.talk(call, channel, true)) {
              flows.waiting.waitForAgent(adapter.ivr(), call, channel);
            }
          } else {
            log.atWarn().addKeyValue("interactionId", id).log("took over a call whose agent left while its hub node was away");
            flows.waiting.afterCall(call, channel);
          }
        }
        default -> {
          log.atInfo().addKeyValue("interactionId", id).addKeyValue("state", o.state()).log("a handed-over call is no longer worked; hanging up");
          channel.hangup();
        }
      }
    } catch (AgiHangupException e) {
      flows.callerHungUp(call);
    } finally {
      flows.sessionOver(call);
    }
  }

  /**
   * Hangs up the agents' legs rung for offers of {@code id} that are still up in Asterisk (their node went away, so
   * their answer would reach no node); returns how many.
   */
  int hangUpRingingLegs(InteractionId id) {
    List<AmiClient.LiveChannel> channels = adapter.ami() == null ? null : adapter.ami().channels();
    if (channels == null) {
      return 0;
    }
    java.util.regex.Pattern leg = java.util.regex.Pattern.compile("sb-" + java.util.regex.Pattern.quote(id.toString()) + "-[0-9a-f]{8}");
    int n = 0;
    for (AmiClient.LiveChannel c : channels) {
      if (c.uniqueId() != null && leg.matcher(c.uniqueId()).matches() && adapter.ami().hangup(c.uniqueId())) {
        log.atInfo().addKeyValue("interactionId", id).addKeyValue("leg", c.uniqueId()).log("hung up an agent's phone its hub node rang before it went away");
        n++;
      }
    }
    return n;
  }

  /**
   * The offer the old node rang is withdrawn as lost (not missed: the agent is neither paused nor kept away), so the
   * router offers the call again at once instead of after the offer timeout.
   */
  void withdrawLostOffer(InteractionId id) {
    try {
      boolean withdrawn = Boolean.TRUE.equals(CallFlows.await(adapter.context().interactions().offerLost(id, OFFER_LOST)));
      log.atInfo().addKeyValue("interactionId", id).addKeyValue("withdrawn", withdrawn).log("the offer rung by a hub node that went away is withdrawn");
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", id).addKeyValue("error", e.toString())
          .log("could not withdraw the offer rung by a hub node that went away; it times out as usual");
    }
  }

  /** The reason recorded when an offer is withdrawn because the node ringing it went away. */
  static final String OFFER_LOST = "the hub node ringing the agent's phone went away";

  /** The caller of a call this node took over while talking is back from its bridge (hold, transfer, agent gone). */
  private void attach(Call call, AgiChannel channel) throws AgiException {
    CallFlows flows = adapter.flows();
    call.detached = false;
    try {
      if (adapter.settings().agiAddress() != null) {
        advertise(channel);
      }
      if (call.transferring) {
        call.transferring = false;
        call.agent = null;
        channel.setVariable(AGENT_CHANNEL_VAR, "");
        call.agentChannel = null;
        call.holding = false;
        synchronized (call) {
          if (call.state != Call.State.RINGING) { // the router's next offer may ring before the caller is back here
            adapter.controls().state(call, Call.State.WAITING);
          }
        }
        flows.waiting.waitForAgent(adapter.ivr(), call, channel);
      } else if (call.holding) {
        if (flows.waiting.talk(call, channel, true)) {
          flows.waiting.waitForAgent(adapter.ivr(), call, channel);
        }
      } else {
        flows.waiting.afterCall(call, channel);
      }
    } catch (AgiHangupException e) {
      flows.callerHungUp(call);
    } finally {
      flows.sessionOver(call);
    }
  }

  /** A callback this node rings or dials keeps its lease ({@link AsteriskAdapter#CALLBACK_LEASE}) while the node lives. */
  private void renewCallback(Call call) {
    try {
      if (!Boolean.TRUE.equals(CallFlows.await(adapter.context().leases().acquire(AsteriskAdapter.CALLBACK_LEASE + call.interaction,
          adapter.node(), ttl())))) {
        log.atWarn().addKeyValue("interactionId", call.interaction).log("another hub node took this callback's lease");
      }
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
          .log("could not renew the callback's lease; trying again at the next pass");
    }
  }

  /** Polls for the call's lease while the caller hears music; false (caller told the hub, hung up) when it never came. */
  private boolean awaitLease(Call call, AgiChannel channel) throws AgiException {
    long deadline = System.nanoTime() + ttl().plusSeconds(10).toNanos();
    while (!leased(CALL_LEASE + call.interaction)) {
      if (System.nanoTime() > deadline) {
        log.atError().addKeyValue("interactionId", call.interaction).addKeyValue("channel", call.channel)
            .log("another hub node keeps this call's lease; the handed-over caller is hung up");
        call.state = Call.State.WAITING;
        adapter.flows().ended(call, "call lost between hub nodes");
        call.state = Call.State.ENDED;
        channel.hangup();
        return false;
      }
      channel.waitForDigit(500);
    }
    return true;
  }

  boolean leased(String lease) {
    try {
      return Boolean.TRUE.equals(CallFlows.await(adapter.context().leases().acquire(lease, adapter.node(), ttl())));
    } catch (Exception e) {
      log.atWarn().addKeyValue("lease", lease).addKeyValue("error", e.toString()).log("could not take a call's lease");
      return false;
    }
  }

  private void release(InteractionId id) {
    adapter.context().leases().release(CALL_LEASE + id, adapter.node());
  }

  OpenInteraction open(InteractionId id) {
    try {
      for (OpenInteraction o : CallFlows.await(adapter.context().openInteractions())) {
        if (o.id().equals(id)) {
          return o;
        }
      }
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", id).addKeyValue("error", e.toString()).log("could not read the hub's open voice interactions");
    }
    return null;
  }

  private static AgentId agent(String value) {
    try {
      return value == null ? null : AgentId.parse(value);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
