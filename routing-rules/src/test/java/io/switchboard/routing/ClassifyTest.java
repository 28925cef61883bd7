package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClassifyTest {
  static final String RULES =
      """
      skills: [billing, tech-support, general, vip, english, german]
      calendars:
        support:
          zone: Europe/Berlin
          hours: { mon-fri: "08:00-18:00", sat: "09:00-13:00" }
          holidays: ["2026-12-25"]
      queues:
        - id: general
          maxWait: 10m
        - id: billing
          maxWait: 15m
        - id: tech-support
        - id: vip
          maxWait: 5m
        - id: after-hours
      rules:
        - name: vip-customers
          when: "customer.tier == 'platinum' || customer.tier == 'gold'"
          queue: vip
          priority: 50
          require: { vip: 3 }
          relax:
            - after: 30s
              lower: { vip: 1 }
            - after: 60s
              widen: billing
              raisePriority: 10
        - name: billing-by-ivr
          when: "channel == 'voice' && attributes['ivr.choice'] == '1'"
          queue: billing
          require: { billing: 4, german: 3 }
          relax:
            - after: 45s
              drop: [german]
        - name: tech-by-subject
          when: "subject =~ '(?i).*(error|crash).*'"
          queue: tech-support
        - name: business-chat
          when: "channel in ['chat', 'social'] && customer.attributes['segment'] == 'business'"
          queue: billing
        - name: german
          when: "language == 'de' && open['support']"
          queue: general
          require: { german: 2 }
        - name: closed
          when: "!open.support"
          queue: after-hours
          priority: -5
        - name: default
          queue: general
      """;

  static final RoutingRules rules = Fixtures.parse(RULES);
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  /** Monday 10:00 in Berlin: open. */
  static final ZonedDateTime OPEN = ZonedDateTime.of(2026, 11, 23, 10, 0, 0, 0, BERLIN);

  static InteractionFacts facts(String channel, Map<String, String> attributes, String tier, String language, String subject) {
    return new InteractionFacts(channel, attributes, tier, language, Map.of(), subject);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("a gold customer pressing 1 goes to vip: the first match wins",
            facts("voice", Map.of("ivr.choice", "1"), "gold", "en", null), OPEN, "vip-customers"),
        Arguments.of("platinum is vip too", facts("email", null, "platinum", null, "hello"), OPEN, "vip-customers"),
        Arguments.of("silver is not vip", facts("email", null, "silver", null, "hello"), OPEN, "default"),
        Arguments.of("IVR choice 1 on voice goes to billing", facts("voice", Map.of("ivr.choice", "1"), null, "en", null), OPEN, "billing-by-ivr"),
        Arguments.of("IVR choice 2 is not billing", facts("voice", Map.of("ivr.choice", "2"), null, "en", null), OPEN, "default"),
        Arguments.of("IVR choice 1 on chat is not billing", facts("chat", Map.of("ivr.choice", "1"), null, "en", null), OPEN, "default"),
        Arguments.of("a subject keyword matches with =~ whatever the case", facts("email", null, null, "en", "App CRASHES on start"), OPEN, "tech-by-subject"),
        Arguments.of("a subject keyword inside a word matches", facts("email", null, null, "en", "Error 500"), OPEN, "tech-by-subject"),
        Arguments.of("no subject at all is no match, not an error", facts("email", null, null, "en", null), OPEN, "default"),
        Arguments.of("missing attributes are null, not errors", facts("voice", null, null, null, null), OPEN, "default"),
        Arguments.of("in tests list membership", new InteractionFacts("social", Map.of(), null, null, Map.of("segment", "business"), null), OPEN, "business-chat"),
        Arguments.of("in is false outside the list", new InteractionFacts("email", Map.of(), null, null, Map.of("segment", "business"), null), OPEN, "default"),
        Arguments.of("German during opening hours", facts("chat", null, null, "de", null), OPEN, "german"),
        Arguments.of("German on Saturday 12:00 is open", facts("chat", null, null, "de", null), at(2026, 11, 28, 12, 0), "german"),
        Arguments.of("Saturday 13:00 is closed (ranges end before their end)", facts("chat", null, null, "de", null), at(2026, 11, 28, 13, 0), "closed"),
        Arguments.of("Sunday is closed", facts("chat", null, null, "en", null), at(2026, 11, 29, 10, 0), "closed"),
        Arguments.of("Monday 07:59 is closed", facts("chat", null, null, "en", null), at(2026, 11, 23, 7, 59), "closed"),
        Arguments.of("Monday 08:00 is open", facts("chat", null, null, "en", null), at(2026, 11, 23, 8, 0), "default"),
        Arguments.of("Friday 18:00 is closed", facts("chat", null, null, "en", null), at(2026, 11, 27, 18, 0), "closed"),
        Arguments.of("a holiday is closed on a weekday", facts("chat", null, null, "en", null), at(2026, 12, 25, 10, 0), "closed"),
        Arguments.of("calendars use their own time zone: 07:30 UTC is 08:30 in Berlin",
            facts("chat", null, null, "en", null), ZonedDateTime.of(2026, 11, 23, 7, 30, 0, 0, ZoneId.of("UTC")), "default"),
        Arguments.of("the vip rule comes before the closed rule", facts("chat", null, "gold", "en", null), at(2026, 11, 29, 10, 0), "vip-customers"));
  }

  static ZonedDateTime at(int y, int mo, int d, int h, int mi) {
    return ZonedDateTime.of(y, mo, d, h, mi, 0, 0, BERLIN);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void classifyShouldPickTheFirstMatchingRule(String description, InteractionFacts facts, ZonedDateTime now, String rule) {
    assertThat(rules.classify(facts, now).rule()).isEqualTo(rule);
  }

  @Test
  @DisplayName("The classification carries queue, priority, requirements, steps and the rules version")
  void classificationShouldCarryEverythingTheRuleSays() throws RulesException {
    RoutingRules v7 = RoutingRules.parse("routing.yaml", RULES, 7);
    Classification c = v7.classify(facts("chat", null, "gold", null, null), OPEN);
    assertThat(c.rule()).isEqualTo("vip-customers");
    assertThat(c.queue()).isEqualTo("vip");
    assertThat(c.priority()).isEqualTo(50);
    assertThat(c.requirements()).containsExactly(new SkillRequirement("vip", 3));
    assertThat(c.rulesVersion()).isEqualTo(7);
    assertThat(c.steps())
        .containsExactly(
            new RelaxationStep(Duration.ofSeconds(30), List.of(new RelaxationAction.LowerSkill("vip", 1))),
            new RelaxationStep(
                Duration.ofSeconds(60),
                List.of(new RelaxationAction.WidenQueue("billing"), new RelaxationAction.RaisePriority(10))),
            new RelaxationStep(
                Duration.ofMinutes(5),
                List.of(new RelaxationAction.DropAll(), new RelaxationAction.RaisePriority(1_000_000))));
  }

  @Test
  void aRuleWithoutRequirementsGetsOnlyTheImplicitMaxWaitStep() {
    Classification c = rules.classify(facts("chat", null, null, "en", null), OPEN);
    assertThat(c.rule()).isEqualTo("default");
    assertThat(c.requirements()).isEmpty();
    assertThat(c.steps()).hasSize(1);
    assertThat(c.steps().get(0).after()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void classifyShouldReturnOneSharedClassificationPerRule() {
    Classification a = rules.classify(facts("chat", null, null, "en", null), OPEN);
    Classification b = rules.classify(facts("email", null, null, "fr", "hi"), OPEN);
    assertThat(a).isSameAs(b);
  }

  @Test
  void conditionErrorsShouldBeReportedAndCountAsNoMatch() {
    RoutingRules r =
        Fixtures.parse(
            "queues: [{id: general}]\nrules:\n  - name: starts-with-d\n    when: \"language =^ 'd'\"\n    queue: general\n"
                + "  - name: default\n    queue: general\n");
    List<String> errors = new ArrayList<>();
    Classification c =
        r.classify(facts("email", null, null, null, null), OPEN, (rule, message) -> errors.add(rule + ": " + message));
    assertThat(c.rule()).isEqualTo("default");
    assertThat(errors).singleElement().asString().startsWith("starts-with-d: ").contains("null");
    assertThat(r.classify(facts("email", null, null, "de", null), OPEN).rule()).isEqualTo("starts-with-d");
  }

  @Test
  void classifyShouldGiveTheSameAnswersFromManyThreads() throws Exception {
    List<Arguments> all = cases().toList();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          for (int round = 0; round < 200; round++) {
            for (Arguments a : all) {
              Object[] x = a.get();
              if (!rules.classify((InteractionFacts) x[1], (ZonedDateTime) x[2]).rule().equals(x[3])) return false;
            }
          }
          return true;
        }));
      }
      for (var r : results) assertThat(r.get()).isTrue();
    }
  }

  @Test
  void accessorsShouldDescribeTheFile() {
    assertThat(rules.queues().keySet()).containsExactly("general", "billing", "tech-support", "vip", "after-hours");
    assertThat(rules.queues().get("tech-support").maxWait()).isEqualTo(Duration.ofMinutes(10));
    assertThat(rules.queues().get("tech-support").name()).isEqualTo("tech-support");
    assertThat(rules.skills()).containsExactly("billing", "tech-support", "general", "vip", "english", "german");
    assertThat(rules.ruleNames())
        .containsExactly("vip-customers", "billing-by-ivr", "tech-by-subject", "business-chat", "german", "closed", "default");
    assertThat(rules.settings()).isEqualTo(RoutingSettings.DEFAULTS);
    assertThat(rules.version()).isEqualTo(1);
    assertThat(rules.sourceText()).isEqualTo(RULES);
    assertThat(rules.calendarNames()).containsExactly("support");
    assertThat(rules.isOpen("support", OPEN)).isTrue();
  }

  @Test
  void theDemoRulesShouldParseAndCoverTheDemoQueuesAndSkills() throws RulesException {
    RoutingRules demo =
        RoutingRules.parse("config/routing.yaml", Fixtures.read(Fixtures.repoFile("config/routing.yaml")), 1);
    assertThat(demo.queues().keySet()).containsExactly("general", "billing", "tech-support", "vip");
    assertThat(demo.queues().get("vip").maxWait()).isEqualTo(Duration.ofMinutes(5));
    assertThat(demo.queues().get("billing").serviceLevelThreshold()).isEqualTo(Duration.ofSeconds(30));
    assertThat(demo.skills())
        .containsExactlyInAnyOrder("billing", "tech-support", "general", "vip", "english", "german", "turkish", "french");
    assertThat(demo.settings()).isEqualTo(RoutingSettings.DEFAULTS);
    // the demo's queues as the seed defined them before routing.yaml took them over
    assertThat(demo.queues().values())
        .extracting(q -> q.id() + " " + q.serviceLevelPercent() + "% " + q.serviceLevelThreshold().toSeconds() + "s max " + q.maxWait().toSeconds() + "s")
        .containsExactly(
            "general 80.0% 20s max 600s", "billing 80.0% 30s max 900s", "tech-support 70.0% 60s max 1200s", "vip 90.0% 10s max 300s");
    assertThat(demo.classify(facts("voice", Map.of("ivr.choice", "1"), null, "de", null), OPEN).queue()).isEqualTo("billing");
    assertThat(demo.classify(facts("voice", Map.of(), null, "en", null), at(2026, 11, 29, 10, 0)).rule())
        .isEqualTo("calls-after-hours");
  }
}
