package io.switchboard.hub.app.webhooks;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.webhooks.WebhookSignatures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("outbound webhooks: signed deliveries to a real receiver, retries, automatic disable")
class WebhookApiTest {
  private static TestHub hub;
  private static String ada;
  private static WebhookReceiver good;
  private static WebhookReceiver failing;

  @BeforeAll
  static void start() throws Exception {
    good = new WebhookReceiver(204);
    failing = new WebhookReceiver(500);
    Path config = TestHub.configWithRules(Files.readString(TestHub.configDir().resolve("routing.yaml")));
    Files.writeString(config.resolve("analytics.yaml"),
        "webhooks:\n  maxAttempts: 5\n  firstRetrySeconds: 1\n  disableAfterFailures: 3\n  timeoutSeconds: 5\n");
    hub = TestHub.startWith(Map.of(), config);
    ada = bearer(hub.login("ada", "ada-demo-pw"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) {
      hub.close();
    }
    good.close();
    failing.close();
  }

  @Test
  void aSubscriberGetsSignedEventsAndTheSecretIsShownOnce() throws Exception {
    var created = hub.post("/api/v1/webhooks", ada, new JsonObject().put("url", good.url())
        .put("events", new JsonArray().add("interaction.created").add("message.received")).encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String secret = created.json().getString("secret");
    String id = created.json().getString("id");
    assertThat(secret).startsWith("whsec_");
    assertThat(hub.get("/api/v1/webhooks/" + id, ada).body()).doesNotContain(secret).doesNotContain("secret");
    assertThat(hub.get("/api/v1/webhooks", ada).body()).doesNotContain(secret);

    var inbound = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "social")
        .put("externalId", "wh-1").put("sender", new JsonObject().put("kind", "handle").put("provider", "whatsapp").put("value", "4915123456711"))
        .put("content", new JsonObject().put("type", "text").put("text", "hi")).encode());
    assertThat(inbound.status()).isEqualTo(201);

    WebhookReceiver.Request r = good.next();
    long now = System.currentTimeMillis() / 1000;
    assertThat(WebhookSignatures.verify(secret, r.headers().get(WebhookSignatures.TIMESTAMP_HEADER),
        r.headers().get(WebhookSignatures.SIGNATURE_HEADER), r.body(), now)).as("signature verifies").isTrue();
    // A changed body, another secret or a replay long after do not verify.
    byte[] tampered = r.body().clone();
    tampered[tampered.length - 2] ^= 1;
    assertThat(WebhookSignatures.verify(secret, r.headers().get(WebhookSignatures.TIMESTAMP_HEADER),
        r.headers().get(WebhookSignatures.SIGNATURE_HEADER), tampered, now)).isFalse();
    assertThat(WebhookSignatures.verify("whsec_other", r.headers().get(WebhookSignatures.TIMESTAMP_HEADER),
        r.headers().get(WebhookSignatures.SIGNATURE_HEADER), r.body(), now)).isFalse();
    assertThat(WebhookSignatures.verify(secret, r.headers().get(WebhookSignatures.TIMESTAMP_HEADER),
        r.headers().get(WebhookSignatures.SIGNATURE_HEADER), r.body(), now + 3600)).isFalse();
    assertThat(r.headers().get(WebhookSignatures.EVENT_HEADER)).isEqualTo("interaction.created");
    JsonObject body = r.json();
    assertThat(body.getString("type")).isEqualTo("interaction.created");
    assertThat(body.getJsonObject("data").getString("interactionId")).isEqualTo(inbound.json().getString("interactionId"));
    assertThat(body.getJsonObject("data").getString("channel")).isEqualTo("social");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonArray log;
    do {
      log = hub.get("/api/v1/webhooks/" + id + "/deliveries", ada).json().getJsonArray("items");
      Thread.sleep(100);
    } while ((log.isEmpty() || !"delivered".equals(log.getJsonObject(0).getString("status"))) && System.nanoTime() < deadline);
    assertThat(log.getJsonObject(0).getString("status")).isEqualTo("delivered");
    assertThat(log.getJsonObject(0).getInteger("lastStatusCode")).isEqualTo(204);
    assertThat(log.getJsonObject(0).getString("id")).isEqualTo(r.headers().get(WebhookSignatures.DELIVERY_HEADER));
  }

  @Test
  void aFailingReceiverIsRetriedWithBackoffThenDisabledWithAnAuditEntry() throws Exception {
    var created = hub.post("/api/v1/webhooks", ada, new JsonObject().put("url", failing.url())
        .put("events", new JsonArray().add("customer.merged")).encode());
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().getString("id");
    assertThat(hub.post("/api/v1/webhooks/" + id + "/ping", ada, "{}").status()).isEqualTo(202);
    WebhookReceiver.Request first = failing.next();
    assertThat(first.headers().get(WebhookSignatures.EVENT_HEADER)).isEqualTo("webhook.ping");
    WebhookReceiver.Request second = failing.next();
    WebhookReceiver.Request third = failing.next();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonObject sub;
    do {
      sub = hub.get("/api/v1/webhooks/" + id, ada).json();
      Thread.sleep(100);
    } while (sub.getBoolean("active") && System.nanoTime() < deadline);
    assertThat(sub.getBoolean("active")).isFalse();
    assertThat(sub.getString("disabledReason")).contains("3 failed attempts in a row").contains("HTTP 500");
    // The same delivery was tried three times: three requests, one delivery.
    assertThat(failing.count.get()).isEqualTo(3);
    assertThat(java.util.stream.Stream.of(first, second, third).map(q -> q.headers().get(WebhookSignatures.DELIVERY_HEADER)).distinct())
        .hasSize(1);
    // Each retry is signed afresh with its own timestamp.
    assertThat(Long.parseLong(third.headers().get(WebhookSignatures.TIMESTAMP_HEADER)))
        .isGreaterThan(Long.parseLong(first.headers().get(WebhookSignatures.TIMESTAMP_HEADER)));
    JsonObject delivery = hub.get("/api/v1/webhooks/" + id + "/deliveries", ada).json().getJsonArray("items").getJsonObject(0);
    assertThat(delivery.getString("status")).isEqualTo("failed");
    assertThat(delivery.getInteger("attempts")).isEqualTo(3);
    assertThat(delivery.getInteger("lastStatusCode")).isEqualTo(500);
    JsonArray audit = hub.get("/api/v1/audit?entityType=webhook&entityId=" + id, ada).json().getJsonArray("items");
    assertThat(audit.stream().map(o -> ((JsonObject) o).getString("action"))).contains("webhook.disabled");
    // Disabled: a ping is refused until an admin enables it again.
    assertThat(hub.post("/api/v1/webhooks/" + id + "/ping", ada, "{}").status()).isEqualTo(409);
    assertThat(hub.post("/api/v1/webhooks/" + id + "/enable", ada, "{}").json().getBoolean("active")).isTrue();
  }

  @Test
  void onlyAdminsManageWebhooksAndBadInputIs422() {
    assertThat(hub.get("/api/v1/webhooks", bearer(hub.login("sam", "sam-demo-pw"))).status()).isEqualTo(403);
    var bad = hub.post("/api/v1/webhooks", ada, new JsonObject().put("url", "ftp://x").put("events", new JsonArray().add("nope")).encode());
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().getJsonArray("errors").stream().map(o -> ((JsonObject) o).getString("field"))).contains("url", "events");
  }
}
