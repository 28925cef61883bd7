package io.switchboard.hub.app.channels;

import io.switchboard.hub.api.spi.ChannelBroadcast;
import io.switchboard.hub.core.cluster.ClusterEvents;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * An adapter's {@link ChannelBroadcast} on a hub of several nodes: published on
 * {@link ClusterEvents#CHANNEL_BROADCAST} (which {@link ClusterEvents} carries to every node over Redis) as
 * {@code {"adapter", "topic", "body"}}, and handed on every node to the subscribers of that adapter and
 * topic. A message from an adapter never reaches another adapter's subscribers.
 */
final class ClusterBroadcast implements ChannelBroadcast {
  private final Vertx vertx;
  private final String adapter;

  ClusterBroadcast(Vertx vertx, String adapter) {
    this.vertx = vertx;
    this.adapter = adapter;
  }

  @Override
  public void publish(String topic, JsonObject body) {
    vertx.eventBus().publish(ClusterEvents.CHANNEL_BROADCAST,
        new JsonObject().put("adapter", adapter).put("topic", topic).put("body", body));
  }

  @Override
  public Future<Subscription> subscribe(String topic, Handler<JsonObject> handler) {
    var consumer = vertx.eventBus().<Object>localConsumer(ClusterEvents.address(ClusterEvents.CHANNEL_BROADCAST), m -> {
      if (m.body() instanceof JsonObject e && adapter.equals(e.getString("adapter")) && topic.equals(e.getString("topic"))
          && e.getValue("body") instanceof JsonObject body) {
        handler.handle(body);
      }
    });
    return consumer.completion().map(x -> consumer::unregister);
  }
}
