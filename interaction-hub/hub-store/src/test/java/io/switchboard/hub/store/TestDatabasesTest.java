package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.testsupport.TestServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each test's database is a copy of one migrated once per JVM ({@link TestServers#newMigratedDatabase}) or of one
 * migrated and filled once per JVM ({@link TestServers#newPreparedDatabase}); tests of the migrations themselves still
 * get an empty one ({@link TestServers#newEmptyDatabase}).
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

  @Test
  @DisplayName("prepared databases: the data is filled in once per key, every copy has it and is its own")
  void preparedCopiesShareTheirDataOnceAndAreIndependent() throws Exception {
    String key = "prepared-" + UUID.randomUUID();
    AtomicInteger prepared = new AtomicInteger();
    Consumer<String> fill = url -> {
      prepared.incrementAndGet();
      try {
        exec(url, "INSERT INTO customers (id, display_name) VALUES (gen_random_uuid(), 'from the template')");
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    };
    String first = TestServers.get().newPreparedDatabase(key, StoreFixture::migrate, fill);
    String second = TestServers.get().newPreparedDatabase(key, StoreFixture::migrate, fill);
    assertThat(prepared).as("filled once per key").hasValue(1);
    assertThat(first).isNotEqualTo(second);
    for (String url : List.of(first, second)) {
      assertThat(count(url, "SELECT count(*) FROM customers WHERE display_name = 'from the template'")).isEqualTo(1);
      assertThat(Migrations.apply(PgUrls.parse(url, null))).as("already migrated").isNotBlank();
    }
    exec(first, "DELETE FROM customers");
    assertThat(count(second, "SELECT count(*) FROM customers")).isEqualTo(1);
    // Another key is another template; a plain migrated copy has none of it.
    String other = TestServers.get().newPreparedDatabase(key + "-other", StoreFixture::migrate, url -> {});
    assertThat(count(other, "SELECT count(*) FROM customers")).isZero();
    assertThat(count(TestServers.get().newMigratedDatabase(StoreFixture::migrate), "SELECT count(*) FROM customers"))
        .isZero();
  }

  @Test
  @DisplayName("a prepared template whose filling failed is not kept: the next call fills a new one")
  void aFailedPreparationIsRetried() throws Exception {
    String key = "failing-" + UUID.randomUUID();
    assertThatThrownBy(() -> TestServers.get().newPreparedDatabase(key,
            StoreFixture::migrate, url -> {
              try {
                exec(url, "INSERT INTO customers (id, display_name) VALUES (gen_random_uuid(), 'half done')");
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
              throw new IllegalStateException("the filling broke");
            }))
        .hasMessage("the filling broke");
    String url = TestServers.get().newPreparedDatabase(key, StoreFixture::migrate, u -> {});
    assertThat(count(url, "SELECT count(*) FROM customers")).as("nothing of the failed filling").isZero();
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
