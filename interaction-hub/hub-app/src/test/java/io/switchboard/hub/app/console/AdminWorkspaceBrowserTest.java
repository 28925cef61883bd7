package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #10, the admin workspace in the browser (at 1366×768): an admin changes a routing rule, sees the problems of a
 * broken draft with their lines, the diff and the simulation's comparison on the last days' arrivals, publishes, and
 * rolls back, and the hub routes new contacts by each version in turn; creates and disables a member of staff and
 * finds it in the audit log by filter; creates an API key whose secret is shown once and revokes it, after which the
 * hub refuses it. Agents get neither the link nor the workspace.
 */
@DisplayName("the admin workspace")
class AdminWorkspaceBrowserTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final AtomicInteger contacts = new AtomicInteger();
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withDemoHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  private Page admin() {
    Page page = chromium.newPage(1366, 768);
    signIn(hub, page, "ada");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Admin")).click();
    return page;
  }

  private static void open(Page page, String name) {
    page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Admin"))
        .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName(name)).click();
  }

  /** A web chat contact on the billing topic through the API, as the widget or an integration sends it. */
  private String billingChat(String key) {
    int n = contacts.incrementAndGet();
    var r = hub.post("/api/v1/inbound", key, new JsonObject().put("channel", "chat").put("externalId", "admin-ui-" + n)
        .put("sender", new JsonObject().put("kind", "email").put("value", "buyer" + n + "@example.com"))
        .put("senderName", "Buyer " + n).put("threadKey", "admin-ui-thread-" + n)
        .put("content", new JsonObject().put("type", "text").put("text", "Question about invoice " + n))
        .put("metadata", new JsonObject().put("topic", "billing")).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("interactionId");
  }

  /** The queue the hub's router put the interaction in. */
  private String routedQueue(String interactionId, String token) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String queue = null;
    while (System.nanoTime() < deadline) {
      JsonObject i = hub.get("/api/v1/interactions/" + interactionId, token).json();
      queue = i.getString("queue");
      if (queue != null) {
        return queue;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("interaction " + interactionId + " was not queued within " + DEADLINE.toSeconds() + " s");
  }

  @Test
  @DisplayName("an admin changes a rule, sees problems, diff and the simulation's comparison, publishes and rolls back")
  void anAdminChangesARuleSimulatesPublishesAndRollsBack() throws Exception {
    String key = TestHub.apiKey(TestHub.DEMO_API_KEY);
    String supervisor = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    // Last days' arrivals for the simulation: billing chats, routed by the running rules to billing.
    for (int i = 0; i < 3; i++) {
      assertThat(routedQueue(billingChat(key), supervisor)).isEqualTo("billing");
    }

    Page page = admin();
    open(page, "Routing rules");
    Locator editor = page.getByTestId("rules-editor");
    assertThat(editor.getByTestId("running-version")).containsText("version");
    int base = hub.get("/api/v1/routing/rules", supervisor).json().getInteger("version");
    Locator draft = page.getByLabel("Draft of routing.yaml");
    String running = draft.inputValue();

    // A broken draft: the problem with its line, and no way to publish.
    draft.fill(running.replace("name: General enquiries", "name: [unclosed"));
    assertThat(editor.getByTestId("rules-problems")).containsText("routing.yaml:");
    assertThat(editor.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Publish"))).isDisabled();

    // The change: billing chats go to the general queue.
    String changed = running.replace("when: \"attributes['topic'] == 'billing'\"\n    queue: billing",
        "when: \"attributes['topic'] == 'billing'\"\n    queue: general");
    assertThat(changed).isNotEqualTo(running);
    draft.fill(changed);
    assertThat(editor.getByTestId("rules-check")).hasText("The draft is valid.");
    assertThat(editor.getByTestId("rules-diff")).containsText("+     queue: general");
    assertThat(editor.getByTestId("rules-diff")).containsText("-     queue: billing");

    editor.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Simulate last 7 days")).click();
    Locator simulation = editor.getByTestId("simulation");
    assertThat(simulation).containsText("3 from billing to general");
    Locator billingRow = simulation.locator("tr[data-queue=billing] td");
    assertThat(billingRow.nth(1)).hasText("3"); // offered, running rules
    assertThat(billingRow.nth(2)).hasText("0"); // offered, draft
    Locator generalRow = simulation.locator("tr[data-queue=general] td");
    assertThat(generalRow.nth(2)).hasText("3");
    Chromium.screenshot(page, "41-admin-rules-simulation");

    editor.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Publish")).click();
    assertThat(editor.getByTestId("running-version")).hasText("running: version " + (base + 1));
    // What the hub now routes: a billing chat goes to general.
    assertThat(routedQueue(billingChat(key), supervisor)).isEqualTo("general");

    // Roll back to the version before.
    Locator row = editor.getByTestId("rules-versions").locator("tr[data-version='" + base + "']");
    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Roll back to this")).click();
    // Before confirming, what the rollback would change against the running version.
    assertThat(editor.getByTestId("version-diff")).containsText("-     queue: general");
    assertThat(editor.getByTestId("version-diff")).containsText("+     queue: billing");
    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Yes, roll back to " + base)).click();
    assertThat(editor.getByRole(AriaRole.STATUS)).containsText("Rolled back");
    assertThat(editor.getByTestId("running-version")).hasText("running: version " + (base + 2));
    assertThat(draft).hasValue(running);
    assertThat(routedQueue(billingChat(key), supervisor)).isEqualTo("billing");
    assertThat(hub.get("/api/v1/routing/rules", supervisor).json().getString("source")).isEqualTo(running);
    Chromium.screenshot(page, "42-admin-rules-rolled-back");
  }

  @Test
  @DisplayName("an admin creates a member of staff with skills, disables them, and finds both in the audit log")
  void anAdminCreatesAndDisablesStaffAndFiltersTheAuditLog() {
    Page page = admin();
    Locator staff = page.getByTestId("staff-admin");
    staff.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("New member of staff")).click();
    Locator form = staff.getByTestId("new-staff");
    form.getByLabel("Username").fill("nina");
    form.getByLabel("Display name").fill("Nina Newhire");
    form.getByLabel("Role").selectOption("agent");
    form.getByLabel("First password").fill("nina-starts-on-monday-42");
    form.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Create")).click();
    assertThat(staff.getByRole(AriaRole.STATUS)).containsText("Nina Newhire (nina) was created.");

    Locator editor = staff.getByTestId("staff-editor");
    editor.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add a skill")).click();
    editor.getByLabel("Skill", new Locator.GetByLabelOptions().setExact(true)).last().fill("billing");
    editor.getByLabel("Proficiency of billing").selectOption("4");
    editor.getByLabel("Capacity Chat").fill("2");
    // Queue membership (routing profile, router's #9.5 API): nina serves billing only.
    editor.getByTestId("queue-membership").getByLabel("Billing").check();
    editor.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save")).click();
    assertThat(staff.getByRole(AriaRole.STATUS)).containsText("Nina Newhire was saved.");
    assertThat(staff.locator("tr[data-username=nina]")).containsText("billing 4");
    assertThat(staff.locator("tr[data-username=nina]")).containsText("Chat 2");
    String adminToken = TestHub.bearer(hub.login("ada", "ada-demo-pw"));
    String ninaId = hub.get("/api/v1/agents", adminToken).jsonArray().stream().map(a -> (JsonObject) a)
        .filter(a -> "nina".equals(a.getString("username"))).findFirst().orElseThrow().getString("id");
    JsonObject nina = hub.get("/api/v1/agents/" + ninaId, adminToken).json();
    assertThat(nina.getJsonObject("skills").getInteger("billing")).isEqualTo(4);
    assertThat(nina.getJsonObject("capacity").getInteger("chat")).isEqualTo(2);
    assertThat(hub.get("/api/v1/agents/" + ninaId + "/queues", adminToken).json().getJsonArray("queues").getList())
        .containsExactly("billing");
    assertThat(hub.login("nina", "nina-starts-on-monday-42")).isNotBlank();

    open(page, "Queues");
    assertThat(page.getByTestId("queues-admin").locator("tr[data-queue=billing]")).containsText("Nina Newhire");
    assertThat(page.getByTestId("queues-admin").locator("tr[data-queue=general]")).not().containsText("Nina Newhire");
    open(page, "Staff");
    staff.locator("tr[data-username=nina]").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit")).click();
    editor.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Disable account")).click();
    assertThat(staff.locator("tr[data-username=nina]")).containsText("disabled");
    var refused = hub.post("/api/v1/auth/login", null,
        new JsonObject().put("username", "nina").put("password", "nina-starts-on-monday-42").encode());
    assertThat(refused.status()).isEqualTo(401);
    Chromium.screenshot(page, "43-admin-staff");

    open(page, "Audit log");
    Locator audit = page.getByTestId("audit-log");
    audit.getByLabel("Actor").fill("ada");
    audit.getByLabel("Action").fill("agent.");
    audit.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Filter")).click();
    Locator rows = audit.getByTestId("audit-entries").locator("tbody tr");
    // The filtered entries replace the unfiltered ones when the answer arrives: wait until no other action is shown
    // (the counts below would also hold on the unfiltered list, so they alone do not wait for the filter).
    assertThat(rows.locator("td:nth-child(3)")
        .filter(new Locator.FilterOptions().setHasNotText(java.util.regex.Pattern.compile("^agent\\.")))).hasCount(0);
    assertThat(rows.filter(new Locator.FilterOptions().setHasText("agent.disabled"))).hasCount(1);
    assertThat(rows.filter(new Locator.FilterOptions().setHasText("agent.created"))).hasCount(1);
    assertThat(rows.filter(new Locator.FilterOptions().setHasText("agent.profile_changed"))).hasCount(1);
    for (String action : rows.locator("td:nth-child(3)").allInnerTexts()) {
      assertThat(action).startsWith("agent.");
    }
    audit.getByLabel("Action").fill("api-key.");
    audit.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Filter")).click();
    assertThat(audit.getByTestId("audit-empty")).isVisible();
    Chromium.screenshot(page, "44-admin-audit");
  }

  @Test
  @DisplayName("an admin creates an API key (secret shown once) and revokes it; the hub then refuses the key")
  void anAdminCreatesAndRevokesAnApiKey() {
    Page page = admin();
    open(page, "API keys");
    Locator keys = page.getByTestId("api-keys-admin");
    keys.getByLabel("Name").fill("shop-widget");
    keys.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Create key")).click();
    Locator shown = keys.getByTestId("api-key-secret");
    assertThat(shown).containsText("not shown again");
    String secret = shown.locator("code").innerText().strip();
    assertThat(secret).isNotBlank();
    assertThat(keys.locator("tr[data-name=shop-widget]")).containsText("inbound");

    String key = TestHub.apiKey(secret);
    billingChat(key);
    keys.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("I have copied it")).click();
    assertThat(keys.getByTestId("api-key-secret")).hasCount(0);
    assertThat(page.content()).doesNotContain(secret);

    Locator row = keys.locator("tr[data-name=shop-widget]");
    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Revoke")).click();
    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Yes, revoke")).click();
    assertThat(row).containsText("revoked");
    var refused = hub.post("/api/v1/inbound", key, new JsonObject().put("channel", "chat").put("externalId", "after-revoke")
        .put("sender", new JsonObject().put("kind", "email").put("value", "late@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "hello")).encode());
    assertThat(refused.status()).isEqualTo(401);
    Chromium.screenshot(page, "45-admin-api-keys");
  }

  @Test
  @DisplayName("an agent has no Admin link, #/admin shows them their console, and the hub refuses the admin calls")
  void agentsDoNotGetTheAdminWorkspace() {
    Page page = chromium.newPage(1366, 768);
    signIn(hub, page, "alice");
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Admin"))).hasCount(0);
    page.navigate(hub.baseUrl() + "/#/admin/staff");
    assertThat(page.getByTestId("connection")).hasText("Connected");
    assertThat(page.locator("sb-admin")).hasCount(0);
    String alice = TestHub.bearer(hub.login("alice", "alice-demo-pw"));
    assertThat(hub.post("/api/v1/routing/rules/validate", alice, "{\"source\":\"x\"}").status()).isEqualTo(403);
    assertThat(hub.get("/api/v1/api-keys", alice).status()).isEqualTo(403);
  }
}
