package io.switchboard.hub.app.faults;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.FaultyServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Revocations travel over Redis pub/sub, which delivers at most once: a node whose connection was down when a key was
 * revoked never hears of it. It drops every session and key it holds in memory when its Redis connections come back
 * (#12.3), so the revoked key is refused then instead of for the rest of the cache's time to live (an hour here).
 */
@DisplayName("a node that could not hear a revocation while Redis was down drops its cached keys and sessions when it is back")
class AuthCacheRedisOutageTest {
  private static FaultyServers servers;
  private static TestHub a;
  private static TestHub b;

  @BeforeAll
  static void start() {
    servers = FaultyServers.start();
    a = TestHub.start(Map.of("SWITCHBOARD_PG_URL", servers.postgresUrl(), "SWITCHBOARD_REDIS_URL", servers.redisUrl(),
        "SWITCHBOARD_AUTH_CACHE_TTL", "1h"));
    b = a.sibling();
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    if (servers != null) {
      servers.close();
    }
  }

  @Test
  void aKeyRevokedWhileRedisWasDownIsRefusedOnTheOtherNodeOnceRedisIsBack() throws Exception {
    String admin = bearer(a.login("ada", "ada-demo-pw"));
    var created = a.post("/api/v1/api-keys", admin, new JsonObject().put("name", "outage-key")
        .put("scopes", new JsonArray().add("metrics")).encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String key = apiKey(created.json().getString("secret"));
    assertThat(b.get("/metrics", key).status()).as("checked on b, now held there for an hour").isEqualTo(200);

    servers.stopRedis();
    // Revoked in PostgreSQL; the event cannot be published (Redis is down), so b never hears of it.
    assertThat(a.delete("/api/v1/api-keys/" + created.json().getString("id"), admin).status()).isEqualTo(200);
    servers.startRedis();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int last;
    do {
      last = b.get("/metrics", key).status();
      if (last == 401) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("b still takes the revoked key 60 s after Redis came back: " + last);
  }
}
