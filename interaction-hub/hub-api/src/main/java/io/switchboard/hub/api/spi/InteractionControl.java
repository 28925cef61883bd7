package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.InteractionId;
import io.vertx.core.Future;

/** What an adapter may tell the hub about its interactions beyond new messages. */
@FunctionalInterface
public interface InteractionControl {

  /**
   * The customer ended the contact (closed the chat, hung up). An interaction still waiting or offered is
   * abandoned and leaves its queue; one an agent is working stays with the agent, who is told (event
   * {@code interaction.customer_left}). Idempotent.
   *
   * @return true when the interaction was abandoned
   */
  Future<Boolean> customerLeft(InteractionId interaction, String reason);

  /**
   * The agent answered the offer on the channel's own device (picked up the phone): the hub accepts the offer for
   * that agent, as if they had accepted on the console. Succeeds when the interaction is then assigned to that agent
   * (also when it already was); fails with {@link io.switchboard.hub.api.error.ConflictException} when the offer is
   * gone (timed out, withdrawn, abandoned).
   */
  default Future<Void> agentAnswered(InteractionId interaction, io.switchboard.hub.api.AgentId agent) {
    return Future.failedFuture(new UnsupportedOperationException("this hub does not accept offers from channels"));
  }

  /**
   * The channel lost the device its offer rang (the hub node that rang the agent's phone went away; the node that took
   * the call over hung that phone up): the hub withdraws the offer without counting it against the agent (no "missed
   * offer" break, and the agent may be offered the interaction again), and the interaction waits again in its place
   * for the router's next offer. Idempotent.
   *
   * @return true when an offer was withdrawn; false when the interaction had none (timed out, accepted or ended meanwhile)
   */
  default Future<Boolean> offerLost(InteractionId interaction, String reason) {
    return Future.failedFuture(new UnsupportedOperationException("this hub does not withdraw offers for channels"));
  }

  /**
   * The call's state changed (ringing, talking, on hold, ended; a recording started): the hub stores a recording's
   * file name on the interaction and shows the state on the consoles of the agent and of supervisors. The default
   * ignores it (adapter tests).
   */
  default Future<Void> callState(CallState state) {
    return Future.succeededFuture();
  }

  /**
   * Adds or replaces attributes of an unfinished interaction (a caller asked to be called back while waiting, and
   * from which number), which routing rules and the console then see; {@code reason} is recorded as a transition of
   * the interaction ({@code state → same state}). Names and values follow the limits of
   * {@link io.switchboard.hub.api.InboundContact#metadata()}.
   *
   * @return true when the interaction was changed; false when it is finished or unknown
   */
  default Future<Boolean> updateAttributes(InteractionId interaction, java.util.Map<String, String> attributes, String reason) {
    return Future.failedFuture(new UnsupportedOperationException("this hub does not update attributes from channels"));
  }
}
