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
}
