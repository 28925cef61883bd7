package io.switchboard.hub.app.http;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("POST /api/v1/inbound")
class InboundApiTest {
  private static TestHub hub;
  private static String key;
  private static String supervisor;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    key = apiKey(TestHub.DEMO_API_KEY);
    supervisor = bearer(hub.login("sam", "sam-demo-pw"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static JsonObject contact(String externalId, String email, String threadKey, String text) {
    return new JsonObject()
        .put("channel", "chat")
        .put("externalId", externalId)
        .put("sender", new JsonObject().put("kind", "email").put("value", email))
        .put("senderName", "Test Person")
        .put("threadKey", threadKey)
        .put("content", new JsonObject().put("type", "text").put("text", text))
        .put("metadata", new JsonObject().put("topic", "billing"));
  }

  private static int storedInteractions() {
    var r = hub.get("/api/v1/interactions?limit=200", supervisor);
    assertThat(r.status()).isEqualTo(200);
    return r.json().getJsonArray("items").size();
  }

  @Test
  void firstDeliveryCreatesAndRedeliveryReturnsTheSameInteraction() {
    String body = contact("it-dup-1", "Dup.Person@Example.com", "session-dup-1", "hello").encode();
    var first = hub.post("/api/v1/inbound", key, body);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.json().getString("outcome")).isEqualTo("created");
    assertThat(first.location()).isEqualTo("/api/v1/interactions/" + first.json().getString("interactionId"));
    int before = storedInteractions();

    var again = hub.post("/api/v1/inbound", key, body);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("outcome")).isEqualTo("duplicate");
    assertThat(again.json().getString("interactionId")).isEqualTo(first.json().getString("interactionId"));
    assertThat(again.json().getString("messageId")).isEqualTo(first.json().getString("messageId"));
    assertThat(storedInteractions()).isEqualTo(before);
  }

