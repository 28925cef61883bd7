package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.accept;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
import static io.switchboard.hub.app.console.ConsoleSteps.shownWorkspace;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static io.switchboard.hub.app.console.ConsoleSteps.startChat;
import static io.switchboard.hub.app.console.ConsoleSteps.tab;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #10 item 1: an agent with two chats open closes one of them (wrap-up, transfer) and must go on seeing
 * the other one, with its own customer, conversation and form. Workspaces are keyed by interaction, never
 * reused by their position in the tab list.
 */
@DisplayName("the console's tabs keep each interaction's workspace")
class WorkspaceTabsBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withWebChatHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  /** Alice takes two chats (Anna's, then Bruno's) and ends up looking at the tab of the first one. */
  private Page twoChatsOpenFirstShown() {
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);
    startChat(chromium, hub, "Anna Aalto", null, "billing", "Anna: my parcel is lost");
    accept(agent, "Anna Aalto");
    assertThat(tab(agent, "Anna Aalto")).hasCount(1);
    startChat(chromium, hub, "Bruno Berg", null, "billing", "Bruno: wrong invoice");
    accept(agent, "Bruno Berg");
    assertThat(agent.getByTestId("tab")).hasCount(2);
    tab(agent, "Anna Aalto").click();
    assertThat(shownWorkspace(agent).getByTestId("conversation")).containsText("Anna: my parcel is lost");
    return agent;
  }

  private void assertOnlyBrunoIsShown(Page agent) {
    assertThat(agent.getByTestId("tab")).hasCount(1);
    assertThat(agent.getByTestId("tab")).containsText("Bruno Berg");
    Locator shown = shownWorkspace(agent);
    assertThat(shown).hasCount(1);
    assertThat(shown.getByTestId("conversation")).containsText("Bruno: wrong invoice");
    assertThat(shown.getByTestId("conversation")).not().containsText("Anna");
    assertThat(shown.locator(".thread-head")).containsText("Bruno Berg");
    assertThat(shown.getByTestId("customer-panel").locator("h2")).hasText("Bruno Berg");
    assertThat(shown.getByTestId("wrap-up")).hasCount(0);
    assertThat(agent.locator("nav.tabs .empty")).hasCount(0);
  }

  /** The interaction of the named customer's chat, as the hub stores it. */
  private JsonObject interactionOf(String customerName) {
    String token = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    for (String state : new String[] {"assigned", "wrap_up", "ended", "queued", "offered"}) {
      var items = hub.get("/api/v1/interactions?state=" + state + "&limit=100", token).json().getJsonArray("items");
      for (int i = 0; i < items.size(); i++) {
        JsonObject item = items.getJsonObject(i);
        JsonObject detail = hub.get("/api/v1/interactions/" + item.getString("id"), token).json();
        String customer = hub.get("/api/v1/customers/" + detail.getString("customerId"), token).json().getString("displayName");
        if (customerName.equals(customer)) {
          return detail;
        }
      }
    }
    throw new AssertionError("no interaction of " + customerName);
  }

  @Test
  @DisplayName("wrapping up the first of two chats leaves the second one shown with its own customer, and a reply goes to it")
  void wrappingUpTheFirstOfTwoChatsLeavesTheSecondShown() {
    Page agent = twoChatsOpenFirstShown();

    shownWorkspace(agent).getByTestId("end").click();
    Locator wrapUp = shownWorkspace(agent).getByTestId("wrap-up");
    wrapUp.getByLabel("Disposition").selectOption("resolved");
    wrapUp.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Finish wrap-up")).click();

    assertOnlyBrunoIsShown(agent);
    Chromium.screenshot(agent, "30-tabs-after-wrap-up");

    // What the agent types now goes to Bruno's chat, and Bruno's interaction is still being worked.
    Locator composer = shownWorkspace(agent).getByTestId("composer");
    composer.fill("Bruno, I am on your invoice.");
    composer.press("Enter");
    assertThat(shownWorkspace(agent).getByTestId("conversation").locator("[data-direction=outbound]"))
        .containsText("Bruno, I am on your invoice.");
    JsonObject bruno = interactionOf("Bruno Berg");
    assertThat(bruno.getString("state")).isEqualTo("assigned");
    assertThat(bruno.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .anyMatch(m -> m.getJsonObject("content").getString("text", "").contains("I am on your invoice"))).isTrue();
    assertThat(interactionOf("Anna Aalto").getString("state")).isIn("ended", "wrap_up");
  }

  @Test
  @DisplayName("transferring the first of two chats leaves the second one shown, not \"No interactions\"")
  void transferringTheFirstOfTwoChatsLeavesTheSecondShown() {
    Page agent = twoChatsOpenFirstShown();

    shownWorkspace(agent).getByTestId("transfer").click();
    Locator dialog = agent.getByTestId("transfer-dialog");
    dialog.locator("select[name=queue]").selectOption("general");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(Pattern.compile("^Transfer$"))).click();

    assertOnlyBrunoIsShown(agent);
    assertThat(agent.getByTestId("transfer-dialog")).hasCount(0);
    assertThat(shownWorkspace(agent).getByTestId("end")).isVisible();
    Chromium.screenshot(agent, "31-tabs-after-transfer");
    assertThat(interactionOf("Anna Aalto").getString("queue")).isEqualTo("general");
  }
}
