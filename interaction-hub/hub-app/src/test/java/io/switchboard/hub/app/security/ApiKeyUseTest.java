package io.switchboard.hub.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * #12.3 API keys are held in memory for a few seconds and {@code last_used_at} is written at most once a minute, so a
 * busy integration does not lock the key's row on every request; revoking a key still refuses it at once.
 */
@DisplayName("#12.3 API keys: last_used_at at most once a minute, revocation at once")
class ApiKeyUseTest {
  private static TestHub hub;
  private static String admin;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of());
    admin = TestHub.bearer(hub.login("ada", "ada-demo-pw"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static Timestamp lastUsed(String id) throws Exception {
    try (var db = TestServers.connect(hub.hub().postgresUrl()); var st = db.createStatement();
         ResultSet rs = st.executeQuery("SELECT last_used_at FROM api_keys WHERE id = '" + id + "'")) {
      rs.next();
      return rs.getTimestamp(1);
    }
  }

  @Test
  void aKeyUsedManyTimesWithinAMinuteIsNotedOnceAndARevokedKeyIsRefusedAtOnce() throws Exception {
    var created = hub.post("/api/v1/api-keys", admin, new JsonObject().put("name", "scraper")
        .put("scopes", new JsonArray().add("metrics")).encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String id = created.json().getString("id");
    String key = TestHub.apiKey(created.json().getString("secret"));
    assertThat(lastUsed(id)).as("never used").isNull();

    assertThat(hub.get("/metrics", key).status()).isEqualTo(200);
    // The first use is noted (asynchronously, right after the answer).
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (lastUsed(id) == null && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling the row the hub writes after answering
    }
    Timestamp first = lastUsed(id);
    assertThat(first).as("the first use is noted").isNotNull();
    for (int i = 0; i < 20; i++) {
      assertThat(hub.get("/metrics", key).status()).isEqualTo(200);
    }
    assertThat(lastUsed(id)).as("20 more uses within the minute leave the row alone").isEqualTo(first);

    assertThat(hub.delete("/api/v1/api-keys/" + id, admin).status()).isEqualTo(200);
    assertThat(hub.get("/metrics", key).status()).as("a revoked key is refused at once, cache or not").isEqualTo(401);
    assertThat(hub.get("/metrics", TestHub.apiKey("sbk_no_such_key_" + "x".repeat(40))).status()).isEqualTo(401);
  }
}
