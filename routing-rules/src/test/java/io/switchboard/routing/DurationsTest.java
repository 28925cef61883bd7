package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"500ms,PT0.5S", "20s,PT20S", "15m,PT15M", "2h,PT2H", "1d,PT24H", "1h30m,PT1H30M", "PT15M,PT15M", "pt1m,PT1M", "0s,PT0S"})
  void parseShouldReadEveryForm(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "15", "15 m", "m", "1m1h", "1s1s", "-5s", "PT-5S", "P", "fifteen minutes", "1.5m"})
  void parseShouldRefuseAnythingElse(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("Exception");
  }

  @ParameterizedTest
  @ValueSource(strings = {"500ms", "20s", "15m", "2h", "1h30m", "1d2h", "0s", "1m500ms"})
  void formatShouldRoundTrip(String text) {
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
  }
}
