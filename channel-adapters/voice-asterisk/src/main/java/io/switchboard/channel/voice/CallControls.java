package io.switchboard.channel.voice;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.spi.CallAction;
import io.switchboard.hub.api.spi.CallState;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Staff's controls of a bridged call over AMI, run on a virtual thread of the node that holds the call: hold and resume
 * (the agent's leg waits in the hold context while the caller's session plays music), supervisors' listen, whisper and
 * barge ({@code ChanSpy} on the agent's leg, of an inbound call or a talking callback, dialled to the supervisor's own phone), recording (MixMonitor on the
 * caller's channel, started at the first bridge for queues configured to record), and the call state the hub shows.
 */
final class CallControls {
  private static final Logger log = LoggerFactory.getLogger(CallControls.class);

  /** The interaction attribute naming a call's recording file. */
  static final String RECORDING_ATTRIBUTE = "voice.recording";

  private final AsteriskAdapter adapter;

  CallControls(AsteriskAdapter adapter) {
    this.adapter = adapter;
  }

  /**
   * Carries out {@code action} on {@code call}.
   *
   * @throws ConflictException when the call is not in a state that allows it (hold while not talking, resume while not
   *     on hold, spy without a bridged agent or without a phone for the supervisor) or Asterisk refused
   */
  void act(Call call, CallAction action, AgentId by) throws Exception {
    switch (action) {
      case HANG_UP -> adapter.flows().events.hangUp(call, "hung up by staff");
      case HOLD -> hold(call);
      case RESUME -> resume(call);
      case LISTEN, WHISPER, BARGE -> spy(call, action, by);
    }
  }

  private void hold(Call call) {
    if (call.state == Call.State.CALLBACK_TALKING) {
      holdCallback(call);
      return;
    }
    synchronized (call) {
      String leg = call.agentChannel;
      if (call.state != Call.State.TALKING || leg == null || call.holding) {
        throw new ConflictException("the call is not talking (state " + call.state.name().toLowerCase() + "); cannot hold it");
      }
      call.holding = true;
      // Noted on the caller's channel first: a node that takes the call over knows the agent's leg waits on hold.
      if (adapter.ami() != null) {
        adapter.ami().setVariable(call.channel, CallTakeover.HOLD_VAR, "1");
      }
      // The agent's leg leaves the bridge for the hold context; the caller's Bridge() returns and its session plays music.
      if (adapter.ami() == null || !adapter.ami().redirect(leg, adapter.settings().holdContext())) {
        call.holding = false;
        if (adapter.ami() != null) {
          adapter.ami().setVariable(call.channel, CallTakeover.HOLD_VAR, "");
        }
        throw new ConflictException("Asterisk did not move the agent's leg to hold");
      }
      log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentChannel", leg).log("call put on hold");
    }
  }

  /**
   * A callback's customer is put on hold: the customer's leg leaves the agent leg's {@code Dial} for
   * {@value #CUSTOMER_HOLD_CONTEXT} (music); the agent leg's session waits until resumed, then bridges it back.
   */
  private void holdCallback(Call call) {
    synchronized (call) {
      String customer = call.customerChannel;
      if (customer == null || call.holding) {
        throw new ConflictException("the callback's customer is not on the line (or already on hold); cannot hold");
      }
      call.holding = true;
      if (adapter.ami() == null || !adapter.ami().redirect(customer, CUSTOMER_HOLD_CONTEXT)) {
        call.holding = false;
        throw new ConflictException("Asterisk did not move the customer's leg to hold");
      }
    }
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("customerChannel", call.customerChannel)
        .log("callback put on hold");
    state(call, call.state); // the console shows the call on hold
  }

  /** Dialplan context a callback's customer waits in on hold (music on hold), in the sample extensions.conf. */
  static final String CUSTOMER_HOLD_CONTEXT = "switchboard-hold-customer";

  private void resume(Call call) {
    synchronized (call) {
      if (!call.holding) {
        throw new ConflictException("the call is not on hold (state " + call.state.name().toLowerCase() + ")");
      }
      call.signals.add(new Call.Signal.Resume());
      log.atInfo().addKeyValue("interactionId", call.interaction).log("call resumed");
    }
  }

  /**
   * A supervisor listens, whispers or barges: {@code ChanSpy} on the agent's leg (an inbound call's leg bridged with the
   * caller, or a talking callback's leg whose {@code Dial} reached the customer), dialled to the supervisor's phone.
   */
  private void spy(Call call, CallAction action, AgentId supervisor) throws Exception {
    String leg = call.agentChannel;
    boolean talking = call.state == Call.State.TALKING || call.state == Call.State.ON_HOLD
        || (call.state == Call.State.CALLBACK_TALKING && call.callbackConnected);
    if (leg == null || !talking) {
      throw new ConflictException("the call has no agent on the line to " + action.name().toLowerCase() + " to");
    }
    if (supervisor == null) {
      throw new ConflictException(action.name().toLowerCase() + " needs the supervisor who asks");
    }
    String endpoint = CallFlows.await(adapter.context().phoneEndpoint(supervisor));
    if (endpoint == null || endpoint.isBlank()) {
      throw new ConflictException("supervisor " + supervisor + " has no phone endpoint (PUT /api/v1/agents/{id}/phone)");
    }
    // q: no beep or name; E: leave when the spied leg hangs up; w: whisper to the agent; B: barge (both hear).
    String options = switch (action) {
      case WHISPER -> "qEw";
      case BARGE -> "qEB";
      default -> "qE";
    };
    String spyLeg = "sb-spy-" + UUID.randomUUID();
    String shown = call.state == Call.State.CALLBACK_TALKING ? call.callbackNumber : call.callerNumber;
    if (adapter.ami() == null || !adapter.ami().originateApplication(endpoint, "ChanSpy", leg + "," + options,
        adapter.settings().ringTimeout(), spyLeg, shown)) {
      throw new ConflictException("Asterisk did not ring the supervisor's phone");
    }
    call.spyLegs.add(spyLeg);
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("supervisor", supervisor)
        .addKeyValue("mode", action.name().toLowerCase()).addKeyValue("endpoint", endpoint).addKeyValue("spyLeg", spyLeg)
        .log("supervisor's phone rings to spy on the call");
  }

  /**
   * At a bridge: starts the recording when the call's queue records and it does not run yet. MixMonitor records both
   * directions of the customer's channel: the caller's for an inbound call, the customer's leg the callback dialled for a
   * callback (the caller's own channel ended when the callback was requested).
   */
  void bridged(Call call) {
    if (call.recording != null || call.queue == null || !adapter.settings().recordQueues().contains(call.queue)) {
      return;
    }
    String customerChannel = call.state.callback() ? call.customerChannel : call.channel;
    if (customerChannel == null) {
      log.atWarn().addKeyValue("interactionId", call.interaction).log("could not start the call's recording: no customer channel");
      return;
    }
    String file = "switchboard-" + call.interaction + ".wav";
    if (adapter.ami() != null && adapter.ami().mixMonitor(customerChannel, file)) {
      call.recording = file;
      log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("file", file).log("recording the call");
      // The file name is stored on the interaction (attribute voice.recording), with a transition saying so.
      adapter.context().interactions().updateAttributes(call.interaction, java.util.Map.of(RECORDING_ATTRIBUTE, file),
          "call recorded to " + file).onFailure(e -> log.atWarn().addKeyValue("interactionId", call.interaction)
          .addKeyValue("error", e.toString()).log("could not store the recording's file name on the interaction"));
    } else {
      log.atWarn().addKeyValue("interactionId", call.interaction).log("could not start the call's recording");
    }
  }

  /** Moves the call to {@code state} and tells the hub (ringing, talking, on hold, ended). */
  void state(Call call, Call.State state) {
    call.state = state;
    call.stateSince = Instant.now();
    if (state == Call.State.TALKING && call.talkingSince == null) {
      call.talkingSince = call.stateSince;
    }
    CallState.Phase phase = state == Call.State.CALLBACK_TALKING && call.holding ? CallState.Phase.ON_HOLD : switch (state) {
      case RINGING, CALLBACK_RINGING -> CallState.Phase.RINGING;
      case TALKING, CALLBACK_TALKING -> CallState.Phase.TALKING;
      case ON_HOLD -> CallState.Phase.ON_HOLD;
      case ENDED -> CallState.Phase.ENDED;
      default -> null;
    };
    if (state == Call.State.ENDED) {
      // Supervisors' phones leave with the call.
      for (String leg : call.spyLegs) {
        if (adapter.ami() != null) {
          adapter.ami().hangup(leg);
        }
      }
      call.spyLegs.clear();
    }
    if (phase == null || call.interaction == null) {
      return;
    }
    AgentId agent = state == Call.State.RINGING ? call.ringing : call.agent;
    adapter.context().interactions().callState(new CallState(call.interaction, phase, agent, call.stateSince,
        call.talkingSince, call.recording)).onFailure(e -> log.atDebug().addKeyValue("interactionId", call.interaction)
        .addKeyValue("error", e.toString()).log("the hub did not take the call state"));
  }
}
