package io.switchboard.hub.app.http;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("/api/v1/customers")
class CustomerApiTest {
  private static TestHub hub;
  private static String agent;
  private static String supervisor;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    agent = bearer(hub.login("alice", "alice-demo-pw"));
    supervisor = bearer(hub.login("sam", "sam-demo-pw"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static JsonObject create(String name, String phone, String email) {
    JsonArray ids = new JsonArray();
    if (phone != null) ids.add(new JsonObject().put("kind", "phone").put("value", phone));
    if (email != null) ids.add(new JsonObject().put("kind", "email").put("value", email));
    var r = hub.post("/api/v1/customers", agent, new JsonObject().put("displayName", name).put("identities", ids).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  @Test
  void createdCustomerIsReadableWithNormalisedIdentities() {
    JsonObject c = create("Greta Garbo", "0151 2345 6789", "Greta@Example.COM");
    var read = hub.get("/api/v1/customers/" + c.getString("id"), agent);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().getJsonArray("identities").stream().map(i -> ((JsonObject) i).getString("value")))
        .containsExactlyInAnyOrder("+4915123456789", "greta@example.com");
    assertThat(read.json().getInteger("version")).isEqualTo(1);
  }

  @Test
  void searchFindsByNameByPhoneInAnyFormatAndByEmailInAnyCase() {
    JsonObject c = create("Quentin Searchable", "+49 30 55501234", "q.search@example.com");
    String id = c.getString("id");
    assertThat(ids(hub.get("/api/v1/customers?q=SEARCHABLE", agent).json())).contains(id);
    assertThat(ids(hub.get("/api/v1/customers?phone=030%2055501234", agent).json())).containsExactly(id);
    assertThat(ids(hub.get("/api/v1/customers?email=Q.Search%40EXAMPLE.com", agent).json())).containsExactly(id);
    assertThat(ids(hub.get("/api/v1/customers?email=nobody%40example.com", agent).json())).isEmpty();
    assertThat(hub.get("/api/v1/customers?q=a&phone=1", agent).status()).isEqualTo(400);
    assertThat(hub.get("/api/v1/customers?phone=abc", agent).status()).isEqualTo(422);
    assertThat(hub.get("/api/v1/customers?limit=1000", agent).status()).isEqualTo(400);
    assertThat(hub.get("/api/v1/customers?limit=2", agent).json().getJsonArray("items")).hasSize(2);
  }

  @Test
  void editNeedsTheCurrentVersionAndAStaleOneIsAConflict() {
    String id = create("Version Person", null, "version@example.com").getString("id");
    var ok = hub.patch("/api/v1/customers/" + id, supervisor, new JsonObject().put("version", 1).put("tier", "gold").put("language", "de-CH").encode());
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json().getInteger("version")).isEqualTo(2);
    assertThat(ok.json().getString("tier")).isEqualTo("gold");
    var stale = hub.patch("/api/v1/customers/" + id, supervisor, new JsonObject().put("version", 1).put("tier", "platinum").encode());
    assertThat(stale.status()).isEqualTo(409);
    assertThat(hub.get("/api/v1/customers/" + id, agent).json().getString("tier")).isEqualTo("gold");
    var cleared = hub.patch("/api/v1/customers/" + id, supervisor, new JsonObject().put("version", 2).putNull("tier").encode());
    assertThat(cleared.json().getString("tier")).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no version          | {"tier":"gold"}                        | 422 | version
      version as text     | {"version":"1","tier":"gold"}          | 400 | version
      unknown field       | {"version":1,"shoeSize":44}            | 400 | shoeSize
      bad tier            | {"version":1,"tier":"Gold Star!"}      | 422 | tier
      bad language        | {"version":1,"language":"english!"}    | 422 | language
      empty name          | {"version":1,"displayName":""}         | 422 | displayName
      attribute not text  | {"version":1,"attributes":{"a":1}}     | 400 | attributes.a
      """)
  void badEditsAreRefusedAndChangeNothing(String name, String body, int status, String field) {
    String id = create("Bad Edit " + name, null, null).getString("id");
    var r = hub.patch("/api/v1/customers/" + id, supervisor, body);
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.isProblem()).isTrue();
    assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo(field);
    assertThat(hub.get("/api/v1/customers/" + id, agent).json().getInteger("version")).isEqualTo(1);
  }

  @Test
  void anIdentityOfAnotherCustomerCannotBeTakenTwice() {
    create("First Owner", "+49 30 44401234", null);
    var r = hub.post("/api/v1/customers", agent, new JsonObject().put("displayName", "Second Owner")
        .put("identities", new JsonArray().add(new JsonObject().put("kind", "phone").put("value", "030 44401234"))).encode());
    assertThat(r.status()).isEqualTo(409);
    assertThat(ids(hub.get("/api/v1/customers?q=Second%20Owner", agent).json())).isEmpty();
  }

  @Test
  void identitiesCanBeAddedAndRemoved() {
    String id = create("Ida Identity", null, null).getString("id");
    var added = hub.post("/api/v1/customers/" + id + "/identities", supervisor,
        new JsonObject().put("kind", "handle").put("provider", "telegram").put("value", "@Ida_Identity").encode());
    assertThat(added.status()).as(added.body()).isEqualTo(201);
    assertThat(added.json().getString("value")).isEqualTo("@ida_identity");
    var bad = hub.post("/api/v1/customers/" + id + "/identities", supervisor,
        new JsonObject().put("kind", "handle").put("provider", "telegram").put("value", "not a handle").encode());
    assertThat(bad.status()).isEqualTo(422);
    assertThat(hub.delete("/api/v1/customers/" + id + "/identities/" + added.json().getString("id"), supervisor).status()).isEqualTo(204);
    assertThat(hub.get("/api/v1/customers/" + id + "/identities", agent).jsonArray()).isEmpty();
    assertThat(hub.delete("/api/v1/customers/" + id + "/identities/" + added.json().getString("id"), supervisor).status()).isEqualTo(404);
  }

  @Test
  void mergeMakesOneGoldenRecordAndUndoRestoresBoth() {
    String survivor = create("Golden Record", "+49 30 33301234", null).getString("id");
    JsonObject other = create("Duplicate Record", null, "dup.record@example.com");
    String merged = other.getString("id");
    hub.patch("/api/v1/customers/" + merged, supervisor, new JsonObject().put("version", 1).put("tier", "platinum").encode());
    var mail = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "email")
        .put("externalId", "<merge-1@example.com>").put("sender", new JsonObject().put("kind", "email").put("value", "dup.record@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "before merge")).encode());
    assertThat(mail.json().getString("customerId")).isEqualTo(merged);

    var merge = hub.post("/api/v1/customers/" + survivor + "/merge", supervisor, new JsonObject().put("mergedCustomerId", merged).encode());
    assertThat(merge.status()).as(merge.body()).isEqualTo(201);
    String mergeId = merge.json().getString("id");
    JsonObject golden = hub.get("/api/v1/customers/" + survivor, agent).json();
    assertThat(golden.getString("tier")).isEqualTo("platinum");
    assertThat(golden.getJsonArray("identities")).hasSize(2);
    assertThat(hub.get("/api/v1/customers/" + merged, agent).json().getString("mergedInto")).isEqualTo(survivor);
    assertThat(hub.get("/api/v1/customers/" + survivor + "/history", agent).json().getJsonArray("items")).hasSize(1);
    assertThat(ids(hub.get("/api/v1/customers?email=dup.record%40example.com", agent).json())).containsExactly(survivor);
    var after = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "email")
        .put("externalId", "<merge-2@example.com>").put("sender", new JsonObject().put("kind", "email").put("value", "dup.record@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "after merge")).encode());
    assertThat(after.json().getString("customerId")).isEqualTo(survivor);

    assertThat(hub.post("/api/v1/customers/" + survivor + "/merge", supervisor, new JsonObject().put("mergedCustomerId", merged).encode()).status()).isEqualTo(409);
    assertThat(hub.post("/api/v1/customers/" + survivor + "/merge", supervisor, new JsonObject().put("mergedCustomerId", survivor).encode()).status()).isEqualTo(422);
    assertThat(hub.post("/api/v1/customer-merges/" + mergeId + "/undo", agent, "{}").status()).isEqualTo(403);

    var undo = hub.post("/api/v1/customer-merges/" + mergeId + "/undo", supervisor, "{}");
    assertThat(undo.status()).as(undo.body()).isEqualTo(200);
    assertThat(undo.json().getString("undoneBy")).isEqualTo("agent:sam");
    JsonObject restored = hub.get("/api/v1/customers/" + survivor, agent).json();
    assertThat(restored.getString("tier")).isNull();
    assertThat(restored.getJsonArray("identities")).hasSize(1);
    assertThat(hub.get("/api/v1/customers/" + merged, agent).json().getString("mergedInto")).isNull();
    assertThat(hub.post("/api/v1/customer-merges/" + mergeId + "/undo", supervisor, "{}").status()).isEqualTo(409);
    assertThat(hub.get("/api/v1/customers/" + survivor + "/merges", agent).jsonArray()).hasSize(1);
  }

  @Test
  void unknownAndMalformedIdsAreNotFoundAndBadRequest() {
    assertThat(hub.get("/api/v1/customers/00000000-0000-0000-0000-000000000000", agent).status()).isEqualTo(404);
    var bad = hub.get("/api/v1/customers/not-a-uuid", agent);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("id");
    assertThat(hub.get("/api/v1/customers/00000000-0000-0000-0000-000000000000/history?cursor=zzz", agent).status()).isEqualTo(400);
  }

  @Test
  void customersNeedAStaffLogin() {
    assertThat(hub.get("/api/v1/customers", null).status()).isEqualTo(401);
    assertThat(hub.get("/api/v1/customers", apiKey(TestHub.DEMO_API_KEY)).status()).isEqualTo(403);
    assertThat(hub.get("/api/v1/customers", bearer("sbt_forged")).status()).isEqualTo(401);
  }

  private static java.util.List<String> ids(JsonObject page) {
    return page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }
}
