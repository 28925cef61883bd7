package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.TestHub.DEMO_API_KEY;
import static io.switchboard.hub.app.TestHub.apiKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console and the dashboard in a real browser (Debian's Chromium, headless) against a whole hub: a
 * customer starts a chat on the demo page's web chat widget, an agent takes it in the console and answers,
 * the customer reads the answer, the agent wraps up, and a supervisor's dashboard counts it; an email is
 * answered, transferred and moved; an offer in a background tab alerts the agent, who then edits, links and
 * merges the customer record from the customer 360.
 */
@DisplayName("console and dashboard in Chromium")
class ConsoleBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withHub(ConsoleBrowserTest::hubWithWebChatAndEmail);
  private static TestHub hub;
  private final Chromium chromium = browser.chromium();
  /** The SMTP server email replies go out through (the mailbox billing@northwind.example sends only). */
  private static com.icegreen.greenmail.util.GreenMail smtp;

  @BeforeAll
  static void startSmtp() {
    smtp = new com.icegreen.greenmail.util.GreenMail(com.icegreen.greenmail.util.ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
  }

  @AfterAll
  static void stopSmtp() {
    if (smtp != null) {
      smtp.stop();
    }
  }

  /** A hub per test: what one test leaves waiting or an agent's after-call work must not leak into another. */
  @BeforeEach
  void start() {
    hub = browser.hub();
  }

  private static TestHub hubWithWebChatAndEmail() {
    Path config = TestHub.configWithChannel(null, "webchat", Map.of("queueUpdateInterval", "500ms",
        "topics", List.of(Map.of("id", "billing", "label", "Billing"), Map.of("id", "general", "label", "Anything else"))));
    TestHub.addChannel(config, "email", Map.of("mailboxes", List.of(Map.of("name", "billing", "address", "billing@northwind.example",
        "smtp", Map.of("host", "127.0.0.1", "port", smtp.getSmtp().getPort(), "tls", "none", "auth", false)))));
    // The agent in this walk-through edits the tier, links an identity and merges: rights given to agents here
    // (security.rights; supervisors only by default).
    TestHub.setting(config, "security", "rights", Map.of("mergeCustomers", "agent", "editIdentities", "agent", "editTier", "agent"));
    return TestHub.startWith(Map.of(), config);
  }

  @Test
  void anAgentAnswersAWebChatAndTheDashboardCountsIt() {
    String customerId = earlierEmailFrom("leon.albrecht1@example.net", "Meter reading", "My meter reading last month was wrong.");

    Page agent = chromium.newPage();
    signIn(agent, "alice");
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Available").setExact(true)).click();
    assertThat(agent.getByTestId("agent-state")).hasText("Available");

    Page supervisor = chromium.newPage();
    signIn(supervisor, "sam");
    supervisor.navigate(hub.baseUrl() + "/#/dashboard");
    Locator billing = supervisor.locator("[data-testid=queues] tr[data-queue=billing]");
    assertThat(billing.locator("td[data-field=answered]")).hasText("0");
    assertThat(supervisor.locator("[data-testid=agents] tr[data-agent=alice]")).containsText("available");
    Chromium.screenshot(supervisor, "01-dashboard-before");

    Page customer = chromium.newPage();
    customer.navigate(hub.baseUrl() + "/demo/webchat.html");
    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Open chat")).click();
    customer.locator("#sb-name").fill("Leon Albrecht");
    customer.locator("#sb-email").fill("leon.albrecht1@example.net");
    customer.locator("#sb-topic").selectOption("billing");
    customer.locator("#sb-first").fill("My invoice shows the wrong amount");
    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start chat")).click();

    Locator offer = agent.getByTestId("offer");
    assertThat(offer).containsText("Leon Albrecht");
    assertThat(offer).containsText("billing");
    assertThat(offer).containsText("My invoice shows the wrong amount");
    Chromium.screenshot(agent, "02-agent-offer");

    agent.keyboard().press("Alt+a");
    assertThat(agent.getByTestId("tab")).containsText("Leon Albrecht");
    assertThat(offer).hasCount(0);
    Locator conversation = agent.getByTestId("conversation");
    assertThat(conversation).containsText("My invoice shows the wrong amount");
    Locator history = agent.getByTestId("history");
    assertThat(history).containsText("Email");
    assertThat(history).containsText("Meter reading");
    assertThat(billing.locator("td[data-field=answered]")).hasText("1");

    customer.locator("#sb-compose").pressSequentially("still there?", new Locator.PressSequentiallyOptions().setDelay(20));
    assertThat(agent.getByTestId("customer-typing")).isVisible();

    Locator composer = agent.getByTestId("composer");
    composer.fill("Hello Leon, I am checking that invoice now.");
    composer.press("Enter");
    assertThat(conversation.locator("[data-direction=outbound]")).containsText("Hello Leon, I am checking that invoice now.");
    assertThat(customer.getByText("Hello Leon, I am checking that invoice now.")).isVisible();
    Chromium.screenshot(agent, "03-agent-conversation");
    Chromium.screenshot(customer, "04-customer-widget");

    composer.fill("Customer disputes invoice 2026-11; checked with billing.");
    agent.getByLabel("Private note", new Page.GetByLabelOptions().setExact(true)).check();
    agent.getByTestId("send").click();
    assertThat(conversation.locator("[data-direction=internal]")).containsText("Customer disputes invoice");

    agent.getByTestId("end").click();
    Locator wrapUp = agent.getByTestId("wrap-up");
    wrapUp.getByLabel("Disposition").selectOption("resolved");
    wrapUp.getByLabel(Pattern.compile("Notes.*")).fill("Explained the invoice.");
    wrapUp.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Finish wrap-up")).click();
    assertThat(agent.getByTestId("tab")).hasCount(0);
    assertThat(agent.getByTestId("agent-state")).hasText("After-call work");
    Chromium.screenshot(agent, "05-agent-after-wrap-up");

    assertThat(supervisor.locator("[data-testid=agents] tr[data-agent=alice]")).containsText("after call work");
    Chromium.screenshot(supervisor, "06-dashboard-after");

    var stored = hub.get("/api/v1/customers/" + customerId + "/history", TestHub.bearer(hub.login("sam", "sam-demo-pw"))).json();
    var chat = stored.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(i -> i.getString("channel").equals("chat")).findFirst().orElseThrow();
    assertThat(chat.getString("state")).isEqualTo("ended");
    assertThat(chat.getString("disposition")).isEqualTo("resolved");
  }

  @Test
  void anEmailIsAnsweredWithCannedTextAndAnAttachmentThenTransferredMovedAndTheAgentPaused() {
    var mail = hub.post("/api/v1/inbound", apiKey(DEMO_API_KEY), new JsonObject()
        .put("channel", "email").put("externalId", "<invoice-42@example.net>")
        .put("sender", new JsonObject().put("kind", "email").put("value", "leon.albrecht1@example.net"))
        .put("senderName", "Leon Albrecht").put("subject", "Invoice 42")
        // The customer wrote to a supplier and to the centre (config/console.yaml: ownAddresses "@northwind.example").
        .put("to", new io.vertx.core.json.JsonArray().add(new JsonObject().put("address", "supplier@example.org"))
            .add(new JsonObject().put("address", "billing@northwind.example")))
        .put("cc", new io.vertx.core.json.JsonArray().add(new JsonObject().put("address", "partner@example.com").put("name", "Partner")))
        .put("content", new JsonObject().put("type", "text").put("text", "The amount on invoice 42 is wrong.\nPlease correct it.")).encode());
    assertThat(mail.status()).as(mail.body()).isEqualTo(201);
    String interactionId = mail.json().getString("interactionId");

    Page agent = chromium.newPage();
    signIn(agent, "alice");
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Available").setExact(true)).click();
    Locator offer = agent.getByTestId("offer");
    assertThat(offer).containsText("Invoice 42");
    offer.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).click();
    assertThat(agent.getByTestId("tab")).containsText("Leon Albrecht");

    // Labels are matched exactly and inside the email fields: "To" is also a substring of the customer panel's
    // "Customer" label, and which of the two renders first is a race.
    Locator emailFields = agent.getByTestId("email-fields");
    assertThat(emailFields.getByLabel("To", exactLabel())).hasValue("leon.albrecht1@example.net");
    assertThat(emailFields.getByLabel("Subject", exactLabel())).hasValue("Re: Invoice 42");
    emailFields.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reply all").setExact(true)).click();
    // Reply all: everyone the customer wrote to except the customer (now in To) and the centre's own mailbox.
    assertThat(emailFields.getByLabel("Cc", exactLabel())).hasValue("supplier@example.org, partner@example.com");

    Locator composer = agent.getByTestId("composer");
    composer.fill("/hello");
    assertThat(agent.locator(".canned")).containsText("Greeting");
    composer.press("Enter");
    assertThat(composer).hasValue("Hello Leon, this is Alice Agent. How can I help you today?");
    composer.fill("Hello Leon, the corrected invoice is attached.");
    agent.locator("input[type=file]").setInputFiles(new com.microsoft.playwright.options.FilePayload(
        "invoice-42.pdf", "application/pdf", "%PDF-1.4 corrected".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(agent.locator(".chip")).containsText("invoice-42.pdf");
    emailFields.getByLabel("Quote original", exactLabel()).check();
    composer.press("Control+Enter");
    Locator reply = agent.getByTestId("conversation").locator("[data-direction=outbound]");
    assertThat(reply).containsText("the corrected invoice is attached");
    assertThat(reply).containsText("> The amount on invoice 42 is wrong.");
    assertThat(reply).containsText("invoice-42.pdf");
    Chromium.screenshot(agent, "11-agent-email-reply");

    String supervisorToken = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    var stored = hub.get("/api/v1/interactions/" + interactionId, supervisorToken).json().getJsonArray("messages").stream()
        .map(JsonObject.class::cast).filter(m -> m.getString("direction").equals("outbound")).findFirst().orElseThrow();
    assertThat(stored.getJsonObject("email").getJsonArray("cc").stream().map(c -> ((JsonObject) c).getString("address")))
        .containsExactly("supplier@example.org", "partner@example.com");
    assertThat(stored.getJsonArray("attachments").getJsonObject(0).getString("fileName")).isEqualTo("invoice-42.pdf");

    agent.getByTestId("transfer").click();
    Locator dialog = agent.getByTestId("transfer-dialog");
    dialog.locator("select[name=queue]").selectOption("general");
    dialog.getByLabel("Note for the next agent").fill("Invoice corrected; customer may call about the refund.");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Transfer")).click();
    assertThat(agent.getByTestId("tab")).hasCount(0);

    Page supervisor = chromium.newPage();
    signIn(supervisor, "sam");
    supervisor.navigate(hub.baseUrl() + "/#/dashboard");
    Locator waiting = supervisor.getByTestId("waiting");
    assertThat(waiting).containsText("general");
    waiting.locator("tr", new Locator.LocatorOptions().setHasText("Invoice 42")).locator("select").selectOption("tech-support");
    assertThat(waiting).containsText("tech-support");
    Chromium.screenshot(supervisor, "12-dashboard-moved");
    var moved = hub.get("/api/v1/interactions/" + interactionId, supervisorToken).json();
    assertThat(moved.getString("queue")).isEqualTo("tech-support");
    assertThat(moved.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .anyMatch(m -> m.getBoolean("private") && m.getJsonObject("content").getString("text").contains("Invoice corrected"))).isTrue();

    supervisor.locator("[data-testid=agents] tr[data-agent=alice]").getByRole(AriaRole.BUTTON,
        new Locator.GetByRoleOptions().setName("Break")).click();
    assertThat(agent.getByTestId("agent-state")).hasText("Break (set by supervisor)");
  }

  /**
   * What the page's background-tab alerting did. Headless Chromium neither hides a tab nor shows desktop
   * notifications, so the page gets a switchable {@code document.hidden} and a {@code Notification} that
   * records what the console asked to show (permission granted), and oscillators started are counted.
   */
  private static final String ALERT_PROBE = """
      window.__hidden = false;
      window.__notifications = [];
      window.__tones = 0;
      Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
      window.Notification = class {
        static permission = 'granted';
        static requestPermission() { return Promise.resolve('granted'); }
        constructor(title, options) { window.__notifications.push({ title, body: options && options.body }); }
        close() {}
      };
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...args) { window.__tones++; return start.apply(this, args); };
      """;

  @Test
  void aBackgroundOfferAlertsTheAgentWhoThenEditsLinksAndMergesTheCustomer() {
    var duplicate = hub.post("/api/v1/inbound", apiKey(DEMO_API_KEY), new JsonObject()
        .put("channel", "email").put("externalId", "<dup-" + System.nanoTime() + "@example.org>")
        .put("sender", new JsonObject().put("kind", "email").put("value", "l.albrecht@example.org"))
        .put("senderName", "L. Albrecht").put("subject", "Old address")
        .put("content", new JsonObject().put("type", "text").put("text", "Please use my new address.")).encode());
    assertThat(duplicate.status()).as(duplicate.body()).isEqualTo(201);
    String duplicateId = duplicate.json().getString("customerId");
    hub.post("/api/v1/interactions/" + duplicate.json().getString("interactionId") + "/abandon", apiKey(DEMO_API_KEY),
        new JsonObject().put("reason", "answered by phone").encode());

    Page agent = chromium.newPage();
    agent.addInitScript(ALERT_PROBE);
    signIn(agent, "alice");
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Available").setExact(true)).click();
    assertThat(agent.getByTestId("agent-state")).hasText("Available");

    // The agent looks at another window: the offer rings and shows a desktop notification.
    agent.evaluate("window.__hidden = true");
    var mail = hub.post("/api/v1/inbound", apiKey(DEMO_API_KEY), new JsonObject()
        .put("channel", "email").put("externalId", "<meter-" + System.nanoTime() + "@example.net>")
        .put("sender", new JsonObject().put("kind", "email").put("value", "leon.albrecht1@example.net"))
        .put("senderName", "Leon Albrecht").put("subject", "Meter reading")
        .put("content", new JsonObject().put("type", "text").put("text", "My meter reading was wrong.")).encode());
    assertThat(mail.status()).as(mail.body()).isEqualTo(201);
    String customerId = mail.json().getString("customerId");
    assertThat(agent.getByTestId("offer")).containsText("Meter reading");
    agent.waitForFunction("window.__notifications.length === 1");
    @SuppressWarnings("unchecked")
    var shown = (Map<String, Object>) agent.evaluate("window.__notifications[0]");
    assertThat(shown.get("title")).isEqualTo("New Email offer");
    assertThat((String) shown.get("body")).contains("Leon Albrecht");
    assertThat(((Number) agent.evaluate("window.__tones")).intValue()).isEqualTo(2);

    // Back in the tab: accept; the customer 360 is beside the email.
    agent.evaluate("window.__hidden = false");
    agent.getByTestId("offer").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).click();
    Locator panel = agent.getByTestId("customer-panel");
    assertThat(panel.locator("h2")).hasText("Leon Albrecht");

    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit").setExact(true)).click();
    panel.getByLabel("Tier", new Locator.GetByLabelOptions().setExact(true)).fill("gold");
    panel.getByLabel("Language", new Locator.GetByLabelOptions().setExact(true)).fill("de-AT");
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save").setExact(true)).click();
    assertThat(panel.getByTestId("customer-facts")).containsText("gold");
    assertThat(panel.getByTestId("customer-facts")).containsText("de-AT");
    String supervisorToken = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    JsonObject saved = hub.get("/api/v1/customers/" + customerId, supervisorToken).json();
    assertThat(saved.getString("tier")).isEqualTo("gold");

    // A colleague changes the record meanwhile: the agent's save is refused, told so, and shown the new version.
    var colleague = hub.patch("/api/v1/customers/" + customerId, supervisorToken,
        new JsonObject().put("version", saved.getInteger("version")).put("notes", "Prefers email.").encode());
    assertThat(colleague.status()).as(colleague.body()).isEqualTo(200);
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit").setExact(true)).click();
    panel.getByLabel("Tier", new Locator.GetByLabelOptions().setExact(true)).fill("platinum");
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save").setExact(true)).click();
    assertThat(panel.getByRole(AriaRole.ALERT)).containsText("Someone else changed this customer");
    assertThat(panel.locator("p.notes")).hasText("Prefers email.");
    assertThat(panel.getByTestId("customer-facts")).containsText("gold");
    assertThat(hub.get("/api/v1/customers/" + customerId, supervisorToken).json().getString("tier")).isEqualTo("gold");

    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Link an identity")).click();
    panel.locator("select[name=kind]").selectOption("phone");
    panel.locator("input[name=value]").fill("+49 30 5550123");
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Link").setExact(true)).click();
    assertThat(panel.locator("ul.identities")).containsText("+49305550123");

    agent.onDialog(dialog -> dialog.accept());
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Merge a duplicate…")).click();
    panel.locator("input[name=q]").fill("l.albrecht@example.org");
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Search").setExact(true)).click();
    panel.locator("ul.candidates li", new Locator.LocatorOptions().setHasText("L. Albrecht"))
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Merge into this customer")).click();
    assertThat(panel.locator("ul.identities")).containsText("l.albrecht@example.org");
    assertThat(panel.getByTestId("history")).containsText("Old address");
    Chromium.screenshot(agent, "21-customer-merged");
    assertThat(hub.get("/api/v1/customers/" + duplicateId, supervisorToken).json().getString("mergedInto")).isEqualTo(customerId);
  }

  private static Locator.GetByLabelOptions exactLabel() {
    return new Locator.GetByLabelOptions().setExact(true);
  }

  @Test
  void anOpenConsoleTakesUpCannedResponsesChangedOnDiskWithoutReloadingThePage() throws Exception {
    Page agent = chromium.newPage();
    signIn(agent, "alice");
    java.nio.file.Files.writeString(hub.configDirUsed().resolve("console.yaml"), """
        wrapUp:
          dispositions:
            - { code: resolved, label: Resolved }
        cannedResponses:
          - { id: thanks, title: Thanks, shortcut: /thanks, text: "Thank you, {{customer.firstName}}!" }
        """);
    assertThat(agent.getByRole(AriaRole.STATUS)).hasText("Canned responses and dispositions were updated.");
    Object shortcuts = agent.evaluate("() => document.querySelector('sb-agent-console').settings.cannedResponses.map((c) => c.shortcut)");
    assertThat(shortcuts).isEqualTo(List.of("/thanks"));
    Chromium.screenshot(agent, "20-console-settings-updated");
  }

  private static void signIn(Page page, String username) {
    page.navigate(hub.baseUrl() + "/");
    page.getByLabel("Username").fill(username);
    page.getByLabel("Password").fill(username + "-demo-pw");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByTestId("connection")).hasText("Connected");
  }

  /** An earlier contact of the customer (an email they gave up on), so the console has history to show. */
  private static String earlierEmailFrom(String email, String subject, String text) {
    var r = hub.post("/api/v1/inbound", apiKey(DEMO_API_KEY), new JsonObject()
        .put("channel", "email").put("externalId", "<earlier-" + System.nanoTime() + "@example.net>")
        .put("sender", new JsonObject().put("kind", "email").put("value", email))
        .put("subject", subject).put("content", new JsonObject().put("type", "text").put("text", text)).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    String interactionId = r.json().getString("interactionId");
    var abandoned = hub.post("/api/v1/interactions/" + interactionId + "/abandon", apiKey(DEMO_API_KEY),
        new JsonObject().put("reason", "customer called instead").encode());
    assertThat(abandoned.status()).as(abandoned.body()).isEqualTo(200);
    return r.json().getString("customerId");
  }
}
