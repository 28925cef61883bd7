package io.switchboard.channel.voice;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One caller's call as this node controls it: held by the caller's FastAGI session from answer to hang-up; a
 * callback (the caller asked to be called back and was hung up) is held without a channel until it is dialled.
 */
final class Call {

  /**
   * Where the call stands. {@code CALLBACK}: the caller asked to be called back and hung up, the interaction waits
   * in its place; {@code CALLBACK_RINGING}: an agent's phone rings for it; {@code CALLBACK_DIALLING}: the agent
   * answered and the customer's number is dialled; {@code CALLBACK_TALKING}: the customer answered.
   */
  enum State {
    IVR, WAITING, RINGING, TALKING, ON_HOLD, CALLBACK, CALLBACK_RINGING, CALLBACK_DIALLING, CALLBACK_TALKING, ENDED;

    /** A callback: the caller's own channel is gone. */
    boolean callback() {
      return this == CALLBACK || this == CALLBACK_RINGING || this == CALLBACK_DIALLING || this == CALLBACK_TALKING;
    }
  }

  /** What the caller's session is told while it waits. */
  sealed interface Signal {
    /** The agent answered on this channel: bridge the caller to it. */
    record Bridge(String agentChannel, AgentId agent) implements Signal {}

    /** Staff took the caller off hold: bridge the caller with the agent's waiting leg again. */
    record Resume() implements Signal {}

    /** The agent's leg hung up (seen over AMI) while the caller was on hold. */
    record AgentGone(String agentChannel) implements Signal {}
  }

  final String uniqueId;
  final String linkedId;
  final String channel;
  final String callerNumber;
  final String dnis;
  final Instant startedAt = Instant.now();
  final Map<String, String> attributes = new ConcurrentHashMap<>();
  final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
  volatile State state = State.IVR;
  volatile InteractionId interaction;
  /** The IVR menu the caller is in (null before the first one and after the IVR). */
  volatile String menu;
  volatile Instant queuedAt;
  /** The agent whose phone rings now, and the id of that ringing leg (its Asterisk uniqueid). */
  volatile AgentId ringing;
  volatile String ringingLeg;
  /** The agent's leg while talking (its channel name). */
  volatile String agentChannel;
  /** Set before the agent's leg is hung up for a transfer: the caller waits again instead of hanging up. */
  volatile boolean transferring;
  /** Set before the agent's leg is moved out of the bridge for a hold: the caller hears music until resumed. */
  volatile boolean holding;
  /** Set while the caller answers the post-call survey: the hub ending the interaction does not hang them up. */
  volatile boolean surveying;
  /** The queue the call was last offered from (recording is per queue). */
  volatile String queue;
  /** The agent talking with (or holding) the caller. */
  volatile AgentId agent;
  /** When the current state began, and when caller and agent were first bridged (for the call's duration). */
  volatile Instant stateSince = Instant.now();
  volatile Instant talkingSince;
  /** Supervisors' phones spying on this call (their legs' uniqueids), hung up when the call ends. */
  final java.util.Set<String> spyLegs = ConcurrentHashMap.newKeySet();
  /** The recording's file name once MixMonitor runs on the caller's channel. */
  volatile String recording;
  /** The IVR entry point the call came in through (null before it is known). */
  volatile Ivr.EntryPoint entry;
  /** The number a callback dials (the caller's number when it is a usable phone number). */
  volatile String callbackNumber;
  /** A callback's agent leg (its Asterisk uniqueid) while the customer is dialled, and whether the customer answered. */
  volatile String agentLegId;
  /** A callback's customer leg (its channel name) once the customer answered. */
  volatile String customerChannel;
  /** A callback's customer leg's Asterisk uniqueid once the customer answered. */
  volatile String customerLegId;
  volatile boolean callbackConnected;
  /** A callback's try under way (or the last one made). */
  volatile int attempt;
  /**
   * Taken over from a hub node that went away while caller and agent talked: no FastAGI session of this node holds the
   * caller (its {@code Bridge()} runs on in Asterisk) until the bridge ends and the dialplan hands the caller here.
   */
  volatile boolean detached;
  /** The customer number the caller entered and the hub knows (null when none). */
  volatile String customerNumber;

  Call(String uniqueId, String linkedId, String channel, String callerNumber, String dnis) {
    this.uniqueId = uniqueId;
    this.linkedId = linkedId;
    this.channel = channel;
    this.callerNumber = callerNumber;
    this.dnis = dnis;
  }
}
