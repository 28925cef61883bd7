package io.switchboard.hub.core.csat;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("social survey answers: what counts as a rating")
class SurveyAnswersTest {
  private static InboundContact text(String body, Map<String, String> metadata) {
    return new InboundContact(Channel.SOCIAL, "x-1", SenderAddress.handle("telegram", "1"), "Lena", "telegram:1", List.of(), null,
        new MessageContent.Text(body), metadata, Instant.now());
  }

  @Test
  void aNumberFromOneToFiveAButtonOrStarsIsARating() {
    assertThat(SurveyAnswers.rating(text("4", Map.of()))).isEqualTo(4);
    assertThat(SurveyAnswers.rating(text("  5/5 ", Map.of()))).isEqualTo(5);
    assertThat(SurveyAnswers.rating(text("1.", Map.of()))).isEqualTo(1);
    assertThat(SurveyAnswers.rating(text("\u2B50\u2B50\u2B50", Map.of()))).isEqualTo(3);
    assertThat(SurveyAnswers.rating(text("\u2B50\uFE0F\u2B50\uFE0F", Map.of()))).isEqualTo(2);
    assertThat(SurveyAnswers.rating(text("***", Map.of()))).isEqualTo(3);
    assertThat(SurveyAnswers.rating(text("Sehr gut", Map.of("telegram.callbackData", "csat:5")))).isEqualTo(5);
  }

  @Test
  void anythingElseIsNot() {
    for (String s : new String[] {"0", "6", "45", "4 stars please", "four", "\u2B50\u2B50\u2B50\u2B50\u2B50\u2B50", "-3", "4/10",
        "\u0000", "5\u00004"}) {
      assertThat(SurveyAnswers.rating(text(s, Map.of()))).as("'%s'", s).isNull();
    }
    assertThat(SurveyAnswers.rating(text("x", Map.of("telegram.callbackData", "csat:9")))).isNull();
    assertThat(SurveyAnswers.rating(text("x", Map.of("telegram.callbackData", "rate:5")))).isNull();
    assertThat(SurveyAnswers.rating(new InboundContact(Channel.SOCIAL, "x-2", SenderAddress.handle("telegram", "1"), "Lena",
        "telegram:1", List.of(), null, new MessageContent.Location(1, 2, "here"), Map.of(), Instant.now()))).isNull();
  }
}
