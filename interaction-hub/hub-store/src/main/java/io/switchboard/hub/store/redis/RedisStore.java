package io.switchboard.hub.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.switchboard.hub.api.error.UnavailableException;
import io.switchboard.hub.store.BackendFailures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The hub's Redis connection (Lettuce, one multiplexed connection) and its key prefix. Every key the hub
 * writes starts with the prefix, so several hubs or test runs can share one server without clashing.
 *
 * <p>Lettuce completes its stages on its own threads; {@link #call} brings results back onto the caller's
 * Vert.x context. While Redis is away, calls fail at once ({@link BackendFailures} calls that "unavailable") and the
 * connection comes back by itself.
 */
public final class RedisStore implements AutoCloseable {
  /** A command Redis does not answer in this time fails (a hung or overloaded server). */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  /** How long {@link #connect} keeps trying a Redis that does not answer yet. */
  static final Duration STARTUP_PATIENCE = Duration.ofSeconds(60);
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisStore.class);

  /**
   * Fail fast while Redis is away: commands issued while disconnected are rejected at once (the HTTP edge answers 503)
   * instead of being queued until a timeout; the connection reconnects by itself in the background, and pub/sub
   * subscriptions are renewed when it does.
   */
  private static final ClientOptions OPTIONS = ClientOptions.builder()
      .autoReconnect(true)
      .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
      .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).keepAlive(true).build())
      .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
      .build();
  private final Vertx vertx;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String prefix;

  private RedisStore(Vertx vertx, RedisClient client, StatefulRedisConnection<String, String> connection, String prefix) {
    this.vertx = vertx;
    this.client = client;
    this.connection = connection;
    this.prefix = prefix;
  }

  /**
   * Connects (blocking: call before serving or from a worker).
   *
   * @param url a {@code redis://[password@]host:port[/db]} URL
   * @param password overrides one in the URL when not blank
   * @param prefix prepended to every key, such as {@code sb:}
   */
  public static RedisStore connect(Vertx vertx, String url, String password, String prefix) {
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Redis URL cannot be read: '" + url + "': " + e.getMessage(), e);
    }
    if (password != null && !password.isBlank()) {
      uri.setAuthentication(password.toCharArray());
    }
    uri.setTimeout(COMMAND_TIMEOUT);
    RedisClient client = RedisClient.create(uri);
    client.setOptions(OPTIONS);
    // A hub may start before its Redis (or on a busy machine, where the first connection is slow): keep trying for
    // a while before giving up the start.
    long deadline = System.nanoTime() + STARTUP_PATIENCE.toNanos();
    while (true) {
      try {
        StatefulRedisConnection<String, String> connection = client.connect();
        return new RedisStore(vertx, client, connection, prefix);
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          client.shutdown();
          throw new UnavailableException("Redis at " + uri.getHost() + ":" + uri.getPort() + " does not answer: " + e.getMessage(), e);
        }
        log.atWarn().addKeyValue("host", uri.getHost()).addKeyValue("port", uri.getPort())
            .log("Redis does not answer yet; trying again: " + e.getMessage());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          client.shutdown();
          throw new UnavailableException("interrupted while connecting to Redis", ie);
        }
      }
    }
  }

  /** The key for {@code name} under this hub's prefix. */
  public String key(String name) {
    return prefix + name;
  }

  public String prefix() {
    return prefix;
  }

  public RedisAsyncCommands<String, String> async() {
    return connection.async();
  }

  /** Adapts a Lettuce stage to a Vert.x future completing on the current context (or an event loop). */
  public <T> Future<T> call(CompletionStage<T> stage) {
    Context ctx = vertx.getOrCreateContext();
    return Future.fromCompletionStage(stage, ctx);
  }

  /** Succeeds when Redis answers PING. */
  public Future<Void> ping() {
    return call(async().ping())
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(new UnavailableException("Redis: " + e.getMessage(), e)));
  }

  /**
   * Runs {@code listener} (on a Lettuce thread: hop to a context) each time the hub's Redis connection is established
   * again after it was lost. The server may have restarted, with or without its data.
   */
  public void onReconnected(Runnable listener) {
    client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, java.net.SocketAddress socketAddress) {
        listener.run();
      }
    });
  }

  /** The underlying client, for dedicated connections (pub/sub, blocking reads). */
  public RedisClient client() {
    return client;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
