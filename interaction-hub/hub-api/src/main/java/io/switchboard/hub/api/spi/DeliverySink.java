package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Message;
import io.vertx.core.Future;

/**
 * Where an adapter reports what became of an outbound message after the provider took it: delivered, read,
 * or failed (status callbacks, read receipts). Updates only move forward (a late "delivered" after "read"
 * changes nothing); an unknown provider message id is ignored and reported as false.
 */
@FunctionalInterface
public interface DeliverySink {

  /**
   * @param providerMessageId the id the provider gave when it accepted the message
   * @param reason the provider's error for {@link Message.Status#FAILED}, else null
   * @return true when a stored message was updated
   */
  Future<Boolean> update(Channel channel, String providerMessageId, Message.Status status, String reason);
}
