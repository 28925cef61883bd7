package io.switchboard.hub.app.faults;

import static io.switchboard.hub.app.faults.FailureAnswersTest.assertUnavailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.TestServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request that finds every pooled PostgreSQL connection busy waits {@code postgres.poolWait} for one and is then
 * answered 503 {@code unavailable} with Retry-After, like PostgreSQL being down: the pool is full, not broken, and the
 * caller should come back. Issue 12: vertx-sql-client's "Timeout waiting for connection", seen under benchmark load,
 * was answered 500.
 */
class PoolWaitTest {
  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("SWITCHBOARD_PG_POOL_SIZE", "1", "SWITCHBOARD_PG_POOL_WAIT", "1s"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) {
      hub.close();
    }
  }

  @Test
  void aRequestThatFindsThePoolBusyIsAnswered503WithRetryAfterAndWritesNothing() throws Exception {
    String held = "held-" + UUID.randomUUID();
    String token = hub.login("sam", "sam-demo-pw");
    CompletableFuture<TestHub.Response> first;
    try (Connection locker = TestServers.connect(hub.postgresUrl()); Statement st = locker.createStatement()) {
      // The pool's only connection is held busy: the first intake's look waits for this lock, inside PostgreSQL.
      locker.setAutoCommit(false);
      st.execute("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE");
      first = CompletableFuture.supplyAsync(() -> intake(held));
      awaitBlockedOnTheLock(locker);

      // A read that needs a connection of its own (intakes queue behind the blocked batch instead: group commit).
      TestHub.Response second = hub.get("/api/v1/customers?q=Vera", TestHub.bearer(token));

      assertUnavailable(second);
      assertThat(second.json().getString("detail")).as(second.toString()).contains("try again");
      assertThat(first).as("the first intake still waits for the lock").isNotDone();
      locker.rollback();
    }
    assertThat(first.get(30, TimeUnit.SECONDS).status()).as("the intake that held the connection").isEqualTo(201);
    assertThat(stored(held)).as("message, identity, conversation of the held intake").containsExactly(1, 1, 1);

    // Asked again as its Retry-After asks (the hub's relays and routing, held up behind the lock too, share the one
    // connection for a moment after it is released, so a retry may meet a busy pool once more).
    FailureAnswersTest.eventually(() -> hub.get("/api/v1/customers?q=Vera", TestHub.bearer(token)), 200);
    String later = "later-" + UUID.randomUUID();
    FailureAnswersTest.eventually(() -> intake(later), 201);
    assertThat(stored(later)).containsExactly(1, 1, 1);
    FailureAnswersTest.eventually(() -> hub.get("/health", null), 200);
  }

  private static TestHub.Response intake(String externalId) {
    return hub.post("/api/v1/inbound", TestHub.apiKey(TestHub.DEMO_API_KEY), new io.vertx.core.json.JsonObject()
        .put("channel", "chat").put("externalId", externalId)
        .put("sender", new io.vertx.core.json.JsonObject().put("kind", "email").put("value", externalId + "@pool.example.com"))
        .put("threadKey", "thread-" + externalId)
        .put("content", new io.vertx.core.json.JsonObject().put("type", "text").put("text", "hello")).encode());
  }

  /** Waits until a backend other than {@code locker}'s waits for a lock (the hub's only connection, in the look). */
  private static void awaitBlockedOnTheLock(Connection locker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (PreparedStatement q = locker.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname ="
        + " current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'")) {
      while (true) {
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("the first intake waits for the lock within 30 s").isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  /** The rows {@code externalId}'s contact left: its message, its customer's identity and its conversation. */
  private static int[] stored(String externalId) throws Exception {
    try (Connection c = TestServers.connect(hub.postgresUrl());
        PreparedStatement q = c.prepareStatement("SELECT (SELECT count(*) FROM messages WHERE external_id = ?),"
            + " (SELECT count(*) FROM customer_identities WHERE value = ?),"
            + " (SELECT count(*) FROM conversations WHERE thread_key = ?)")) {
      q.setString(1, externalId);
      q.setString(2, externalId + "@pool.example.com");
      q.setString(3, "thread-" + externalId);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)};
      }
    }
  }
}
