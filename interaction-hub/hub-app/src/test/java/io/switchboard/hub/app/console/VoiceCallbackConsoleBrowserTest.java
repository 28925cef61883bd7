package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #13: an offered voice callback shows on the agent's console as a callback with the number the hub will dial,
 * and a caller identified by a customer number shows that number (the IVR's answers as the interaction's attributes).
 */
@DisplayName("a voice callback on the agent's console in Chromium")
class VoiceCallbackConsoleBrowserTest {
  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withDemoHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  @Test
  @DisplayName("the offer of a callback says it is a callback and to which number")
  void theOfferShowsTheCallbackAndItsNumber() {
    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);
    // As the voice adapter takes a call in after hours with a callback request and a customer number.
    var r = hub.post("/api/v1/inbound", TestHub.apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "voice")
        .put("externalId", "1765000000.77").put("threadKey", "1765000000.77")
        .put("sender", new JsonObject().put("kind", "phone").put("value", "+4930100001"))
        .put("content", new JsonObject().put("type", "text").put("text", "Phone call from +4930100001 to 5550100"))
        .put("metadata", new JsonObject().put("voice.callback", "requested").put("voice.callbackNumber", "+4930100001")
            .put("voice.customerNumber", "4711").put("voice.afterHours", "true")).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);

    Locator offer = agent.getByTestId("offer");
    assertThat(offer.getByTestId("offer-context")).containsText("Callback to");
    assertThat(offer.getByTestId("offer-context")).containsText("+4930100001");
    assertThat(offer.getByTestId("offer-context")).containsText("Customer number");
    assertThat(offer.getByTestId("offer-context")).containsText("4711");
    assertThat(offer.getByTestId("offer-context")).containsText("Called after hours");
    Chromium.screenshot(agent, "70-voice-callback-offer");
  }
}
