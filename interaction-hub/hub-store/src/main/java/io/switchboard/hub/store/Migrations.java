package io.switchboard.hub.store;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the Flyway migrations in {@code db/migration}. Blocking (JDBC): call it before the hub serves, or
 * from a worker. Several hubs starting at once are safe: Flyway takes a lock in the database.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /** Brings the schema up to date and returns the version it is now at. */
  public static String apply(PgConnectOptions options) {
    Flyway flyway =
        Flyway.configure(Migrations.class.getClassLoader())
            .dataSource(PgUrls.jdbcUrl(options), options.getUser(), options.getPassword())
            .locations("classpath:db/migration")
            .connectRetries(10)
            // Version ranges are handed out per area of work (docs/architecture.md), so a database already at V71 may
            // meet a new V20: apply it rather than refuse to start.
            .outOfOrder(true)
            .load();
    MigrateResult result = flyway.migrate();
    // The schema's version now, not the last migration this run applied: with hubs migrating at once, each applies
    // some migrations (Flyway locks per migration), and this run's last may be an older, out-of-order one.
    String version = flyway.info().current().getVersion().getVersion();
    log.atInfo()
        .addKeyValue("database", options.getDatabase())
        .addKeyValue("applied", result.migrationsExecuted)
        .addKeyValue("schemaVersion", version)
        .log("schema migrated");
    return version;
  }
}
