package io.switchboard.channel.voice;

import static io.switchboard.channel.voice.CallFlows.await;
import static io.switchboard.channel.voice.CallFlows.callbackAttributes;
import static io.switchboard.channel.voice.CallFlows.play;
import static io.switchboard.channel.voice.CallFlows.quiet;

import io.switchboard.hub.api.spi.ConversationReader.QueuePosition;
import java.time.Duration;
import java.time.Instant;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queued caller's session (CallFlows hands over once the call is taken in): music, position announcements and the
 * callback offer while waiting; the bridge once an agent answers; music on hold until resumed; the survey when the
 * agent hangs up. Runs on the caller's FastAGI virtual thread.
 */
final class CallerWaiting {
  private static final Logger log = LoggerFactory.getLogger(CallerWaiting.class);

  private final AsteriskAdapter adapter;
  private final CallFlows flows;

  CallerWaiting(AsteriskAdapter adapter, CallFlows flows) {
    this.adapter = adapter;
    this.flows = flows;
  }

  /**
   * Music, announcements, the callback offer, and the bridge once an agent answers. Returns when the call is over for
   * this session: hung up, or turned into a callback.
   */
  void waitForAgent(Ivr ivr, Call call, AgiChannel channel) throws AgiException {
    Ivr.Waiting waiting = ivr.waiting();
    Ivr.Callback callback = ivr.callbackFor(call.entry);
    if (callback != null && call.callbackNumber == null) {
      log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("callerId", call.callerNumber)
          .log("no callback offered: the caller ID is no number to call back");
      callback = null;
    }
    String escape = callback == null ? "" : String.valueOf(callback.key());
    channel.playMusicOnHold(waiting.musicClass());
    if (callback != null && offerCallback(callback, call, channel, waiting, escape) && requestCallback(callback, call, channel)) {
      return;
    }
    long every = waiting.announceEvery().toMillis();
    long nextAnnouncement = every == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + every;
    int poll = (int) Math.max(50, adapter.settings().pollInterval().toMillis());
    while (true) {
      Call.Signal signal = call.signals.poll();
      if (signal instanceof Call.Signal.Bridge b) {
        if (!bridge(call, channel, b)) {
          return;
        }
        // Transferred: the caller waits again for the next agent, in the place the router gives.
        channel.playMusicOnHold(waiting.musicClass());
        nextAnnouncement = every == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + every;
        continue;
      }
      char key = channel.waitForDigit(poll);
      if (callback != null && key == callback.key() && requestCallback(callback, call, channel)) {
        return;
      }
      if (System.currentTimeMillis() >= nextAnnouncement) {
        if (call.state == Call.State.WAITING) {
          announce(waiting, call, channel);
          if (callback != null && offerCallback(callback, call, channel, waiting, escape) && requestCallback(callback, call, channel)) {
            return;
          }
        }
        nextAnnouncement = System.currentTimeMillis() + every;
      }
    }
  }

  /**
   * Plays the callback offer when it applies (the call waits, in one of the offer's queues); true when the caller
   * pressed the key during it.
   */
  private boolean offerCallback(Ivr.Callback callback, Call call, AgiChannel channel, Ivr.Waiting waiting, String escape)
      throws AgiException {
    if (call.state != Call.State.WAITING || !call.signals.isEmpty() || !inOfferedQueue(callback, call)) {
      return false;
    }
    channel.stopMusicOnHold();
    char key = play(channel, callback.prompts(), escape);
    if (key == callback.key()) {
      return true;
    }
    channel.playMusicOnHold(waiting.musicClass());
    return false;
  }

