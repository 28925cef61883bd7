package io.switchboard.hub.app.routing;

import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("console settings hot reload: file changes take effect, bad files are rejected and the running settings stay")
class ConsoleSettingsReloadApiTest {
  static final String GOOD = """
      wrapUp:
        dispositions:
          - { code: resolved,  label: Resolved }
          - { code: follow_up, label: Follow-up needed }
      cannedResponses:
        - id: greeting
          title: Greeting
          shortcut: /hello
          text: "Hello {{customer.firstName}}"
      """;
  static final String CHANGED = """
      wrapUp:
        dispositions:
          - { code: resolved,  label: Resolved }
          - { code: follow_up, label: Follow-up needed }
      cannedResponses:
        - id: greeting
          title: Greeting
          shortcut: /hello
          text: "Good morning {{customer.firstName}}, {{agent.name}} here"
        - id: bye
          title: Goodbye
          shortcut: /bye
          text: "Goodbye!"
      """;
  static final Duration DEADLINE = Duration.ofSeconds(15);

  private TestHub hub;
  private RoutingFixture fx;
  private Path file;
  private String ada;
  private String alice;

  @BeforeEach
  void start() throws Exception {
    Path dir = TestHub.configWithRules(RoutingFixture.RULES);
    file = dir.resolve("console.yaml");
    Files.writeString(file, GOOD);
    hub = TestHub.startWith(Map.of(), dir);
    fx = new RoutingFixture(hub);
    ada = bearer(hub.login("ada", "ada-demo-pw"));
    alice = bearer(hub.login("alice", "alice-demo-pw"));
  }

  @AfterEach
  void stop() {
    fx.close();
    hub.close();
  }

  @Test
  void aChangedFileIsServedToConsolesWithoutARestart() throws Exception {
    assertThat(greeting()).isEqualTo("Hello {{customer.firstName}}");
    String before = status().getString("sha256");
    Files.writeString(file, CHANGED);
    JsonObject settings = eventually(() -> hub.get("/api/v1/console/settings", alice).json(),
        s -> s.getJsonArray("cannedResponses").size() == 2, "the changed canned responses");
    assertThat(cannedText(settings, "/hello")).isEqualTo("Good morning {{customer.firstName}}, {{agent.name}} here");
    assertThat(cannedText(settings, "/bye")).isEqualTo("Goodbye!");
    assertThat(settings.getJsonArray("cannedResponses").getJsonObject(0).getJsonArray("placeholders").getList())
        .containsExactly("customer.firstName", "agent.name");
    assertThat(settings.getBoolean("wrapUpRequired")).as("the routing rules' part is unchanged").isTrue();

    JsonObject status = status();
    assertThat(status.getString("sha256")).isNotEqualTo(before).matches("[0-9a-f]{64}");
    assertThat(status.getString("source")).isEqualTo("file");
    assertThat(status.getString("loadedBy")).isEqualTo("system:file-watch");
    assertThat(status.getInteger("cannedResponses")).isEqualTo(2);
    assertThat(status.getString("file")).isEqualTo(file.toString());
    assertThat(status.getValue("lastRejected")).isNull();
    // The audit entry is written after the settings take effect, not with them: await it.
    JsonObject audit = eventually(this::latestAudit,
        a -> a != null && a.getString("action").equals("console-settings.applied"), "the audit entry of the reload");
    assertThat(audit.getString("action")).isEqualTo("console-settings.applied");
    assertThat(audit.getString("actor")).isEqualTo("system:file-watch");
    assertThat(audit.getString("entityId")).isEqualTo(status.getString("sha256"));
    assertThat(audit.getJsonObject("details").getString("previousSha256")).isEqualTo(before);
  }

