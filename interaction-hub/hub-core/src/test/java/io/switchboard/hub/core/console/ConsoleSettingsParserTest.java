package io.switchboard.hub.core.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchboard.hub.api.error.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConsoleSettingsParserTest {
  private static final String GOOD = """
      wrapUp:
        notesRequired: true
        dispositions:
          - { code: resolved, label: Resolved }
          - code: spam
            label: Spam
      cannedResponses:
        - id: hello
          title: Greeting
          shortcut: /hello
          text: "Hi {{customer.firstName}}, {{agent.name}} here."
          channels: [chat, social]
        - id: bye
          title: Bye
          shortcut: /bye
          text: Bye
      """;

  private static ConsoleSettingsException problems(String yaml) {
    return catchThrowableOfType(ConsoleSettingsException.class, () -> ConsoleSettingsParser.parse("console.yaml", yaml));
  }

  @Test
  void aGoodFileShouldGiveDispositionsNotesRequiredAndCannedResponses() throws Exception {
    ConsoleSettings s = ConsoleSettingsParser.parse("console.yaml", GOOD);
    assertThat(s.dispositions()).extracting(ConsoleSettings.Disposition::code).containsExactly("resolved", "spam");
    assertThat(s.notesRequired()).isTrue();
    assertThat(s.cannedResponses()).hasSize(2);
    assertThat(s.cannedResponses().get(0).channels()).containsExactly("chat", "social");
    assertThat(s.cannedResponses().get(1).channels()).isEmpty();
  }

  @Test
  void theShippedConsoleYamlShouldBeValid() throws Exception {
    Path shipped = null;
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("config/console.yaml"))) {
        shipped = dir.resolve("config/console.yaml");
        break;
      }
    }
    assertThat(shipped).isNotNull();
    ConsoleSettings s = ConsoleSettingsParser.load(shipped);
    assertThat(s.dispositions()).extracting(ConsoleSettings.Disposition::code)
        .contains("resolved", "follow_up", "escalated", "no_answer", "spam");
    assertThat(s.cannedResponses()).hasSizeGreaterThanOrEqualTo(6);
  }

  @Test
  void aMissingFileShouldGiveTheDefaults(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertThat(ConsoleSettingsParser.load(dir.resolve("console.yaml"))).isEqualTo(ConsoleSettings.DEFAULTS);
  }

  @Test
  void unknownKeysShouldBeReportedWithLineAndKey() {
    var e = problems("""
        wrapUp:
          dispositions:
            - { code: resolved, label: Resolved, colour: green }
          notesRequird: true
        canned: []
        """);
    assertThat(e.problems()).extracting(ConsoleSettingsException.Problem::toString).containsExactly(
        "console.yaml:3: wrapUp.dispositions[0].colour: unknown key 'colour' (known: code, label)",
        "console.yaml:4: wrapUp.notesRequird: unknown key 'notesRequird' (known: dispositions, notesRequired)",
        "console.yaml:5: canned: unknown key 'canned' (known: wrapUp, cannedResponses, email)");
  }

  @Test
  void duplicateCodesIdsAndShortcutsShouldAllBeReported() {
    var e = problems("""
        wrapUp:
          dispositions:
            - { code: resolved, label: Resolved }
            - { code: resolved, label: Done }
        cannedResponses:
          - { id: a, title: A, shortcut: /a, text: A }
          - { id: a, title: B, shortcut: /b, text: B }
          - { id: c, title: C, shortcut: /a, text: C }
        """);
    assertThat(e.getMessage()).contains(
        "console.yaml:4: wrapUp.dispositions[1].code: disposition 'resolved' is listed twice",
        "console.yaml:7: cannedResponses[1].id: canned response 'a' is listed twice",
        "console.yaml:8: cannedResponses[2].shortcut: shortcut '/a' is used twice");
  }

  @Test
  void unknownPlaceholdersShouldBeAnErrorAtLoadTime() {
    var e = problems("""
        wrapUp:
          dispositions: [{ code: resolved, label: Resolved }]
        cannedResponses:
          - id: a
            title: A
            shortcut: /a
            text: "Hi {{customer.email}} and {{customer.name"
        """);
    assertThat(e.problems()).extracting(ConsoleSettingsException.Problem::toString).containsExactly(
        "console.yaml:7: cannedResponses[0].text: unknown placeholder {{customer.email}} (known: customer.firstName, customer.name, agent.name, queue, interaction.subject)",
        "console.yaml:7: cannedResponses[0].text: '{{' without a closing '}}'");
  }

  @Test
  void badYamlShouldNameItsLine() {
    var e = problems("""
        wrapUp:
          dispositions:
            - { code: resolved, label: Resolved
        cannedResponses: []
        """);
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isBetween(3, 4);
      assertThat(p.message()).startsWith("not valid YAML");
    });
  }

  @Test
  void wrongTypesMissingFieldsAndBadValuesShouldAllBeReported() {
    var e = problems("""
        wrapUp:
          notesRequired: maybe
          dispositions:
            - { code: "Not A Code", label: x }
            - { label: no code }
        cannedResponses:
          - id: a
            title: [not, text]
            shortcut: refund
            text: ""
            channels: [chat, fax, chat]
          - just text
        """);
    assertThat(e.getMessage()).contains(
        "console.yaml:2: wrapUp.notesRequired: 'maybe' is not true or false",
        "console.yaml:4: wrapUp.dispositions[0].code: 'Not A Code' is not a code",
        "console.yaml:5: wrapUp.dispositions[1].code: is required",
        "console.yaml:8: cannedResponses[0].title: must be a single value",
        "console.yaml:9: cannedResponses[0].shortcut: 'refund' is not a shortcut",
        "console.yaml:10: cannedResponses[0].text: must not be empty",
        "console.yaml:11: cannedResponses[0].channels[1]: unknown channel 'fax'",
        "console.yaml:11: cannedResponses[0].channels[2]: channel 'chat' is listed twice",
        "console.yaml:12: cannedResponses[1]: must be a mapping");
  }

  @Test
  void anEmptyFileOrNoDispositionsShouldBeRefused() {
    assertThat(problems("").getMessage()).contains("empty");
    assertThat(problems("cannedResponses: []\n").getMessage()).contains("wrapUp: is required");
    assertThat(problems("wrapUp:\n  dispositions: []\n").getMessage()).contains("needs at least one disposition");
    assertThat(problems("- a\n- b\n").getMessage()).contains("(top): must be a mapping");
  }

  @Test
  void checkWrapUpShouldAcceptOnlyConfiguredCodesAndRequireNotesWhenConfigured() throws Exception {
    ConsoleSettings s = ConsoleSettingsParser.parse("console.yaml", GOOD);
    s.checkWrapUp("resolved", "done");
    var unknown = catchThrowableOfType(ValidationException.class, () -> s.checkWrapUp("solved", "x"));
    assertThat(unknown.errors()).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("disposition");
      assertThat(f.message()).contains("resolved, spam");
    });
    assertThatThrownBy(() -> s.checkWrapUp("resolved", " ")).isInstanceOf(ValidationException.class).hasMessageContaining("notes");
    assertThatThrownBy(() -> s.checkWrapUp(null, "x")).hasMessageContaining("disposition");
    ConsoleSettings.DEFAULTS.checkWrapUp("spam", null);
  }

  @Test
  void aFileOverOneMebibyteShouldBeRefusedWithoutParsing(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    String big = GOOD + "# " + "x".repeat(ConsoleSettingsParser.MAX_FILE_BYTES) + "\n";
    assertThat(problems(big).problems()).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("larger than 1 MiB"));
    Path file = dir.resolve("console.yaml");
    Files.writeString(file, big);
    assertThatThrownBy(() -> ConsoleSettingsParser.load(file)).isInstanceOf(ConsoleSettingsException.class)
        .hasMessageContaining("console.yaml:0: : the file is larger than 1 MiB");
    String justFits = GOOD + "#".repeat(ConsoleSettingsParser.MAX_FILE_BYTES - GOOD.length());
    Files.writeString(file, justFits);
    assertThat(ConsoleSettingsParser.load(file).dispositions()).hasSize(2);
  }

  @Test
  void bytesThatAreNotUtf8ShouldBeOneProblem() {
    byte[] latin1 = "wrapUp:\n  dispositions: [{ code: resolved, label: R\u00e9solu }]\n"
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    var e = catchThrowableOfType(ConsoleSettingsException.class, () -> ConsoleSettingsParser.parse("console.yaml", latin1));
    assertThat(e.problems()).extracting(ConsoleSettingsException.Problem::toString)
        .containsExactly("console.yaml:0: : is not UTF-8 text");
  }

  @Test
  void ownAddressesShouldBeAddressesOrDomainsInLowerCase() throws Exception {
    ConsoleSettings s = ConsoleSettingsParser.parse("console.yaml", GOOD + """
        email:
          ownAddresses: [Billing@Northwind.example, "@support.northwind.example"]
        """);
    assertThat(s.ownAddresses()).containsExactly("billing@northwind.example", "@support.northwind.example");
    assertThat(ConsoleSettingsParser.parse("console.yaml", GOOD).ownAddresses()).isEmpty();
  }

  @Test
  void badOwnAddressesShouldAllBeReportedWithTheirLines() {
    var e = problems(GOOD + """
        email:
          ownAddresses:
            - billing@northwind.example
            - not an address
            - "@localhost"
            - BILLING@northwind.example
            - { address: x@y.example }
          replyTo: x@y.example
        """);
    assertThat(e.problems()).extracting(ConsoleSettingsException.Problem::toString).containsExactly(
        "console.yaml:20: email.ownAddresses[1]: 'not an address' is neither an address (name@example.com) nor a domain (@example.com)",
        "console.yaml:21: email.ownAddresses[2]: '@localhost' is neither an address (name@example.com) nor a domain (@example.com)",
        "console.yaml:22: email.ownAddresses[3]: 'billing@northwind.example' is listed twice",
        "console.yaml:23: email.ownAddresses[4]: must be a single value",
        "console.yaml:24: email.replyTo: unknown key 'replyTo' (known: ownAddresses)");
    assertThat(problems(GOOD + "email:\n  ownAddresses: billing@northwind.example\n").problems())
        .extracting(ConsoleSettingsException.Problem::key).containsExactly("email.ownAddresses");
  }
}
