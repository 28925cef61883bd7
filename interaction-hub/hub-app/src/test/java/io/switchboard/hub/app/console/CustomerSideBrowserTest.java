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
import com.microsoft.playwright.options.BoundingBox;
import io.switchboard.hub.app.TestHub;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #10 item 7, the customer's side: the wait is estimated from the queue's live handling rate and staffing
 * and said in words; the customer sees the agent's display name; what the customer and the agent were typing
 * survives a reload; the console is usable on a 390-px phone.
 */
@DisplayName("the customer's side of a chat in Chromium")
class CustomerSideBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withWebChatHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  @Test
  @DisplayName("a rough wait in words, the agent's name on replies, and drafts that survive a reload on both sides")
  void waitInWordsAgentNameAndDrafts() {
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    // Alice staffs the queue (console open, on break): the queue has a handling rate, no free agent.
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Break…")).click();
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Coffee")).click();
    assertThat(agent.getByTestId("agent-state")).containsText("Break");

    Page customer = startChat(chromium, hub, "Dana Dahl", null, "billing", "Dana: where is my refund?");
    Locator queue = customer.locator("div.queue[role=status]");
    assertThat(queue).containsText("The wait should be a few minutes",
        new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
    assertThat(queue).not().hasText(Pattern.compile(".*\\d+ minutes?.*"));
    Chromium.screenshot(customer, "50-widget-wait-in-words");

    // A half-typed line survives the customer's reload.
    customer.locator("#sb-compose").fill("half-typed question about the refund");
    customer.reload();
    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Open chat")).click();
    assertThat(customer.locator("#sb-compose")).hasValue("half-typed question about the refund");

    goAvailable(agent);
    accept(agent, "Dana Dahl");
    Locator composer = shownWorkspace(agent).getByTestId("composer");
    composer.fill("Hello Dana, I am looking at your refund now.");
    composer.press("Enter");
    Locator reply = customer.locator("li.msg.agent", new Page.LocatorOptions().setHasText("I am looking at your refund"));
    assertThat(reply).containsText("Alice Agent");
    Chromium.screenshot(customer, "51-widget-agent-name");

    // The agent's half-written reply survives the agent's reload.
    composer.fill("Dana, the refund went out on");
    agent.reload();
    assertThat(agent.getByTestId("connection")).hasText("Connected");
    assertThat(shownWorkspace(agent).getByTestId("composer")).hasValue("Dana, the refund went out on");
    // After sending, the draft is gone.
    shownWorkspace(agent).getByTestId("composer").fill("Dana, the refund went out on Monday.");
    shownWorkspace(agent).getByTestId("composer").press("Enter");
    assertThat(customer.locator("li.msg.agent", new Page.LocatorOptions().setHasText("went out on Monday"))).isVisible();
    agent.reload();
    assertThat(agent.getByTestId("connection")).hasText("Connected");
    assertThat(shownWorkspace(agent).getByTestId("composer")).hasValue("");
  }

  @Test
  @DisplayName("the console is usable at 390 px: nothing wider than the screen, the offer, the reply box and Send on it")
  void theConsoleIsUsableOnAPhone() {
    Page agent = chromium.newPage(390, 844);
    signIn(hub, agent, "alice");
    goAvailable(agent);
    startChat(chromium, hub, "Emil Ek", null, "billing", "Emil: can I change my plan?");
    Locator offer = agent.getByTestId("offer");
    assertThat(offer).containsText("Emil Ek");
    assertWithin(offer.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).boundingBox());
    accept(agent, "Emil Ek");
    Locator workspace = shownWorkspace(agent);
    assertThat(workspace.getByTestId("conversation")).containsText("Emil: can I change my plan?");
    workspace.getByTestId("composer").fill("Yes, Emil.");
    assertWithin(workspace.getByTestId("composer").boundingBox());
    workspace.getByTestId("send").scrollIntoViewIfNeeded();
    assertWithin(workspace.getByTestId("send").boundingBox());
    workspace.getByTestId("send").click();
    assertThat(workspace.getByTestId("conversation").locator("[data-direction=outbound]")).containsText("Yes, Emil.");
    assertThat(((Number) agent.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
    Chromium.screenshot(agent, "52-console-390");
  }

  private static void assertWithin(BoundingBox box) {
    assertThat(box).isNotNull();
    assertThat(box.x).isGreaterThanOrEqualTo(0);
    assertThat(box.x + box.width).isLessThanOrEqualTo(390);
  }
}
