package io.switchboard.hub.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * A real Redis server started from a binary shipped in a jar, bound to 127.0.0.1. A durable server writes an
 * append-only file in its data directory, so live state survives a restart of the hub.
 */
public final class EmbeddedRedisServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);

  private final RedisServer redis;
  private final int port;

  private EmbeddedRedisServer(RedisServer redis, int port) {
    this.redis = redis;
    this.port = port;
  }

  /**
   * Starts a server that keeps its data (append-only file) in {@code dataDirectory}.
   *
   * @param port the port to listen on; 0 picks a free one
   */
  public static EmbeddedRedisServer startDurable(Path dataDirectory, int port) {
    return start(dataDirectory, port, true);
  }

  /** Starts a server that keeps nothing on disk. */
  public static EmbeddedRedisServer startThrowaway() {
    return start(null, 0, false);
  }

  private static EmbeddedRedisServer start(Path dataDirectory, int port, boolean durable) {
    int chosen = port == 0 ? FreePorts.find() : port;
    try {
      var builder =
          RedisServer.newRedisServer()
              .port(chosen)
              .bind("127.0.0.1")
              .setting("protected-mode yes")
              .onShutdownForceStop(false);
      if (durable) {
        Path data = dataDirectory.toAbsolutePath();
        Files.createDirectories(data);
        builder
            .setting("dir " + data)
            .setting("appendonly yes")
            .setting("appendfsync everysec")
            .setting("save \"\"");
      } else {
        builder.setting("save \"\"").setting("appendonly no");
      }
      RedisServer server = builder.build();
      server.start();
      log.atInfo().addKeyValue("port", chosen).addKeyValue("durable", durable).log("embedded Redis started");
      return new EmbeddedRedisServer(server, chosen);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis did not start on port " + chosen, e);
    }
  }

  public int port() {
    return port;
  }

  /** A {@code redis://} URL, as SWITCHBOARD_REDIS_URL takes it. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    try {
      redis.stop();
      log.atInfo().addKeyValue("port", port).log("embedded Redis stopped");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
