package io.switchboard.hub.app.channels;

import io.switchboard.hub.testsupport.RealAsterisk;
import io.switchboard.voice.testkit.AsteriskCalls;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.asteriskjava.manager.event.ManagerEvent;

/**
 * Callers for whole-hub voice tests on a real Asterisk: the voice test kit's {@link AsteriskCalls} (places calls,
 * presses keys, answers questions about the AMI events seen, polling waits of 30 s) under the names these tests use,
 * with the events as a field.
 */
final class VoiceCalls {
  final AsteriskCalls kit;
  final List<ManagerEvent> events;

  VoiceCalls(RealAsterisk asterisk, String prefix) {
    this.kit = new AsteriskCalls(asterisk, prefix);
    this.events = kit.events();
  }

  /** Places a call from {@code callerId} to {@code dnis}; returns the caller's phone (uniqueid of the ;1 half). */
  String dial(String dnis, String callerId) throws Exception {
    return kit.dial(dnis, callerId);
  }

  /** Presses {@code key} once the IVR answered the caller's phone. */
  void press(String phone, String key) throws Exception {
    kit.press(phone, key);
  }

  /** A channel variable now (null when unset or the channel is gone). */
  String variable(String channel, String name) {
    return kit.variable(channel, name);
  }

  /** How many bridges the channel (by uniqueid) entered. */
  long bridges(String uniqueId) {
    return kit.bridges(uniqueId);
  }

  /** Whether the caller's channel (by uniqueid) entered a bridge that another channel entered too. */
  boolean bridged(String callerUniqueId) {
    return kit.bridged(callerUniqueId);
  }

  /** The channel that shares a bridge with the caller's (by uniqueid): the agent's leg; null while there is none. */
  String agentLeg(String callerUniqueId) {
    return kit.agentLeg(callerUniqueId);
  }

  boolean hungUp(String uniqueId) {
    return kit.hungUp(uniqueId);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    AsteriskCalls.await(what, condition);
  }
}
