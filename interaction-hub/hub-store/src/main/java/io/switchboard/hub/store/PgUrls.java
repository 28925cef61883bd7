package io.switchboard.hub.store;

import io.vertx.pgclient.PgConnectOptions;

/** Reads PostgreSQL URLs as the configuration gives them ({@code postgresql://} or {@code jdbc:postgresql://}). */
public final class PgUrls {
  private PgUrls() {}

  /**
   * Parses {@code url}; a non-blank {@code password} overrides one in the URL (so it can come from the
   * environment rather than a file).
   *
   * @throws IllegalArgumentException when the URL cannot be read
   */
  public static PgConnectOptions parse(String url, String password) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("PostgreSQL URL is empty");
    }
    String u = url.startsWith("jdbc:") ? url.substring(5) : url;
    if (!u.startsWith("postgresql://") && !u.startsWith("postgres://")) {
      throw new IllegalArgumentException("PostgreSQL URL must start with postgresql://, got '" + url + "'");
    }
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(u);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("PostgreSQL URL cannot be read: " + e.getMessage(), e);
    }
    if (password != null && !password.isBlank()) {
      options.setPassword(password);
    }
    return options.setCachePreparedStatements(true)
        .setPreparedStatementCacheSqlLimit(CACHED_SQL_LIMIT)
        .setPipeliningLimit(256);
  }

  /**
   * The longest statement text kept prepared on a connection. vertx-pg-client caches only statements shorter than
   * 2,048 characters by default; a longer one (the intake's write, 2,207) was sent as an unnamed statement and parsed,
   * analysed and planned by PostgreSQL on every call, never reaching the plan cache (0.5-0.7 ms of planning per intake;
   * issue 12, BENCHMARKS.md). The hub's statements are a fixed set of constants, so caching them all is bounded by their
   * number (the cache keeps 256 per connection); the limit only keeps out generated text of pathological length.
   */
  static final int CACHED_SQL_LIMIT = 65_536;

  /** The JDBC URL of the same database, for Flyway. */
  public static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
