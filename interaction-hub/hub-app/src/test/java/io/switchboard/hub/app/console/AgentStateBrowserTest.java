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
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #10 item 4, the console's side: the state bar's load follows the agent's work as it changes (accept,
 * transfer), and signing out leaves the agent offline, not available for the next offer.
 */
@DisplayName("the agent's state bar and sign-out in Chromium")
class AgentStateBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withDemoHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  private String aliceState() {
    var agents = hub.get("/api/v1/dashboard", TestHub.bearer(hub.login("sam", "sam-demo-pw"))).json().getJsonArray("agents");
    return agents.stream().map(JsonObject.class::cast).filter(a -> a.getString("username").equals("alice"))
        .findFirst().orElseThrow().getString("state");
  }

  @Test
  @DisplayName("the load in the state bar moves with accept and transfer; signing out leaves the agent offline")
  void theLoadFollowsTheWorkAndSigningOutGoesOffline() throws Exception {
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);
    Locator load = agent.locator(".statebar .load");
    assertThat(load).containsText("Email 0/5");

    var r = hub.post("/api/v1/inbound", apiKey(DEMO_API_KEY), new JsonObject()
        .put("channel", "email").put("externalId", "<load-" + System.nanoTime() + "@example.net>")
        .put("sender", new JsonObject().put("kind", "email").put("value", "leon.albrecht1@example.net"))
        .put("senderName", "Leon Albrecht").put("subject", "Load")
        .put("content", new JsonObject().put("type", "text").put("text", "Counting.")).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    agent.getByTestId("offer").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).click();
    assertThat(agent.getByTestId("tab")).hasCount(1);
    assertThat(load).containsText("Email 1/5");

    agent.getByTestId("transfer").click();
    Locator dialog = agent.getByTestId("transfer-dialog");
    dialog.locator("select[name=queue]").selectOption("general");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(Pattern.compile("^Transfer$"))).click();
    assertThat(agent.getByTestId("tab")).hasCount(0);
    assertThat(load).containsText("Email 0/5");

    assertThat(aliceStateWithin("available")).isEqualTo("available");
    agent.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    assertThat(agent.getByLabel("Username")).isVisible();
    assertThat(aliceStateWithin("offline")).isEqualTo("offline");
  }

  /**
   * Alice's state on the dashboard once it reads {@code expected}, or the last one read after 10 s. The dashboard
   * answers its latest once-a-second snapshot, which on a loaded machine may still be from before the last change.
   */
  private String aliceStateWithin(String expected) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    String state = aliceState();
    while (!state.equals(expected) && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
      state = aliceState();
    }
    return state;
  }
}
