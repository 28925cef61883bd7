package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IvrParserTest {

  @Test
  void theShippedSampleIsValid() throws Exception {
    Ivr ivr = IvrParser.parse(Path.of("../../config/ivr.yaml"));
    assertThat(ivr.entryFor("5550100").name()).isEqualTo("main-line");
    assertThat(ivr.entryFor("999").name()).isEqualTo("other");
    assertThat(ivr.menus()).containsKeys("main", "language");
    assertThat(ivr.waiting().announceEvery()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void everyProblemIsReportedAtOnceWithFileLineAndKey() {
    String text = """
        entryPoints:
          - name: sales
            numbers: ["5550100", "abc"]
            menu: nowhere
        menus:
          main:
            prompts: [beep, "../etc/passwd", {number: x}]
            timeout: 5 parsecs
            retries: 99
            options:
              "1": { goto: missing }
              "12": { goto: queue }
              "2": { set: { topic: billing } }
            colour: blue
        waiting:
          announceEvery: 2s
        """;
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", text))
        .isInstanceOf(IvrException.class)
        .satisfies(e -> {
          var problems = ((IvrException) e).problems().stream().map(Object::toString).toList();
          assertThat(problems).contains(
              "ivr.yaml:3: entryPoints[0].numbers[1]: must be a dialled number (digits, optional leading +) or 'default'",
              "ivr.yaml:4: entryPoints[0].menu: names no menu 'nowhere' (menus: [main])",
              "ivr.yaml:7: menus.main.prompts[1]: must be an Asterisk sound name (letters, digits, '_', '-', '/', no '..')",
              "ivr.yaml:7: menus.main.prompts[2].number: must be a whole number",
              "ivr.yaml:8: menus.main.timeout: must be a duration such as 500ms, 5s, 2m",
              "ivr.yaml:9: menus.main.retries: must be a whole number from 0 to 10",
              "ivr.yaml:11: menus.main.options.1.goto: names no menu 'missing' (menus: [main]; or 'queue', 'hangup')",
              "ivr.yaml:12: menus.main.options: keys are single DTMF keys 0-9, * or # (quote them: \"1\")",
              "ivr.yaml:13: menus.main.options.2.goto: is required: a menu name, 'queue' or 'hangup'",
              "ivr.yaml:14: menus.main.colour: is not a known key (expected one of [fallback, invalid, options, prompts, retries, timeout])",
              "ivr.yaml:16: waiting.announceEvery: must be 0 (never) or at least 5s");
          assertThat(problems).hasSize(11);
        });
  }

  @Test
  void brokenYamlAndAMissingMenuSectionAreNamed() {
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", "menus: [unclosed\n"))
        .hasMessageStartingWith("ivr.yaml:2: (yaml): is not valid YAML");
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", "entryPoints:\n  - {name: a, numbers: [default], menu: m}\n"))
        .hasMessageContaining("ivr.yaml:1: menus: is required");
  }

  @Test
  void duplicateNumbersAcrossEntryPointsAreRefused() {
    String text = """
        entryPoints:
          - { name: a, numbers: ["100"], menu: m }
          - { name: b, numbers: ["100"], menu: m }
        menus:
          m: { prompts: [beep] }
        """;
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", text))
        .hasMessage("ivr.yaml:3: entryPoints[1].numbers[0]: number 100 already belongs to entry point 'a'");
  }

  @Test
  void numbersDigitsAndFallbacksAreRead() throws Exception {
    Ivr ivr = IvrParser.parse("ivr.yaml", """
        entryPoints:
          - { name: a, numbers: [default], menu: m, set: { line: x } }
        menus:
          m:
            prompts: [beep, {number: 42}, {digits: "0815"}]
            fallback: hangup
            options:
              "#": { goto: n }
          n: { prompts: beep }
        """);
    Ivr.Menu m = ivr.menus().get("m");
    assertThat(m.prompts()).containsExactly(new Ivr.Prompt.Sound("beep"), new Ivr.Prompt.Number(42), new Ivr.Prompt.Digits("0815"));
    assertThat(m.fallback()).isEqualTo(new Ivr.Target.Hangup());
    assertThat(m.options().get('#').target()).isEqualTo(new Ivr.Target.GoTo("n"));
    assertThat(ivr.entryFor("anything").attributes()).containsEntry("line", "x");
  }

  @Test
  void theShippedSampleIsValidAgainstTheShippedCalendars() throws Exception {
    Ivr ivr = IvrParser.parse(Path.of("../../config/ivr.yaml"), java.util.Set.of("support"));
    Ivr.EntryPoint main = ivr.entryFor("5550100");
    assertThat(main.hours()).isEqualTo("support");
    assertThat(main.afterHours().action()).isEqualTo(Ivr.AfterHoursAction.CALLBACK);
    assertThat(ivr.callbackFor(main)).isNotNull();
    assertThat(ivr.callbacks().dialString("+4930123456")).isEqualTo("Local/+4930123456@switchboard-out");
  }

  @Test
  void callbackAfterHoursAndCustomerNumberAreReadWithTheirDefaults() throws Exception {
    Ivr ivr = IvrParser.parse("ivr.yaml", """
        entryPoints:
          - name: sales
            numbers: ["5550100"]
            menu: main
            hours: support
            afterHours: { action: callback, prompts: [closed], key: "2", timeout: 3s, confirm: [thanks] }
            customerNumber: { prompts: [enter], minDigits: 4, maxDigits: 8, retries: 1, invalid: [wrong] }
          - name: other
            numbers: [default]
            menu: main
            callback: off
        menus:
          main: { prompts: [beep] }
        waiting:
          callback: { key: "#", prompts: [offer], confirm: [thanks], queues: [billing] }
        callbacks: { dial: "PJSIP/{number}@trunk", attempts: 2, retryDelay: 2m, ringTimeout: 40s, agentPrompts: [beep] }
        """, java.util.Set.of("support"));
    Ivr.EntryPoint sales = ivr.entryFor("5550100");
    assertThat(sales.afterHours()).isEqualTo(new Ivr.AfterHours(Ivr.AfterHoursAction.CALLBACK, java.util.List.of(new Ivr.Prompt.Sound("closed")),
        '2', Duration.ofSeconds(3), java.util.List.of(new Ivr.Prompt.Sound("thanks"))));
    assertThat(sales.customerNumber().minDigits()).isEqualTo(4);
    assertThat(sales.customerNumber().maxDigits()).isEqualTo(8);
    assertThat(sales.customerNumber().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(ivr.callbackFor(sales).key()).isEqualTo('#');
    assertThat(ivr.callbackFor(sales).queues()).containsExactly("billing");
    assertThat(ivr.callbackFor(ivr.entryFor("999"))).as("callback: off").isNull();
    assertThat(ivr.callbacks()).isEqualTo(new Ivr.Callbacks("PJSIP/{number}@trunk", 2, Duration.ofMinutes(2), Duration.ofSeconds(40),
        java.util.List.of(new Ivr.Prompt.Sound("beep"))));
    assertThat(ivr.entryFor("999").hours()).isNull();
  }

  @Test
  void everyProblemOfTheNewStepsIsReportedWithFileLineAndKey() {
    String text = """
        entryPoints:
          - name: sales
            numbers: ["5550100"]
            menu: main
            hours: nights
            afterHours: { action: sing, prompts: [closed] }
            customerNumber: { prompts: [enter], minDigits: 9, maxDigits: 4, retries: 11, colour: red }
            callback: { key: "12", prompts: [offer], queues: "billing" }
          - name: other
            numbers: [default]
            menu: main
            afterHours: { action: message }
          - name: third
            numbers: ["5550300"]
            menu: main
            hours: support
            afterHours: { action: hangup, key: "1" }
        menus:
          main: { prompts: [beep] }
        waiting:
          callback: { confirm: [thanks] }
        callbacks: { dial: "PJSIP/1001,30,A(x)", attempts: 0, retryDelay: 0, ringTimeout: 2s }
        """;
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", text, java.util.Set.of("support")))
        .isInstanceOf(IvrException.class)
        .satisfies(e -> {
          var problems = ((IvrException) e).problems().stream().map(Object::toString).toList();
          assertThat(problems).containsExactlyInAnyOrder(
              "ivr.yaml:5: entryPoints[0].hours: names no calendar 'nights' of routing.yaml (calendars: [support])",
              "ivr.yaml:6: entryPoints[0].afterHours.action: must be message, callback or hangup",
              "ivr.yaml:7: entryPoints[0].customerNumber.colour: is not a known key (expected one of [invalid, maxDigits, minDigits, prompts, retries, timeout])",
              "ivr.yaml:7: entryPoints[0].customerNumber.retries: must be a whole number from 0 to 10",
              "ivr.yaml:7: entryPoints[0].customerNumber.minDigits: must not be more than maxDigits (4)",
              "ivr.yaml:8: entryPoints[0].callback.key: must be a single DTMF key 0-9, * or # (quote it: \"1\")",
              "ivr.yaml:8: entryPoints[0].callback.queues: must be a list of queue names",
              "ivr.yaml:12: entryPoints[1].afterHours: needs hours: the routing.yaml calendar whose closed times it covers",
              "ivr.yaml:12: entryPoints[1].afterHours.prompts: is required for message (at least one sound)",
              "ivr.yaml:17: entryPoints[2].afterHours.key: only applies to action callback",
              "ivr.yaml:21: waiting.callback.prompts: is required: the offer the caller hears (\"press 1 to be called back\")",
              "ivr.yaml:22: callbacks.dial: must be an Asterisk dial string with {number} (letters, digits and _ @ . : + - /), such as Local/{number}@switchboard-out",
              "ivr.yaml:22: callbacks.attempts: must be a whole number from 1 to 10",
              "ivr.yaml:22: callbacks.retryDelay: must be between PT1S and PT1H",
              "ivr.yaml:22: callbacks.ringTimeout: must be between PT5S and PT5M");
        });
  }

  @Test
  void zeroIsHeldToTheSameRangeAsAnyOtherDuration() {
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", """
        entryPoints:
          - { name: sales, numbers: [default], menu: main }
        menus:
          main: { prompts: [beep], timeout: 0 }
        """))
        .isInstanceOf(IvrException.class)
        .satisfies(e -> assertThat(((IvrException) e).problems().stream().map(Object::toString).toList())
            .containsExactly("ivr.yaml:4: menus.main.timeout: must be between PT0.5S and PT1M"));
  }

  @Test
  void theSurveySectionIsReadAndEachKeyLeftOutKeepsItsDefault() throws Exception {
    Ivr ivr = IvrParser.parse("ivr.yaml", """
        entryPoints: [{ name: any, numbers: [default], menu: main }]
        menus: { main: { prompts: [beep] } }
        waiting: { announceEvery: 0 }
        survey:
          question: [custom/rate-us, {digits: "12345"}]
          timeout: 8s
          thanks: []
        """);
    assertThat(ivr.survey().question()).containsExactly(new Ivr.Prompt.Sound("custom/rate-us"), new Ivr.Prompt.Digits("12345"));
    assertThat(ivr.survey().timeout()).isEqualTo(Duration.ofSeconds(8));
    assertThat(ivr.survey().thanks()).isEmpty();
    assertThat(ivr.survey().invalid()).isEqualTo(Ivr.Survey.DEFAULTS.invalid());
    assertThat(ivr.survey().goodbye()).isEqualTo(Ivr.Survey.DEFAULTS.goodbye());
    Ivr none = IvrParser.parse("ivr.yaml", """
        entryPoints: [{ name: any, numbers: [default], menu: main }]
        menus: { main: { prompts: [beep] } }
        waiting: { announceEvery: 0 }
        """);
    assertThat(none.survey()).isEqualTo(Ivr.Survey.DEFAULTS);
  }

  @Test
  void everySurveyProblemIsReportedAtOnceWithFileLineAndKey() {
    String text = """
        entryPoints: [{ name: any, numbers: [default], menu: main }]
        menus: { main: { prompts: [beep] } }
        waiting: { announceEvery: 0 }
        survey:
          question: []
          timeout: 2m
          invalid: ["../../etc/passwd", {number: x}]
          thanks: auth-thankyou
          goodbye: ["bad sound"]
          keys: "12345"
        """;
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", text))
        .isInstanceOf(IvrException.class)
        .satisfies(e -> {
          var problems = ((IvrException) e).problems().stream().map(Object::toString).toList();
          assertThat(problems).contains(
              "ivr.yaml:5: survey.question: must have at least one prompt (the caller has to hear the question)",
              "ivr.yaml:7: survey.invalid[0]: must be an Asterisk sound name (letters, digits, '_', '-', '/', no '..')",
              "ivr.yaml:7: survey.invalid[1].number: must be a whole number",
              "ivr.yaml:10: survey.keys: is not a known key (expected one of [goodbye, invalid, question, thanks, timeout])");
          assertThat(problems).anyMatch(p -> p.startsWith("ivr.yaml:6: survey.timeout: "));
          assertThat(problems).anyMatch(p -> p.startsWith("ivr.yaml:9: survey.goodbye[0]: "));
          assertThat(problems).as("a single sound is a list of one (thanks)").hasSize(6);
        });
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", """
        entryPoints: [{ name: any, numbers: [default], menu: main }]
        menus: { main: { prompts: [beep] } }
        waiting: { announceEvery: 0 }
        survey: yes
        """)).hasMessageContaining("ivr.yaml:4: survey: must be a mapping with question, timeout, invalid, thanks and goodbye");
    assertThatThrownBy(() -> IvrParser.parse("ivr.yaml", """
        entryPoints: [{ name: any, numbers: [default], menu: main }]
        menus: { main: { prompts: [beep] } }
        waiting: { announceEvery: 0 }
        survey: { question: ["bad\u0001sound"] }
        """)).as("control characters").isInstanceOf(IvrException.class).hasMessageContaining("ivr.yaml:");
  }
}
