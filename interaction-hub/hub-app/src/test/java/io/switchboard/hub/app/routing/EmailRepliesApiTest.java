package io.switchboard.hub.app.routing;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.messaging.AttachmentService;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Stores;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("email replies: attachments, recipients, threading")
class EmailRepliesApiTest {
  private static final int LIMIT = 64 * 1024;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private TestHub hub;
  private RoutingFixture fx;
  private String alice;
  private String bob;
  private String sam;
  private String interaction;
  private String inboundMessage;

  @BeforeEach
  void start() {
    EmailCaptureAdapter.SENT.clear();
    hub = withCaptureAdapter(() -> TestHub.start(Map.of("SWITCHBOARD_MAX_ATTACHMENT_BYTES", Integer.toString(LIMIT)),
        RoutingFixture.RULES.replace("offerTimeout: 1500ms", "offerTimeout: 60s")));
    fx = new RoutingFixture(hub);
    alice = fx.available("alice");
    bob = bearer(hub.login("bob", "bob-demo-pw"));
    sam = bearer(hub.login("sam", "sam-demo-pw"));
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    var r = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "email")
        .put("externalId", "<m-2@example.com>").put("subject", "Invoice 42")
        .put("references", new JsonArray().add("<m-1@example.com>"))
        .put("sender", new JsonObject().put("kind", "email").put("value", "nora@example.com"))
        .put("senderName", "Nora New")
        .put("to", new JsonArray().add(new JsonObject().put("address", "billing@acme.test").put("name", "ACME Billing")))
        .put("cc", new JsonArray().add(new JsonObject().put("address", "partner@example.com")))
        .put("content", new JsonObject().put("type", "text").put("text", "wrong amount"))
        .put("metadata", new JsonObject().put("topic", "billing")).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    interaction = r.json().getString("interactionId");
    inboundMessage = r.json().getString("messageId");
    RoutingFixture.await(offered);
    assertThat(hub.post("/api/v1/interactions/" + interaction + "/accept", alice, "").status()).isEqualTo(204);
  }

  @AfterEach
  void stop() {
    fx.close();
    hub.close();
  }

  @Test
  void uploadsAreCheckedAndOnlyTheirUploaderReadsThemUntilUsed() throws Exception {
    byte[] pdf = "%PDF-1.7 invoice".getBytes(StandardCharsets.UTF_8);
    var up = upload(alice, "?", "Rechnung%20M%C3%A4rz.pdf", "application/pdf", pdf);
    assertThat(up.status()).as(up.body()).isEqualTo(201);
    JsonObject a = new JsonObject(up.body());
    assertThat(a.getString("fileName")).isEqualTo("Rechnung März.pdf");
    assertThat(a.getString("mediaType")).isEqualTo("application/pdf");
    assertThat(a.getLong("sizeBytes")).isEqualTo(pdf.length);
    assertThat(a.getString("sha256")).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pdf)));

    // No media type: application/octet-stream; the name may come in the query instead.
    var plain = upload(alice, "?name=notes.bin", null, null, new byte[] {1, 2, 3});
    assertThat(plain.status()).as(plain.body()).isEqualTo(201);
    assertThat(new JsonObject(plain.body()).getString("mediaType")).isEqualTo("application/octet-stream");

    var down = download(alice, a.getString("id"));
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(down.body()).isEqualTo(pdf);
    assertThat(down.headers().firstValue("Content-Type")).hasValue("application/pdf");
    assertThat(down.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(down.headers().firstValue("Content-Disposition").orElseThrow())
        .startsWith("attachment; filename=\"Rechnung M_rz.pdf\"").contains("filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf");
    assertThat(download(bob, a.getString("id")).statusCode()).as("another agent").isEqualTo(404);
    assertThat(download(sam, a.getString("id")).statusCode()).as("unused: the uploader's only").isEqualTo(404);
    assertThat(download(alice, "8d1c5a6e-0000-4000-8000-000000000000").statusCode()).isEqualTo(404);
    assertThat(download(alice, "not-a-uuid").statusCode()).isEqualTo(400);
    assertThat(download(null, a.getString("id")).statusCode()).isEqualTo(401);

    int before = count("SELECT count(*) FROM attachments");
    assertThat(upload(alice, "?", "empty.txt", "text/plain", new byte[0]).status()).as("empty").isEqualTo(422);
    assertThat(upload(alice, "?", "..%2Fetc%2Fpasswd", "text/plain", pdf).status()).as("path separator").isEqualTo(422);
    assertThat(upload(alice, "?", "a%5Cb.txt", "text/plain", pdf).status()).as("backslash").isEqualTo(422);
    assertThat(upload(alice, "?", "evil%0D%0AX-Header%3A%201.txt", "text/plain", pdf).status()).as("control chars").isEqualTo(422);
    assertThat(upload(alice, "?", "..", "text/plain", pdf).status()).isEqualTo(422);
    assertThat(upload(alice, "?", null, "text/plain", pdf).status()).as("no name").isEqualTo(422);
    assertThat(upload(alice, "?", "bad%zz.txt", "text/plain", pdf).status()).as("bad escape").isEqualTo(400);
    assertThat(upload(alice, "?", "%FF.txt", "text/plain", pdf).status()).as("not UTF-8").isEqualTo(400);
    assertThat(upload(alice, "?name=x.txt", "y.txt", "text/plain", pdf).status()).as("two names").isEqualTo(400);
    assertThat(upload(alice, "?", "x.txt", "nonsense", pdf).status()).as("bad media type").isEqualTo(422);
    var anonymous = upload(null, "?", "x.txt", "text/plain", pdf);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.body()).contains("urn:switchboard:problem:");
    assertThat(count("SELECT count(*) FROM attachments")).as("nothing half written").isEqualTo(before);
  }

  @Test
  void oversizedUploadsAre413AndNothingIsStored() throws Exception {
    var declared = upload(alice, "?", "big.bin", "application/zip", new byte[LIMIT + 1]);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.body()).contains("payload-too-large");
    // Chunked, with no Content-Length: refused as soon as it passes the limit.
    var chunked = http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/api/v1/attachments?name=big.bin"))
        .header("Authorization", alice).header("Content-Type", "application/zip")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[LIMIT * 4])))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(upload(alice, "?", "exact.bin", null, new byte[LIMIT]).status()).as("at the limit").isEqualTo(201);
    assertThat(count("SELECT count(*) FROM attachments")).isEqualTo(1);
    assertThat(hub.get("/health", null).status()).as("still serving").isEqualTo(200);
  }

  @Test
  void anEmailReplyWithCcAndAttachmentsIsStoredAndHandedToTheAdapterWithThreadingHeaders() {
    // The inbound email shows its headers, so the console can offer reply-all and quoting.
    JsonObject inbound = messages(alice).get(0);
    JsonObject email = inbound.getJsonObject("email");
    assertThat(email.getString("messageId")).isEqualTo("<m-2@example.com>");
    assertThat(email.getJsonObject("from")).isEqualTo(new JsonObject().put("address", "nora@example.com").put("name", "Nora New"));
    assertThat(email.getJsonArray("to").getJsonObject(0).getString("address")).isEqualTo("billing@acme.test");
    assertThat(email.getJsonArray("to").getJsonObject(0).getString("name")).isEqualTo("ACME Billing");
    assertThat(email.getJsonArray("cc").getJsonObject(0).getString("address")).isEqualTo("partner@example.com");
    assertThat(email.getString("subject")).isEqualTo("Invoice 42");
    assertThat(email.getJsonArray("references")).containsExactly("<m-1@example.com>");
    assertThat(inbound.getJsonArray("attachments")).isEmpty();

    String pdf = new JsonObject(upload(alice, "?", "invoice.pdf", "application/pdf", "PDF".getBytes(StandardCharsets.UTF_8)).body()).getString("id");
    String png = new JsonObject(upload(alice, "?", "scan.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}).body()).getString("id");
    var reply = write(alice, new JsonObject().put("text", "Corrected invoice attached.\n\n> wrong amount")
        .put("cc", new JsonArray().add("partner@example.com").add("Accounts@Example.com"))
        .put("attachments", new JsonArray().add(pdf).add(png)).put("inReplyTo", inboundMessage));
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    JsonObject r = reply.json();
    assertThat(r.getString("subject")).isEqualTo("Re: Invoice 42");
    assertThat(r.getJsonObject("email").getJsonArray("to")).containsExactly(new JsonObject().put("address", "nora@example.com").put("name", "Nora New"));
    assertThat(r.getJsonObject("email").getJsonArray("cc").stream().map(c -> ((JsonObject) c).getString("address")))
        .containsExactly("partner@example.com", "Accounts@Example.com");
    assertThat(r.getJsonObject("email").getString("inReplyTo")).isEqualTo(inboundMessage);
    assertThat(r.getJsonArray("attachments").stream().map(x -> ((JsonObject) x).getString("fileName"))).containsExactly("invoice.pdf", "scan.png");

    OutboundMessage out = EmailCaptureAdapter.next();
    assertThat(out.messageId().toString()).isEqualTo(r.getString("id"));
    assertThat(out.recipient().value()).isEqualTo("nora@example.com");
    assertThat(out.subject()).isEqualTo("Re: Invoice 42");
    assertThat(out.email().to().get(0).address()).isEqualTo("nora@example.com");
    assertThat(out.email().cc()).hasSize(2);
    assertThat(out.email().inReplyTo()).isEqualTo("<m-2@example.com>");
    assertThat(out.email().references()).containsExactly("<m-1@example.com>", "<m-2@example.com>");
    assertThat(out.email().attachments()).hasSize(2);
    assertThat(out.email().attachments().get(0).attachment().fileName()).isEqualTo("invoice.pdf");
    assertThat(out.email().attachments().get(0).bytes().toString()).isEqualTo("PDF");

    // Used attachments: readable by the agent working the interaction and supervisors, by nobody else.
    assertThat(download(alice, pdf).statusCode()).isEqualTo(200);
    assertThat(download(sam, pdf).statusCode()).isEqualTo(200);
    assertThat(download(bob, pdf).statusCode()).isEqualTo(404);
    // An attachment is used once.
    var again = write(alice, new JsonObject().put("text", "once more").put("attachments", new JsonArray().add(pdf)));
    assertThat(again.status()).as(again.body()).isEqualTo(409);

    // Once sent, the reply shows the Message-ID the adapter gave it; the history shows the same fields.
    await(() -> "sent".equals(messageById(r.getString("id")).getString("status")));
    assertThat(messageById(r.getString("id")).getJsonObject("email").getString("messageId")).isEqualTo("<" + r.getString("id") + "@capture.test>");
    String customer = hub.get("/api/v1/interactions/" + interaction, alice).json().getString("customerId");
    var history = hub.get("/api/v1/customers/" + customer + "/history", alice);
    assertThat(history.body()).contains("\"attachments\":[{\"id\":\"" + pdf + "\"");
  }

  @Test
  void badEmailFieldsAre422AndStoreNothing() {
    String mine = new JsonObject(upload(alice, "?", "a.txt", "text/plain", "a".getBytes(StandardCharsets.UTF_8)).body()).getString("id");
    String bobs = new JsonObject(upload(bob, "?", "b.txt", "text/plain", "b".getBytes(StandardCharsets.UTF_8)).body()).getString("id");
    int messages = count("SELECT count(*) FROM messages");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 51; i++) {
      many.add("r" + i + "@example.com");
    }
    List<JsonObject> bad = new ArrayList<>(List.of(
        new JsonObject().put("subject", "Hi\r\nBcc: victim@example.com"),
        new JsonObject().put("subject", "x".repeat(999)),
        new JsonObject().put("to", new JsonArray().add("nora@example.com\r\nBcc: victim@example.com")),
        new JsonObject().put("cc", new JsonArray().add("not an address")),
        new JsonObject().put("to", many),
        new JsonObject().put("attachments", new JsonArray().add(bobs)),
        new JsonObject().put("attachments", new JsonArray().add("8d1c5a6e-0000-4000-8000-000000000000")),
        new JsonObject().put("attachments", new JsonArray().add(mine).add(mine)),
        new JsonObject().put("attachments", new JsonArray().add("nope")),
        new JsonObject().put("inReplyTo", "8d1c5a6e-0000-4000-8000-000000000000"),
        new JsonObject().put("privateNote", true).put("cc", new JsonArray().add("a@example.com"))));
    for (JsonObject fields : bad) {
      var r = write(alice, fields.copy().put("text", "hello"));
      assertThat(r.status()).as(fields.encode() + " -> " + r.body()).isEqualTo(422);
      assertThat(r.isProblem()).isTrue();
    }
    assertThat(write(alice, new JsonObject().put("text", "x").put("to", "a@example.com")).status()).as("not a list").isEqualTo(400);
    assertThat(write(alice, new JsonObject().put("text", "x").put("quote", true)).status()).as("the console quotes").isEqualTo(400);
    assertThat(count("SELECT count(*) FROM messages")).as("nothing stored").isEqualTo(messages);
    assertThat(count("SELECT count(*) FROM attachments WHERE message_id IS NOT NULL")).isZero();
    // The hub keeps serving, and the agent's own attachment is still usable.
    assertThat(write(alice, new JsonObject().put("text", "ok").put("attachments", new JsonArray().add(mine))).status()).isEqualTo(201);
  }

  @Test
  void emailFieldsOnAChatInteractionAre422() {
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String chat = fx.contact("chat-email-fields", "billing");
    RoutingFixture.await(offered);
    assertThat(hub.post("/api/v1/interactions/" + chat + "/accept", alice, "").status()).isEqualTo(204);
    var r = hub.post("/api/v1/interactions/" + chat + "/messages", alice,
        new JsonObject().put("text", "hi").put("cc", new JsonArray().add("a@example.com")).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("\"field\":\"cc\"");
    // Inbound recipients belong to email contacts only.
    var inbound = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "chat")
        .put("externalId", "chat-to").put("sender", new JsonObject().put("kind", "email").put("value", "c@example.com"))
        .put("to", new JsonArray().add(new JsonObject().put("address", "x@example.com")))
        .put("content", new JsonObject().put("type", "text").put("text", "hi")).encode());
    assertThat(inbound.status()).isEqualTo(422);
    var injected = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "email")
        .put("externalId", "<inj@example.com>").put("sender", new JsonObject().put("kind", "email").put("value", "c@example.com"))
        .put("cc", new JsonArray().add(new JsonObject().put("address", "x@example.com\nBcc: y@example.com")))
        .put("content", new JsonObject().put("type", "text").put("text", "hi")).encode());
    assertThat(injected.status()).isEqualTo(422);
    // Chat messages keep their JSON: no email fields.
    JsonObject chatMessage = hub.get("/api/v1/interactions/" + chat, alice).json().getJsonArray("messages").getJsonObject(0);
    assertThat(chatMessage.containsKey("email")).isFalse();
    assertThat(chatMessage.containsKey("attachments")).isFalse();
  }

  @Test
  void theSweepDeletesUnusedOldAttachmentsButNotUsedOnes() throws Exception {
    String used = new JsonObject(upload(alice, "?", "used.txt", "text/plain", "u".getBytes(StandardCharsets.UTF_8)).body()).getString("id");
    String unused = new JsonObject(upload(alice, "?", "unused.txt", "text/plain", "n".getBytes(StandardCharsets.UTF_8)).body()).getString("id");
    String fresh = new JsonObject(upload(alice, "?", "fresh.txt", "text/plain", "f".getBytes(StandardCharsets.UTF_8)).body()).getString("id");
    assertThat(write(alice, new JsonObject().put("text", "see file").put("attachments", new JsonArray().add(used))).status()).isEqualTo(201);
    execute("UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id IN ('" + used + "', '" + unused + "')");
    Database db = Database.connect(hub.hub().vertx(), hub.hub().postgresUrl(), null, 2);
    try {
      int deleted = new AttachmentService(Stores.over(db)).deleteUnused(Duration.ofHours(24), 100)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(deleted).isEqualTo(1);
    } finally {
      db.close();
    }
    assertThat(download(alice, unused).statusCode()).isEqualTo(404);
    assertThat(download(alice, used).statusCode()).isEqualTo(200);
    assertThat(download(alice, fresh).statusCode()).isEqualTo(200);
  }

  // --- helpers

  private static TestHub withCaptureAdapter(java.util.function.Supplier<TestHub> start) {
    ClassLoader original = Thread.currentThread().getContextClassLoader();
    URL extra = EmailRepliesApiTest.class.getResource("/email-capture/");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {extra}, original)) {
      Thread.currentThread().setContextClassLoader(loader);
      return start.get();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      Thread.currentThread().setContextClassLoader(original);
    }
  }

  private TestHub.Response upload(String token, String query, String fileNameHeader, String mediaType, byte[] body) {
    HttpRequest.Builder b = hub.builder("/api/v1/attachments" + (query.equals("?") ? "" : query), token)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (fileNameHeader != null) {
      b.header("X-File-Name", fileNameHeader);
    }
    if (mediaType != null) {
      b.header("Content-Type", mediaType);
    }
    return hub.send(b);
  }

  private HttpResponse<byte[]> download(String token, String id) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/api/v1/attachments/" + id)).GET();
      if (token != null) {
        b.header("Authorization", token);
      }
      return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private TestHub.Response write(String token, JsonObject body) {
    return hub.post("/api/v1/interactions/" + interaction + "/messages", token, body.encode());
  }

  private List<JsonObject> messages(String token) {
    var r = hub.get("/api/v1/interactions/" + interaction, token);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonArray("messages").stream().map(m -> (JsonObject) m).toList();
  }

  private JsonObject messageById(String id) {
    return messages(alice).stream().filter(m -> m.getString("id").equals(id)).findFirst().orElseThrow();
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.onSpinWait();
    }
  }

  private String jdbc() {
    return "jdbc:" + hub.hub().postgresUrl().replace("postgresql://postgres@", "postgresql://");
  }

  private int count(String sql) {
    try (Connection c = io.switchboard.hub.testsupport.TestServers.connect(hub.hub().postgresUrl()); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  private void execute(String sql) {
    try (Connection c = io.switchboard.hub.testsupport.TestServers.connect(hub.hub().postgresUrl())) {
      c.createStatement().execute(sql);
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }
}
