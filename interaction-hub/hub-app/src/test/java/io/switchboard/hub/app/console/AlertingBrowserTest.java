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
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #10 item 3: every offer rings, also with the console in front; the volume and mute setting survives a
 * reload; the sign-in click unlocks audio (no silent first offer); the Alt shortcuts read the physical key, so
 * they work with macOS Option (where Option+A types "å").
 */
@DisplayName("offer alerting in Chromium")
class AlertingBrowserTest {
  /** Counts the oscillators the console starts and keeps the audio contexts it creates. */
  private static final String AUDIO_PROBE = """
      window.__tones = 0;
      window.__contexts = [];
      const Original = window.AudioContext;
      window.AudioContext = class extends Original {
        constructor(...args) { super(...args); window.__contexts.push(this); }
      };
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...args) { window.__tones++; return start.apply(this, args); };
      """;

  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withDemoHub();
  private final Chromium chromium = browser.chromium();
  private final TestHub hub = browser.hub();

  private void email(String subject) {
    var r = hub.post("/api/v1/inbound", apiKey(DEMO_API_KEY), new JsonObject()
        .put("channel", "email").put("externalId", "<" + subject.replace(' ', '-') + "-" + System.nanoTime() + "@example.net>")
        .put("sender", new JsonObject().put("kind", "email").put("value", "leon.albrecht1@example.net"))
        .put("senderName", "Leon Albrecht").put("subject", subject)
        .put("content", new JsonObject().put("type", "text").put("text", "About " + subject)).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  private static int tones(Page page) {
    return ((Number) page.evaluate("window.__tones")).intValue();
  }

  @Test
  @DisplayName("the sign-in click unlocks audio, a foreground offer rings, and Option+A (e.code KeyA) accepts it")
  void aForegroundOfferRingsAndOptionAAcceptsIt() {
    Page agent = chromium.newPage();
    agent.addInitScript(AUDIO_PROBE);
    signIn(hub, agent, "alice");
    // Unlocked by the sign-in click itself: a running audio context before any other click.
    agent.waitForFunction("window.__contexts.some((c) => c.state === 'running')");

    goAvailable(agent);
    email("Meter reading");
    Locator offer = agent.getByTestId("offer");
    assertThat(offer).containsText("Meter reading");
    agent.waitForFunction("window.__tones >= 2");

    // macOS Option+A: the key typed is "å", the physical key is KeyA.
    agent.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', { key: 'å', code: 'KeyA', altKey: true, bubbles: true }))");
    assertThat(agent.getByTestId("tab")).containsText("Leon Albrecht");
    assertThat(offer).hasCount(0);
    // Option+1 types "¡" on a Mac; Digit1 still switches to the first tab.
    agent.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', { key: '¡', code: 'Digit1', altKey: true, bubbles: true }))");
    assertThat(agent.getByTestId("tab").first()).hasAttribute("aria-selected", "true");
  }

  @Test
  @DisplayName("muting survives a reload: the next offer is silent; unmuted at a lower volume it rings again")
  void muteAndVolumeSurviveAReload() {
    Page agent = chromium.newPage();
    agent.addInitScript(AUDIO_PROBE);
    signIn(hub, agent, "alice");
    agent.getByTestId("sound").click();
    Locator settings = agent.getByTestId("sound-settings");
    settings.getByLabel("Volume").fill("40");
    settings.getByLabel("Mute offer sound").check();

    agent.reload();
    assertThat(agent.getByTestId("connection")).hasText("Connected");
    agent.getByTestId("sound").click();
    assertThat(settings.getByLabel("Mute offer sound")).isChecked();
    assertThat(settings.getByLabel("Volume")).hasValue("40");
    goAvailable(agent);
    email("Silent one");
    assertThat(agent.getByTestId("offer")).containsText("Silent one");
    assertThat(tones(agent)).isZero();
    agent.getByTestId("offer").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Accept")).click();
    assertThat(agent.getByTestId("tab")).hasCount(1);

    settings.getByLabel("Mute offer sound").uncheck();
    email("Loud one");
    assertThat(agent.getByTestId("offer")).containsText("Loud one");
    agent.waitForFunction("window.__tones >= 2");
    @SuppressWarnings("unchecked")
    var stored = (Map<String, Object>) agent.evaluate("JSON.parse(localStorage.getItem('switchboard.sound'))");
    assertThat(stored).containsEntry("muted", false);
    assertThat(((Number) stored.get("volume")).intValue()).isEqualTo(40);
  }
}