  @Test
  void brokenFilesAreRejectedWithTheirLinesWhileTheRunningSettingsKeepServingUntilTheFileIsFixed() throws Exception {
    String loaded = status().getString("sha256");
    record Broken(String what, String text, String message, int line, String key) {}
    List<Broken> cases = List.of(
        new Broken("a YAML syntax error", "wrapUp:\n  dispositions:\n    - { code: resolved, label: Resolved\ncannedResponses: []\n",
            "not valid YAML", -1, ""),
        new Broken("an unknown placeholder", GOOD.replace("{{customer.firstName}}", "{{customer.email}}"),
            "unknown placeholder {{customer.email}}", 9, "cannedResponses[0].text"),
        new Broken("a duplicate shortcut", CHANGED.replace("shortcut: /bye", "shortcut: /hello"),
            "shortcut '/hello' is used twice", 12, "cannedResponses[1].shortcut"),
        new Broken("an empty file", "", "the file is empty", 0, ""),
        new Broken("a file over 1 MiB", GOOD + "# " + "x".repeat(1024 * 1024) + "\n", "larger than 1 MiB", 0, ""));
    for (Broken b : cases) {
      Files.writeString(file, b.text());
      JsonObject rejected = eventually(() -> status().getJsonObject("lastRejected"),
          r -> r != null && r.getJsonArray("problems").getJsonObject(0).getString("message").contains(b.message()), b.what() + " rejected");
      JsonObject problem = rejected.getJsonArray("problems").getJsonObject(0);
      assertThat(problem.getString("file")).as(b.what()).isEqualTo(file.toString());
      if (b.line() >= 0) {
        assertThat(problem.getInteger("line")).as(b.what()).isEqualTo(b.line());
        assertThat(problem.getString("key")).as(b.what()).isEqualTo(b.key());
      } else {
        assertThat(problem.getInteger("line")).as(b.what()).isBetween(3, 4);
      }
      assertThat(rejected.getString("by")).isEqualTo("system:file-watch");
      assertThat(rejected.getString("at")).isNotBlank();
      assertThat(greeting()).as("after " + b.what() + " the settings in force still serve").isEqualTo("Hello {{customer.firstName}}");
      assertThat(status().getString("sha256")).isEqualTo(loaded);
    }
    long rejections = eventually(() -> audit().stream().map(e -> ((JsonObject) e).getString("action"))
        .filter("console-settings.rejected"::equals).count(), n -> n >= cases.size(), "an audit entry per rejection");
    assertThat(rejections).isEqualTo(cases.size());

    Files.writeString(file, CHANGED);
    eventually(this::greeting, g -> g.startsWith("Good morning"), "the fixed file in force");
    assertThat(status().getValue("lastRejected")).isNull();
  }