  private boolean inOfferedQueue(Ivr.Callback callback, Call call) {
    if (callback.queues().isEmpty()) {
      return true;
    }
    try {
      QueuePosition p = await(adapter.context().conversations().position(call.interaction));
      return p != null && callback.queues().contains(p.queue());
    } catch (Exception e) {
      log.atDebug().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString()).log("no queue for the callback offer");
      return false;
    }
  }

  /**
   * The caller pressed the callback key while waiting: the interaction keeps its place in the queue and becomes a
   * callback (attributes {@code voice.callback=requested}, {@code voice.callbackNumber}, a transition "callback
   * requested"); the caller hears the confirmation and is hung up. False (the caller keeps waiting) while an agent's
   * phone rings or a bridge is on its way, for a queue the offer does not cover, or when the hub could not record it.
   */
  private boolean requestCallback(Ivr.Callback callback, Call call, AgiChannel channel) throws AgiException {
    if (!inOfferedQueue(callback, call)) { // asks the hub: not under the call's lock
      log.atInfo().addKeyValue("interactionId", call.interaction).log("callback key ignored: no callback offer in this queue");
      return false;
    }
    synchronized (call) {
      if (call.state != Call.State.WAITING || !call.signals.isEmpty()) {
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("state", call.state)
            .log("callback key ignored: an agent is being connected");
        return false;
      }
      call.state = Call.State.CALLBACK;
    }
    boolean recorded;
    try {
      recorded = await(adapter.context().interactions().updateAttributes(call.interaction, callbackAttributes(call),
          "callback requested to " + call.callbackNumber));
    } catch (Exception e) {
      log.atError().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
          .log("the hub could not record the callback request; the caller keeps waiting");
      recorded = false;
    }
    if (!recorded) {
      synchronized (call) {
        if (call.state == Call.State.CALLBACK) {
          call.state = Call.State.WAITING;
        }
      }
      channel.playMusicOnHold(adapter.ivr().waiting().musicClass());
      return false;
    }
    long waited = Duration.between(call.queuedAt, Instant.now()).toSeconds();
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("number", call.callbackNumber)
        .addKeyValue("waitedSeconds", waited).log("callback requested; the caller is hung up and keeps their place");
    channel.stopMusicOnHold();
    play(channel, callback.confirm(), "");
    channel.hangup();
    return true;
  }

  private void announce(Ivr.Waiting waiting, Call call, AgiChannel channel) throws AgiException {
    QueuePosition p;
    try {
      p = await(adapter.context().conversations().position(call.interaction));
    } catch (Exception e) {
      log.atDebug().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString()).log("no queue position");
      return;
    }
    if (p == null || call.state != Call.State.WAITING || !call.signals.isEmpty()) {
      return;
    }
    channel.stopMusicOnHold();
    channel.streamFile(waiting.positionPrompt());
    channel.sayNumber(Integer.toString(p.position()));
    if (p.estimatedWait() != null) {
      channel.streamFile(waiting.waitPrompt());
      channel.sayNumber(Long.toString(Math.max(1, (p.estimatedWait().toSeconds() + 59) / 60)));
      channel.streamFile("queue-minutes");
    }
    channel.playMusicOnHold(waiting.musicClass());
  }

  /**
   * Bridges caller and agent until one hangs up; true when the caller should wait again (transferred). A hold moves the
   * agent's leg out of the bridge (CallControls): the caller hears music here until resumed, then is bridged again.
   */
  private boolean bridge(Call call, AgiChannel channel, Call.Signal.Bridge b) throws AgiException {
    call.agentChannel = b.agentChannel();
    call.agent = b.agent();
    call.ringingLeg = null;
    channel.stopMusicOnHold();
    // Kept on the caller's channel so that another hub node can take the call over (CallTakeover).
    channel.setVariable(CallTakeover.AGENT_VAR, b.agent().toString());
    channel.setVariable(CallTakeover.AGENT_CHANNEL_VAR, b.agentChannel());
    adapter.controls().bridged(call);
    adapter.controls().state(call, Call.State.TALKING);
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", b.agent())
        .addKeyValue("agentChannel", b.agentChannel()).log("bridging caller and agent");
    return talk(call, channel, false);
  }

  /**
   * Caller and agent talk (bridged) until one hangs up; {@code onHoldFirst}: the agent's leg waits in the hold context
   * and the caller hears music until resumed. True when the caller should wait again (transferred).
   */
  boolean talk(Call call, AgiChannel channel, boolean onHoldFirst) throws AgiException {
    long asked = System.nanoTime();
    boolean held = onHoldFirst;
    while (true) {
      if (!held) {
        // Bridge(agent leg,x): the agent's leg is pulled out of its FastAGI session (or the hold context) into a bridge
        // with the caller, and hung up when the bridge ends. This session returns when either side leaves.
        channel.exec("Bridge", call.agentChannel + ",x");
        if (!call.holding || call.transferring) {
          break;
        }
      }
      held = false;
      if (!onHold(call, channel)) {
        break;
      }
    }
    String result = quiet(() -> channel.getVariable("BRIDGERESULT"));
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("result", result)
        .addKeyValue("talkedMs", (System.nanoTime() - asked) / 1_000_000).log("bridge ended");
    call.agentChannel = null;
    call.ringing = null;
    call.holding = false;
    if (call.transferring) {
      call.transferring = false;
      call.agent = null;
      // Forgotten on the channel too: a node taking the call over must not take the old agent's leg for a bridge.
      channel.setVariable(CallTakeover.AGENT_CHANNEL_VAR, "");
      adapter.controls().state(call, Call.State.WAITING);
      log.atInfo().addKeyValue("interactionId", call.interaction).log("call transferred; the caller waits for the next agent");
      return true;
    }
    afterCall(call, channel);
    return false;
  }

  /** The agent hung up: the hub hears the call ended, the caller (still here) may rate it, then is hung up. */
  void afterCall(Call call, AgiChannel channel) throws AgiException {
    flows.ended(call, "call ended");
    // The agent hung up: the caller's leg is still here (Bridge returned to this session) for the survey.
    call.surveying = true;
    try {
      adapter.survey().run(call.interaction, channel);
    } finally {
      call.surveying = false;
    }
    channel.hangup();
  }

  /**
   * The caller is on hold: music until staff resume (true: bridge again) or the agent's leg goes (false: the call ends,
   * or waits again when it is being transferred).
   */
  private boolean onHold(Call call, AgiChannel channel) throws AgiException {
    adapter.controls().state(call, Call.State.ON_HOLD);
    channel.playMusicOnHold(adapter.ivr().waiting().musicClass());
    int poll = (int) Math.max(50, adapter.settings().pollInterval().toMillis());
    while (true) {
      Call.Signal signal = call.signals.poll();
      if (signal instanceof Call.Signal.Resume) {
        synchronized (call) {
          call.holding = false;
        }
        channel.setVariable(CallTakeover.HOLD_VAR, "");
        channel.stopMusicOnHold();
        adapter.controls().state(call, Call.State.TALKING);
        return true;
      }
      if (signal instanceof Call.Signal.AgentGone g && g.agentChannel().equals(call.agentChannel)) {
        log.atInfo().addKeyValue("interactionId", call.interaction).log("the agent's leg hung up while the caller was on hold");
        channel.stopMusicOnHold();
        return false;
      }
      channel.waitForDigit(poll);
    }
  }
}
