package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.TestServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each test's database is a copy of one migrated once per JVM ({@link TestServers#newMigratedDatabase}); tests of the
 * migrations themselves still get an empty one ({@link TestServers#newEmptyDatabase}).
 */
@DisplayName("test databases: copies of a migrated template, or empty")
class TestDatabasesTest {

  @Test
  @DisplayName("databases asked for by several threads at once are all migrated, and each is its own")
  void concurrentCopiesAreMigratedAndIndependent() throws Exception {
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<String> urls = new ArrayList<>();
    try {
      List<Future<String>> made = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        made.add(pool.submit((Callable<String>) () -> {
          go.await();
          return TestServers.get().newMigratedDatabase(StoreFixture::migrate);
        }));
      }
      go.countDown();
      for (Future<String> f : made) {
        urls.add(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(new HashSet<>(urls)).hasSize(threads);
    String latest = Migrations.apply(PgUrls.parse(urls.get(0), null));
    for (String url : urls) {
      // Already at the latest version: applying again changes nothing, and the history is the template's.
      assertThat(count(url, "SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL"))
          .isPositive();
      assertThat(Migrations.apply(PgUrls.parse(url, null))).isEqualTo(latest);
    }
    exec(urls.get(0), "INSERT INTO customers (id, display_name) VALUES (gen_random_uuid(), 'only in the first')");
    assertThat(count(urls.get(0), "SELECT count(*) FROM customers WHERE display_name = 'only in the first'"))
        .isEqualTo(1);
    for (String other : urls.subList(1, urls.size())) {
      assertThat(count(other, "SELECT count(*) FROM customers WHERE display_name = 'only in the first'")).isZero();
    }
  }

  @Test
  @DisplayName("an empty database has no tables at all, even after migrated copies were made in this JVM")
  void anEmptyDatabaseHasNoSchema() throws Exception {
    TestServers.get().newMigratedDatabase(StoreFixture::migrate);
    String empty = TestServers.get().newEmptyDatabase();
    assertThat(count(empty, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
        .isZero();
  }

  private static int count(String url, String sql) throws SQLException {
    try (Connection c = TestServers.connect(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void exec(String url, String sql) throws SQLException {
    try (Connection c = TestServers.connect(url); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
