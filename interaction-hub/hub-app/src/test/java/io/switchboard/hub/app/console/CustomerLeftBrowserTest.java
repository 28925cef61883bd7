package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.accept;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
import static io.switchboard.hub.app.console.ConsoleSteps.shownWorkspace;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static io.switchboard.hub.app.console.ConsoleSteps.startChat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #10 item 2: a web chat customer ends the chat while an agent works it. The hub records it (a
 * transition and the time), the agent's workspace and the supervisor's watch say so at once, and the console
 * no longer offers "Send" as if someone were there (the hub refuses such a reply); a private note and the
 * wrap-up still work.
 */
@DisplayName("the customer ended the chat: recorded, shown, and no more replies")
class CustomerLeftBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withWebChatHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  @Test
  @DisplayName("the agent and the watching supervisor see the customer leave; Send is off and the hub refuses a reply")
  void theAgentAndTheSupervisorSeeTheCustomerLeave() {
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);
    Page customer = startChat(chromium, hub, "Carla Conti", null, "billing", "Carla: is my refund on its way?");
    accept(agent, "Carla Conti");
    Locator workspace = shownWorkspace(agent);
    assertThat(workspace.getByTestId("conversation")).containsText("Carla: is my refund on its way?");

    Page supervisor = chromium.newPage();
    signIn(hub, supervisor, "sam");
    supervisor.navigate(hub.baseUrl() + "/#/dashboard");
    supervisor.locator("section.card", new Page.LocatorOptions().setHasText("Being worked"))
        .locator("tr", new Locator.LocatorOptions().setHasText("Alice"))
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Watch")).click();
    assertThat(supervisor.getByTestId("watch")).containsText("Carla: is my refund on its way?");

    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("End chat")).first().click();
    customer.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName("End the chat"))
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("End chat")).click();
    assertThat(customer.locator("#sb-ended")).isVisible();

    // The agent is told at once, in the workspace and on the tab; Send is off, a note is still possible.
    assertThat(workspace.getByTestId("customer-left")).containsText("Carla Conti left the chat");
    assertThat(agent.getByTestId("tab")).containsText("left");
    Locator composer = workspace.getByTestId("composer");
    composer.fill("Are you still there?");
    assertThat(workspace.getByTestId("send")).isDisabled();
    // The supervisor watching sees the end of the chat.
    assertThat(supervisor.getByTestId("watch-ended")).containsText("The customer left the chat");
    Chromium.screenshot(agent, "32-customer-left-agent");
    Chromium.screenshot(supervisor, "33-customer-left-watch");

    // The hub recorded it, and refuses a reply that would reach nobody.
    String token = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    String interactionId = (String) agent.evaluate("document.querySelector('sb-interaction-workspace').summary.interactionId");
    JsonObject detail = hub.get("/api/v1/interactions/" + interactionId, token).json();
    assertThat(detail.getString("state")).isEqualTo("assigned");
    assertThat(detail.getJsonObject("customerLeft").getString("at")).isNotNull();
    assertThat(detail.getJsonObject("customerLeft").getString("reason")).isEqualTo("customer ended the chat");
    assertThat(detail.getJsonObject("reply").getString("state")).isEqualTo("unavailable");
    assertThat(detail.getJsonArray("transitions").stream().map(t -> ((JsonObject) t).getString("reason")))
        .contains("customer left: customer ended the chat");
    String aliceToken = TestHub.bearer(hub.login("alice", "alice-demo-pw"));
    var reply = hub.post("/api/v1/interactions/" + interactionId + "/messages", aliceToken,
        new JsonObject().put("text", "Hello?").encode());
    assertThat(reply.status()).as(reply.body()).isEqualTo(409);
    assertThat(reply.body()).contains("the customer left");

    // A private note and the wrap-up still work.
    agent.getByLabel("Private note", new Page.GetByLabelOptions().setExact(true)).check();
    composer.fill("Customer left before I could confirm the refund.");
    workspace.getByTestId("send").click();
    assertThat(workspace.getByTestId("conversation").locator("[data-direction=internal]")).containsText("Customer left before");
    workspace.getByTestId("end").click();
    Locator wrapUp = workspace.getByTestId("wrap-up");
    wrapUp.getByLabel("Disposition").selectOption("resolved");
    wrapUp.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Finish wrap-up")).click();
    assertThat(agent.getByTestId("tab")).hasCount(0);
  }
}
