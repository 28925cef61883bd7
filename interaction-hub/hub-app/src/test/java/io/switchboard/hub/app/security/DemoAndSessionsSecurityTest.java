package io.switchboard.hub.app.security;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.config.ConfigLoader;
import io.switchboard.hub.core.auth.Tokens;
import io.switchboard.hub.store.redis.RedisStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("security: demo credentials (#11.1) and sessions that cannot be forged in Redis (#11.5)")
class DemoAndSessionsSecurityTest {
  private static TestHub hub;
  private static Vertx vertx;
  private static RedisStore redis;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    vertx = Vertx.vertx();
    redis = RedisStore.connect(vertx, hub.hub().redisUrl(), null, hub.redisPrefix());
  }

  @AfterAll
  static void stop() {
    redis.close();
    vertx.close();
    hub.close();
  }

  @Test
  void demoLoginsAndKeyStopWorkingTheMomentTheDemoIsOff() {
    TestHub seeded = TestHub.start();
    String token = seeded.login("ada", "ada-demo-pw");
    String inbound = new JsonObject().put("channel", "chat").put("externalId", "demo-off-1")
        .put("sender", new JsonObject().put("kind", "email").put("value", "demo.off@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "hi")).encode();
    assertThat(seeded.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), inbound).status()).isEqualTo(201);
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_PG_URL", seeded.hub().postgresUrl());
    env.put("SWITCHBOARD_REDIS_URL", seeded.hub().redisUrl());
    env.put("SWITCHBOARD_REDIS_PREFIX", seeded.redisPrefix());
    env.put("SWITCHBOARD_DEMO", "false");
    try (TestHub off = TestHub.startWith(env, seeded.configDirUsed())) {
      for (TestHub node : new TestHub[] {off, seeded}) {
        assertThat(node.post("/api/v1/auth/login", null,
            new JsonObject().put("username", "ada").put("password", "ada-demo-pw").encode()).status())
            .as("demo admin login with the demo off").isEqualTo(401);
        assertThat(node.get("/api/v1/auth/me", bearer(token)).status()).as("a demo session opened before").isEqualTo(401);
        assertThat(node.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), inbound.replace("demo-off-1", "demo-off-2")).status())
            .as("the published demo API key with the demo off").isEqualTo(401);
      }
    } finally {
      seeded.close();
    }
  }

  @Test
  void withTheDemoOnTheHubListensOnLoopbackUnlessToldOtherwise() {
    var demo = new ConfigLoader(Map.of()).load(TestHub.configDir());
    assertThat(demo.demo().enabled()).isTrue();
    assertThat(demo.http().host()).isEqualTo("127.0.0.1");
    var told = new ConfigLoader(Map.of("SWITCHBOARD_HTTP_HOST", "0.0.0.0")).load(TestHub.configDir());
    assertThat(told.http().host()).isEqualTo("0.0.0.0");
    var real = new ConfigLoader(Map.of("SWITCHBOARD_DEMO", "false")).load(TestHub.configDir());
    assertThat(real.http().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void aSessionWrittenIntoRedisDoesNotMakeAnAdmin() {
    String alice = hub.login("alice", "alice-demo-pw");
    String adaId = hub.get("/api/v1/auth/me", bearer(hub.login("ada", "ada-demo-pw"))).json().getString("id");
    // Whoever can write to Redis makes up a token and a session entry naming the admin.
    String forged = Tokens.newSecret("sbt_");
    JsonObject entry = new JsonObject().put("agentId", adaId).put("username", "ada").put("role", "admin")
        .put("epoch", 0).put("expiresAt", Instant.now().plusSeconds(3600).toString());
    put(Tokens.hash(forged), entry);
    assertThat(hub.get("/api/v1/auth/me", bearer(forged)).status()).isEqualTo(401);
    assertThat(hub.get("/api/v1/api-keys", bearer(forged)).status()).isEqualTo(401);

    // Or copies a real session of an agent and edits it into the admin's.
    JsonObject real = get(Tokens.hash(alice));
    put(Tokens.hash(forged), real.copy());
    assertThat(hub.get("/api/v1/auth/me", bearer(forged)).status()).as("a session copied under another token").isEqualTo(401);
    put(Tokens.hash(alice), real.copy().put("agentId", adaId).put("role", "admin"));
    assertThat(hub.get("/api/v1/api-keys", bearer(alice)).status()).as("an agent's session edited to the admin").isEqualTo(401);
    put(Tokens.hash(alice), real);
    assertThat(hub.get("/api/v1/auth/me", bearer(alice)).json().getString("username")).isEqualTo("alice");
  }

  private static void put(String hash, JsonObject session) {
    await(redis.call(redis.async().setex(redis.key("session:" + hash), 3600, session.encode())));
  }

  private static JsonObject get(String hash) {
    return new JsonObject(await(redis.call(redis.async().get(redis.key("session:" + hash)))));
  }

  private static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
