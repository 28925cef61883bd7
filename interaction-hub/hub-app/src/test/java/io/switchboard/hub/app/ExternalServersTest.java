package io.switchboard.hub.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.switchboard.hub.app.config.ConfigLoader;
import io.switchboard.hub.app.config.SwitchboardConfig;
import io.switchboard.hub.core.auth.Tokens;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The external mode a deployment uses: the hub on the machine's own PostgreSQL (127.0.0.1:5432, user
 * postgres, trust) and Redis (127.0.0.1:6379) instead of embedded servers. Runs on a fresh database that is
 * dropped afterwards and a Redis key prefix of its own whose keys are deleted afterwards; skipped when either
 * server does not answer.
 */
class ExternalServersTest {
  private static final String PG_HOST = "127.0.0.1";
  private static final int PG_PORT = 5432;
  private static final String REDIS_HOST = "127.0.0.1";
  private static final int REDIS_PORT = 6379;
  private static final String ADMIN_JDBC = "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/postgres";
  private static final String REDIS_URL = "redis://" + REDIS_HOST + ":" + REDIS_PORT;

  private static String database;
  private static String pgUrl;
  private static String prefix;
  private static RedisClient redisClient;
  private static StatefulRedisConnection<String, String> redisConnection;
  private static Hub hub;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startHubOnTheSystemServers() throws SQLException {
    assumeTrue(answers(PG_HOST, PG_PORT), "no PostgreSQL on " + PG_HOST + ":" + PG_PORT);
    assumeTrue(answers(REDIS_HOST, REDIS_PORT), "no Redis on " + REDIS_HOST + ":" + REDIS_PORT);
    assumeTrue(postgresAcceptsTrustedSuperuser(), "PostgreSQL on " + PG_PORT + " does not let user postgres in without a password");
    assumeTrue(redisAnswersPing(), "Redis on " + REDIS_PORT + " does not answer PING");

    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    database = "sb_ext_" + suffix;
    prefix = "sb-ext-" + suffix + ":";
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    }
    pgUrl = "postgresql://postgres@" + PG_HOST + ":" + PG_PORT + "/" + database;

