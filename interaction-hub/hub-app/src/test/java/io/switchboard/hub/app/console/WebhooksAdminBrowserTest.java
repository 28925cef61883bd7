package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.app.webhooks.WebhookReceiver;
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

/**
 * The admin's webhooks page (issue #16: "admins subscribe URLs to events ... a delivery log per subscription,
 * automatic disable after persistent failure ... a test-ping button"), in Chromium against a real hub and real
 * HTTP receivers: a bad URL is refused, the secret is shown once and signs the test ping, the delivery log shows
 * the outcome, a failing receiver is disabled and enabled again, a subscription is deleted.
 */
@DisplayName("admin: webhooks page with test ping, delivery log, disable and enable")
class WebhooksAdminBrowserTest {
  private static final LocatorAssertions.ContainsTextOptions LONG = new LocatorAssertions.ContainsTextOptions().setTimeout(30_000);
  private static Chromium chromium;
  private static TestHub hub;
  private static WebhookReceiver good;
  private static WebhookReceiver failing;

  @BeforeAll
  static void start() throws Exception {
    good = new WebhookReceiver(204);
    failing = new WebhookReceiver(500);
    Path config = TestHub.configWithRules(Files.readString(TestHub.configDir().resolve("routing.yaml")));
    Files.writeString(config.resolve("analytics.yaml"),
        "webhooks:\n  maxAttempts: 5\n  firstRetrySeconds: 1\n  disableAfterFailures: 2\n  timeoutSeconds: 5\n");
    hub = TestHub.startWith(Map.of(), config);
    chromium = Chromium.open();
  }

  @AfterAll
  static void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (hub != null) {
      hub.close();
    }
    good.close();
    failing.close();
  }

  @Test
  void anAdminSubscribesPingsReadsTheLogAndEnablesADisabledOne() throws Exception {
    Page page = chromium.newPage();
    signIn(hub, page, "ada");
    page.navigate(hub.baseUrl() + "/#/admin/webhooks");
    Locator admin = page.getByTestId("webhooks-admin");

    // A URL the hub does not deliver to: refused, naming the field; nothing is created.
    admin.getByLabel("URL").fill("ftp://files.example.com/hook");
    admin.getByLabel("csat.answered").check();
    admin.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Subscribe")).click();
    assertThat(admin.getByRole(AriaRole.ALERT)).containsText("url");
    assertThat(admin.getByTestId("webhook")).hasCount(0);

    // A good one: the secret is shown once and signs the test ping.
    admin.getByLabel("URL").fill(good.url());
    admin.getByLabel("Description").fill("CRM sync");
    admin.getByLabel("csat.answered").check();
    admin.getByLabel("interaction.ended").check();
    admin.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Subscribe")).click();
    Locator shown = admin.getByTestId("webhook-secret");
    assertThat(shown).containsText("not shown again");
    String secret = shown.locator("code").innerText().strip();
    assertThat(secret).startsWith("whsec_");
    Locator row = admin.locator("tr[data-url='" + good.url() + "']");
    assertThat(row).containsText("csat.answered");
    assertThat(row).containsText("interaction.ended");
    admin.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("I have copied it")).click();
    assertThat(page.content()).doesNotContain(secret);

    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Send test ping")).click();
    WebhookReceiver.Request ping = good.requests.poll(60, TimeUnit.SECONDS);
    assertThat(ping).as("the ping within 60 s").isNotNull();
    assertThat(ping.headers().get(WebhookSignatures.EVENT_HEADER)).isEqualTo("webhook.ping");
    assertThat(WebhookSignatures.verify(secret, ping.headers().get(WebhookSignatures.TIMESTAMP_HEADER),
        ping.headers().get(WebhookSignatures.SIGNATURE_HEADER), ping.body(), System.currentTimeMillis() / 1000)).isTrue();
    Locator delivery = admin.getByTestId("webhook-delivery").first();
    assertThat(delivery).containsText("webhook.ping", LONG);
    assertThat(delivery.locator("[data-field=status]")).hasText("delivered", new LocatorAssertions.HasTextOptions().setTimeout(30_000));
    Chromium.screenshot(page, "46-admin-webhooks");

    // A receiver that keeps failing: retried, then disabled with the reason; an admin turns it on again.
    admin.getByLabel("URL").fill(failing.url());
    admin.getByLabel("customer.merged").check();
    admin.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Subscribe")).click();
    admin.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("I have copied it")).click();
    Locator bad = admin.locator("tr[data-url='" + failing.url() + "']");
    bad.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Send test ping")).click();
    assertThat(bad.locator("[data-field=status]")).containsText("disabled", LONG);
    assertThat(bad.locator("[data-field=status]")).containsText("HTTP 500");
    assertThat(admin.getByTestId("webhook-delivery").first().locator("[data-field=status]"))
        .hasText("failed", new LocatorAssertions.HasTextOptions().setTimeout(30_000));
    String ada = TestHub.bearer(hub.login("ada", "ada-demo-pw"));
    JsonObject listed = hub.get("/api/v1/webhooks", ada).json().getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(h -> failing.url().equals(h.getString("url"))).findFirst().orElseThrow();
    JsonArray audit = hub.get("/api/v1/audit?entityType=webhook&entityId=" + listed.getString("id"), ada).json().getJsonArray("items");
    assertThat(audit.stream().map(o -> ((JsonObject) o).getString("action"))).contains("webhook.created", "webhook.disabled");
    bad.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Enable")).click();
    assertThat(bad.locator("[data-field=status]")).hasText("active");

    // Deleting the good one.
    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Delete")).click();
    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Yes, delete")).click();
    assertThat(admin.locator("tr[data-url='" + good.url() + "']")).hasCount(0);
    assertThat(hub.get("/api/v1/webhooks", ada).json().getJsonArray("items").size()).isEqualTo(1);
  }
}
