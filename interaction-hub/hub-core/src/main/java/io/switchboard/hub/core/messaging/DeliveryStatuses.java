package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Where channel adapters report what a provider says about a message the hub sent (delivered, read, failed): the
 * message is found by its channel and provider id, its status only moves forward (the store refuses a step back),
 * and a change is published as {@link HubEvents#MESSAGE_STATUS_CHANGED} (carried to every node; consoles show it).
 * Answers whether the hub knew the message; an unknown id changes nothing.
 */
public final class DeliveryStatuses implements DeliverySink {
  private final Vertx vertx;
  private final Stores stores;

  public DeliveryStatuses(Vertx vertx, Stores stores) {
    this.vertx = vertx;
    this.stores = stores;
  }

  @Override
  public Future<Boolean> update(Channel channel, String providerMessageId, Message.Status status, String reason) {
    return stores.messages().updateStatus(stores.db().pool(), channel, providerMessageId, status, reason).map(updated -> {
      updated.ifPresent(id -> vertx.eventBus().publish(HubEvents.MESSAGE_STATUS_CHANGED, new JsonObject()
          .put("messageId", id.toString()).put("status", status.wireName()).put("reason", reason)));
      return updated.isPresent();
    });
  }
}
