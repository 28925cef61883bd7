package io.switchboard.hub.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from binaries shipped in a jar, listening on 127.0.0.1. Its superuser is
 * {@code postgres} with trust authentication, so it must never listen beyond loopback.
 *
 * <p>Durable servers (the hub's no-configuration default) keep their data directory across restarts;
 * throw-away servers (tests) turn fsync off for speed and delete their data on close.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts a server that keeps its data in {@code dataDirectory} across restarts.
   *
   * @param port the port to listen on; 0 picks a free one
   */
  public static EmbeddedPostgresServer startDurable(Path dataDirectory, int port) {
    return start(dataDirectory, port, true);
  }

  /** Starts a server whose data lives in a temporary directory, deleted on {@link #close()}. */
  public static EmbeddedPostgresServer startThrowaway() {
    try {
      return start(Files.createTempDirectory("switchboard-pg-"), 0, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static EmbeddedPostgresServer start(Path dataDirectory, int port, boolean durable) {
    int chosen = port == 0 ? FreePorts.find() : port;
    try {
      Path data = dataDirectory.toAbsolutePath();
      Files.createDirectories(data);
      // The binaries are unpacked once per user into this folder and shared by every server.
      Path work = Path.of(System.getProperty("java.io.tmpdir"), "switchboard-embedded-pg");
      Files.createDirectories(work);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setPort(chosen)
              .setDataDirectory(data)
              .setCleanDataDirectory(!durable)
              .setRegisterShutdownHook(false)
              .setOverrideWorkingDirectory(work.toFile())
              .setPGStartupWait(Duration.ofSeconds(60))
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "300");
      if (durable) {
        // The library starts postgres with -F (no fsync); a server holding real data must flush.
        builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
      } else {
        builder
            .setServerConfig("fsync", "off")
            .setServerConfig("synchronous_commit", "off")
            .setServerConfig("full_page_writes", "off");
      }
      EmbeddedPostgres pg = builder.start();
      log.atInfo()
          .addKeyValue("port", pg.getPort())
          .addKeyValue("dataDirectory", data)
          .log("embedded PostgreSQL started");
      return new EmbeddedPostgresServer(pg, data);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDirectory, e);
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return postgres.getPort();
  }

  /** The superuser, trusted without a password on loopback. */
  public String user() {
    return "postgres";
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** A {@code postgresql://} URL for {@code database}, as SWITCHBOARD_PG_URL takes it. */
  public String url(String database) {
    return "postgresql://" + user() + "@" + host() + ":" + port() + "/" + database;
  }

  /** The postmaster's process id, from {@code postmaster.pid} in the data directory. */
  public long postmasterPid() {
    try {
      return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read postmaster.pid in " + dataDirectory, e);
    }
  }

  /** The OS process of the postmaster, for shutdown checks. */
  public ProcessHandle process() {
    return postgres.getProcess().toHandle();
  }

  /** Stops the server (fast shutdown: open connections are closed). */
  @Override
  public void close() {
    try {
      postgres.close();
      log.atInfo().addKeyValue("port", port()).log("embedded PostgreSQL stopped");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
