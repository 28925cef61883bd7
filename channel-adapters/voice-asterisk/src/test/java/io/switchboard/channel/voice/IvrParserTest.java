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
}
