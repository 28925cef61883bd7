package io.switchboard.hub.testsupport;

import io.switchboard.hub.embedded.EmbeddedCredentials;
import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.embedded.FreePorts;
import io.switchboard.hub.embedded.ServerWatchdog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL and a Redis of one test's own, which the test stops and starts again (on the same ports, so the hub
 * reconnects to the same URLs) to inject faults: PostgreSQL down, Redis down, Redis back with or without its data.
 * Unlike {@link TestServers} they are not shared, so stopping them disturbs no other test. Both keep their data in a
 * temporary folder, deleted on {@link #close()}. A watchdog ({@code ServerWatchdog}) stops them if the test JVM is
 * killed before {@link #close()}.
 */
public final class FaultyServers implements AutoCloseable {
  private final Path root;
  private final int pgPort;
  private final int redisPort;
  private EmbeddedPostgresServer postgres;
  private EmbeddedRedisServer redis;
  // Each running server's watchdog: it stops the server if this JVM is killed before close().
  private ServerWatchdog postgresWatchdog;
  private ServerWatchdog redisWatchdog;

  private FaultyServers(Path root) {
    this.root = root;
    this.pgPort = FreePorts.find();
    this.redisPort = FreePorts.find();
  }

  /** Starts both servers. */
  public static FaultyServers start() {
    try {
      FaultyServers s = new FaultyServers(Files.createTempDirectory("switchboard-faults-"));
      try {
        s.startPostgres();
        s.startRedis();
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The URL of the {@code postgres} database (the hub migrates it like any other). */
  public String postgresUrl() {
    return EmbeddedPostgresServer.url(pgPort, EmbeddedCredentials.forDataDirectory(root.resolve("postgres")), "postgres");
  }

  public String redisUrl() {
    return EmbeddedRedisServer.url(redisPort, EmbeddedCredentials.forDataDirectory(root.resolve("redis")));
  }

  public synchronized void startPostgres() {
    if (postgres == null) {
      postgres = EmbeddedPostgresServer.startDurable(root.resolve("postgres"), pgPort);
      postgresWatchdog = ServerWatchdog.watch(List.of(postgres.postmasterPid()));
    }
  }

  /** Stops PostgreSQL (fast shutdown: open connections are cut). Its data stays for {@link #startPostgres()}. */
  public synchronized void stopPostgres() {
    if (postgres != null) {
      postgresWatchdog.close();
      postgres.close();
      postgres = null;
    }
  }

  public synchronized void startRedis() {
    if (redis == null) {
      redis = EmbeddedRedisServer.startDurable(root.resolve("redis"), redisPort);
      redisWatchdog = ServerWatchdog.watch(List.of(redis.pid()));
    }
  }

  /** Stops Redis; its append-only file stays, so {@link #startRedis()} brings the data back. */
  public synchronized void stopRedis() {
    if (redis != null) {
      redisWatchdog.close();
      redis.close();
      redis = null;
    }
  }

  /** Stops Redis and deletes its data: the next {@link #startRedis()} starts empty, as after a lost server. */
  public synchronized void stopRedisAndLoseItsData() {
    stopRedis();
    deleteTree(root.resolve("redis"));
  }

  /** The process ids of the servers running now (PostgreSQL's postmaster, Redis). */
  public synchronized List<Long> pids() {
    List<Long> pids = new java.util.ArrayList<>();
    if (postgres != null) {
      pids.add(postgres.postmasterPid());
    }
    if (redis != null) {
      pids.add(redis.pid());
    }
    return pids;
  }

  public synchronized boolean postgresRunning() {
    return postgres != null;
  }

  public synchronized boolean redisRunning() {
    return redis != null;
  }

  @Override
  public synchronized void close() {
    try {
      stopRedis();
    } finally {
      try {
        stopPostgres();
      } finally {
        deleteTree(root);
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
