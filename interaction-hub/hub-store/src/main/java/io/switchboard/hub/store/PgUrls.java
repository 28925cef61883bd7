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
    return options.setCachePreparedStatements(true).setPipeliningLimit(256);
  }

  /** The JDBC URL of the same database, for Flyway. */
  public static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
