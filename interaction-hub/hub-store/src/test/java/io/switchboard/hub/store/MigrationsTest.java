package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.TestServers;
import io.vertx.pgclient.PgConnectOptions;
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
import org.junit.jupiter.api.Test;

class MigrationsTest {

  private static final List<String> EXPECTED_TABLES =
      List.of(
          "agents", "agent_skills", "agent_capacity", "agent_state_changes", "queues", "customers",
          "customer_identities", "customer_merges", "conversations", "interactions", "interaction_transitions",
          "messages", "routing_decisions", "outbox", "audit_log", "api_keys", "system_markers");

  @Test
  void applyingTwiceIsIdempotentAndCreatesEveryTable() throws SQLException {
    PgConnectOptions options = PgUrls.parse(TestServers.get().newDatabase(), null);

    String first = Migrations.apply(options);
    String second = Migrations.apply(options);

    assertThat(first).isEqualTo("1");
    assertThat(second).isEqualTo(first);
    assertThat(tables(options)).containsAll(EXPECTED_TABLES);
    assertThat(successfulMigrations(options)).isEqualTo(1);
  }

  @Test
  void hubsMigratingTheSameDatabaseAtOnceApplyEachMigrationOnce() throws Exception {
    PgConnectOptions options = PgUrls.parse(TestServers.get().newDatabase(), null);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<String>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(pool.submit((Callable<String>) () -> Migrations.apply(options)));
      }
      for (Future<String> run : runs) {
        assertThat(run.get(60, TimeUnit.SECONDS)).isEqualTo("1");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(tables(options)).containsAll(EXPECTED_TABLES);
    assertThat(successfulMigrations(options)).isEqualTo(1);
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
