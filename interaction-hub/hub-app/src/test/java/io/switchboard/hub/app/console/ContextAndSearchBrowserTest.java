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
 * Issue #10 item 8: the pre-chat answers, the page the customer came from and the routing reason are on the offer
 * and in the workspace; an agent finds past conversations by customer, text, channel and date, within what they
 * may see (their own work), and a supervisor finds everyone's.
 */
@DisplayName("context on the offer and the conversation search in Chromium")
class ContextAndSearchBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withWebChatHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  @Test
  @DisplayName("the offer and the workspace show pre-chat answers, the page and the routing reason; the search finds the chat")
  void contextOnTheOfferAndTheSearch() {
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);
    startChat(chromium, hub, "Frida Falk", "frida.falk@example.org", "billing", "Frida: my invoice 77 is doubled");

    Locator offer = agent.getByTestId("offer");
    assertThat(offer.getByTestId("offer-context")).containsText("Frida Falk");
    assertThat(offer.getByTestId("offer-context")).containsText("frida.falk@example.org");
    assertThat(offer.getByTestId("offer-context")).containsText("billing");
    assertThat(offer.getByTestId("offer-context")).containsText("/demo/webchat.html");
    assertThat(offer.getByTestId("offer-routing")).containsText("queue billing");
    Chromium.screenshot(agent, "60-offer-context");
    accept(agent, "Frida Falk");
    Locator context = shownWorkspace(agent).getByTestId("context");
    assertThat(context).containsText("frida.falk@example.org");
    assertThat(context).containsText("/demo/webchat.html");
    assertThat(context.getByTestId("routing-reason")).containsText("queue billing");
    Locator composer = shownWorkspace(agent).getByTestId("composer");
    composer.fill("Frida, I have cancelled the second invoice.");
    composer.press("Enter");
    assertThat(shownWorkspace(agent).getByTestId("conversation").locator("[data-direction=outbound]")).containsText("cancelled");

    // Alice finds it by text and by customer; a supervisor too; Bob (who never worked it) does not.
    agent.navigate(hub.baseUrl() + "/#/search");
    Locator search = agent.getByTestId("conversation-search");
    search.getByLabel("Text").fill("INVOICE 77");
    search.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Search")).click();
    Locator results = search.getByTestId("search-results");
    assertThat(results.locator("tbody tr")).hasCount(1);
    assertThat(results).containsText("Frida Falk");
    assertThat(results).containsText("my invoice 77 is doubled");
    results.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Open")).click();
    assertThat(search.getByTestId("search-transcript")).containsText("I have cancelled the second invoice");
    Chromium.screenshot(agent, "61-search");
    search.getByLabel("Text").fill("");
    search.getByLabel("Customer").fill("frida.falk@");
    search.getByLabel("Channel").selectOption("email");
    search.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Search")).click();
    assertThat(search.getByTestId("search-empty")).isVisible();
    search.getByLabel("Channel").selectOption("chat");
    search.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Search")).click();
    assertThat(results.locator("tbody tr")).hasCount(1);

    // The console stayed connected behind the search.
    agent.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Console")).click();
    assertThat(agent.getByTestId("tab")).containsText("Frida Falk");

    String bob = TestHub.bearer(hub.login("bob", "bob-demo-pw"));
    var bobs = hub.get("/api/v1/conversations/search?text=invoice%2077", bob);
    assertThat(bobs.status()).as(bobs.body()).isEqualTo(200);
    assertThat(bobs.json().getJsonArray("items")).isEmpty();
    String sam = TestHub.bearer(hub.login("sam", "sam-demo-pw"));
    var sams = hub.get("/api/v1/conversations/search?customer=Frida&channel=chat", sam).json().getJsonArray("items");
    assertThat(sams).hasSize(1);
    assertThat(sams.getJsonObject(0).getString("agentName")).isEqualTo("Alice Agent");
    // Wildcards are text: "%" matches nothing here.
    assertThat(hub.get("/api/v1/conversations/search?text=%25", sam).json().getJsonArray("items")).isEmpty();
    assertThat(hub.get("/api/v1/conversations/search?channel=fax", sam).status()).isEqualTo(400);
    assertThat(hub.get("/api/v1/conversations/search?customer=Frida", null).status()).isEqualTo(401);
    JsonObject detail = hub.get("/api/v1/interactions/" + sams.getJsonObject(0).getString("interactionId"), sam).json();
    assertThat(detail.getJsonObject("routing").getString("queue")).isEqualTo("billing");
  }
}
