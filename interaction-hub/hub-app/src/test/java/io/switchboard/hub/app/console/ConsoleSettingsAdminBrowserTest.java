package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #10, the admin workspace's console settings: an admin adds a wrap-up disposition in the browser; a text with a
 * problem is refused with its line and changes nothing; the good one is written to the node's console.yaml, served by
 * the hub and taken up by an agent's open console at once.
 */
@DisplayName("the admin edits the console settings")
class ConsoleSettingsAdminBrowserTest {
  // A copy of config/: saving writes console.yaml.
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withHub(() -> {
    try {
      return TestHub.startWith(Map.of(), TestHub.configWithRules(Files.readString(TestHub.configDir().resolve("routing.yaml"))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  });
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  @Test
  @DisplayName("a new disposition saved in the workspace is in force and reaches an open agent console")
  void aDispositionAddedInTheWorkspaceIsServedAndReachesTheAgent() throws Exception {
    Page agent = chromium.newPage(1366, 768);
    signIn(hub, agent, "alice");

    Page admin = chromium.newPage(1366, 768);
    signIn(hub, admin, "ada");
    admin.navigate(hub.baseUrl() + "/#/admin/settings");
    Locator editor = admin.getByTestId("settings-editor");
    assertThat(editor.getByTestId("dispositions")).containsText("Resolved");
    Locator text = admin.getByLabel("console.yaml");
    String before = text.inputValue();
    String line = "    - { code: resolved,  label: Resolved }\n";
    assertThat(before).contains(line);

    // A problem: refused with its line, nothing written, the settings in force stay.
    text.fill(before.replace(line, line + "    - { code: resolved,  label: Twice }\n"));
    editor.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save and apply")).click();
    assertThat(editor.getByTestId("settings-problems")).containsText("console.yaml:");
    assertThat(editor.getByRole(AriaRole.ALERT)).containsText("Not saved");
    Path file = hub.configDirUsed().resolve("console.yaml");
    assertThat(Files.readString(file)).isEqualTo(before);

    text.fill(before.replace(line, line + "    - { code: refund_sent, label: Refund sent }\n"));
    editor.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save and apply")).click();
    assertThat(editor.getByRole(AriaRole.STATUS)).containsText("Saved");
    assertThat(editor.getByTestId("dispositions")).containsText("Refund sent");
    Chromium.screenshot(admin, "47-admin-console-settings");

    // What the hub serves now, on disk and to the agent's open console.
    assertThat(Files.readString(file)).contains("code: refund_sent");
    String alice = TestHub.bearer(hub.login("alice", "alice-demo-pw"));
    assertThat(hub.get("/api/v1/console/settings", alice).body()).contains("refund_sent");
    assertThat(agent.getByRole(AriaRole.STATUS)).containsText("Canned responses and dispositions were updated.");
    assertThat(hub.get("/api/v1/audit?action=console-settings.applied", TestHub.bearer(hub.login("ada", "ada-demo-pw")))
        .json().getJsonArray("items").getJsonObject(0).getString("actor")).contains("ada");
  }
}
