package io.switchboard.hub.app.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.switchboard.hub.app.TestHub.bearer;
import static io.switchboard.hub.app.console.ConsoleSteps.goAvailable;
import static io.switchboard.hub.app.console.ConsoleSteps.shownWorkspace;
import static io.switchboard.hub.app.console.ConsoleSteps.signIn;
import static io.switchboard.voice.testkit.AsteriskCalls.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.switchboard.voice.testkit.AsteriskCalls;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #13: a real call through a real Asterisk 22 (skipped where none is installed) on the agent's console in
 * Chromium: the call rings the agent's phone (a Local channel that answers), the workspace shows it talking with its
 * duration and recording, Hold puts the caller on music and Resume bridges them again (seen in Asterisk), the watching
 * supervisor's Listen rings the supervisor's phone into ChanSpy, and Hang up ends the call.
 */
@DisplayName("voice call controls on the console with a real Asterisk, in Chromium")
class VoiceCallControlsBrowserTest {
  static final String RULES = """
      settings:
        offerTimeout: 20s
        pauseAgentOnOfferTimeout: false
        afterCallWork: 1s
        wrapUpRequired: false
      skills: [general]
      queues:
        - id: general
          name: General
          serviceLevel: { percent: 80, within: 20s }
          maxWait: 10m
      rules:
        - name: default
          queue: general
      """;

  @RegisterExtension
  static final ConsoleBrowser browser = ConsoleBrowser.withoutHub();

  @RegisterExtension
  static final PrivateAsterisk asterisk = PrivateAsterisk.with(TestPhones.context("test-phones")
          .answersAfter("1001", 1).answers("1009"))
      .callerPrefix("console-caller").ivr("""
          entryPoints:
            - { name: main-line, numbers: ["5550100"], menu: main }
          menus:
            main:
              prompts: [beep]
              timeout: 5s
              options:
                "1": { set: { ivr.topic: general }, goto: queue }
          waiting: { announceEvery: 0s }
          """);

  @Test
  @DisplayName("talking with duration and recording, hold and resume, a supervisor listens, hang up — all from the console")
  void theAgentHoldsResumesAndHangsUpAndTheSupervisorListens() throws Exception {
    Path config = TestHub.configWithChannel(RULES, "voice", Map.of("agiBind", "127.0.0.1", "agiPort", asterisk.agiPort(),
        "amiPort", asterisk.amiPort(), "ivrFile", asterisk.ivrFile().toString(), "ringTimeout", "15s", "recordQueues", List.of("general")));
    TestHub hub = browser.use(TestHub.startWith(Map.of("SWITCHBOARD_VOICE_AMI_SECRET", RealAsterisk.AMI_SECRET), config));
    var chromium = browser.chromium();
    String admin = bearer(hub.login("ada", "ada-demo-pw"));
    for (var phone : Map.of("alice", "Local/1001@test-phones/n", "sam", "Local/1009@test-phones/n").entrySet()) {
      String id = hub.get("/api/v1/auth/me", bearer(hub.login(phone.getKey(), phone.getKey() + "-demo-pw"))).json().getString("id");
      var set = hub.put("/api/v1/agents/" + id + "/phone", admin, new JsonObject().put("endpoint", phone.getValue()).encode());
      assertThat(set.status()).as(set.body()).isEqualTo(200);
    }

    Page agent = chromium.newPage();
    signIn(hub, agent, "alice");
    goAvailable(agent);

    // The caller dials in and presses 1; alice's phone rings and answers; the hub accepts for her.
    AsteriskCalls calls = asterisk.calls();
    String phone = calls.dial("5550100", "+493029910907");
    calls.press(phone, "1");

    Locator workspace = shownWorkspace(agent);
    Locator controls = workspace.getByTestId("call-controls");
    assertThat(controls.getByTestId("call-state")).hasText("Talking");
    assertThat(controls.getByTestId("call-recording")).isVisible();
    assertThat(controls.getByTestId("call-duration")).containsText("0:");
    await("caller and agent bridged in Asterisk", () -> calls.bridges(phone + "-2") == 1);

    controls.getByTestId("call-hold").click();
    assertThat(controls.getByTestId("call-state")).hasText("On hold");
    await("the caller hears music", () -> calls.events().stream().anyMatch(e -> e instanceof org.asteriskjava.manager.event.MusicOnHoldStartEvent m
        && (phone + "-2").equals(m.getUniqueId())));
    assertThat(controls.getByTestId("call-hold")).isHidden();
    Chromium.screenshot(agent, "80-voice-on-hold");

    controls.getByTestId("call-resume").click();
    assertThat(controls.getByTestId("call-state")).hasText("Talking");
    await("caller and agent bridged again in Asterisk", () -> calls.bridges(phone + "-2") == 2);

    // The supervisor watches the call and listens on their own phone.
    Page supervisor = chromium.newPage();
    signIn(hub, supervisor, "sam");
    supervisor.navigate(hub.baseUrl() + "/#/dashboard");
    supervisor.locator("section.card", new Page.LocatorOptions().setHasText("Being worked"))
        .locator("tr", new Locator.LocatorOptions().setHasText("Alice"))
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Watch")).click();
    Locator watch = supervisor.getByTestId("call-controls");
    watch.getByTestId("call-listen").click();
    assertThat(watch).containsText("Your phone rings");
    await("the supervisor's phone spies on the call", () -> calls.events().stream().anyMatch(e ->
        e instanceof org.asteriskjava.manager.event.ChanSpyStartEvent c && c.getSpyeeLinkedId() != null
            && c.getSpyeeLinkedId().equals(phone)));
    Chromium.screenshot(supervisor, "81-voice-supervisor-listens");

    controls.getByTestId("call-hangup").click();
    assertThat(controls.getByTestId("call-state")).hasText("Call ended");
    assertThat(workspace.getByTestId("customer-left")).containsText("left the call");
    await("the caller's phone is hung up", () -> calls.hungUp(phone));
    Chromium.screenshot(agent, "82-voice-hung-up");
  }
}
