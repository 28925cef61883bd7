package io.switchboard.hub.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.FaultyServers;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults injected under a bounded intake load (10 contacts a second) with two agent consoles connected, against a
 * PostgreSQL and a Redis this test starts, stops and restarts itself: Redis stopped and restarted with its data, Redis
 * coming back empty, PostgreSQL stopped and restarted. Each time: every answer during the fault is 201/200 or 503
 * with Retry-After (never a 500 or a reset), every contact is acknowledged in the end (an integration retries its
 * 503s), every acknowledged contact is stored exactly once, with the interaction the hub answered, and every one is
 * offered to one of the two connected agents (who accept and end what they are offered) within {@link #RECOVERY} after
 * the fault is over: nothing acknowledged is stuck in PostgreSQL's queue unseen by routing.
 */
class FaultInjectionTest {
  static final int CONTACTS = 60;
  static final int PER_SECOND = 10;
  /** How long a fault lasts: long enough for many requests to meet it. */
  static final Duration OUTAGE = Duration.ofSeconds(4);
  /** Every acknowledged contact has been offered to an agent this long after the load ended. */
  static final Duration RECOVERY = Duration.ofSeconds(30);

  static FaultyServers servers;
  static TestHub hub;
  static LiveConsole alice;
  static LiveConsole bob;

  @BeforeAll
  static void start() throws Exception {
    servers = FaultyServers.start();
    hub = TestHub.start(Map.of("SWITCHBOARD_PG_URL", servers.postgresUrl(), "SWITCHBOARD_REDIS_URL", servers.redisUrl(),
        "SWITCHBOARD_ROUTING_RECONCILE_EVERY", "1s"), RoutingSelfHealingTest.RULES);
    alice = LiveConsole.working(hub.hub().vertx(), hub.hub().httpPort(), () -> RoutingSelfHealingTest.login(hub, "alice")).connect();
    bob = LiveConsole.working(hub.hub().vertx(), hub.hub().httpPort(), () -> RoutingSelfHealingTest.login(hub, "bob")).connect();
  }

  @AfterAll
  static void stop() {
    try {
      if (alice != null) {
        alice.close();
        bob.close();
      }
      if (hub != null) {
        hub.close();
      }
    } finally {
      servers.close();
    }
  }

  @Test
  void redisStoppedAndRestartedUnderLoadLosesNothingAcknowledged() throws Exception {
    underLoad("redis-restart", servers::stopRedis, servers::startRedis);
  }

  @Test
  void redisComingBackWithoutItsDataLosesNothingAcknowledged() throws Exception {
    underLoad("redis-empty", servers::stopRedisAndLoseItsData, servers::startRedis);
  }

  @Test
  void postgresStoppedAndRestartedUnderLoadLosesNothingAcknowledged() throws Exception {
    underLoad("pg-restart", servers::stopPostgres, servers::startPostgres);
  }

  private void underLoad(String name, Runnable fault, Runnable recovery) throws Exception {
    String run = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    try (IntakeLoad load = IntakeLoad.start(hub, run, CONTACTS, PER_SECOND, Duration.ofSeconds(120))) {
      awaitAnswers(load, CONTACTS / 4);
      int before = load.answered();
      fault.run();
      Thread.sleep(OUTAGE.toMillis());
      int during = load.answered() - before;
      recovery.run();
      load.finish();

      assertThat(during).as("requests that met the fault").isPositive();
      assertThat(load.answers().stream().filter(a -> !a.acceptable()))
          .as("answers other than 201/200 or 503 with Retry-After").isEmpty();
      Map<String, String> acked = load.acknowledged();
      assertThat(acked).as("contacts acknowledged once the fault was over").hasSize(CONTACTS);
      assertStoredExactlyOnce(servers, run, acked);
      assertOfferedWithin(servers, List.copyOf(acked.values()));
      assertThat(alice.connected() && bob.connected()).as("the consoles are connected again").isTrue();
    }
  }

  /** Every interaction was offered to an agent (PostgreSQL's offered_at) within {@link #RECOVERY}. */
  static void assertOfferedWithin(FaultyServers servers, List<String> ids) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    List<String> missing = RoutingSelfHealingTest.notOffered(servers, ids);
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
      missing = RoutingSelfHealingTest.notOffered(servers, ids);
    }
    assertThat(missing).as("acknowledged contacts not offered to any agent %s s after the fault", RECOVERY.toSeconds()).isEmpty();
  }

  private static void awaitAnswers(IntakeLoad load, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (load.answered() < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  /** Each acknowledged contact: one message, in the interaction the hub answered with; no other message of the run. */
  static void assertStoredExactlyOnce(FaultyServers servers, String run, Map<String, String> acked) throws Exception {
    URI u = URI.create(servers.postgresUrl());
    try (Connection c = io.switchboard.hub.testsupport.TestServers.connect(u.toString());
        PreparedStatement st = c.prepareStatement(
            "SELECT external_id, count(*) AS n, min(interaction_id::text) AS interaction FROM messages"
                + " WHERE channel = 'chat' AND external_id LIKE ? GROUP BY external_id")) {
      st.setString(1, run + "-%");
      Map<String, String> stored = new HashMap<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          assertThat(rs.getInt("n")).as("copies of %s", rs.getString("external_id")).isEqualTo(1);
          stored.put(rs.getString("external_id"), rs.getString("interaction"));
        }
      }
      assertThat(stored).as("stored contacts of run %s", run).isEqualTo(acked);
      try (PreparedStatement interactions = c.prepareStatement("SELECT count(*) FROM interactions WHERE id::text = ANY(?)")) {
        interactions.setArray(1, c.createArrayOf("text", List.copyOf(acked.values()).toArray()));
        try (ResultSet rs = interactions.executeQuery()) {
          rs.next();
          assertThat(rs.getInt(1)).as("interactions of the acknowledged contacts").isEqualTo(acked.size());
        }
      }
    }
  }
}
