package io.switchboard.hub.testsupport;

import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL and one embedded Redis per test JVM, started on first use on free ports and
 * stopped when the JVM exits. Tests never share data: each asks for its own database
 * ({@link #newDatabase()}) and its own Redis key prefix ({@link #newRedisPrefix()}).
 */
public final class TestServers {
  private static final AtomicInteger counter = new AtomicInteger();
  private static volatile TestServers instance;

  private final EmbeddedPostgresServer postgres;
  private final EmbeddedRedisServer redis;

  private TestServers(EmbeddedPostgresServer postgres, EmbeddedRedisServer redis) {
    this.postgres = postgres;
    this.redis = redis;
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
          s = new TestServers(pg, redis);
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

  /** Creates an empty database of its own for one test and returns its {@code postgresql://} URL. */
  public String newDatabase() {
    String name = "t" + counter.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 8);
    return postgres.createDatabase(name);
  }

  /**
   * A JDBC connection to the database of a {@code postgresql://user:password@host:port/database} URL (as
   * {@link #newDatabase()} and the hub give them): the embedded servers need the password.
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
