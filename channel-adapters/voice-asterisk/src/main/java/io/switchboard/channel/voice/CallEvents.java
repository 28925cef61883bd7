package io.switchboard.channel.voice;

import static io.switchboard.channel.voice.CallFlows.await;
import static io.switchboard.channel.voice.CallFlows.blank;

import io.switchboard.hub.api.AgentId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the hub's lifecycle events and staff's hang-up do to a call this node controls: an offer rings the agent's
 * phone (AMI {@code Originate}), a withdrawn offer stops it, a transfer hangs up the agent's leg so the caller waits
 * again, the end of the interaction hangs the call up; and the lease one node takes to dial a callback. Runs on virtual
 * threads (AMI actions block).
 */
final class CallEvents {
  private static final Logger log = LoggerFactory.getLogger(CallEvents.class);

  private final AsteriskAdapter adapter;

  CallEvents(AsteriskAdapter adapter) {
    this.adapter = adapter;
  }

  /** The router offered the call to an agent: ring the agent's phone. */
  void ring(Call call, AgentId agent) {
    boolean callback = call.state == Call.State.CALLBACK;
    if (call.state != Call.State.WAITING && !callback) {
      log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("state", call.state).log("offer for a call that does not wait; not ringing");
      return;
    }
    String endpoint;
    try {
      endpoint = await(adapter.context().phoneEndpoint(agent));
    } catch (Exception e) {
      log.atWarn().addKeyValue("agentId", agent).addKeyValue("error", e.toString()).log("could not read the agent's phone endpoint");
      return;
    }
    if (blank(endpoint)) {
      log.atWarn().addKeyValue("agentId", agent).addKeyValue("interactionId", call.interaction)
          .log("agent has no phone endpoint; the offer shows on the console only");
      return;
    }
    if (callback && !callbackLease(call)) {
      return;
    }
    String leg = CallTakeover.legId(call.interaction);
    synchronized (call) {
      if (call.state != (callback ? Call.State.CALLBACK : Call.State.WAITING)) {
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("state", call.state).log("the call changed meanwhile; not ringing");
        return;
      }
      call.ringing = agent;
      call.ringingLeg = leg;
      call.state = callback ? Call.State.CALLBACK_RINGING : Call.State.RINGING; // at once: a callback key now is ignored
    }
    adapter.controls().state(call, call.state); // tells the hub (the console shows the phone ringing)
    if (!callback && adapter.ami() != null && call.channel != null) {
      // Noted on the caller's channel: a node that takes the call over knows whose phone rang (CallTakeover).
      adapter.ami().setVariable(call.channel, CallTakeover.AGENT_VAR, agent.toString());
    }
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("SB_CALL", call.interaction.toString());
    vars.put("SB_AGENT", agent.toString());
    if (adapter.settings().agiAddress() != null) {
      vars.put(CallTakeover.HUB_VAR, adapter.settings().agiAddress()); // the answered leg reports to this node
    }
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", agent).addKeyValue("endpoint", endpoint)
        .addKeyValue("callback", callback).log("ringing the agent's phone");
    // A callback shows on the agent's phone as "Callback <number>".
    String callerId = callback ? "\"Callback " + call.callbackNumber + "\" <" + call.callbackNumber + ">" : call.callerNumber;
    boolean sent = adapter.ami() != null && adapter.ami().originate(endpoint, adapter.settings().agentContext(), vars,
        adapter.settings().ringTimeout(), leg, callerId);
    synchronized (call) {
      if (!sent && (call.state == Call.State.RINGING || call.state == Call.State.CALLBACK_RINGING)) {
        call.state = callback ? Call.State.CALLBACK : Call.State.WAITING;
        call.ringing = null;
        call.ringingLeg = null;
        if (callback) {
          releaseCallbackLease(call);
        }
      }
    }
  }

  /** The offer ended without acceptance: stop ringing; the caller keeps waiting. */
  void stopRinging(Call call, String reason) {
    String leg;
    boolean callback;
    synchronized (call) {
      if (call.state != Call.State.RINGING && call.state != Call.State.CALLBACK_RINGING) {
        return;
      }
      leg = call.ringingLeg;
      callback = call.state == Call.State.CALLBACK_RINGING;
      call.state = call.state == Call.State.RINGING ? Call.State.WAITING : Call.State.CALLBACK;
      call.ringing = null;
      call.ringingLeg = null;
    }
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("reason", reason).log("offer withdrawn; stop ringing");
    if (leg != null && adapter.ami() != null) {
      adapter.ami().hangup(leg);
    }
    if (callback) {
      // Given up only once its phone stopped: a ringing leg without a lease means its node went away (CallTakeover).
      releaseCallbackLease(call);
    }
  }

  /**
   * The interaction was transferred (to a queue or an agent, through the router): the agent's leg is hung up, the
   * caller's bridge ends and the caller waits again; the router's next offer rings the next agent.
   */
  void transferred(Call call) {
    switch (call.state) {
      case RINGING -> stopRinging(call, "transferred");
      case TALKING, ON_HOLD -> {
        String leg = call.agentChannel;
        if (leg != null && adapter.ami() != null) {
          call.transferring = true;
          log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentChannel", leg)
              .log("transfer: hanging up the agent's leg");
          if (!adapter.ami().hangup(leg)) {
            call.transferring = false;
          }
        }
      }
      default -> { }
    }
  }

  /**
   * The hub ended the interaction (or staff hung up): hang up the caller; for a callback, whatever leg it has (the
   * ringing agent's phone, or the agent's leg with the customer being dialled or talked to), or drop it when it has
   * none yet.
   */
  void hangUp(Call call, String reason) {
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("reason", reason).addKeyValue("state", call.state)
        .log("hanging up the call");
    if (call.state.callback()) {
      String leg = call.state == Call.State.CALLBACK_RINGING ? call.ringingLeg : call.agentChannel;
      if (call.state == Call.State.CALLBACK) {
        call.state = Call.State.ENDED;
        adapter.forget(call);
      }
      if (leg != null && adapter.ami() != null) {
        adapter.ami().hangup(leg);
      }
      return;
    }
    if (call.surveying) {
      log.atInfo().addKeyValue("interactionId", call.interaction).log("the caller is rating the call; the survey step hangs up");
      return;
    }
    if (adapter.ami() != null) {
      adapter.ami().hangup(call.channel);
    }
  }

  /**
   * Takes the callback's lease for this node (only one node dials a callback that several hold after reconciliation);
   * false when another node has it or the lease store did not answer.
   */
  private boolean callbackLease(Call call) {
    try {
      if (Boolean.TRUE.equals(await(adapter.context().leases().acquire(AsteriskAdapter.CALLBACK_LEASE + call.interaction,
          adapter.node(), adapter.settings().callLease())))) {
        return true;
      }
      log.atInfo().addKeyValue("interactionId", call.interaction).log("another node dials this callback");
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
          .log("could not take the callback's lease; not dialling now");
    }
    return false;
  }

  void releaseCallbackLease(Call call) {
    adapter.context().leases().release(AsteriskAdapter.CALLBACK_LEASE + call.interaction, adapter.node());
  }
}