  @Test
  void anAdminReloadAppliesAGoodFileAndAnswersABadOneWith422AndItsProblems() throws Exception {
    Files.writeString(file, GOOD.replace("shortcut: /hello", "shortcut: /hello\n    channels: [fax]"));
    var bad = hub.post("/api/v1/console/settings/reload", ada, "");
    assertThat(bad.status()).as(bad.body()).isEqualTo(422);
    JsonObject body = bad.json();
    assertThat(body.getBoolean("applied")).isFalse();
    assertThat(body.getBoolean("changed")).isFalse();
    assertThat(body.getString("message")).contains("rejected");
    assertThat(body.getJsonArray("problems").getList()).hasSize(1);
    assertThat(body.getJsonArray("problems").getJsonObject(0)).isEqualTo(new JsonObject().put("file", file.toString())
        .put("line", 9).put("key", "cannedResponses[0].channels[0]").put("message", "unknown channel 'fax' (voice, email, chat, social)"));
    assertThat(body.getJsonObject("current").getString("sha256")).isEqualTo(status().getString("sha256"));
    assertThat(status().getJsonObject("lastRejected").getString("by")).isEqualTo("agent:ada");
    assertThat(greeting()).isEqualTo("Hello {{customer.firstName}}");
    JsonObject audit = eventually(this::latestAudit,
        a -> a != null && a.getString("action").equals("console-settings.rejected"), "the audit entry of the rejection");
    assertThat(audit.getString("action")).isEqualTo("console-settings.rejected");
    assertThat(audit.getString("actor")).isEqualTo("agent:ada");
    assertThat(audit.getJsonObject("details").getJsonArray("problems").getString(0)).contains(":9: cannedResponses[0].channels[0]");

    Files.writeString(file, CHANGED);
    var good = hub.post("/api/v1/console/settings/reload", ada, "");
    assertThat(good.status()).as(good.body()).isEqualTo(200);
    assertThat(good.json().getBoolean("applied")).isTrue();
    assertThat(good.json().containsKey("problems")).isFalse();
    assertThat(good.json().getJsonObject("current").getInteger("cannedResponses")).isEqualTo(2);
    assertThat(greeting()).startsWith("Good morning");
    assertThat(status().getValue("lastRejected")).isNull();

    var again = hub.post("/api/v1/console/settings/reload", ada, "");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getBoolean("changed")).as("the file in force, read again").isFalse();
  }

  @Test
  void onlyAdminsMayReloadOrReadTheStatus() {
    String sam = bearer(hub.login("sam", "sam-demo-pw"));
    for (String path : List.of("/api/v1/console/settings/reload", "/api/v1/console/settings/status")) {
      boolean post = path.endsWith("reload");
      assertThat(call(post, path, null).status()).as(path + " without a token").isEqualTo(401);
      assertThat(call(post, path, alice).status()).as(path + " as an agent").isEqualTo(403);
      assertThat(call(post, path, sam).status()).as(path + " as a supervisor").isEqualTo(403);
      assertThat(call(post, path, TestHub.apiKey(TestHub.DEMO_API_KEY)).status()).as(path + " with an API key").isEqualTo(403);
      assertThat(call(post, path, ada).status()).as(path + " as an admin").isEqualTo(200);
    }
    assertThat(call(false, "/api/v1/console/settings", sam).status()).isEqualTo(200);
  }

  @Test
  void aWrapUpWithADispositionRemovedByAReloadIsRefusedWithTheCodesNowInForce() throws Exception {
    String agent = fx.available("alice");
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    String id = fx.contact("reload-1", "billing");
    RoutingFixture.await(offered);
    assertThat(hub.post("/api/v1/interactions/" + id + "/accept", agent, "").status()).isEqualTo(204);
    assertThat(hub.post("/api/v1/interactions/" + id + "/end", agent, "").status()).isEqualTo(200);

    Files.writeString(file, """
        wrapUp:
          notesRequired: true
          dispositions:
            - { code: resolved, label: Resolved }
            - { code: callback, label: Call back }
        """);
    assertThat(hub.post("/api/v1/console/settings/reload", ada, "").status()).isEqualTo(200);

    var removed = hub.post("/api/v1/interactions/" + id + "/wrap-up", agent,
        new JsonObject().put("disposition", "follow_up").put("notes", "call Friday").encode());
    assertThat(removed.status()).isEqualTo(422);
    JsonObject error = removed.json().getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("field")).isEqualTo("disposition");
    assertThat(error.getString("message")).isEqualTo("unknown disposition 'follow_up'; one of resolved, callback");
    var noNotes = hub.post("/api/v1/interactions/" + id + "/wrap-up", agent, new JsonObject().put("disposition", "callback").encode());
    assertThat(noNotes.status()).isEqualTo(422);
    assertThat(noNotes.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("notes");
    assertThat(hub.get("/api/v1/interactions/" + id, agent).json().getString("state")).isEqualTo("wrap_up");
    assertThat(hub.post("/api/v1/interactions/" + id + "/wrap-up", agent,
        new JsonObject().put("disposition", "callback").put("notes", "call Friday").encode()).status()).isEqualTo(204);
  }

  // ------------------------------------------------------------------ helpers

  private TestHub.Response call(boolean post, String path, String auth) {
    return post ? hub.post(path, auth, "") : hub.get(path, auth);
  }

  private JsonObject status() {
    var r = hub.get("/api/v1/console/settings/status", ada);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  /** The newest audit entry about the console settings, or null while there is none. */
  private JsonObject latestAudit() {
    JsonArray items = audit();
    return items.isEmpty() ? null : items.getJsonObject(0);
  }

  private JsonArray audit() {
    return hub.get("/api/v1/audit?entityType=console-settings", ada).json().getJsonArray("items");
  }

  private String greeting() {
    return cannedText(hub.get("/api/v1/console/settings", alice).json(), "/hello");
  }

  private static String cannedText(JsonObject settings, String shortcut) {
    return settings.getJsonArray("cannedResponses").stream().map(c -> (JsonObject) c)
        .filter(c -> shortcut.equals(c.getString("shortcut"))).findFirst().orElseThrow().getString("text");
  }

  /** Asks again (every 100 ms) until {@code done} holds, failing after {@link #DEADLINE}. */
  private static <T> T eventually(Supplier<T> read, Predicate<T> done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = read.get();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what + "; last seen " + last);
  }
}
