package io.switchboard.channel.voice;

import io.switchboard.hub.api.AgentId;
import java.time.Instant;
import io.switchboard.hub.api.spi.OpenInteraction;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.InteractionId;
import java.util.Map;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dials a callback from the agent's leg once the agent answered (and the hub accepted the offer for them): the
 * agent hears {@code callbacks.agentPrompts}, then {@code Dial(<callbacks.dial with the number>,<ringTimeout>)}
 * rings the customer and bridges them with the agent on answer. No answer, busy, congestion or an unreachable number
 * is tried again {@code retryDelay} later (the agent hears music meanwhile) up to {@code attempts} tries; then the
 * callback is recorded as failed: attributes {@code voice.callback=failed}, {@code voice.callbackResult} and the
 * hub's transition "customer left: callback failed: ...". Every try is recorded ({@code voice.callbackAttempts}).
 *
 * <p>Size (over 400 lines, #15): one callback's dialling as a single sequence of tries, waits and outcomes, including
 * resuming it on another node mid-dial from the progress kept on the agent leg; the try counter and the outcome must
 * be read and written in one place so that no try is lost or made twice.
 */
final class CallbackDialler {
  private static final Logger log = LoggerFactory.getLogger(CallbackDialler.class);

  private final AsteriskAdapter adapter;
  private final CallFlows flows;

  CallbackDialler(AsteriskAdapter adapter, CallFlows flows) {
    this.adapter = adapter;
    this.flows = flows;
  }

  /** Runs on the agent leg's FastAGI session until the callback is done, failed, or the agent hangs up. */
  void dial(Call call, AgentId agent, String agentChannel, String agentLegId, AgiChannel channel) throws AgiException {
    dial(call, agent, agentChannel, agentLegId, channel, 0, null);
  }

  /**
   * Dials a callback, or goes on with one taken over from a node that went away ({@code done} tries made there, the
   * last ended with {@code lastStatus}): after {@code retryDelay} the next try follows, up to {@code attempts} in all.
   * The agent leg's channel notes the progress ({@value CallTakeover#CALLBACK_VAR}, {@value CallTakeover#ATTEMPT_VAR},
   * {@value CallTakeover#RECORDED_VAR}) so that another node can go on with it in turn.
   */
  void dial(Call call, AgentId agent, String agentChannel, String agentLegId, AgiChannel channel, int done, String lastStatus)
      throws AgiException {
    Ivr.Callbacks cfg = adapter.ivr().callbacks();
    call.agentLegId = agentLegId;
    call.agent = agent;
    call.callbackConnected = false;
    call.state = Call.State.CALLBACK_DIALLING;
    call.agentChannel = agentChannel;
    call.ringingLeg = null;
    String number = call.callbackNumber;
    String dial = cfg.dialString(number) + "," + Math.max(1, cfg.ringTimeout().toSeconds());
    int attempt = done;
    String status = lastStatus;
    try {
      channel.setVariable(CallTakeover.CALLBACK_VAR, "1");
      if (done > 0 && attempt < cfg.attempts()) {
        pause(channel, adapter.ivr().waiting().musicClass(), cfg.retryDelay().toMillis());
      }
      while (attempt < cfg.attempts()) {
        attempt++;
        call.attempt = attempt;
        CallFlows.play(channel, cfg.agentPrompts(), "");
        channel.setVariable(CallTakeover.ATTEMPT_VAR, Integer.toString(attempt));
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", agent).addKeyValue("attempt", attempt)
            .addKeyValue("of", cfg.attempts()).log("dialling the customer for a callback");
        channel.exec("Dial", dial);
        status = CallFlows.quiet(() -> channel.getVariable("DIALSTATUS"));
        if ("ANSWER".equals(status) || call.callbackConnected) {
          talkedOn(call, channel);
          return;
        }
        if ("CANCEL".equals(status)) {
          // Dial was cancelled: the agent's leg hung up while the customer's phone rang.
          throw new AgiHangupException();
        }
        String why = describe(status);
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("attempt", attempt).addKeyValue("dialStatus", status)
            .log("callback attempt failed: " + why);
        record(call, Map.of("voice.callbackAttempts", Integer.toString(attempt), "voice.callbackResult", why),
            "callback attempt " + attempt + " of " + cfg.attempts() + ": " + why);
        channel.setVariable(CallTakeover.RECORDED_VAR, Integer.toString(attempt));
        if (attempt < cfg.attempts()) {
          pause(channel, adapter.ivr().waiting().musicClass(), cfg.retryDelay().toMillis());
        }
      }
      String reason = "callback failed: " + describe(status) + " after " + attempt + (attempt == 1 ? " attempt" : " attempts");
      log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", agent).log(reason);
      record(call, Map.of("voice.callback", "failed"), reason);
      flows.ended(call, reason);
      hangUpQuietly(channel);
    } catch (AgiHangupException e) {
      if (adapter.stopping()) {
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("attempt", attempt)
            .log("this hub node is stopping; the callback is handed over to another node");
        return;
      }
      if (call.transferring) {
        return; // the customer waits for the next agent; nothing more to record here
      }
      if (call.callbackConnected) {
        // The agent hung up after talking to the customer: the callback was made.
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("attempt", attempt).log("callback call ended by the agent");
        record(call, Map.of("voice.callback", "completed", "voice.callbackAttempts", Integer.toString(attempt)),
            "callback answered on attempt " + attempt);
        flows.ended(call, "callback call ended");
        return;
      }
      String reason = "callback failed: the agent hung up " + (attempt == 0 ? "before dialling" : "during attempt " + attempt);
      log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("agentId", agent).log(reason);
      record(call, Map.of("voice.callback", "failed", "voice.callbackResult", "agent hung up"), reason);
      flows.ended(call, reason);
    } finally {
      ended(call);
    }
  }

  /**
   * The callback is over on this node (done, failed, the agent gone, handed over or transferred): no leg of it is worked
   * here any more, its lease is given up (unless a transfer goes on with it: a transferred callback's lease is given up
   * by the transfer, or kept for its next try) and the node forgets it.
   */
  private void ended(Call call) {
    call.state = Call.State.ENDED;
    call.agentChannel = null;
    if (!call.transferring) {
      flows.events.releaseCallbackLease(call);
    }
    adapter.forget(call);
  }

  /**
   * The customer answered and talked with the agent ({@code Dial} returned): holds until resumed, then, unless the
   * customer was transferred (the agent's leg is hung up, the customer waits for the next agent), records the callback
   * completed, tells the hub the call ended and hangs the agent's leg up.
   */
  private void talkedOn(Call call, AgiChannel channel) throws AgiException {
    talkOn(call, channel);
    if (call.transferring) {
      log.atInfo().addKeyValue("interactionId", call.interaction).log("callback transferred; hanging up the agent's leg");
      hangUpQuietly(channel);
      return;
    }
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("attempt", call.attempt).log("callback call ended");
    completed(call);
    hangUpQuietly(channel);
  }

  private void completed(Call call) {
    record(call, Map.of("voice.callback", "completed", "voice.callbackAttempts", Integer.toString(Math.max(1, call.attempt))),
        "callback answered on attempt " + Math.max(1, call.attempt));
    flows.ended(call, "callback call ended");
  }

  /**
   * A talking callback this node took over ({@link CallTakeover#tick}) is back on a FastAGI session: the agent leg's
   * {@code Dial} returned (customer on hold, transferred, or hung up) and the dialplan handed the leg here. Goes on as the
   * dialling node would have: hold until resumed, then the callback is completed or the customer waits for a transfer.
   */
  void attach(Call call, AgiChannel channel) throws AgiException {
    call.detached = false;
    try {
      adapter.takeover().advertise(channel);
      talkedOn(call, channel);
    } catch (AgiHangupException e) {
      if (!adapter.stopping() && !call.transferring) {
        log.atInfo().addKeyValue("interactionId", call.interaction).log("callback call ended by the agent");
        completed(call);
      }
    } finally {
      ended(call);
    }
  }

  /** The agent's leg of a talking callback this node took over hung up (seen over AMI): the callback was made. */
  void adoptedLegGone(Call call) {
    if (call.transferring || call.state != Call.State.CALLBACK_TALKING) {
      return;
    }
    log.atInfo().addKeyValue("interactionId", call.interaction).log("the agent's leg of a taken-over callback hung up; callback call ended");
    try {
      completed(call);
    } finally {
      ended(call);
    }
  }

  /**
   * Blind transfer of a talking callback, first step (on the event's thread, no I/O): the customer's leg becomes a
   * waiting caller of this node ({@link Call#detached}, {@link Call#transferring}: its FastAGI session attaches once the
   * leg reaches this node), in the callback's place, so that the router's next offer rings the next agent's phone.
   * Null when the customer's leg is unknown (not answered yet).
   */
  Call transferring(Call call) {
    synchronized (call) {
      if (call.state != Call.State.CALLBACK_TALKING || call.customerChannel == null || call.customerLegId == null || call.transferring) {
        return null;
      }
      Call waiting = new Call(call.customerLegId, call.linkedId, call.customerChannel, call.callbackNumber, null);
      waiting.callbackNumber = call.callbackNumber;
      waiting.interaction = call.interaction;
      waiting.queue = call.queue;
      waiting.queuedAt = Instant.now();
      waiting.state = Call.State.WAITING;
      waiting.detached = true;
      waiting.transferring = true;
      call.transferring = true;
      if (!adapter.replace(call, waiting)) {
        call.transferring = false;
        return null;
      }
      adapter.register(waiting);
      return waiting;
    }
  }

  /**
   * Blind transfer of a talking callback, second step (virtual thread): the callback is recorded completed (the
   * customer was reached) and the interaction's {@code voice.uniqueId} becomes the customer's leg (so another node can
   * take the call over as any caller's); the customer's leg leaves the agent's {@code Dial} (AMI {@code Redirect} to
   * {@code switchboard-takeover}, {@code SB_INTERACTION} and {@code SB_HUB} set) and comes to this node's FastAGI
   * server, where it waits with music for the router's next offer; the agent's leg is hung up.
   */
  void transfer(Call call, Call waiting) {
    log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("customerChannel", waiting.channel)
        .log("callback transferred: the customer waits for the next agent");
    record(call, Map.of("voice.callback", "completed", "voice.callbackAttempts", Integer.toString(Math.max(1, call.attempt)),
        "voice.uniqueId", waiting.uniqueId), "callback answered on attempt " + Math.max(1, call.attempt));
    adapter.takeover().hold(waiting);
    AmiClient ami = adapter.ami();
    boolean moved = ami != null && ami.setVariable(waiting.channel, CallTakeover.INTERACTION_VAR, call.interaction.toString());
    if (moved && adapter.settings().agiAddress() != null) {
      ami.setVariable(waiting.channel, CallTakeover.HUB_VAR, adapter.settings().agiAddress());
    }
    moved = moved && ami.redirect(waiting.channel, TRANSFER_CONTEXT);
    if (!moved) {
      log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("customerChannel", waiting.channel)
          .log("the callback's customer could not be moved for the transfer (hung up?)");
      waiting.detached = false;
      flows.ended(waiting, "customer hung up during the transfer");
      waiting.state = Call.State.ENDED;
      adapter.forget(waiting);
    }
    if (call.detached && call.agentChannel != null && ami != null) {
      // Taken over while talking: no session of this node holds the agent's leg.
      call.detached = false;
      ami.hangup(call.agentChannel);
      call.state = Call.State.ENDED;
    }
    flows.events.releaseCallbackLease(call); // the customer waits as a caller now (the call's own lease)
  }

  /**
   * Transfer of a callback whose customer was not reached yet (dialled, or between tries), first step: the callback waits
   * again, as a callback, in its place (the next agent's offer rings that agent's phone and dials the customer anew).
   */
  Call requeued(Call call) {
    synchronized (call) {
      if (call.state != Call.State.CALLBACK_DIALLING || call.transferring) {
        return null;
      }
      Call again = new Call(call.uniqueId, call.linkedId, null, call.callbackNumber, null);
      again.callbackNumber = call.callbackNumber;
      again.interaction = call.interaction;
      again.queuedAt = Instant.now();
      again.state = Call.State.CALLBACK;
      call.transferring = true;
      if (!adapter.replace(call, again)) {
        call.transferring = false;
        return null;
      }
      return again;
    }
  }

  /** Second step: the agent's leg is hung up (a running {@code Dial} stops ringing the customer); nothing is recorded. */
  void stopDialling(Call call) {
    log.atInfo().addKeyValue("interactionId", call.interaction).log("callback transferred before the customer answered; it waits as a callback again");
    if (call.agentChannel != null && adapter.ami() != null) {
      adapter.ami().hangup(call.agentChannel);
    }
  }

  /** Dialplan context a transferred callback's customer is sent to: it hands the leg to the hub node in SB_HUB. */
  static final String TRANSFER_CONTEXT = "switchboard-takeover";

  /**
   * A callback's agent leg handed to this node by the dialplan after the node dialling from it went away
   * ({@value CallTakeover#CALLBACK_VAR} set): this node takes the callback's lease (the agent hears music until the old holder's
   * lease runs out) and goes on with the tries where the leg's channel says they stand
   * ({@link #goOn}). A leg that names no callback being worked, or whose callback has no usable number,
   * is hung up.
   */
  void resume(org.asteriskjava.fastagi.AgiRequest request, AgiChannel channel, InteractionId id, AgentId agent)
      throws AgiException {
    Call held = adapter.call(id).orElse(null);
    if (held != null && held.detached && held.state == Call.State.CALLBACK_TALKING && request.getUniqueId() != null
        && request.getUniqueId().equals(held.agentLegId)) {
      attach(held, channel);
      return;
    }
    OpenInteraction o = adapter.takeover().open(id);
    String number = o == null ? null : o.attributes().get("voice.callbackNumber");
    if (o == null || o.state() != InteractionState.ASSIGNED || !"requested".equals(o.attributes().get("voice.callback"))
        || number == null || !number.matches("\\+?[0-9]{3,20}")) {
      log.atWarn().addKeyValue("interactionId", id).addKeyValue("channel", request.getChannel())
          .log("an agent leg handed over between hub nodes names no callback being worked; hanging up");
      channel.hangup();
      return;
    }
    Call call = new Call(o.externalId(), o.externalId(), null, number, null);
    call.callbackNumber = number;
    call.interaction = id;
    call.agent = agent;
    call.queuedAt = Instant.now();
    call.state = Call.State.CALLBACK_DIALLING;
    if (!adapter.queued(call)) {
      log.atWarn().addKeyValue("interactionId", id).log("a callback handed over between hub nodes is already dialled here; hanging up the leg");
      channel.hangup();
      return;
    }
    try {
      channel.playMusicOnHold(adapter.ivr().waiting().musicClass());
      long deadline = System.nanoTime() + adapter.settings().callLease().plusSeconds(10).toNanos();
      while (!adapter.takeover().leased(AsteriskAdapter.CALLBACK_LEASE + id)) {
        if (System.nanoTime() > deadline) {
          log.atError().addKeyValue("interactionId", id).log("another hub node keeps this callback's lease; hanging up the handed-over leg");
          channel.hangup();
          call.state = Call.State.ENDED;
          adapter.forget(call);
          return;
        }
        channel.waitForDigit(500);
      }
      channel.stopMusicOnHold();
      adapter.takeover().advertise(channel);
    } catch (AgiHangupException e) {
      call.state = Call.State.ENDED;
      adapter.forget(call);
      flows.events.releaseCallbackLease(call);
      throw e;
    }
    int done = count(CallFlows.quiet(() -> channel.getVariable(CallTakeover.ATTEMPT_VAR)));
    int recorded = count(CallFlows.quiet(() -> channel.getVariable(CallTakeover.RECORDED_VAR)));
    String status = CallFlows.quiet(() -> channel.getVariable("DIALSTATUS"));
    log.atWarn().addKeyValue("interactionId", id).addKeyValue("agentId", agent).addKeyValue("triesMade", done)
        .log("took over a callback being dialled whose hub node went away");
    goOn(call, agent, request.getChannel(), request.getUniqueId(), channel, done, recorded, status);
  }

  /** A try count from a channel variable; 0 when unset or not a small number. */
  private static int count(String value) {
    return value != null && value.matches("[0-9]{1,2}") ? Integer.parseInt(value) : 0;
  }

  /**
   * Goes on with a callback taken over from a node that went away: the agent leg's channel says how many tries were
   * made ({@code done}), how many of them were recorded, and how the last ended ({@code DIALSTATUS}). A last try that
   * was answered completes the callback (the customer talked, then a side hung up); one not recorded yet is recorded;
   * then the next try follows after {@code retryDelay}, or the callback fails when all were made. No try is made twice.
   */
  void goOn(Call call, AgentId agent, String agentChannel, String agentLegId, AgiChannel channel, int done, int recorded,
      String status) throws AgiException {
    Ivr.Callbacks cfg = adapter.ivr().callbacks();
    if (done > 0 && "ANSWER".equals(status)) {
      try {
        log.atInfo().addKeyValue("interactionId", call.interaction).addKeyValue("attempt", done).log("callback call ended");
        record(call, Map.of("voice.callback", "completed", "voice.callbackAttempts", Integer.toString(done)),
            "callback answered on attempt " + done);
        flows.ended(call, "callback call ended");
        hangUpQuietly(channel);
      } finally {
        call.state = Call.State.ENDED;
        flows.events.releaseCallbackLease(call);
        adapter.forget(call);
      }
      return;
    }
    if (done > 0 && recorded < done) {
      String why = status == null ? "the hub node went away" : describe(status);
      record(call, Map.of("voice.callbackAttempts", Integer.toString(done), "voice.callbackResult", why),
          "callback attempt " + done + " of " + cfg.attempts() + ": " + why);
    }
    dial(call, agent, agentChannel, agentLegId, channel, done, status);
  }

  /**
   * The customer's leg left the agent leg's {@code Dial} for hold ({@link CallControls}): the agent waits (silence)
   * until staff resume, then this leg bridges the customer back ({@code Bridge(<customer>,x)}); again for each hold.
   * Returns when the call is over (a side hung up).
   */
  private void talkOn(Call call, AgiChannel channel) throws AgiException {
    int poll = (int) Math.max(50, adapter.settings().pollInterval().toMillis());
    try {
      while (call.holding) {
        boolean resumed = false;
        while (!resumed) {
          if (call.transferring) {
            return; // the customer left the hold context for the transfer
          }
          Call.Signal signal = call.signals.poll();
          if (signal instanceof Call.Signal.Resume) {
            synchronized (call) {
              call.holding = false;
            }
            resumed = true;
          } else if (signal instanceof Call.Signal.AgentGone g && g.agentChannel().equals(call.customerChannel)) {
            log.atInfo().addKeyValue("interactionId", call.interaction).log("the callback's customer hung up on hold");
            call.holding = false;
            return;
          } else {
            channel.waitForDigit(poll);
          }
        }
        adapter.controls().state(call, Call.State.CALLBACK_TALKING);
        log.atInfo().addKeyValue("interactionId", call.interaction).log("callback resumed; bridging the customer back");
        channel.exec("Bridge", call.customerChannel + ",x");
      }
    } catch (AgiHangupException e) {
      // The agent hung up on hold: the customer waits in the hold context, hang that leg up too.
      if (call.holding && call.customerChannel != null && adapter.ami() != null && !adapter.stopping()) {
        adapter.ami().hangup(call.customerChannel);
      }
      throw e;
    }
  }

  /** Hangs up the agent's leg, which may be gone already (the agent hung up first). */
  private static void hangUpQuietly(AgiChannel channel) throws AgiException {
    try {
      channel.hangup();
    } catch (AgiHangupException gone) {
      // nothing left to hang up
    }
  }

  /** Music for the agent between tries. */
  private static void pause(AgiChannel channel, String musicClass, long millis) throws AgiException {
    channel.playMusicOnHold(musicClass);
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      channel.waitForDigit((int) Math.min(500, Math.max(1, deadline - System.currentTimeMillis())));
    }
    channel.stopMusicOnHold();
  }

  private void record(Call call, Map<String, String> attributes, String reason) {
    try {
      CallFlows.await(adapter.context().interactions().updateAttributes(call.interaction, attributes, reason));
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", call.interaction).addKeyValue("error", e.toString())
          .log("could not record the callback's progress on the interaction");
    }
  }

  /** Asterisk's DIALSTATUS in words. */
  static String describe(String status) {
    if (status == null) {
      return "no dial status";
    }
    return switch (status) {
      case "NOANSWER" -> "no answer";
      case "BUSY" -> "busy";
      case "CONGESTION" -> "congestion";
      case "CHANUNAVAIL" -> "number unreachable";
      case "CANCEL" -> "cancelled";
      case "DONTCALL", "TORTURE" -> "refused by the called party";
      case "INVALIDARGS" -> "invalid dial string";
      default -> status.toLowerCase(java.util.Locale.ROOT);
    };
  }
}
