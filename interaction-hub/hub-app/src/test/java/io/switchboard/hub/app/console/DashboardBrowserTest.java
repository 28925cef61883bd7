package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.TestHub.DEMO_API_KEY;
import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.BoundingBox;
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #10 item 6: the supervisor's dashboard on a 1366×768 laptop. Supervisors land on it; every column of
 * the queue and staffing figures is on screen; the watch panel opens beside the figures and shows the end of the
 * chat; an agent whose console is closed is not counted available; the transfer directory offers agents only;
 * notices read as sentences.
 */
@DisplayName("the supervisor dashboard at 1366×768 in Chromium")
class DashboardBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withDemoHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  private static void assertOnScreen(Page page, Locator cells) {
    int n = cells.count();
    assertThat(n).isPositive();
    for (int i = 0; i < n; i++) {
      BoundingBox box = cells.nth(i).boundingBox();
      assertThat(box).as("cell %s is rendered", cells.nth(i).textContent()).isNotNull();
      assertThat(box.x + box.width).as("right edge of column '%s'", cells.nth(i).textContent()).isLessThanOrEqualTo(1366);
      assertThat(box.y + box.height).as("bottom of column '%s'", cells.nth(i).textContent()).isLessThanOrEqualTo(768);
    }
  }

  @Test
  @DisplayName("a supervisor lands on the dashboard with every queue and staffing column on a 1366×768 screen")
  void aSupervisorLandsOnTheDashboardWithEveryColumnVisible() {
    Page supervisor = chromium.newPage(1366, 768);
    signIn(hub, supervisor, "sam");
    assertThat(supervisor.getByTestId("queues")).isVisible();
    assertOnScreen(supervisor, supervisor.locator("[data-testid=queues] th"));
    assertOnScreen(supervisor, supervisor.locator("[data-testid=staffing] th"));
    assertOnScreen(supervisor, supervisor.locator("[data-testid=staffing] td[data-field=gap]"));
    assertThat(((Number) supervisor.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(1366);
    Chromium.screenshot(supervisor, "40-dashboard-1366");
    // The console is still one click away.
    supervisor.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Console")).click();
    assertThat(supervisor.getByTestId("agent-state")).isVisible();
  }

  @Test
  @DisplayName("watch opens beside the figures and shows the end; an absent agent is not available; directory and notices")
  void watchAbsenceDirectoryAndNotices() {
    Page alice = chromium.newPage();
    signIn(hub, alice, "alice");
    goAvailable(alice);
    var r = hub.post("/api/v1/inbound", apiKey(DEMO_API_KEY), new JsonObject()
        .put("channel", "email").put("externalId", "<watch-" + System.nanoTime() + "@example.net>")
        .put("sender", new JsonObject().put("kind", "email").put("value", "leon.albrecht1@example.net"))
        .put("senderName", "Leon Albrecht").put("subject", "Watch me")
        .put("content", new JsonObject().put("type", "text").put("text", "Leon: is anyone reading this?")).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    alice.getByTestId("offer").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).click();
    assertThat(alice.getByTestId("tab")).hasCount(1);

    Page bob = chromium.newPage();
    signIn(hub, bob, "bob");
    goAvailable(bob);

    Page supervisor = chromium.newPage(1366, 768);
    signIn(hub, supervisor, "sam");
    Locator bobRow = supervisor.locator("[data-testid=agents] tr[data-agent=bob]");
    assertThat(bobRow).containsText("available");
    String samToken = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    int availableBefore = hub.get("/api/v1/dashboard", samToken).json().getJsonObject("totals").getJsonObject("byState").getInteger("available");
    assertThat(availableBefore).isPositive();
    assertThat(supervisor.locator("[data-testid=agent-totals] [data-state=available]")).hasText("available " + availableBefore);

    // Watching opens on screen, beside the figures, not below everything.
    supervisor.getByTestId("working").locator("tr", new Locator.LocatorOptions().setHasText("Alice"))
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Watch")).click();
    Locator watch = supervisor.getByTestId("watch-panel");
    assertThat(watch.getByTestId("watch")).containsText("Leon: is anyone reading this?");
    assertThat(watch).isInViewport();
    // It stays on screen while the supervisor scrolls back to the figures.
    supervisor.evaluate("window.scrollTo(0, 0)");
    assertThat(supervisor.getByTestId("queues")).isInViewport();
    assertThat(watch).isInViewport();
    Chromium.screenshot(supervisor, "41-dashboard-watching");

    // The transfer directory offers agents only: Bob, not Sam (supervisor) or Ada (admin).
    alice.getByTestId("transfer").click();
    Locator dialog = alice.getByTestId("transfer-dialog");
    dialog.getByLabel("To a colleague").check();
    Locator options = dialog.locator("select[name=agentId] option");
    assertThat(options.first()).isAttached();
    assertThat(dialog.locator("select[name=agentId]")).containsText("Bob");
    assertThat(dialog.locator("select[name=agentId]")).not().containsText("Sam");
    assertThat(dialog.locator("select[name=agentId]")).not().containsText("Ada");
    String token = TestHub.bearer(hub.login("alice", "alice-demo-pw"));
    assertThat(hub.get("/api/v1/directory/agents", token).jsonArray().stream().map(JsonObject.class::cast)
        .map(a -> a.getString("role"))).containsOnly("agent");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel")).click();

    // Bob's console goes away: he is absent, not available.
    bob.context().close();
    assertThat(bobRow.getByTestId("absent")).isVisible();
    assertThat(supervisor.locator("[data-testid=agent-totals] [data-state=available]")).hasText("available " + (availableBefore - 1));
    var totals = hub.get("/api/v1/dashboard", samToken).json().getJsonObject("totals");
    assertThat(totals.getInteger("absent")).isEqualTo(1);
    assertThat(totals.getJsonObject("byState").getInteger("available")).isEqualTo(availableBefore - 1);

    // A forced break reads as a sentence.
    supervisor.locator("[data-testid=agents] tr[data-agent=alice]").getByRole(AriaRole.BUTTON,
        new Locator.GetByRoleOptions().setName("Break")).click();
    assertThat(supervisor.getByRole(AriaRole.STATUS)).containsText("is now on break");

    // The agent ends the email: the watch shows the end.
    alice.getByTestId("end").click();
    // (the panel reads the interaction's state every 5 s)
    assertThat(watch.getByTestId("watch-ended")).containsText("wrapping up",
        new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
  }
}