  @Test
  void nextMessageOfAnOpenSessionJoinsItsInteraction() {
    var first = hub.post("/api/v1/inbound", key, contact("it-app-1", "append@example.com", "session-app", "one").encode());
    var second = hub.post("/api/v1/inbound", key, contact("it-app-2", "append@example.com", "session-app", "two").encode());
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().getString("outcome")).isEqualTo("appended");
    assertThat(second.json().getString("interactionId")).isEqualTo(first.json().getString("interactionId"));
    var detail = hub.get("/api/v1/interactions/" + first.json().getString("interactionId"), supervisor).json();
    assertThat(detail.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getJsonObject("content").getString("text")))
        .containsExactly("one", "two");
    assertThat(detail.getJsonArray("transitions").getJsonObject(0).getString("to")).isEqualTo("created");
  }

  @Test
  void aKnownCustomerIsMatchedWhateverTheSpellingOfTheirAddress() {
    var created = hub.post("/api/v1/customers", supervisor, new JsonObject()
        .put("displayName", "Known Caller")
        .put("identities", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("kind", "phone").put("value", "+49 30 98765432"))
            .add(new JsonObject().put("kind", "email").put("value", "known.caller@example.com"))).encode());
    assertThat(created.status()).isEqualTo(201);
    String customerId = created.json().getString("id");

    var call = hub.post("/api/v1/inbound", key, new JsonObject()
        .put("channel", "voice").put("externalId", "call-known-1")
        .put("sender", new JsonObject().put("kind", "phone").put("value", "030 98765432"))
        .put("content", new JsonObject().put("type", "text").put("text", "IVR: billing"))
        .put("metadata", new JsonObject().put("ivr.path", "1>2")).encode());
    var mail = hub.post("/api/v1/inbound", key, new JsonObject()
        .put("channel", "email").put("externalId", "<m1@example.com>")
        .put("sender", new JsonObject().put("kind", "email").put("value", "Known.Caller@EXAMPLE.com"))
        .put("subject", "Invoice").put("content", new JsonObject().put("type", "text").put("text", "see attached")).encode());
    assertThat(call.json().getString("customerId")).isEqualTo(customerId);
    assertThat(mail.json().getString("customerId")).isEqualTo(customerId);

    var history = hub.get("/api/v1/customers/" + customerId + "/history", supervisor).json().getJsonArray("items");
    assertThat(history.stream().map(i -> ((JsonObject) i).getString("channel"))).containsExactlyInAnyOrder("voice", "email");
  }

  @Test
  void concurrentRedeliveriesStoreExactlyOneInteraction() throws Exception {
    String body = contact("it-race-1", "race@example.com", "session-race", "hi").encode();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<TestHub.Response>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        calls.add(CompletableFuture.supplyAsync(() -> hub.post("/api/v1/inbound", key, body), pool));
      }
      Set<String> interactions = new HashSet<>();
      int created = 0;
      for (var c : calls) {
        var r = c.get();
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        interactions.add(r.json().getString("interactionId"));
        if (r.status() == 201) {
          created++;
        }
      }
      assertThat(interactions).hasSize(1);
      assertThat(created).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      malformed JSON                 | {"channel":"chat",                                              | 400 | malformed-json    |
      not an object                  | ["chat"]                                                        | 400 | bad-request       |
      wrong type for channel         | {"channel":5}                                                   | 400 | bad-request       | channel
      unknown field                  | {"channel":"chat","colour":"red"}                               | 400 | bad-request       | colour
      duplicate key                  | {"channel":"chat","channel":"email"}                            | 400 | malformed-json    |
      missing channel                | {"externalId":"a","sender":{"kind":"phone","value":"+4930123456"},"content":{"type":"text","text":"x"}} | 422 | validation-failed | channel
      unknown channel                | {"channel":"fax","externalId":"a","sender":{"kind":"phone","value":"+4930123456"},"content":{"type":"text","text":"x"}} | 422 | validation-failed | channel
      missing external id            | {"channel":"chat","sender":{"kind":"email","value":"a@b.de"},"content":{"type":"text","text":"x"}} | 422 | validation-failed | externalId
      invalid phone                  | {"channel":"voice","externalId":"b1","sender":{"kind":"phone","value":"12"},"content":{"type":"text","text":"x"}} | 422 | validation-failed | sender.value
      invalid email                  | {"channel":"email","externalId":"b2","sender":{"kind":"email","value":"not-an-email"},"content":{"type":"text","text":"x"}} | 422 | validation-failed | sender.value
      handle without provider        | {"channel":"social","externalId":"b3","sender":{"kind":"handle","value":"123"},"content":{"type":"text","text":"x"}} | 422 | validation-failed | sender.provider
      unknown content type           | {"channel":"chat","externalId":"b4","sender":{"kind":"email","value":"a@b.de"},"content":{"type":"video"}} | 422 | validation-failed | content.type
      location out of range          | {"channel":"social","externalId":"b5","sender":{"kind":"handle","provider":"telegram","value":"42"},"content":{"type":"location","latitude":99,"longitude":0}} | 422 | validation-failed | content
      number where text expected     | {"channel":"chat","externalId":"b6","sender":{"kind":"email","value":"a@b.de"},"content":{"type":"text","text":7}} | 400 | bad-request | content.text
      """)
  void badInputGetsAProblemNamingTheFieldAndStoresNothing(String name, String body, int status, String code, String field) {
    int before = storedInteractions();
    var r = hub.post("/api/v1/inbound", key, body);
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.isProblem()).isTrue();
    JsonObject problem = r.json();
    assertThat(problem.getString("type")).isEqualTo("urn:switchboard:problem:" + code);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("instance")).isEqualTo("/api/v1/inbound");
    if (field != null) {
      assertThat(problem.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field"))).contains(field);
    }
    assertThat(storedInteractions()).isEqualTo(before);
  }

  @Test
  void anOversizeBodyIsRefusedWith413() {
    String huge = contact("big-1", "big@example.com", null, "x".repeat(2 * 1024 * 1024)).encode();
    var r = hub.post("/api/v1/inbound", key, huge);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.isProblem()).isTrue();
    assertThat(hub.get("/health", null).status()).isEqualTo(200);
  }

  @Test
  void aTextLongerThanTheLimitIsRefusedWith422() {
    String longText = contact("long-1", "long@example.com", null, "x".repeat(300 * 1024)).encode();
    var r = hub.post("/api/v1/inbound", key, longText);
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("content.text");
  }

  @Test
  void aBodyThatIsNotJsonIsRefusedWith415() {
    var r = hub.send(hub.builder("/api/v1/inbound", key).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("hello")));
    assertThat(r.status()).isEqualTo(415);
    assertThat(r.isProblem()).isTrue();
  }

  @Test
  void anEmptyBodyIsRefusedWith400() {
    var r = hub.post("/api/v1/inbound", key, "");
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void callersWithoutTheInboundKeyAreRefused() {
    String body = contact("auth-1", "auth@example.com", null, "x").encode();
    assertThat(hub.post("/api/v1/inbound", null, body).status()).isEqualTo(401);
    assertThat(hub.post("/api/v1/inbound", apiKey("sbk_wrong_key_wrong_key_wrong_key_wrong_key"), body).status()).isEqualTo(401);
    assertThat(hub.post("/api/v1/inbound", "Basic dXNlcjpwYXNz", body).status()).isEqualTo(401);
    assertThat(hub.post("/api/v1/inbound", supervisor, body).status()).isEqualTo(403);
    var viaHeader = hub.send(hub.builder("/api/v1/inbound", null).header("X-Api-Key", TestHub.DEMO_API_KEY)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(viaHeader.status()).isEqualTo(201);
  }
}
