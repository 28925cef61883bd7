package io.switchboard.hub.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * A real Redis server started from a binary shipped in a jar, bound to 127.0.0.1 and requiring a password
 * ({@code requirepass}): generated on the first start of a data directory and kept beside it
 * ({@link EmbeddedCredentials}, mode 600); a throw-away server gets a fresh one. A durable server writes an
 * append-only file in its data directory, so live state survives a restart of the hub.
 */
public final class EmbeddedRedisServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);
  /** The pid file a durable server writes in its data directory (how {@link DataFolder} finds an orphan). */
  static final String PID_FILE = "redis.pid";

  private final RedisServer redis;
  private final int port;
  private final Path dataDirectory;
  private final boolean durable;
  private final String password;

  private EmbeddedRedisServer(RedisServer redis, int port, Path dataDirectory, boolean durable, String password) {
    this.redis = redis;
    this.port = port;
    this.dataDirectory = dataDirectory;
    this.durable = durable;
    this.password = password;
  }

  /**
   * Starts a server that keeps its data (append-only file) in {@code dataDirectory}.
   *
   * @param port the port to listen on; 0 picks a free one
   */
  public static EmbeddedRedisServer startDurable(Path dataDirectory, int port) {
    return start(dataDirectory, port, true);
  }

  /** Starts a server that keeps no data on disk (only its pid file, in a temporary folder deleted on {@link #close()}). */
  public static EmbeddedRedisServer startThrowaway() {
    try {
      return start(Files.createTempDirectory("switchboard-redis-"), 0, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static EmbeddedRedisServer start(Path dataDirectory, int port, boolean durable) {
    int chosen = port == 0 ? FreePorts.find() : port;
    String password = durable ? EmbeddedCredentials.forDataDirectory(dataDirectory) : EmbeddedCredentials.generate();
    try {
      Path data = dataDirectory.toAbsolutePath();
      Files.createDirectories(data);
      var builder =
          RedisServer.newRedisServer()
              .port(chosen)
              .bind("127.0.0.1")
              .setting("protected-mode yes")
              .setting("requirepass " + password)
              .setting("dir " + data)
              .setting("pidfile " + data.resolve(PID_FILE))
              .onShutdownForceStop(false);
      if (durable) {
        builder
            .setting("appendonly yes")
            .setting("appendfsync everysec")
            .setting("save \"\"");
      } else {
        builder.setting("save \"\"").setting("appendonly no");
      }
      RedisServer server = builder.build();
      server.start();
      log.atInfo().addKeyValue("port", chosen).addKeyValue("durable", durable).log("embedded Redis started");
      return new EmbeddedRedisServer(server, chosen, data, durable, password);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis did not start on port " + chosen, e);
    }
  }

  public int port() {
    return port;
  }

  /**
   * The server's process id, from its pid file (Redis writes it just after it starts listening).
   *
   * @throws IllegalStateException when the file does not appear within 10 s
   */
  public long pid() {
    Path file = dataDirectory.resolve(PID_FILE);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        String text = Files.exists(file) ? Files.readString(file).trim() : "";
        if (!text.isEmpty()) {
          return Long.parseLong(text);
        }
      } catch (IOException | NumberFormatException e) {
        // not written completely yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Redis wrote no pid file " + file);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** A {@code redis://password@127.0.0.1:port} URL with the password, as SWITCHBOARD_REDIS_URL takes it. */
  public String url() {
    return url(port, password);
  }

  /** The URL of an embedded Redis on {@code port} with this password. */
  public static String url(int port, String password) {
    return "redis://" + password + "@127.0.0.1:" + port;
  }

  /** The password clients must give ({@code AUTH}). */
  public String password() {
    return password;
  }

  @Override
  public void close() {
    try {
      redis.stop();
      log.atInfo().addKeyValue("port", port).log("embedded Redis stopped");
      if (!durable) {
        // The throw-away server's folder holds only its pid file (Redis removes it on a clean stop).
        try (var files = Files.list(dataDirectory)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Files.deleteIfExists(f);
          }
        }
        Files.deleteIfExists(dataDirectory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
