package io.switchboard.hub.testsupport;

import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.embedded.ServerWatchdog;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One embedded PostgreSQL and one embedded Redis per test JVM, started on first use on free ports and
 * stopped when the JVM exits, also when it is killed ({@code ServerWatchdog}). Tests never share data: each asks for its own database (a copy of one migrated once per
 * JVM, {@link #newMigratedDatabase(Consumer)}; a copy of one migrated and filled once per JVM,
 * {@link #newPreparedDatabase(String, Consumer, Consumer)}; or an empty one, {@link #newEmptyDatabase()}) and its own
 * Redis key prefix ({@link #newRedisPrefix()}).
 */
public final class TestServers {
  private static final AtomicInteger counter = new AtomicInteger();
  private static volatile TestServers instance;

  private final Object templateLock = new Object();
  private String template; // guarded by templateLock
  private final Map<String, String> derived = new HashMap<>(); // guarded by templateLock

  private final EmbeddedPostgresServer postgres;
  private final EmbeddedRedisServer redis;
  private final ServerWatchdog watchdog;

  private TestServers(EmbeddedPostgresServer postgres, EmbeddedRedisServer redis, ServerWatchdog watchdog) {
    this.postgres = postgres;
    this.redis = redis;
    this.watchdog = watchdog;
  }

  /** The servers of this JVM, started on first call. */
  public static TestServers get() {
    TestServers s = instance;
    if (s == null) {
      synchronized (TestServers.class) {
        s = instance;
        if (s == null) {
          EmbeddedPostgresServer pg = EmbeddedPostgresServer.startThrowaway();
          EmbeddedRedisServer redis = EmbeddedRedisServer.startThrowaway();
          // The shutdown hook does not run when the JVM is killed (-9, or a fork the build gives up on): the watchdog
          // then stops both servers.
          s = new TestServers(pg, redis, ServerWatchdog.watch(List.of(pg.postmasterPid(), redis.pid())));
          TestServers started = s;
          Runtime.getRuntime()
              .addShutdownHook(new Thread(started::stop, "test-servers-shutdown"));
          instance = s;
        }
      }
    }
    return s;
  }

  private void stop() {
    watchdog.close();
    try {
      redis.close();
    } finally {
      postgres.close();
    }
  }

  public EmbeddedPostgresServer postgres() {
    return postgres;
  }

  public EmbeddedRedisServer redis() {
    return redis;
  }

  /**
   * Creates an empty database of its own for one test (no schema at all) and returns its {@code postgresql://} URL.
   * For tests of the migrations themselves; everything else takes {@link #newMigratedDatabase(Consumer)}.
   */
  public String newEmptyDatabase() {
    return postgres.createDatabase(freshName());
  }

  /**
   * Creates a database of its own for one test with the schema already in place, and returns its {@code
   * postgresql://} URL. It is a copy ({@code CREATE DATABASE ... TEMPLATE}) of a template database that {@code
   * migrate} brought up to date once in this JVM, on the first call; later calls ignore {@code migrate}, so every
   * caller passes the same migration (hub-store's {@code Migrations.apply} over the URL). Applying the migrations
   * again to the copy finds nothing to do and only validates them. Safe to call from several threads at once: the
   * template is made and copied under one lock, and nothing else ever connects to it.
   */
  public String newMigratedDatabase(Consumer<String> migrate) {
    String name = freshName();
    synchronized (templateLock) {
      if (template == null) {
        template = migratedTemplate(migrate);
      }
      copy(template, name);
    }
    return postgres.url(name);
  }

  /**
   * Like {@link #newMigratedDatabase(Consumer)}, for tests that all start from the same data on top of the schema
   * (such as the hub's demo seed): the first call for a {@code key} makes a template of its own, a copy of the migrated
   * one that {@code prepare} fills (given its {@code postgresql://} URL; it must close every connection it opened);
   * every call returns a fresh copy of that template. Later calls with the same key ignore {@code prepare}, so the key
   * must name everything the prepared data depends on. A failing {@code prepare} leaves no template behind: the next
   * call tries again.
   */
  public String newPreparedDatabase(String key, Consumer<String> migrate, Consumer<String> prepare) {
    String name = freshName();
    synchronized (templateLock) {
      if (template == null) {
        template = migratedTemplate(migrate);
      }
      String prepared = derived.get(key);
      if (prepared == null) {
        prepared = preparedTemplate(prepare);
        derived.put(key, prepared);
      }
      copy(prepared, name);
    }
    return postgres.url(name);
  }

  private String freshName() {
    return "t" + counter.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Makes, migrates and closes the template: no connections are allowed to it afterwards, and none are left. */
  private String migratedTemplate(Consumer<String> migrate) {
    String name = "template_" + UUID.randomUUID().toString().substring(0, 8);
    migrate.accept(postgres.createDatabase(name));
    closeTemplate(name);
    return name;
  }

  private void closeTemplate(String name) {
    try (Connection c = adminConnection(); Statement st = c.createStatement()) {
      st.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false");
      closeConnectionsTo(c, name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not close the template database " + name, e);
    }
  }

  /** A copy of the migrated template, filled by {@code prepare} and closed to connections as that one is. */
  private String preparedTemplate(Consumer<String> prepare) {
    String name = "template_" + UUID.randomUUID().toString().substring(0, 8);
    copy(template, name);
    try {
      prepare.accept(postgres.url(name));
      closeTemplate(name);
      return name;
    } catch (RuntimeException | Error e) {
      try (Connection c = adminConnection(); Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (SQLException dropFailed) {
        e.addSuppressed(dropFailed);
      }
      throw e;
    }
  }

  private void copy(String templateName, String name) {
    try (Connection c = adminConnection(); Statement st = c.createStatement()) {
      for (int attempt = 1; ; attempt++) {
        try {
          // FILE_COPY copies the template's files (about half the time of the default WAL_LOG, which writes every
          // page through the WAL); its checkpoints cost little with fsync off.
          st.execute("CREATE DATABASE " + name + " TEMPLATE " + templateName + " STRATEGY FILE_COPY");
          return;
        } catch (SQLException e) {
          // 55006 "source database is being accessed by other users": a backend of the migration may still be on
          // its way out. The template takes no new connections, so ending the old ones and trying again is enough.
          if (!"55006".equals(e.getSQLState()) || attempt >= 5) {
            throw e;
          }
          closeConnectionsTo(c, templateName);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not copy the template database into " + name, e);
    }
  }

  /** Ends every backend connected to {@code database} and waits (up to 10 s) until none is left. */
  private static void closeConnectionsTo(Connection admin, String database) throws SQLException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    try (PreparedStatement end =
            admin.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()");
        PreparedStatement left = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
      end.setString(1, database);
      left.setString(1, database);
      while (true) {
        end.executeQuery().close();
        try (ResultSet rs = left.executeQuery()) {
          rs.next();
          if (rs.getInt(1) == 0) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("connections to " + database + " did not end within 10 s");
        }
        Thread.onSpinWait();
      }
    }
  }

  private Connection adminConnection() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl("postgres"), postgres.user(), postgres.password());
  }

  /**
   * A JDBC connection to the database of a {@code postgresql://user:password@host:port/database} URL (as
   * {@link #newMigratedDatabase(Consumer)} and the hub give them): the embedded servers need the password.
   */
  public static Connection connect(String postgresUrl) throws SQLException {
    java.net.URI u = java.net.URI.create(postgresUrl.startsWith("jdbc:") ? postgresUrl.substring(5) : postgresUrl);
    String info = u.getRawUserInfo() == null ? "postgres" : u.getRawUserInfo();
    int colon = info.indexOf(':');
    String user = java.net.URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), java.nio.charset.StandardCharsets.UTF_8);
    String password = colon < 0 ? "" : java.net.URLDecoder.decode(info.substring(colon + 1), java.nio.charset.StandardCharsets.UTF_8);
    return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), user, password);
  }

  /** A Redis key prefix of its own for one test, such as {@code t17:}. */
  public String newRedisPrefix() {
    return "t" + counter.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }
}
