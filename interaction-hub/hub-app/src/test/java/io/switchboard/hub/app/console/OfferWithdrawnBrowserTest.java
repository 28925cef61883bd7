package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
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
 * Issue #10 (open item C): a web chat customer who leaves while the offer still rings at an agent takes the offer
 * with them. The agent's console gets {@code offer_withdrawn} and the offer card goes at once, instead of ringing
 * until its countdown runs out for a customer who is gone; the agent's capacity is free again.
 */
@DisplayName("a customer who leaves before the offer is accepted takes the offer away")
class OfferWithdrawnBrowserTest {
  // The offer timeout is routing.yaml's 15 s: without the withdrawal the card stays longer than the assertion waits.
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withWebChatHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  @Test
  @DisplayName("the waiting customer ends the chat: the ringing offer disappears from the agent's console")
  void theOfferDisappearsWhenTheWaitingCustomerLeaves() {
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);
    Page customer = startChat(chromium, hub, "Wanda Waits", null, "billing", "Wanda: hello, anyone there?");
    Locator offer = agent.getByTestId("offer").filter(new Locator.FilterOptions().setHasText("Wanda Waits"));
    assertThat(offer).hasCount(1);
    String alice = TestHub.bearer(hub.login("alice", "alice-demo-pw"));
    var offers = hub.get("/api/v1/agents/me/offers", alice).jsonArray();
    assertThat(offers).hasSize(1);
    String interactionId = offers.getJsonObject(0).getString("interactionId");

    customer.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("End chat")).first().click();
    customer.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName("End the chat"))
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("End chat")).click();

    assertThat(offer).hasCount(0);
    assertThat(agent.getByRole(AriaRole.STATUS)).containsText("the customer left");
    Chromium.screenshot(agent, "40-offer-withdrawn-customer-left");

    // The hub agrees: the contact is abandoned and nothing is offered to alice any more.
    assertThat(hub.get("/api/v1/agents/me/offers", alice).jsonArray()).isEmpty();
    JsonObject detail = hub.get("/api/v1/interactions/" + interactionId, TestHub.bearer(hub.login("sam", "sam-demo-pw"))).json();
    assertThat(detail.getString("state")).isEqualTo("abandoned");
  }
}
