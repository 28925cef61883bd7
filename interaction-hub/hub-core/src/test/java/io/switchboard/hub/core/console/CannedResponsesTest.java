package io.switchboard.hub.core.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CannedResponsesTest {

  @Test
  void renderShouldFillEveryKnownPlaceholder() {
    var values = CannedResponses.values("Maria Rossi", "Alice Agent", "billing", "Invoice 42");
    String text = "Hi {{customer.firstName}} ({{ customer.name }}), {{agent.name}} from {{queue}} about {{interaction.subject}}.";
    assertThat(CannedResponses.render(text, values))
        .isEqualTo("Hi Maria (Maria Rossi), Alice Agent from billing about Invoice 42.");
  }

  @Test
  void renderShouldLeaveUnknownValuesEmptyAndKeepOtherText() {
    var values = CannedResponses.values(null, "Alice", "general", null);
    assertThat(CannedResponses.render("Hi {{customer.firstName}}! Re: {{interaction.subject}} $1 \\n", values))
        .isEqualTo("Hi ! Re:  $1 \\n");
    assertThat(CannedResponses.render("{{nope}} stays", Map.of())).isEqualTo("{{nope}} stays");
  }

  @Test
  void problemsShouldNameUnknownPlaceholdersAndUnclosedBraces() {
    assertThat(CannedResponses.problems("Hello {{customer.firstName}}")).isEmpty();
    assertThat(CannedResponses.problems("Hello {{customer.email}}")).singleElement().asString()
        .contains("unknown placeholder {{customer.email}}");
    assertThat(CannedResponses.problems("Hello {{Customer.Name}}")).hasSize(1);
    assertThat(CannedResponses.problems("Hello {{customer.name")).singleElement().asString().contains("without a closing");
    assertThat(CannedResponses.problems("single { braces } are fine")).isEmpty();
  }

  @Test
  void firstNameShouldBeTheFirstWordOfTheName() {
    assertThat(CannedResponses.firstName("  Maria   Rossi ")).isEqualTo("Maria");
    assertThat(CannedResponses.firstName("Cher")).isEqualTo("Cher");
    assertThat(CannedResponses.firstName(" ")).isNull();
    assertThat(CannedResponses.placeholdersIn("{{queue}} {{ queue }} {{agent.name}}")).containsExactly("queue", "agent.name");
  }

  @Test
  void shortcutsShouldBeASlashAndAWord() {
    assertThat(CannedResponses.validShortcut("/refund")).isTrue();
    assertThat(CannedResponses.validShortcut("/re_fund-2")).isTrue();
    assertThat(CannedResponses.validShortcut("refund")).isFalse();
    assertThat(CannedResponses.validShortcut("/Refund")).isFalse();
    assertThat(CannedResponses.validShortcut("/")).isFalse();
  }
}
