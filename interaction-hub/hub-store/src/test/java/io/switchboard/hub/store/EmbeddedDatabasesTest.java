package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import io.switchboard.hub.testsupport.TestServers;
import java.sql.Connection;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Databases on the embedded PostgreSQL are created in one place (hub-embedded), for the hub's own database at start
 * and for each test's fresh one (issue #15.1: the hub's JDBC code and TestServers' copy of it are gone).
 */
@DisplayName("databases on the embedded PostgreSQL")
class EmbeddedDatabasesTest {
  private final EmbeddedPostgresServer pg = TestServers.get().postgres();

  @Test
  @DisplayName("the hub's database is created once and found again on the next start")
  void ensureDatabaseCreatesOnceAndFindsItAgain() throws Exception {
    String name = "hub_" + UUID.randomUUID().toString().substring(0, 8);
    String url = pg.ensureDatabase(name);
    assertThat(pg.ensureDatabase(name)).isEqualTo(url);
    try (Connection c = TestServers.connect(url)) {
      assertThat(c.isValid(5)).isTrue();
    }
  }

  @Test
  @DisplayName("a fresh database must be new, and a name that is no plain identifier is refused before any SQL")
  void createDatabaseRefusesAnExistingOneAndBadNames() {
    String name = "t_" + UUID.randomUUID().toString().substring(0, 8);
    pg.createDatabase(name);
    assertThatThrownBy(() -> pg.createDatabase(name)).hasMessageContaining("exists already");
    for (String bad : new String[] {"", "Upper", "a-b", "x; DROP DATABASE postgres", "a".repeat(64), "tab\tname", "nul\0"}) {
      assertThatThrownBy(() -> pg.ensureDatabase(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
