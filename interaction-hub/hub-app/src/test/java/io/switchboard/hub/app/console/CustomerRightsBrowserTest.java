package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.accept;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
import static io.switchboard.hub.app.console.ConsoleSteps.shownWorkspace;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static io.switchboard.hub.app.console.ConsoleSteps.startChat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #11.11 in the console (#10 open item B): the hub refuses merging customers, editing identities and setting the
 * tier to roles without those rights ({@code security.rights}); the console does not offer those controls to them
 * either, and offers each one a role has been given.
 */
@DisplayName("the customer panel shows only the controls the agent's rights allow")
class CustomerRightsBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withoutHub();
  private final Chromium chromium = browser.chromium();

  /** A hub with the web chat and these {@code security.rights}. */
  private TestHub hubWithRights(Map<String, String> rights) {
    Path config = TestHub.configWithChannel(null, "webchat", Map.of("queueUpdateInterval", "500ms",
        "topics", List.of(Map.of("id", "billing", "label", "Billing"), Map.of("id", "general", "label", "Anything else"))));
    if (!rights.isEmpty()) {
      TestHub.setting(config, "security", "rights", rights);
    }
    return browser.use(TestHub.startWith(Map.of(), config));
  }

  private Locator customerPanelOfAcceptedChat(TestHub hub, String customerName) {
    Page agent = chromium.newPage(1366, 768);
    signIn(hub, agent, "alice");
    goAvailable(agent);
    startChat(chromium, hub, customerName, customerName.toLowerCase().replace(' ', '.') + "@example.com", "billing",
        "Hello, I have a question about my invoice.");
    accept(agent, customerName);
    Locator panel = shownWorkspace(agent).getByTestId("customer-panel");
    assertThat(panel).containsText(customerName);
    // The identities list is there; so the panel has rendered its controls.
    assertThat(panel.locator(".identities li")).not().hasCount(0);
    return panel;
  }

  @Test
  @DisplayName("with the default rights an agent sees no merge, no identity linking and no tier field")
  void anAgentWithoutRightsSeesNoMergeIdentityOrTierControls() {
    TestHub hub = hubWithRights(Map.of());
    Locator panel = customerPanelOfAcceptedChat(hub, "Rita Rights");
    assertThat(panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Link an identity"))).hasCount(0);
    assertThat(panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Merge a duplicate…"))).hasCount(0);
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit")).click();
    assertThat(panel.getByLabel("Name")).isVisible();
    assertThat(panel.getByLabel("Tier")).hasCount(0);
    // Editing what the agent may still works (no tier is sent).
    panel.getByLabel("Language").fill("en");
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save")).click();
    assertThat(panel.getByTestId("customer-facts")).containsText("en");
    assertThat(panel.getByRole(AriaRole.ALERT)).hasCount(0);
    Chromium.screenshot(panel.page(), "46-customer-panel-agent-rights");
  }

  @Test
  @DisplayName("rights given to agents (tier, identities) bring those controls back; merge stays hidden")
  void rightsGivenToAgentsShowTheirControls() {
    TestHub hub = hubWithRights(Map.of("editTier", "agent", "editIdentities", "agent"));
    Locator panel = customerPanelOfAcceptedChat(hub, "Gina Granted");
    assertThat(panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Link an identity"))).isVisible();
    assertThat(panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Merge a duplicate…"))).hasCount(0);
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit")).click();
    panel.getByLabel("Tier").fill("gold");
    panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save")).click();
    assertThat(panel.getByTestId("customer-facts")).containsText("gold");
  }
}
