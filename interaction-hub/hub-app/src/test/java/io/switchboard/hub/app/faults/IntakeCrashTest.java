package io.switchboard.hub.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.TestServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL failing while intakes are in flight on the two-statement path (the look, then the write: one atomic
 * statement of data-modifying CTEs, no transaction around them): a backend killed with SIGKILL in the middle of the
 * intake's write (PostgreSQL then ends every connection and recovers from its WAL before it takes new ones), and every
 * connection of the hub cut at once while the server stays up. Several integrations send at once and re-send what was
 * answered 503. Each time: every answer is 201/200 or 503 with Retry-After (never a 500, never a reset), some requests
 * met the fault, every contact is acknowledged in the end and stored exactly once, nothing is half-written (a customer
 * without its identity or interaction, a conversation without an interaction, an interaction without its message, its
 * first transition or its {@code interaction.created} outbox event), and intake works again afterwards.
 */
class IntakeCrashTest {
  static final int SENDERS = 6;
  static final int CONTACTS_EACH = 30;
  static final int PER_SECOND_EACH = 25;

  @RegisterExtension
  static final FaultyHub faulty = new FaultyHub();

  @Test
  void aBackendKilledInTheMiddleOfTheIntakesWriteLosesAndHalfWritesNothing() throws Exception {
    underLoad("pg-kill", true, () -> {
      long pid = awaitBackendRunning("WITH new_customer AS%");
      // SIGKILL: the postmaster takes it for a crash, ends every other backend and recovers before it takes connections.
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly)).as("backend %s killed", pid).contains(true);
    });
  }

  @Test
  void everyConnectionCutWhileIntakesAreInFlightLosesAndHalfWritesNothing() throws Exception {
    underLoad("pg-cut", false, () -> {
      awaitBackendRunning("WITH %");
      try (Connection c = TestServers.connect(faulty.servers().postgresUrl());
          PreparedStatement cut = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
              + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
        try (ResultSet rs = cut.executeQuery()) {
          rs.next();
          assertThat(rs.getInt(1)).as("connections cut").isPositive();
        }
      }
    });
  }

  private interface Fault {
    void inject() throws Exception;
  }

  /**
   * @param mustRefuse whether the fault must have cost some intake a 503: a crash restarts PostgreSQL, so intakes in
   *     flight fail; connections cut while a batch is written may be met by a retry on a fresh connection instead
   */
  private void underLoad(String name, boolean mustRefuse, Fault fault) throws Exception {
    Instant start = Instant.now().minusSeconds(1);
    String run = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    List<IntakeLoad> loads = new ArrayList<>();
    try {
      for (int i = 0; i < SENDERS; i++) {
        loads.add(IntakeLoad.start(faulty.hub(), run + "-s" + i, CONTACTS_EACH, PER_SECOND_EACH, Duration.ofSeconds(120)));
      }
      awaitAnswers(loads, SENDERS * CONTACTS_EACH / 5);
      fault.inject();
      for (IntakeLoad load : loads) {
        load.finish();
      }

      Map<String, String> acked = new HashMap<>();
      long refused = 0;
      for (IntakeLoad load : loads) {
        assertThat(load.answers().stream().filter(a -> !a.acceptable()))
            .as("answers other than 201/200 or 503 with Retry-After").isEmpty();
        refused += load.answers().stream().filter(a -> a.status() == 503).count();
        assertThat(load.acknowledged()).as("contacts of %s acknowledged in the end", load.run()).hasSize(CONTACTS_EACH);
        acked.putAll(load.acknowledged());
      }
      if (mustRefuse) {
        assertThat(refused).as("requests answered 503: the fault met intakes in flight").isPositive();
      }
      System.out.printf("%s: %d requests answered 503%n", name, refused);
      FaultInjectionTest.assertStoredExactlyOnce(faulty.servers(), run, acked);
      assertNothingHalfWritten(start, run);
      TestHub.Response after = faulty.hub().post("/api/v1/inbound", TestHub.apiKey(TestHub.DEMO_API_KEY),
          FailureAnswersTest.contact());
      assertThat(after.status()).as("an intake after the fault: %s", after).isEqualTo(201);
    } finally {
      loads.forEach(IntakeLoad::close);
    }
  }

  /**
   * Polls {@code pg_stat_activity} (on its own connection) until a client backend runs a statement like {@code like}
   * and returns its process id.
   */
  private static long awaitBackendRunning(String like) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (Connection c = TestServers.connect(faulty.servers().postgresUrl());
        PreparedStatement q = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE state = 'active'"
            + " AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND query LIKE ? LIMIT 1")) {
      q.setString(1, like);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            return rs.getLong(1);
          }
        }
      }
    }
    throw new AssertionError("no backend ran " + like + " within 60 s");
  }

  private static void awaitAnswers(List<IntakeLoad> loads, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (loads.stream().mapToInt(IntakeLoad::answered).sum() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** Rows written since {@code since} that miss a part the intake writes in the same statement. */
  static void assertNothingHalfWritten(Instant since, String run) throws SQLException {
    // Only this run's customers (their addresses start with the run's name): the hub's demo data may be seeded meanwhile,
    // and demo customers without an interaction are no half-write.
    String ofRun = " AND EXISTS (SELECT 1 FROM customer_identities r WHERE r.customer_id = c.id AND r.value LIKE '"
        + run.replace("'", "''") + "%')";
    Map<String, String> checks = Map.of(
        "customers without an identity",
        "SELECT count(*) FROM customers c WHERE c.created_at >= ? AND NOT EXISTS"
            + " (SELECT 1 FROM customer_identities ci WHERE ci.customer_id = c.id)",
        "customers without an interaction",
        "SELECT count(*) FROM customers c WHERE c.created_at >= ? AND NOT EXISTS"
            + " (SELECT 1 FROM interactions i WHERE i.customer_id = c.id)" + ofRun,
        "conversations without an interaction",
        "SELECT count(*) FROM conversations v WHERE v.created_at >= ? AND NOT EXISTS"
            + " (SELECT 1 FROM interactions i WHERE i.conversation_id = v.id)",
        "interactions without a message",
        "SELECT count(*) FROM interactions i WHERE i.created_at >= ? AND NOT EXISTS"
            + " (SELECT 1 FROM messages m WHERE m.interaction_id = i.id)",
        "interactions without their first transition",
        "SELECT count(*) FROM interactions i WHERE i.created_at >= ? AND NOT EXISTS"
            + " (SELECT 1 FROM interaction_transitions t WHERE t.interaction_id = i.id AND t.to_state = 'created')",
        "interactions without their interaction.created event",
        "SELECT count(*) FROM interactions i WHERE i.created_at >= ? AND NOT EXISTS (SELECT 1 FROM outbox o"
            + " WHERE o.topic = 'event.interaction.created' AND o.payload->>'interactionId' = i.id::text)");
    try (Connection c = TestServers.connect(faulty.servers().postgresUrl())) {
      for (Map.Entry<String, String> check : checks.entrySet()) {
        try (PreparedStatement st = c.prepareStatement(check.getValue())) {
          st.setTimestamp(1, Timestamp.from(since));
          try (ResultSet rs = st.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(1)).as(check.getKey()).isZero();
          }
        }
      }
      try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM interactions WHERE created_at >= ?")) {
        st.setTimestamp(1, Timestamp.from(since));
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          assertThat(rs.getLong(1)).as("interactions written during the test").isGreaterThanOrEqualTo(SENDERS * CONTACTS_EACH);
        }
      }
    }
  }
}
