package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Conditions cannot reach Java: each attempt is refused when the file is parsed, or is simply no match. */
class SandboxTest {
  static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 23, 10, 0, 0, 0, ZoneId.of("Europe/Berlin"));
  static final InteractionFacts FACTS =
      new InteractionFacts("chat", Map.of("ivr.choice", "1"), "gold", "en", Map.of("segment", "x"), "hello");

  static String rules(String when) {
    return "queues: [{id: general}, {id: trap}]\nrules:\n  - name: trap\n    when: '" + when.replace("'", "''")
        + "'\n    queue: trap\n  - name: default\n    queue: general\n";
  }

  /** Parses; returns the rule a chat matches, or the problems' messages when the file is refused. */
  static String outcome(String when) {
    try {
      RoutingRules r = RoutingRules.parse("routing.yaml", rules(when), 1);
      return r.classify(FACTS, NOW).rule();
    } catch (RulesException e) {
      return "refused: " + e.getMessage();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "''.getClass() != null",
        "channel.getClass().getName() == 'java.lang.String'",
        "new('java.io.File', 'x') != null",
        "System.exit(1)",
        "java.lang.System.exit(1) == 0",
        "while (true) {}",
        "for (x : [1, 2]) { x }",
        "x = 1",
        "channel = 'voice'",
        "attributes['a'] = 'b'",
        "var x = 1",
        "x -> x",
        "function(x) { x }",
        "#pragma jexl.import java.lang\ntrue",
        "@silent true",
        "1; 2",
        "channel.length() > 0",
        "channel.class == null",
        "channel.bytes != null",
        "customer.attributes.segment.class != null",
        "open.support.class != null",
        "x++ > 0",
        "size(channel) > 0 && (y += 1) > 0",
        "Runtime == null",
      })
  void anAttemptToReachJavaShouldBeRefusedAtParseTime(String when) {
    assertThat(outcome(when)).startsWith("refused: ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "''.class != null",
        "'x'.bytes != null",
        "'x'['class'] != null",
        "attributes.getClass != null",
        "attributes['getClass'] != null",
        "{'a': 1}.class != null",
        "[1, 2].class != null",
        "abs(-1) == 1",
        "math:abs(-1) == 1",
        "'x'.empty == false",
        "'abc'.length == 3",
      })
  void whatGetsPastTheParserShouldEvaluateToNoMatch(String when) {
    String outcome = outcome(when);
    assertThat(outcome).satisfiesAnyOf(o -> assertThat(o).isEqualTo("default"), o -> assertThat(o).startsWith("refused: "));
  }

  @Test
  void aConditionCannotCreateAFile(@TempDir Path dir) {
    Path target = dir.resolve("pwned");
    String p = target.toString().replace("\\", "/");
    for (String when :
        List.of(
            "new('java.io.File', '" + p + "').createNewFile()",
            "''.class.forName('java.io.File').getConstructor(''.class).newInstance('" + p + "').createNewFile()",
            "'" + p + "'.class.forName('java.nio.file.Files') != null")) {
      assertThat(outcome(when)).isNotEqualTo("trap");
    }
    assertThat(Files.exists(target)).isFalse();
  }

  @Test
  void theOperatorsRulesNeedAllWork() {
    List<String> matching = new ArrayList<>();
    for (String when :
        List.of(
            "channel == 'chat' && !(channel != 'chat') || false",
            "customer.tier in ['gold', 'platinum']",
            "channel =~ ['chat', 'social']",
            "!(channel !~ ['chat'])",
            "subject =~ 'h.*o'",
            "subject =^ 'he'",
            "subject =$ 'lo'",
            "attributes['ivr.choice'] == '1' && attributes['ivr.choice'] >= '1' && attributes['ivr.choice'] <= '1'",
            "size(subject) > 3 && size(subject) < 6",
            "customer.attributes['segment'] == 'x' && customer.attributes.segment == 'x'",
            "customer.language == 'en' && language == 'en'",
            "attributes['nope'] == null && attributes.nope == null",
            "empty(attributes['nope'])",
            "channel eq 'chat' and not (channel ne 'chat')",
            "[1, 2, 3][1] == 2",
            "{'k': 'v'}['k'] == 'v'")) {
      if (outcome(when).equals("trap")) {
        matching.add(when);
      } else {
        assertThat(outcome(when)).as(when).isEqualTo("trap");
      }
    }
    assertThat(matching).hasSize(16);
  }

  @Test
  void inOnlyBecomesMembershipOutsideQuotes() {
    assertThat(Conditions.rewriteIn("channel in ['in', \"in\"] && subject =~ 'log in'"))
        .isEqualTo("channel =~ ['in', \"in\"] && subject =~ 'log in'");
    assertThat(Conditions.rewriteIn("attributes.in == 'x' || inbound in ['y']"))
        .isEqualTo("attributes.in == 'x' || inbound =~ ['y']");
  }

  @Test
  void theRefusalNamesTheFeature() {
    RulesException e = catchThrowableOfType(RulesException.class, () -> RoutingRules.parse("r.yaml", rules("''.getClass() != null"), 1));
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.key()).isEqualTo("rules[0].when");
      assertThat(p.line()).isEqualTo(4);
      assertThat(p.message()).contains("method call").contains("column");
    });
  }
}
