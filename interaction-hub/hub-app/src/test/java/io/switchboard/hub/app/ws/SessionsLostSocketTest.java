package io.switchboard.hub.app.ws;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.TestServers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Redis loses its data (a restart without persistence, a flush) while agents are connected: the login sessions went
 * with it, so every agent socket, on every node, closes at once instead of at its next periodic session check (30 s,
 * longer than {@link Console#WAIT}). The reconciler notices the lost data (the routing epoch marker is gone); it runs
 * every second here.
 */
@DisplayName("agent sockets close at once on every node when Redis loses the sessions")
class SessionsLostSocketTest {
  private static SocketFixture fx;
  private static TestHub other;

  @BeforeAll
  static void start() {
    fx = new SocketFixture(TestHub.start(Map.of("SWITCHBOARD_ROUTING_RECONCILE_EVERY", "1s"), SocketFixture.RULES));
    other = fx.hub.sibling();
  }

  @AfterAll
  static void stop() {
    try {
      fx.close();
    } finally {
      if (other != null) {
        other.close();
      }
    }
  }

  @Test
  void socketsShouldCloseAtOnceOnEveryNodeWhenRedisLosesTheSessions() {
    String alice = fx.token("alice");
    String bob = fx.token("bob");
    Console here = fx.console();
    here.authenticated(alice);
    Console there = fx.console(other.hub().httpPort());
    there.authenticated(bob);

    loseThisHubsRedisData();

    assertThat(here.awaitClose()).isEqualTo(Frames.CLOSE_UNAUTHENTICATED);
    assertThat(there.awaitClose()).isEqualTo(Frames.CLOSE_UNAUTHENTICATED);
    assertThat(fx.hub.get("/api/v1/auth/me", bearer(alice)).status()).isEqualTo(401);
    assertThat(other.get("/api/v1/auth/me", bearer(bob)).status()).isEqualTo(401);
  }

  /**
   * Deletes every key under this hub's prefix (sessions, routing state, the epoch marker) in the JVM's shared Redis,
   * as a flush would, leaving other tests' prefixes alone.
   */
  private static void loseThisHubsRedisData() {
    String prefix = fx.hub.redisPrefix();
    assertThat(prefix).as("each test hub has its own Redis prefix").isNotBlank();
    RedisClient client = RedisClient.create(TestServers.get().redis().url());
    try (var c = client.connect()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        var page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
        if (!page.getKeys().isEmpty()) {
          c.sync().del(page.getKeys().toArray(String[]::new));
        }
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }
}
