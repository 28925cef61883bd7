package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.TestServers;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

class MigrationsTest {

  private static final List<String> EXPECTED_TABLES =
      List.of(
          "agents", "agent_skills", "agent_capacity", "agent_state_changes", "queues", "customers",
          "customer_identities", "customer_merges", "conversations", "interactions", "interaction_transitions",
          "messages", "routing_decisions", "outbox", "audit_log", "api_keys", "system_markers");

  @Test
  void applyingTwiceIsIdempotentAndCreatesEveryTable() throws Exception {
    PgConnectOptions options = PgUrls.parse(TestServers.get().newEmptyDatabase(), null);

    String first = Migrations.apply(options);
    String second = Migrations.apply(options);

    assertThat(first).isEqualTo(latestVersion());
    assertThat(second).isEqualTo(first);
    assertThat(tables(options)).containsAll(EXPECTED_TABLES);
    assertThat(successfulMigrations(options)).isEqualTo(migrationFiles().size());
  }

  @Test
  void hubsMigratingTheSameDatabaseAtOnceApplyEachMigrationOnce() throws Exception {
    PgConnectOptions options = PgUrls.parse(TestServers.get().newEmptyDatabase(), null);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<String>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(pool.submit((Callable<String>) () -> Migrations.apply(options)));
      }
      for (Future<String> run : runs) {
        assertThat(run.get(60, TimeUnit.SECONDS)).isEqualTo(latestVersion());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(tables(options)).containsAll(EXPECTED_TABLES);
    assertThat(successfulMigrations(options)).isEqualTo(migrationFiles().size());
  }

  /** The versioned migrations shipped in {@code db/migration}, such as {@code V1__foundation.sql}. */
  private static List<String> migrationFiles() throws Exception {
    URL dir = Migrations.class.getClassLoader().getResource("db/migration");
    assertThat(dir).isNotNull();
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      List<String> names =
          files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V[0-9_.]+__.+\\.sql")).toList();
      assertThat(names).isNotEmpty();
      return names;
    }
  }

  private static String latestVersion() throws Exception {
    return migrationFiles().stream()
        .map(n -> MigrationVersion.fromVersion(n.substring(1, n.indexOf("__")).replace('_', '.')))
        .max(MigrationVersion::compareTo)
        .orElseThrow()
        .getVersion();
  }

  private static List<String> tables(PgConnectOptions options) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = connect(options);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " AND table_type = 'BASE TABLE'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static int successfulMigrations(PgConnectOptions options) throws SQLException {
    try (Connection c = connect(options);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static Connection connect(PgConnectOptions options) throws SQLException {
    return DriverManager.getConnection(PgUrls.jdbcUrl(options), options.getUser(), options.getPassword());
  }
}
