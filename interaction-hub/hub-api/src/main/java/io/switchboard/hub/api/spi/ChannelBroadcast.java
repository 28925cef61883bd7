package io.switchboard.hub.api.spi;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Messages between the instances of one adapter on every hub node. An adapter that keeps connections in
 * memory (web chat sockets) uses it when the node that has something for a customer is not the node that
 * holds the customer's connection: it publishes, and the instance holding the connection acts.
 *
 * <p>Delivery is at most once (the hub carries it over Redis pub/sub): anything published must also be
 * recoverable from the stores, as a reconnecting customer's replay is. Every subscriber of the topic gets
 * it, on every node, the publishing node included; order is kept per publishing node. Topics are the
 * adapter's own: two adapters never see each other's messages. Bodies should stay small (a few KiB).
 */
public interface ChannelBroadcast {

  /** Publishes {@code body} to the subscribers of {@code topic} of this adapter on every node. */
  void publish(String topic, JsonObject body);

  /**
   * Calls {@code handler} for every message published on {@code topic} (on an event loop). Completes when
   * the subscription is in place; an adapter cancels it when it stops.
   */
  Future<Subscription> subscribe(String topic, Handler<JsonObject> handler);

  /** A subscription in place. */
  interface Subscription {
    /** Stops the deliveries to the handler. */
    Future<Void> cancel();
  }

  /**
   * A broadcast that stays on one Vert.x instance, for single-node use and tests: every subscriber of the
   * same {@code scope} and topic on {@code vertx} hears it.
   */
  static ChannelBroadcast onThisNode(Vertx vertx, String scope) {
    return new ChannelBroadcast() {
      @Override
      public void publish(String topic, JsonObject body) {
        vertx.eventBus().publish(address(topic), body);
      }

      @Override
      public Future<Subscription> subscribe(String topic, Handler<JsonObject> handler) {
        var consumer = vertx.eventBus().<JsonObject>localConsumer(address(topic), m -> handler.handle(m.body()));
        return consumer.completion().map(x -> consumer::unregister);
      }

      private String address(String topic) {
        return "channel.broadcast.local." + scope + "." + topic;
      }
    };
  }
}
