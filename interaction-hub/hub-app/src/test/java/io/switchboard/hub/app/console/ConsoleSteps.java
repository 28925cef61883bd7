package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What people do in the browser tests, in their words: sign in, go available, start a web chat, accept it. */
final class ConsoleSteps {
  private ConsoleSteps() {
  }

  /** A hub with the web chat (topics billing and general, queue updates every 500 ms) on fresh storage. */
  static TestHub hubWithWebChat(Map<String, String> overrides) {
    Path config = TestHub.configWithChannel(null, "webchat", Map.of("queueUpdateInterval", "500ms",
        "topics", List.of(Map.of("id", "billing", "label", "Billing"), Map.of("id", "general", "label", "Anything else"))));
    return TestHub.startWith(overrides, config);
  }

  static void signIn(TestHub hub, Page page, String username) {
    page.navigate(hub.baseUrl() + "/");
    page.getByLabel("Username").fill(username);
    page.getByLabel("Password").fill(username + "-demo-pw");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByTestId("connection")).hasText("Connected");
  }

  static void goAvailable(Page agent) {
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Available").setExact(true)).click();
    assertThat(agent.getByTestId("agent-state")).hasText("Available");
  }

  /** A customer opens the demo page's widget and starts a chat on a topic with a first line. */
  static Page startChat(Chromium chromium, TestHub hub, String name, String email, String topic, String firstLine) {
    Page customer = chromium.newPage();
    customer.navigate(hub.baseUrl() + "/demo/webchat.html");
    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Open chat")).click();
    customer.locator("#sb-name").fill(name);
    if (email != null) {
      customer.locator("#sb-email").fill(email);
    }
    customer.locator("#sb-topic").selectOption(topic);
    customer.locator("#sb-first").fill(firstLine);
    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start chat")).click();
    return customer;
  }

  /** The agent accepts the offer that shows this text; its tab opens. */
  static void accept(Page agent, String offerText) {
    Locator offer = agent.getByTestId("offer").filter(new Locator.FilterOptions().setHasText(offerText));
    assertThat(offer).hasCount(1);
    offer.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).click();
    assertThat(offer).hasCount(0);
  }

  /** The tab of the agent's interaction whose label has this text. */
  static Locator tab(Page agent, String label) {
    return agent.getByTestId("tab").filter(new Locator.FilterOptions().setHasText(label));
  }

  /** The workspace the agent sees (the one not hidden). */
  static Locator shownWorkspace(Page agent) {
    return agent.locator("sb-interaction-workspace:not([hidden])");
  }
}
