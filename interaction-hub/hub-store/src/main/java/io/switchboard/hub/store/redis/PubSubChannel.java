package io.switchboard.hub.store.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * One Redis pub/sub channel under the hub's key prefix ({@code <prefix><name>}), for messages between hub nodes.
 *
 * <p>Delivery is at most once, as Redis pub/sub is: a message published while a subscription is down (Redis
 * restarting, a network cut; Lettuce reconnects and subscribes again by itself) is not seen by that subscriber.
 *
 * <p>Lifecycle: {@link #subscribe} opens a dedicated pub/sub connection (on a worker, as Lettuce connects blocking)
 * and fails when Redis does not answer; {@link #close} closes it. Threading: the handler given to {@link #subscribe}
 * runs on Lettuce's threads (hop to a Vert.x context before touching anything of the caller's); {@link #publish}
 * may be called from any thread and uses the store's shared connection.
 */
public final class PubSubChannel {
  private final RedisStore redis;
  private final String channel;
  private volatile StatefulRedisPubSubConnection<String, String> subscription;

  /** The channel {@code <prefix><name>} of this store. */
  public PubSubChannel(RedisStore redis, String name) {
    this.redis = redis;
    this.channel = redis.key(name);
  }

  /** The channel's full name (with the key prefix). */
  public String name() {
    return channel;
  }

  /** Subscribes; each message's text goes to {@code onMessage} on a Lettuce thread. Completes on {@code context}. */
  public Future<Void> subscribe(Context context, Consumer<String> onMessage) {
    return context.executeBlocking(() -> redis.client().connectPubSub())
        .compose(connection -> {
          subscription = connection;
          connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
              if (channel.equals(ch)) {
                onMessage.accept(message);
              }
            }
          });
          return Future.fromCompletionStage(connection.async().subscribe(channel), context).mapEmpty();
        });
  }

  /** Publishes {@code message}; the number of subscribers that got it (on every node). */
  public Future<Long> publish(String message) {
    return Future.fromCompletionStage(redis.async().publish(channel, message));
  }

  /** Closes the subscription, if any; never fails for a connection that was already gone. */
  public Future<Void> close(Context context) {
    StatefulRedisPubSubConnection<String, String> s = subscription;
    subscription = null;
    if (s == null) {
      return Future.succeededFuture();
    }
    return Future.fromCompletionStage(s.closeAsync(), context);
  }
}
