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
 * A real PostgreSQL server started from binaries shipped in a jar, listening on 127.0.0.1 only. Its superuser
 * {@code postgres} needs a password (SCRAM): generated on the first start of a data directory and kept beside it
 * ({@link EmbeddedCredentials}, mode 600); a throw-away server gets a fresh one. No client, local or not, gets in
 * without it ({@code pg_hba.conf} trusts nobody).
 *
 * <p>Durable servers (the hub's no-configuration default) keep their data directory across restarts;
 * throw-away servers (tests) turn fsync off for speed and delete their data on close.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final String password;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory, String password) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
    this.password = password;
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
      String password = durable ? EmbeddedCredentials.forDataDirectory(data) : EmbeddedCredentials.generate();
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
              .setServerConfig("password_encryption", "scram-sha-256")
              // The library's readiness check logs in; with trust the password is ignored, with SCRAM it is needed.
              .setConnectConfig("password", password)
              .setServerConfig("max_connections", "300");
      if (durable) {
        // The library starts postgres with -F (no fsync); a server holding real data must flush.
        builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
      } else {
        builder
            .setServerConfig("fsync", "off")
            .setServerConfig("synchronous_commit", "off")
            .setServerConfig("full_page_writes", "off")
            // Tests count the statements a use case costs (issue 12: statements and commits per intake) with the
            // pg_stat_statements view; the module ships with the binaries, it only has to be loaded at start.
            .setServerConfig("shared_preload_libraries", "pg_stat_statements")
            .setServerConfig("pg_stat_statements.track", "top");
      }
      EmbeddedPostgres pg = builder.start();
      try {
        requirePassword(pg, data, password);
      } catch (RuntimeException e) {
        pg.close();
        throw e;
      }
      log.atInfo()
          .addKeyValue("port", pg.getPort())
          .addKeyValue("dataDirectory", data)
          .log("embedded PostgreSQL started");
      return new EmbeddedPostgresServer(pg, data, password);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDirectory, e);
    }
  }

  /**
   * Gives the superuser its password and makes {@code pg_hba.conf} demand it (SCRAM) for every connection, socket
   * and TCP alike; reloads the configuration. A data directory created by an older hub (trust for all) is
   * converted on its next start.
   */
  private static void requirePassword(EmbeddedPostgres pg, Path data, String password) throws IOException {
    Path hba = data.resolve("pg_hba.conf");
    String wanted = "# Written by Switchboard: every connection needs the password (kept beside the data directory).\n"
        + "local   all   all                  scram-sha-256\n"
        + "host    all   all   127.0.0.1/32   scram-sha-256\n"
        + "host    all   all   ::1/128        scram-sha-256\n";
    if (Files.exists(hba) && Files.readString(hba).equals(wanted)) {
      return;
    }
    try (var c = java.sql.DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres", password);
        var st = c.createStatement()) {
      // The password is hex (EmbeddedCredentials), so it needs no quoting beyond the literal.
      if (!password.matches("[0-9a-zA-Z]+")) {
        throw new IllegalStateException("embedded PostgreSQL password must be letters and digits");
      }
      st.execute("SET password_encryption = 'scram-sha-256'");
      st.execute("ALTER ROLE postgres PASSWORD '" + password + "'");
      Files.writeString(hba, wanted);
      st.execute("SELECT pg_reload_conf()");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not set the embedded PostgreSQL's password in " + data, e);
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return postgres.getPort();
  }

  /** The superuser. */
  public String user() {
    return "postgres";
  }

  /** The superuser's password (see {@link EmbeddedCredentials}). */
  public String password() {
    return password;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** A {@code postgresql://} URL for {@code database} with the user and password, as SWITCHBOARD_PG_URL takes it. */
  public String url(String database) {
    return url(port(), password, database);
  }

  /** The URL of {@code database} on an embedded server on {@code port} with this password. */
  public static String url(int port, String password, String database) {
    return "postgresql://postgres:" + password + "@127.0.0.1:" + port + "/" + database;
  }

  private static final java.util.regex.Pattern DATABASE_NAME = java.util.regex.Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /**
   * Creates {@code database} unless it exists (the hub's own at start); returns its URL as {@link #url(String)} gives
   * it. Names are lower-case identifiers (letters, digits, '_'), as they go into {@code CREATE DATABASE}.
   */
  public String ensureDatabase(String database) {
    return create(database, true);
  }

  /** Creates {@code database}, which must not exist yet (a fresh database per test); returns its URL. */
  public String createDatabase(String database) {
    return create(database, false);
  }

  private String create(String database, boolean unlessExists) {
    if (!DATABASE_NAME.matcher(database).matches()) {
      throw new IllegalArgumentException("not a database name: " + database);
    }
    try (var c = java.sql.DriverManager.getConnection(jdbcUrl("postgres"), user(), password);
        var exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, database);
      boolean found;
      try (var rows = exists.executeQuery()) {
        found = rows.next();
      }
      if (found && !unlessExists) {
        throw new IllegalStateException("database " + database + " exists already");
      }
      if (!found) {
        try (var create = c.createStatement()) {
          create.execute("CREATE DATABASE " + database);
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not create database '" + database + "' in embedded PostgreSQL", e);
    }
    return url(database);
  }

  /** The JDBC URL of {@code database} (user and password passed separately). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
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
