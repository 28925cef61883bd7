package io.switchboard.hub.app.channels;

import io.switchboard.hub.app.TestRules;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.switchboard.hub.app.Hub;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.config.ConfigLoader;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A whole hub with the social channels configured: {@code channels.*.apiBaseUrl} pointing at a
 * {@link SocialFakeProvider}, the providers' secrets in its environment, simple routing rules (everything to
 * the general queue), plus what a test needs to act as the provider (signed webhooks), as an agent (log in,
 * go available with heartbeats, accept, reply) and as a supervisor (list interactions).
 */
final class SocialHub implements AutoCloseable {
  static final String WHATSAPP_APP_SECRET = "wa-app-secret-for-tests";
  static final String WHATSAPP_VERIFY_TOKEN = "wa-verify-token";
  static final String MESSENGER_VERIFY_TOKEN = "fb-verify-token";
  static final String TELEGRAM_SECRET_TOKEN = "tg-secret-token";
  static final String TELEGRAM_BOT_TOKEN = "7000000001:AAE-hub-test";
  static final String PHONE_NUMBER_ID = "106540352242922";

  static final String RULES = TestRules.generalOnly("30s", false, false, """
      - name: default
        queue: general
      """);

  final SocialFakeProvider provider = new SocialFakeProvider();
  final Hub hub;
  final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, Boolean> beating = new ConcurrentHashMap<>();

  /**
   * Starts the hub. Messenger gets its verify token but no app secret, so its deliveries show how a channel
   * without its secret answers.
   */
  SocialHub() {
    this(null);
  }

  /** The same with this config/analytics.yaml (null: the repository's). */
  SocialHub(String analyticsYaml) {
    Map<String, String> env = TestHub.freshEnv();
    // How providers reach the hub (http.publicUrl), as on a deployment behind a proxy; the tests call the port directly.
    env.put("SWITCHBOARD_PUBLIC_URL", "https://switchboard.example.test");
    env.put("SWITCHBOARD_WHATSAPP_APP_SECRET", WHATSAPP_APP_SECRET);
    env.put("SWITCHBOARD_WHATSAPP_VERIFY_TOKEN", WHATSAPP_VERIFY_TOKEN);
    env.put("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN", "EAAG-hub-test");
    env.put("SWITCHBOARD_MESSENGER_VERIFY_TOKEN", MESSENGER_VERIFY_TOKEN);
    env.put("SWITCHBOARD_MESSENGER_PAGE_ACCESS_TOKEN", "EAAB-hub-test");
    env.put("SWITCHBOARD_TELEGRAM_BOT_TOKEN", TELEGRAM_BOT_TOKEN);
    env.put("SWITCHBOARD_TELEGRAM_SECRET_TOKEN", TELEGRAM_SECRET_TOKEN);
    Path dir = TestHub.configWithRules(RULES);
    writeChannels(dir.resolve("switchboard.yaml"), Map.of(
        "whatsapp", Map.of("apiBaseUrl", provider.baseUrl(), "phoneNumberId", PHONE_NUMBER_ID, "requestTimeout", "5s"),
        "messenger", Map.of("apiBaseUrl", provider.baseUrl()),
        "telegram", Map.of("apiBaseUrl", provider.baseUrl())));
    if (analyticsYaml != null) {
      try {
        Files.writeString(dir.resolve("analytics.yaml"), analyticsYaml);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    hub = Hub.start(new ConfigLoader(env).load(dir), env);
    base = "http://127.0.0.1:" + hub.httpPort();
    heartbeats.scheduleAtFixedRate(() -> beating.keySet().forEach(token -> {
      try {
        post("/api/v1/agents/me/heartbeat", token, "");
      } catch (RuntimeException e) {
        // the hub may be stopping
      }
    }), 0, 1, TimeUnit.SECONDS);
  }

  /** Adds a {@code channels:} section to a copy of switchboard.yaml, keeping whatever else it says. */
  private static void writeChannels(Path file, Map<String, Object> channels) {
    try {
      YAMLMapper yaml = new YAMLMapper();
      ObjectNode root = (ObjectNode) yaml.readTree(file.toFile());
      ObjectNode section = root.has("channels") && root.get("channels").isObject()
          ? (ObjectNode) root.get("channels") : root.putObject("channels");
      channels.forEach((name, settings) -> section.set(name, new ObjectMapper().valueToTree(settings)));
      Files.writeString(file, yaml.writeValueAsString(root));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ the provider's side

  /** POSTs a WhatsApp webhook signed with the app secret, as Meta does. */
  Response whatsapp(String json) {
    return webhook("whatsapp", json, Map.of("X-Hub-Signature-256", "sha256=" + hmac(WHATSAPP_APP_SECRET, json)));
  }

  Response webhook(String adapter, String json, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/channels/" + adapter + "/webhook"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    headers.forEach(b::header);
    return send(b);
  }

  static String hmac(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ staff

  /** Logs in, keeps the console's heartbeat going, and goes available; returns the Authorization value. */
  String available(String user) {
    String token = login(user);
    beating.put(token, true);
    Response r = put("/api/v1/agents/me/state", token, new JsonObject().put("state", "available").encode());
    assertThat(r.status()).as(r.body()).isEqualTo(204);
    return token;
  }

  String login(String user) {
    Response r = post("/api/v1/auth/login", null,
        new JsonObject().put("username", user).put("password", user + "-demo-pw").encode());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return "Bearer " + r.json().getString("token");
  }

  /** Starts listening for an event of the hub's event bus before the action that causes it. */
  CompletableFuture<JsonObject> expect(String address, Predicate<JsonObject> match) {
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    MessageConsumer<JsonObject> consumer = hub.vertx().eventBus().consumer(address, m -> {
      if (m.body() != null && match.test(m.body())) {
        f.complete(m.body());
      }
    });
    try {
      consumer.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    f.whenComplete((v, e) -> consumer.unregister());
    return f;
  }

  static JsonObject await(CompletableFuture<JsonObject> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("event did not arrive: " + e, e);
    }
  }

  Response get(String path, String authorization) {
    return send(builder(path, authorization).GET());
  }

  Response post(String path, String authorization, String json) {
    return send(builder(path, authorization).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response put(String path, String authorization, String json) {
    return send(builder(path, authorization).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  HttpRequest.Builder builder(String path, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    hub.stop();
    provider.close();
  }

  /** An HTTP response, body as text. */
  record Response(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }
}
