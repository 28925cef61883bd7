package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchboard.routing.RulesException.Problem;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ValidationTest {

  /** Skills and queues every case shares; {@code body} adds rules (and may add more). */
  static String doc(String body) {
    return """
        skills: [billing, german, english, vip]
        calendars:
          support:
            zone: Europe/Berlin
            hours: { mon-fri: "08:00-18:00" }
        queues:
          - id: general
            maxWait: 10m
          - id: billing
            maxWait: 2m
        """
        + body;
  }

  static final String CATCH_ALL = "  - name: default\n    queue: general\n";

  static List<Problem> problems(String yaml) {
    RulesException e = catchThrowableOfType(RulesException.class, () -> RoutingRules.parse("routing.yaml", yaml, 1));
    assertThat(e).as("expected problems in:\n" + yaml).isNotNull();
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo("routing.yaml"));
    return e.problems();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // description, yaml, marker on the offending line, key, part of the message
        Arguments.of("unknown top-level key", doc("rulez: []\nrules:\n" + CATCH_ALL), "rulez:", "rulez", "unknown key 'rulez' (did you mean 'rules'?)"),
        Arguments.of("unknown queue key", doc("rules:\n" + CATCH_ALL).replace("    maxWait: 2m", "    maxwait: 2m"), "maxwait", "queues[1].maxwait", "did you mean 'maxWait'"),
        Arguments.of("unknown rule key", doc("rules:\n  - name: a\n    prio: 3\n    queue: general\n" + CATCH_ALL), "prio:", "rules[0].prio", "unknown key"),
        Arguments.of("unknown relax key",
            doc("rules:\n  - name: a\n    when: \"channel == 'chat'\"\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 30s\n        lowr: { billing: 1 }\n" + CATCH_ALL),
            "lowr:", "rules[0].relax[0].lowr", "unknown key"),
        Arguments.of("unknown settings key", doc("settings:\n  offerTimout: 10s\nrules:\n" + CATCH_ALL), "offerTimout", "settings.offerTimout", "did you mean 'offerTimeout'"),
        Arguments.of("unknown skill in require", doc("rules:\n  - name: a\n    queue: general\n    require: { spanish: 3 }\n"), "spanish", "rules[0].require.spanish", "unknown skill 'spanish'"),
        Arguments.of("proficiency above 5", doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 7 }\n"), "billing: 7", "rules[0].require.billing", "from 1 to 5, not 7"),
        Arguments.of("proficiency 0", doc("rules:\n  - name: a\n    queue: general\n    require:\n      billing: 0\n"), "billing: 0", "rules[0].require.billing", "from 1 to 5, not 0"),
        Arguments.of("proficiency not a number", doc("rules:\n  - name: a\n    queue: general\n    require:\n      billing: high\n"), "billing: high", "rules[0].require.billing", "whole number"),
        Arguments.of("unknown queue", doc("rules:\n  - name: a\n    queue: biling\n"), "queue: biling", "rules[0].queue", "unknown queue 'biling' (did you mean 'billing'?)"),
        Arguments.of("rule without queue", doc("rules:\n  - name: a\n"), "- name: a", "rules[0].queue", "a rule needs a queue"),
        Arguments.of("unknown queue in widen",
            doc("rules:\n  - name: a\n    queue: general\n    relax:\n      - after: 30s\n        widen: [billing, sales]\n"), "widen:", "rules[0].relax[0].widen[1]", "unknown queue 'sales'"),
        Arguments.of("duplicate queue id", doc("rules:\n" + CATCH_ALL).replace("  - id: billing", "  - id: general"), "maxWait: 2m", null, null),
        Arguments.of("duplicate rule name", doc("rules:\n  - name: a\n    when: \"channel == 'chat'\"\n    queue: general\n  - name: a # again\n    queue: general\n"), "# again", "rules[1].name", "duplicate rule name 'a' (first at line 12)"),
        Arguments.of("a lower that does not lower",
            doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 30s\n        lower: { billing: 4 }\n"), "billing: 4", "rules[0].relax[0].lower.billing", "does not lower billing: it is already 3"),
        Arguments.of("a lower to the same level",
            doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 30s\n        lower: { billing: 3 }\n"), "lower: { billing: 3 }", "rules[0].relax[0].lower.billing", "does not lower"),
        Arguments.of("a lower of a skill not required",
            doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 30s\n        lower: { german: 1 }\n"), "german: 1", "rules[0].relax[0].lower.german", "not required"),
        Arguments.of("a lower of a skill dropped earlier",
            doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 30s\n        drop: billing\n      - after: 40s\n        lower: { billing: 1 }\n"), "lower: { billing: 1 }", "rules[0].relax[1].lower.billing", "not required"),
        Arguments.of("drop of an unknown skill",
            doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 30s\n        drop: [french]\n"), "drop: [french]", "rules[0].relax[0].drop[0]", "unknown skill 'french'"),
        Arguments.of("drop of a skill not required",
            doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 30s\n        drop: german\n"), "drop: german", "rules[0].relax[0].drop", "not required"),
        Arguments.of("steps not in increasing order",
            doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 60s\n        lower: { billing: 2 }\n      - after: 60s\n        lower: { billing: 1 }\n"),
            "lower: { billing: 1 }", null, null),
        Arguments.of("a step at or after the queue's maxWait",
            doc("rules:\n  - name: a\n    queue: billing\n    require: { billing: 3 }\n    relax:\n      - after: 2m\n        lower: { billing: 1 }\n" + CATCH_ALL), "after: 2m", "rules[0].relax[0].after", "is not before queue billing's maxWait (2m)"),
        Arguments.of("a step without change",
            doc("rules:\n  - name: a\n    queue: general\n    relax:\n      - after: 30s\n"), "after: 30s", "rules[0].relax[0]", "must lower, drop, widen or raisePriority"),
        Arguments.of("a bad duration", doc("rules:\n" + CATCH_ALL).replace("maxWait: 2m", "maxWait: 2 minutes"), "2 minutes", "queues[1].maxWait", "is not a duration"),
        Arguments.of("a duration without unit", doc("settings:\n  offerTimeout: 15\nrules:\n" + CATCH_ALL), "offerTimeout: 15", "settings.offerTimeout", "needs a unit"),
        Arguments.of("a zero offer timeout", doc("settings:\n  offerTimeout: 0s\nrules:\n" + CATCH_ALL), "offerTimeout: 0s", "settings.offerTimeout", "longer than zero"),
        Arguments.of("a bad ISO duration", doc("settings:\n  afterCallWork: PT5X\nrules:\n" + CATCH_ALL), "PT5X", "settings.afterCallWork", "ISO-8601"),
        Arguments.of("a setting that should be a boolean", doc("settings:\n  wrapUpRequired: maybe\nrules:\n" + CATCH_ALL), "maybe", "settings.wrapUpRequired", "true or false"),
        Arguments.of("priority above 1000", doc("rules:\n  - name: a\n    queue: general\n    priority: 5000\n"), "5000", "rules[0].priority", "from -1000 to 1000, not 5000"),
        Arguments.of("raisePriority below -1000",
            doc("rules:\n  - name: a\n    queue: general\n    relax:\n      - after: 30s\n        raisePriority: -2000\n"), "-2000", "rules[0].relax[0].raisePriority", "not -2000"),
        Arguments.of("when that is not a string", doc("rules:\n  - name: a\n    when: true\n    queue: general\n" + CATCH_ALL), "when: true", "rules[0].when", "must be a string"),
        Arguments.of("when that does not compile", doc("rules:\n  - name: a\n    when: \"channel == 'voice' &&\"\n    queue: general\n" + CATCH_ALL), "when:", "rules[0].when", "does not compile"),
        Arguments.of("when with an unknown variable", doc("rules:\n  - name: a\n    when: \"chanel == 'voice'\"\n    queue: general\n" + CATCH_ALL), "when:", "rules[0].when", "unknown variable 'chanel'"),
        Arguments.of("when naming an unknown calendar", doc("rules:\n  - name: a\n    when: \"open.sales\"\n    queue: general\n" + CATCH_ALL), "when:", "rules[0].when", "unknown calendar 'sales' in open.sales (defined: support)"),
        Arguments.of("when naming an unknown calendar by index", doc("rules:\n  - name: a\n    when: \"!open['sales']\"\n    queue: general\n" + CATCH_ALL), "when:", "rules[0].when", "unknown calendar 'sales'"),
        Arguments.of("when longer than 2000 characters",
            doc("rules:\n  - name: a\n    when: \"" + "channel == 'voice' || ".repeat(100) + "false\"\n    queue: general\n" + CATCH_ALL), "when:", "rules[0].when", "at most 2000"),
        Arguments.of("no final catch-all rule", doc("rules:\n  - name: a\n    when: \"channel == 'chat'\"\n    queue: general\n"), "- name: a", "rules[0]", "no final catch-all rule"),
        Arguments.of("a calendar with a bad zone", doc("rules:\n" + CATCH_ALL).replace("zone: Europe/Berlin", "zone: Europe/Atlantis"), "Atlantis", "calendars.support.zone", "unknown time zone"),
        Arguments.of("a calendar with a bad day", doc("rules:\n" + CATCH_ALL).replace("mon-fri:", "funday:"), "funday", "calendars.support.hours.funday", "not a day"),
        Arguments.of("a calendar with reversed hours", doc("rules:\n" + CATCH_ALL).replace("08:00-18:00", "18:00-08:00"), "18:00-08:00", "calendars.support.hours.mon-fri", "ends before it starts"),
        Arguments.of("a calendar with a bad hour", doc("rules:\n" + CATCH_ALL).replace("08:00-18:00", "08:00-25:00"), "08:00-25:00", "calendars.support.hours.mon-fri", "not a valid time"),
        Arguments.of("a calendar without zone", doc("rules:\n" + CATCH_ALL).replace("    zone: Europe/Berlin\n", ""), "support:", "calendars.support.zone", "needs a time zone"),
        Arguments.of("a day given twice", doc("rules:\n" + CATCH_ALL).replace("{ mon-fri: \"08:00-18:00\" }", "{ mon-fri: \"08:00-18:00\", fri: \"09:00-12:00\" }"), "hours:", "calendars.support.hours.fri", "fri is given twice"),
        Arguments.of("an empty queue list", "skills: [billing]\nqueues: []\nrules:\n" + CATCH_ALL, "queues: []", "queues", "the queues list is empty"),
        Arguments.of("an empty rule list", doc("rules: []\n"), "rules: []", "rules", "the rules list is empty"),
        Arguments.of("no rules at all", doc(""), "skills:", "rules", "needs a 'rules' list"),
        Arguments.of("a queue id with spaces", doc("rules:\n" + CATCH_ALL).replace("id: billing", "id: billing team"), "billing team", "queues[1].id", "one word"),
        Arguments.of("a duplicate key", doc("rules:\n  - name: a\n    queue: general\n    queue: billing\n"), "queue: billing", "rules[0].queue", "duplicate key 'queue'"),
        Arguments.of("a YAML syntax error", doc("rules:\n  - name: a\n    queue: [general\n"), null, "", "not valid YAML"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void parseShouldReportTheProblemWithItsLineAndKey(String description, String yaml, String marker, String key, String message) {
    List<Problem> problems = problems(yaml);
    if (key == null) {
      return; // cases with their own test below
    }
    int line = marker == null ? -1 : Fixtures.lineOf(yaml, marker);
    assertThat(problems)
        .as(description)
        .anySatisfy(
            p -> {
              assertThat(p.key()).isEqualTo(key);
              if (line > 0) assertThat(p.line()).isEqualTo(line);
              assertThat(p.message()).contains(message);
            });
  }

  @Test
  void duplicateQueueIdsShouldBeReportedAtTheSecond() {
    String yaml = doc("rules:\n" + CATCH_ALL).replace("  - id: billing", "  - id: general");
    assertThat(problems(yaml))
        .containsExactly(new Problem("routing.yaml", 9, "queues[1].id", "duplicate queue id 'general' (first at line 7)"));
  }

  @Test
  void stepsOutOfOrderShouldBeReportedAtTheLaterStep() {
    String yaml =
        doc("rules:\n  - name: a\n    queue: general\n    require: { billing: 3 }\n    relax:\n      - after: 60s\n        lower: { billing: 2 }\n      - after: 45s\n        lower: { billing: 1 }\n");
    assertThat(problems(yaml))
        .containsExactly(
            new Problem(
                "routing.yaml",
                Fixtures.lineOf(yaml, "after: 45s"),
                "rules[0].relax[1].after",
                "after 45s is not later than the step before (1m); steps must come in increasing order"));
  }

  @Test
  void aCatchAllBeforeOtherRulesMakesEachOfThemUnreachable() {
    String yaml =
        doc("rules:\n  - name: everything\n    queue: general\n  - name: b\n    when: \"channel == 'chat'\"\n    queue: billing\n  - name: c\n    queue: billing\n");
    assertThat(problems(yaml))
        .extracting(Problem::line, Problem::key)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Fixtures.lineOf(yaml, "- name: b"), "rules[1]"),
            org.assertj.core.groups.Tuple.tuple(Fixtures.lineOf(yaml, "- name: c"), "rules[2]"));
    assertThat(problems(yaml).get(0).message())
        .isEqualTo("unreachable: rule 'everything' (line 12) has no 'when' and takes everything first");
  }

  @Test
  void moreThan500RulesAreRefused() {
    StringBuilder rules = new StringBuilder("rules:\n");
    for (int i = 0; i < 500; i++) {
      rules.append("  - name: r").append(i).append("\n    when: \"channel == 'c").append(i).append("'\"\n    queue: general\n");
    }
    rules.append(CATCH_ALL);
    String yaml = doc(rules.toString());
    assertThat(problems(yaml))
        .containsExactly(new Problem("routing.yaml", Fixtures.lineOf(yaml, "- name: r0"), "rules", "501 rules; at most 500 are allowed"));
  }

  @Test
  void exactly500RulesAreFine() {
    StringBuilder rules = new StringBuilder("rules:\n");
    for (int i = 0; i < 499; i++) {
      rules.append("  - name: r").append(i).append("\n    when: \"channel == 'c").append(i).append("'\"\n    queue: general\n");
    }
    rules.append(CATCH_ALL);
    assertThat(Fixtures.parse(doc(rules.toString())).ruleNames()).hasSize(500);
  }

  @Test
  void aYamlSyntaxErrorCarriesTheLineFromTheParser() {
    String yaml = doc("rules:\n  - name: a\n    queue: general\n   bad: indentation\n");
    List<Problem> problems = problems(yaml);
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).line()).isEqualTo(Fixtures.lineOf(yaml, "bad: indentation"));
    assertThat(problems.get(0).message()).startsWith("not valid YAML: ");
  }

  @Test
  void everyProblemIsReportedNotJustTheFirst() {
    String yaml =
        doc("""
            rules:
              - name: a
                when: "chanel == 'voice'"
                queue: sales
                priority: 2000
                require: { billing: 9, klingon: 2 }
              - name: a
                queue: general
            """);
    List<Problem> problems = problems(yaml);
    assertThat(problems)
        .extracting(Problem::key)
        .containsExactly(
            "rules[0].when", "rules[0].queue", "rules[0].priority", "rules[0].require.billing", "rules[0].require.klingon", "rules[1].name");
    assertThat(problems).isSortedAccordingTo(java.util.Comparator.comparingInt(Problem::line));
    assertThat(problems.get(0).toString()).startsWith("routing.yaml:" + Fixtures.lineOf(yaml, "chanel") + ": rules[0].when: ");
  }

  @Test
  void anEmptyFileIsAProblem() {
    assertThat(problems("")).singleElement().extracting(Problem::message).asString().contains("empty");
    assertThat(problems("# only a comment\n")).hasSize(1);
    assertThat(problems("- a\n- b\n")).singleElement().extracting(Problem::message).asString().contains("must be a mapping");
  }

  @Test
  void durationsInEveryFormAreAccepted() {
    RoutingRules r =
        Fixtures.parse(
            "settings:\n  offerTimeout: 500ms\n  stickyAgentWindow: PT2H\n  afterCallWork: 1m30s\n  pauseAgentOnOfferTimeout: false\n  wrapUpRequired: no\n"
                + "queues:\n  - id: general\n    maxWait: 2h\nrules:\n"
                + CATCH_ALL);
    assertThat(r.settings())
        .isEqualTo(
            new RoutingSettings(
                java.time.Duration.ofMillis(500), false, java.time.Duration.ofHours(2), java.time.Duration.ofSeconds(90), false));
  }
}
