package io.switchboard.hub.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue #10, the admin workspace's REST side: rules drafts (validation with file:line problems, diff, what-if
 * simulation on the last days' real arrivals, publishing over a stale version refused, rollback), staff profiles
 * (skills, capacity), console settings saved from the console, audit filters, the caller's rights, and bad input on
 * each.
 */
@DisplayName("admin workspace API")
class AdminWorkspaceApiTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static TestHub hub;
  private static String admin;
  private static String supervisor;
  private static String agent;
  private static String running;

  @BeforeAll
  static void start() throws Exception {
    // A copy of config/: the console settings tests write console.yaml.
    Path config = TestHub.configWithRules(Files.readString(TestHub.configDir().resolve("routing.yaml")));
    hub = TestHub.startWith(Map.of(), config);
    admin = TestHub.bearer(hub.login("ada", "ada-demo-pw"));
    supervisor = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    agent = TestHub.bearer(hub.login("alice", "alice-demo-pw"));
    running = hub.get("/api/v1/routing/rules", admin).json().getString("source");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /** The running rules with the web chat's billing topic sent to the general queue. */
  static String billingChatsToGeneral(String rules) {
    String from = "when: \"attributes['topic'] == 'billing'\"\n    queue: billing";
    assertThat(rules).contains(from);
    return rules.replace(from, "when: \"attributes['topic'] == 'billing'\"\n    queue: general");
  }

  private static JsonObject draft(String source) {
    return new JsonObject().put("source", source);
  }

  @Test
  @DisplayName("a draft is checked with file:line problems and diffed against the running version; nothing changes")
  void aDraftIsValidatedAndDiffed() {
    int version = hub.get("/api/v1/routing/rules", admin).json().getInteger("version");
    var good = hub.post("/api/v1/routing/rules/validate", admin, draft(billingChatsToGeneral(running)).encode());
    assertThat(good.status()).as(good.body()).isEqualTo(200);
    assertThat(good.json().getBoolean("valid")).isTrue();
    assertThat(good.json().getInteger("runningVersion")).isEqualTo(version);
    assertThat(good.json().getJsonArray("diff").stream().map(String::valueOf).filter(l -> !l.startsWith("  ")))
        .containsExactly("-     queue: billing", "+     queue: general");

    // Malformed YAML, an unknown queue and a broken condition: every problem with its line.
    String broken = running.replace("name: General enquiries", "name: [unclosed");
    assertThat(broken).isNotEqualTo(running);
    var bad = hub.post("/api/v1/routing/rules/validate", admin, draft(broken).encode());
    assertThat(bad.status()).isEqualTo(200);
    assertThat(bad.json().getBoolean("valid")).isFalse();
    JsonObject problem = bad.json().getJsonArray("problems").getJsonObject(0);
    assertThat(problem.getString("file")).isEqualTo("routing.yaml");
    assertThat(problem.getInteger("line")).isGreaterThan(0);
    String nowhere = running.replace("    queue: tech-support\n    priority: 10", "    queue: nowhere\n    priority: 10");
    assertThat(nowhere).isNotEqualTo(running);
    var unknownQueue = hub.post("/api/v1/routing/rules/validate", admin, draft(nowhere).encode()).json();
    assertThat(unknownQueue.getBoolean("valid")).isFalse();
    assertThat(unknownQueue.getJsonArray("problems").encode()).contains("nowhere");

    assertThat(hub.get("/api/v1/routing/rules", admin).json().getInteger("version")).isEqualTo(version);
  }

  @Test
  @DisplayName("bad bodies: missing, NUL characters, oversized source, oversized body, unknown and duplicated fields")
  void badDraftBodiesAreRefused() {
    assertThat(hub.post("/api/v1/routing/rules/validate", admin, "{}").status()).isEqualTo(422);
    var nul = hub.post("/api/v1/routing/rules/validate", admin, draft("rules: []\u0000").encode());
    assertThat(nul.status()).as(nul.body()).isEqualTo(422);
    assertThat(nul.body()).contains("source");
    String big = "#".repeat(600 * 1024);
    assertThat(hub.post("/api/v1/routing/rules/validate", admin, draft(big).encode()).status()).isEqualTo(422);
    assertThat(hub.post("/api/v1/routing/rules/simulate", admin, draft("x".repeat(2 * 1024 * 1024)).encode()).status()).isEqualTo(413);
    assertThat(hub.post("/api/v1/routing/rules/validate", admin, "{\"source\":\"a\",\"extra\":1}").status()).isEqualTo(400);
    assertThat(hub.post("/api/v1/routing/rules/validate", admin, "{\"source\":\"a\",\"source\":\"b\"}").status()).isEqualTo(400);
    assertThat(hub.post("/api/v1/routing/rules/validate", admin, "{\"source\":").status()).isEqualTo(400);
    assertThat(hub.post("/api/v1/routing/rules/simulate", admin, draft(running).put("days", 0).encode()).status()).isEqualTo(422);
    assertThat(hub.post("/api/v1/routing/rules/simulate", admin, draft(running).put("days", 32).encode()).status()).isEqualTo(422);
    var badDraft = hub.post("/api/v1/routing/rules/simulate", admin, draft("rules: [").encode());
    assertThat(badDraft.status()).isEqualTo(422);
    assertThat(badDraft.body()).contains("routing.yaml:");
    // Supervisors read the rules but may not try drafts.
    assertThat(hub.post("/api/v1/routing/rules/validate", supervisor, draft(running).encode()).status()).isEqualTo(403);
    assertThat(hub.post("/api/v1/routing/rules/simulate", agent, draft(running).encode()).status()).isEqualTo(403);
  }

  @Test
  @DisplayName("the simulation replays the last days' real arrivals under both rule sets and shows what moves")
  void theSimulationComparesTheDraftWithTheRunningRulesOnRealArrivals() throws Exception {
    String key = TestHub.apiKey(TestHub.DEMO_API_KEY);
    for (int i = 0; i < 4; i++) {
      var r = hub.post("/api/v1/inbound", key, new JsonObject().put("channel", "chat").put("externalId", "sim-" + i)
          .put("sender", new JsonObject().put("kind", "email").put("value", "sim" + i + "@example.com"))
          .put("senderName", "Sim " + i).put("threadKey", "sim-thread-" + i)
          .put("content", new JsonObject().put("type", "text").put("text", "my invoice " + i))
          .put("metadata", new JsonObject().put("topic", "billing")).encode());
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
    var sim = hub.post("/api/v1/routing/rules/simulate", admin, draft(billingChatsToGeneral(running)).put("days", 7).encode());
    assertThat(sim.status()).as(sim.body()).isEqualTo(200);
    JsonObject out = sim.json();
    assertThat(out.getInteger("days")).isEqualTo(7);
    assertThat(out.getInteger("arrivals")).isGreaterThanOrEqualTo(4);
    assertThat(out.getInteger("agents")).isGreaterThan(0);
    assertThat(out.getInteger("changedQueue")).isGreaterThanOrEqualTo(4);
    assertThat(out.getJsonArray("moves").stream().map(m -> (JsonObject) m))
        .anySatisfy(m -> {
          assertThat(m.getString("from")).isEqualTo("billing");
          assertThat(m.getString("to")).isEqualTo("general");
        });
    assertThat(queue(out.getJsonObject("running"), "billing").getInteger("offered")).isGreaterThanOrEqualTo(4);
    assertThat(queue(out.getJsonObject("draft"), "billing").getInteger("offered")).isZero();
    assertThat(out.getJsonObject("running").getInteger("version")).isEqualTo(hub.get("/api/v1/routing/rules", admin).json().getInteger("version"));
    // The same draft gives the same answer (one seed).
    var again = hub.post("/api/v1/routing/rules/simulate", admin, draft(billingChatsToGeneral(running)).put("days", 7).encode()).json();
    assertThat(again.getJsonObject("draft")).isEqualTo(out.getJsonObject("draft"));
  }

  private static JsonObject queue(JsonObject run, String id) {
    return run.getJsonArray("queues").stream().map(q -> (JsonObject) q).filter(q -> id.equals(q.getString("queue")))
        .findFirst().orElseThrow();
  }

  @Test
  @DisplayName("publishing over a version someone else published since is a 409; then publish and roll back")
  void publishingOverAStaleVersionIsAConflict() {
    int base = hub.get("/api/v1/routing/rules", admin).json().getInteger("version");
    String other = running + "\n# another admin's comment\n";
    var first = hub.post("/api/v1/routing/rules", admin, draft(other).put("baseVersion", base).encode());
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    int published = first.json().getInteger("version");
    var stale = hub.post("/api/v1/routing/rules", admin, draft(billingChatsToGeneral(running)).put("baseVersion", base).encode());
    assertThat(stale.status()).as(stale.body()).isEqualTo(409);
    assertThat(stale.body()).contains("version " + published);
    assertThat(hub.get("/api/v1/routing/rules", admin).json().getInteger("version")).isEqualTo(published);
    assertThat(hub.post("/api/v1/routing/rules", admin, draft(running).put("baseVersion", 0).encode()).status()).isEqualTo(422);
    var unknown = hub.post("/api/v1/routing/rules/versions/9999/rollback", admin, "{}");
    assertThat(unknown.status()).isEqualTo(404);
    var back = hub.post("/api/v1/routing/rules/versions/" + base + "/rollback", admin, "{}");
    assertThat(back.status()).as(back.body()).isEqualTo(200);
    assertThat(hub.get("/api/v1/routing/rules", admin).json().getString("source")).isEqualTo(running);
  }

  @Test
  @DisplayName("an admin sets skills with proficiency and capacities; live routing has them; bad profiles are refused")
  void anAdminSetsSkillsAndCapacity() {
    String bob = agentId("bob");
    var set = hub.put("/api/v1/agents/" + bob + "/profile", admin, new JsonObject().put("displayName", "Bob Builder")
        .put("skills", new JsonObject().put("billing", 2).put("french", 5))
        .put("capacity", new JsonObject().put("chat", 4).put("email", 0)).encode());
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(set.json().getString("displayName")).isEqualTo("Bob Builder");
    assertThat(set.json().getJsonObject("skills").getMap()).isEqualTo(Map.of("billing", 2, "french", 5));
    assertThat(set.json().getJsonObject("capacity").getInteger("chat")).isEqualTo(4);
    assertThat(set.json().getJsonObject("capacity").getInteger("email")).isZero();
    JsonObject live = hub.get("/api/v1/agents/" + bob + "/state", admin).json();
    assertThat(live.getJsonObject("skills").getMap()).isEqualTo(Map.of("billing", 2, "french", 5));
    assertThat(live.getJsonObject("capacity").getInteger("chat")).isEqualTo(4);
    JsonArray audit = hub.get("/api/v1/audit?entityType=agent&entityId=" + bob + "&action=agent.profile_changed", admin)
        .json().getJsonArray("items");
    assertThat(audit).hasSize(1);

    String path = "/api/v1/agents/" + bob + "/profile";
    assertThat(hub.put(path, admin, "{\"skills\":{\"billing\":6}}").status()).isEqualTo(422);
    assertThat(hub.put(path, admin, "{\"skills\":{\"Bad Skill\":3}}").status()).isEqualTo(422);
    assertThat(hub.put(path, admin, "{\"skills\":{},\"capacity\":{\"fax\":1}}").status()).isEqualTo(422);
    assertThat(hub.put(path, admin, "{\"skills\":{},\"capacity\":{\"chat\":51}}").status()).isEqualTo(422);
    assertThat(hub.put(path, admin, "{\"skills\":{},\"displayName\":\"a\\u0000b\"}").status()).isEqualTo(422);
    assertThat(hub.put(path, admin, "{\"skills\":{\"billing\":1},\"skills\":{}}").status()).isEqualTo(400);
    assertThat(hub.put(path, admin, "{}").status()).isEqualTo(422);
    assertThat(hub.put("/api/v1/agents/00000000-0000-4000-8000-000000000000/profile", admin, "{\"skills\":{}}").status()).isEqualTo(404);
    assertThat(hub.put("/api/v1/agents/not-a-uuid/profile", admin, "{\"skills\":{}}").status()).isEqualTo(400);
    assertThat(hub.put(path, supervisor, "{\"skills\":{}}").status()).isEqualTo(403);
    // A taken username is a conflict.
    var dup = hub.post("/api/v1/agents", admin, new JsonObject().put("username", "bob").put("displayName", "Bob Two")
        .put("role", "agent").put("password", "a-long-enough-passphrase-42").encode());
    assertThat(dup.status()).isEqualTo(409);
  }

  private static String agentId(String username) {
    return hub.get("/api/v1/agents", admin).jsonArray().stream().map(a -> (JsonObject) a)
        .filter(a -> username.equals(a.getString("username"))).findFirst().orElseThrow().getString("id");
  }

  @Test
  @DisplayName("console settings are saved from the console over the hash read; a stale hash is 409; problems are 422")
  void consoleSettingsAreSavedOverTheHashRead() throws Exception {
    JsonObject file = hub.get("/api/v1/console/settings/source", admin).json();
    String sha = file.getString("sha256");
    String source = file.getString("source");
    String text = source == null ? "wrapUp:\n  dispositions:\n    - { code: resolved, label: Resolved }\n" : source;
    String changed = text.replace("label: Resolved", "label: Resolved for good");
    assertThat(changed).isNotEqualTo(text);

    var broken = hub.put("/api/v1/console/settings/source", admin,
        new JsonObject().put("source", changed + "\nbogus: [\n").put("baseSha256", sha).encode());
    assertThat(broken.status()).as(broken.body()).isEqualTo(422);
    assertThat(broken.json().getJsonArray("problems").getJsonObject(0).getInteger("line")).isGreaterThan(0);
    assertThat(hub.get("/api/v1/console/settings/source", admin).json().getString("sha256")).isEqualTo(sha);

    var saved = hub.put("/api/v1/console/settings/source", admin, new JsonObject().put("source", changed).put("baseSha256", sha).encode());
    assertThat(saved.status()).as(saved.body()).isEqualTo(200);
    JsonObject settings = eventually(() -> hub.get("/api/v1/console/settings", agent).json(),
        s -> s.getJsonArray("dispositions").encode().contains("Resolved for good"), "the saved settings in force");
    assertThat(settings).isNotNull();
    assertThat(Files.readString(hub.configDirUsed().resolve("console.yaml"))).isEqualTo(changed);

    var stale = hub.put("/api/v1/console/settings/source", admin, new JsonObject().put("source", text).put("baseSha256", sha).encode());
    assertThat(stale.status()).as(stale.body()).isEqualTo(409);
    assertThat(hub.put("/api/v1/console/settings/source", admin, new JsonObject().put("source", text).put("baseSha256", "xyz").encode())
        .status()).isEqualTo(422);
    assertThat(hub.put("/api/v1/console/settings/source", admin, new JsonObject().put("source", "a\u0000").encode()).status()).isEqualTo(422);
    assertThat(hub.put("/api/v1/console/settings/source", supervisor, new JsonObject().put("source", text).encode()).status()).isEqualTo(403);
    assertThat(hub.get("/api/v1/console/settings/source", agent).status()).isEqualTo(403);
  }

  @Test
  @DisplayName("the audit log filters by actor, action prefix and time; bad times are 400")
  void theAuditLogFilters() {
    String carl = hub.post("/api/v1/agents", admin, new JsonObject().put("username", "carl").put("displayName", "Carl Audit")
        .put("role", "agent").put("password", "carl-has-a-long-passphrase-7").encode()).json().getString("id");
    assertThat(hub.post("/api/v1/agents/" + carl + "/disable", admin, "{}").status()).isEqualTo(200);
    JsonArray byAdmin = hub.get("/api/v1/audit?actor=ADA&action=agent.&limit=500", admin).json().getJsonArray("items");
    assertThat(byAdmin.stream().map(e -> ((JsonObject) e).getString("action"))).contains("agent.created", "agent.disabled")
        .allMatch(a -> a.startsWith("agent."));
    assertThat(byAdmin.stream().map(e -> ((JsonObject) e).getString("actor"))).allMatch(a -> a.toLowerCase().contains("ada"));
    JsonArray exact = hub.get("/api/v1/audit?action=agent.disabled&entityId=" + carl, admin).json().getJsonArray("items");
    assertThat(exact).hasSize(1);
    assertThat(hub.get("/api/v1/audit?action=agent.disabled&entityId=" + carl + "&from=2099-01-01T00:00:00Z", admin)
        .json().getJsonArray("items")).isEmpty();
    assertThat(hub.get("/api/v1/audit?action=agent.disabled&entityId=" + carl + "&to=2000-01-01T00:00:00Z", admin)
        .json().getJsonArray("items")).isEmpty();
    assertThat(hub.get("/api/v1/audit?from=yesterday", admin).status()).isEqualTo(400);
    assertThat(hub.get("/api/v1/audit?actor=a%00b", admin).status()).isIn(400, 422);
    assertThat(hub.get("/api/v1/audit?action=a&action=b", admin).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("/auth/me says which customer rights the caller has; a revoked API key is refused at once")
  void rightsAndRevokedKeys() {
    assertThat(hub.get("/api/v1/auth/me", agent).json().getJsonArray("rights")).isEmpty();
    assertThat(hub.get("/api/v1/auth/me", supervisor).json().getJsonArray("rights").getList())
        .containsExactlyInAnyOrder("mergeCustomers", "unmergeCustomers", "editIdentities", "editTier");

    var created = hub.post("/api/v1/api-keys", admin, new JsonObject().put("name", "crm-sync")
        .put("scopes", new JsonArray().add("metrics")).encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String secret = created.json().getString("secret");
    assertThat(hub.post("/api/v1/api-keys", admin, new JsonObject().put("name", "crm-sync")
        .put("scopes", new JsonArray().add("inbound")).encode()).status()).isEqualTo(409);
    assertThat(hub.post("/api/v1/api-keys", admin, new JsonObject().put("name", "crm\u0000x")
        .put("scopes", new JsonArray().add("inbound")).encode()).status()).isEqualTo(422);
    assertThat(hub.post("/api/v1/api-keys", admin, new JsonObject().put("name", "other")
        .put("scopes", new JsonArray().add("everything")).encode()).status()).isEqualTo(422);
    assertThat(hub.get("/metrics", TestHub.apiKey(secret)).status()).isEqualTo(200);
    assertThat(hub.get("/api/v1/api-keys", admin).body()).doesNotContain(secret);
    assertThat(hub.delete("/api/v1/api-keys/" + created.json().getString("id"), admin).status()).isEqualTo(200);
    assertThat(hub.get("/metrics", TestHub.apiKey(secret)).status()).isEqualTo(401);
    assertThat(hub.delete("/api/v1/api-keys/00000000-0000-4000-8000-000000000000", admin).status()).isEqualTo(404);
  }

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