    Map<String, String> env = Map.of(
        "SWITCHBOARD_PG_URL", pgUrl,
        "SWITCHBOARD_REDIS_URL", REDIS_URL,
        "SWITCHBOARD_REDIS_PREFIX", prefix,
        "SWITCHBOARD_HTTP_PORT", "0",
        "SWITCHBOARD_HTTP_HOST", "127.0.0.1",
        "SWITCHBOARD_BCRYPT_COST", "4");
    SwitchboardConfig config = new ConfigLoader(env).load(TestHub.configDir());
    assertThat(config.postgres().embedded()).isFalse();
    assertThat(config.redis().embedded()).isFalse();
    hub = Hub.start(config);
  }

  @AfterAll
  static void stopHubAndCleanUp() throws SQLException {
    try {
      if (hub != null) {
        hub.stop();
      }
    } finally {
      try {
        if (redisConnection != null && prefix != null) {
          deleteKeys(redisConnection.sync(), prefix + "*");
        }
      } finally {
        if (redisConnection != null) {
          redisConnection.close();
        }
        if (redisClient != null) {
          redisClient.shutdown();
        }
        if (database != null) {
          try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
          }
        }
      }
    }
  }

  @Test
  void usesTheConfiguredServersAndNoEmbeddedOnes() {
    assertThat(hub.postgresUrl()).isEqualTo(pgUrl);
    assertThat(hub.redisUrl()).isEqualTo(REDIS_URL);
  }

  @Test
  void healthReportsBothServersUp() {
    Resp health = get("/health", null);
    assertThat(health.status()).as(health.toString()).isEqualTo(200);
    JsonObject body = health.json();
    assertThat(body.getString("status")).isEqualTo("up");
    assertThat(body.getJsonObject("checks").getString("postgres")).isEqualTo("up");
    assertThat(body.getJsonObject("checks").getString("redis")).isEqualTo("up");
  }

  @Test
  void loginSessionLivesInTheSystemRedisUnderThePrefix() {
    String token = login("alice", "alice-demo-pw");
    RedisCommands<String, String> redis = redisConnection.sync();
    String key = prefix + "session:" + Tokens.hash(token);
    assertThat(redis.get(key)).as("session %s in the system Redis", key).isNotNull();
    assertThat(redis.ttl(key)).as("the session expires").isPositive();
    assertThat(scan(redis, prefix + "session:*")).contains(key);
    assertThat(redis.get("sb:session:" + Tokens.hash(token))).as("nothing under the default prefix").isNull();

    Resp me = get("/api/v1/auth/me", "Bearer " + token);
    assertThat(me.status()).as(me.toString()).isEqualTo(200);
  }

  @Test
  void inboundContactIsStoredInTheSystemPostgres() throws SQLException {
    String text = "hello from the external-servers test";
    String body = new JsonObject()
        .put("channel", "chat")
        .put("externalId", "ext-1")
        .put("sender", new JsonObject().put("kind", "email").put("value", "Ext.Tester@Example.com"))
        .put("senderName", "Ext Tester")
        .put("threadKey", "ext-session-1")
        .put("content", new JsonObject().put("type", "text").put("text", text))
        .encode();
    Resp created = post("/api/v1/inbound", "ApiKey " + TestHub.DEMO_API_KEY, body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.json().getString("outcome")).isEqualTo("created");
    UUID interactionId = UUID.fromString(created.json().getString("interactionId"));
    UUID customerId = UUID.fromString(created.json().getString("customerId"));

    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database, "postgres", "")) {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT customer_id, channel, external_id FROM interactions WHERE id = ?")) {
        st.setObject(1, interactionId);
        try (ResultSet rs = st.executeQuery()) {
          assertThat(rs.next()).as("interaction %s in %s", interactionId, database).isTrue();
          assertThat(rs.getObject("customer_id")).isEqualTo(customerId);
          assertThat(rs.getString("channel")).isEqualTo("chat");
          assertThat(rs.getString("external_id")).isEqualTo("ext-1");
        }
      }
      try (PreparedStatement st = c.prepareStatement(
          "SELECT direction, content->>'text' AS text FROM messages WHERE interaction_id = ?")) {
        st.setObject(1, interactionId);
        try (ResultSet rs = st.executeQuery()) {
          List<String> texts = new ArrayList<>();
          while (rs.next()) {
            assertThat(rs.getString("direction")).isEqualTo("inbound");
            texts.add(rs.getString("text"));
          }
          assertThat(texts).containsExactly(text);
        }
      }
      try (PreparedStatement st = c.prepareStatement(
          "SELECT c.display_name, i.kind FROM customers c JOIN customer_identities i ON i.customer_id = c.id WHERE c.id = ?")) {
        st.setObject(1, customerId);
        try (ResultSet rs = st.executeQuery()) {
          assertThat(rs.next()).as("customer %s with its identity", customerId).isTrue();
          assertThat(rs.getString("display_name")).isEqualTo("Ext Tester");
          assertThat(rs.getString("kind")).isEqualTo("email");
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private static boolean answers(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean postgresAcceptsTrustedSuperuser() {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      return st.execute("SELECT 1");
    } catch (SQLException e) {
      return false;
    }
  }

  private static boolean redisAnswersPing() {
    try {
      RedisURI uri = RedisURI.create(REDIS_URL);
      uri.setTimeout(Duration.ofSeconds(2));
      redisClient = RedisClient.create(uri);
      redisConnection = redisClient.connect();
      return "PONG".equals(redisConnection.sync().ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Connection admin() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("connectTimeout", "3");
    p.setProperty("socketTimeout", "30");
    return DriverManager.getConnection(ADMIN_JDBC, p);
  }

  private static List<String> scan(RedisCommands<String, String> redis, String pattern) {
    List<String> keys = new ArrayList<>();
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(500);
    KeyScanCursor<String> cursor = redis.scan(args);
    keys.addAll(cursor.getKeys());
    while (!cursor.isFinished()) {
      cursor = redis.scan(ScanCursor.of(cursor.getCursor()), args);
      keys.addAll(cursor.getKeys());
    }
    return keys;
  }

  private static void deleteKeys(RedisCommands<String, String> redis, String pattern) {
    List<String> keys = scan(redis, pattern);
    for (int i = 0; i < keys.size(); i += 500) {
      redis.del(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
    }
  }

  private static String login(String username, String password) {
    Resp r = post("/api/v1/auth/login", null, new JsonObject().put("username", username).put("password", password).encode());
    assertThat(r.status()).as("login of %s: %s", username, r).isEqualTo(200);
    return r.json().getString("token");
  }

  private static Resp get(String path, String authorization) {
    return send(request(path, authorization).GET());
  }

  private static Resp post(String path, String authorization, String json) {
    return send(request(path, authorization).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static HttpRequest.Builder request(String path, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + path))
        .timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  private static Resp send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private record Resp(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }
}
