package io.switchboard.hub.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM's order: the hub stops accepting connections, lets the requests in flight finish (within the grace period),
 * and only then closes its PostgreSQL and Redis pools. A request that was being served when the stop began gets its
 * real answer, not a 500 "Pool closed" or a reset connection.
 */
class ShutdownOrderTest {

  @Test
  void aRequestInFlightWhenTheHubStopsIsAnsweredAndStoredAndNewConnectionsAreRefused() throws Exception {
    TestHub hub = TestHub.start();
    int port = hub.hub().httpPort();
    String externalId = "shutdown-" + java.util.UUID.randomUUID();
    String body = FailureAnswersTest.contact().replaceFirst("\"externalId\":\"[^\"]+\"", "\"externalId\":\"" + externalId + "\"");
    try (Connection lock = jdbc(hub.postgresUrl())) {
      // Hold the outbox so that intake's transaction waits: the request is in flight while the hub stops.
      lock.setAutoCommit(false);
      try (Statement st = lock.createStatement()) {
        st.execute("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE");
      }
      CompletableFuture<TestHub.Response> inFlight =
          CompletableFuture.supplyAsync(() -> hub.post("/api/v1/inbound", TestHub.apiKey(TestHub.DEMO_API_KEY), body));
      awaitWaitingOnTheLock(lock);

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(hub::close);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (accepts(port) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(accepts(port)).as("the stopping hub refuses new connections").isFalse();
      assertThat(inFlight).as("the request in flight is still being served").isNotDone();

      lock.rollback(); // intake goes on
      TestHub.Response answer = inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
      stopping.get(60, java.util.concurrent.TimeUnit.SECONDS);

      try (Statement st = lock.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM messages WHERE external_id = '" + externalId + "'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the contact is stored once").isEqualTo(1);
      }
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits until some other session waits for the lock this connection holds. */
  private static void awaitWaitingOnTheLock(Connection lock) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try (Statement st = lock.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("intake never waited on the outbox lock");
  }

  private static Connection jdbc(String postgresUrl) throws Exception {
    URI u = URI.create(postgresUrl);
    return io.switchboard.hub.testsupport.TestServers.connect(u.toString());
  }
}
