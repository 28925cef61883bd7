package io.switchboard.hub.core.csat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("surveys: in config/analytics.yaml, checked with file:line problems")
class SurveySettingsTest {

  @Test
  void queuesAskOnTheirChannelsInTheirOwnWordsAndUnlistedQueuesAskNothing() {
    SurveySettings s = SurveySettings.parse("analytics.yaml", """
        reports:
          refreshSeconds: 5
        surveys:
          linkValidDays: 3
          question: "How did we do?"
          queues:
            billing:
              channels: [chat, email]
              question: "How did billing do?"
            general: {enabled: false}
            vip: {}
        """);
    assertThat(s.linkValid()).isEqualTo(Duration.ofDays(3));
    assertThat(s.forQueue("billing", "chat")).get().extracting(SurveySettings.QueueSurvey::question).isEqualTo("How did billing do?");
    assertThat(s.forQueue("billing", "social")).isEmpty();
    assertThat(s.forQueue("general", "chat")).isEmpty();
    assertThat(s.forQueue("vip", "voice")).get().extracting(SurveySettings.QueueSurvey::question).isEqualTo("How did we do?");
    assertThat(s.forQueue("vip", "voice").get().channels()).isEqualTo(Set.of("chat", "email", "social", "voice"));
    assertThat(s.forQueue("unknown", "chat")).isEmpty();
    assertThat(s.forQueue(null, "chat")).isEmpty();
    assertThat(SurveySettings.parse("a.yaml", "reports: {}\n").queues()).isEmpty();
  }

  @Test
  void everyProblemIsReportedWithFileLineAndKey() {
    assertThatThrownBy(() -> SurveySettings.parse("config/analytics.yaml", """
        surveys:
          linkValidDays: 0
          colour: blue
          queues:
            billing:
              enabled: maybe
              channels: [chat, fax, chat]
              question: ""
              extra: 1
            general: just-text
        """))
        .isInstanceOf(SurveySettings.InvalidSurveySettings.class)
        .hasMessageContaining("config/analytics.yaml:2: surveys.linkValidDays: must be a whole number of days from 1 to 90")
        .hasMessageContaining("config/analytics.yaml:3: surveys.colour: unknown key")
        .hasMessageContaining("config/analytics.yaml:6: surveys.queues.billing.enabled: must be true or false")
        .hasMessageContaining("config/analytics.yaml:7: surveys.queues.billing.channels: 'fax' is not a channel")
        .hasMessageContaining("config/analytics.yaml:7: surveys.queues.billing.channels: 'chat' is listed twice")
        .hasMessageContaining("config/analytics.yaml:8: surveys.queues.billing.question: must be a non-empty text")
        .hasMessageContaining("config/analytics.yaml:9: surveys.queues.billing.extra: unknown key")
        .hasMessageContaining("config/analytics.yaml:10: surveys.queues.general: must be a mapping");
  }

  @Test
  void wordingWithControlCharactersOrOverlongIsRefused() {
    assertThatThrownBy(() -> SurveySettings.parse("a.yaml", "surveys:\n  question: \"a\\u0000b\"\n"))
        .hasMessageContaining("a.yaml:2: surveys.question: must not contain control characters");
    assertThatThrownBy(() -> SurveySettings.parse("a.yaml", "surveys:\n  commentPrompt: " + "x".repeat(301) + "\n"))
        .hasMessageContaining("a.yaml:2: surveys.commentPrompt: is longer than 300 characters");
    assertThatThrownBy(() -> SurveySettings.parse("a.yaml", "surveys: [1, 2]\n")).hasMessageContaining("a.yaml:1: surveys: must be a mapping");
    assertThatThrownBy(() -> SurveySettings.parse("a.yaml", "surveys:\n  queues: {a: [\n")).hasMessageContaining("(yaml): is not valid YAML");
  }

  @Test
  void theAnalyticsFileFailsTheStartNamingTheLine() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("analytics", ".yaml");
    try {
      java.nio.file.Files.writeString(f, "reports:\n  refreshSeconds: 5\nsurveys:\n  queues:\n    billing:\n      channels: [pigeon]\n");
      assertThatThrownBy(() -> io.switchboard.hub.core.reports.AnalyticsSettings.load(f))
          .hasMessageContaining(f + ":6: surveys.queues.billing.channels: 'pigeon' is not a channel");
      java.nio.file.Files.writeString(f, "surveys:\n  queues:\n    billing: {channels: [chat]}\n");
      assertThat(io.switchboard.hub.core.reports.AnalyticsSettings.load(f).surveys().forQueue("billing", "chat")).isPresent();
    } finally {
      java.nio.file.Files.delete(f);
    }
  }
}
