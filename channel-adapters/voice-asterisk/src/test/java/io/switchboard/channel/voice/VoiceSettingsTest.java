package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code channels.voice} section: defaults, and every problem named at once. */
class VoiceSettingsTest {

  @Test
  void defaultsAndTheMultiNodeSettings() {
    VoiceSettings d = VoiceSettings.of(Map.of());
    assertThat(d.callLease()).isEqualTo(Duration.ofSeconds(15));
    assertThat(d.agiAddress()).isNull();
    VoiceSettings s = VoiceSettings.of(Map.of("callLease", "6s", "agiAddress", "10.0.0.5:4573"));
    assertThat(s.callLease()).isEqualTo(Duration.ofSeconds(6));
    assertThat(s.agiAddress()).isEqualTo("10.0.0.5:4573");
    assertThat(VoiceSettings.of(Map.of("agiAddress", "hub-2.example.net:4573")).agiAddress()).isEqualTo("hub-2.example.net:4573");
  }

  @Test
  void badLeasesAndAddressesAreNamedAllAtOnce() {
    assertThatThrownBy(() -> VoiceSettings.of(Map.of("callLease", "1s", "agiAddress", "10.0.0.5")))
        .hasMessageContaining("channels.voice.callLease: must be from 3s to 5m")
        .hasMessageContaining("channels.voice.agiAddress: must be host:port");
    for (String bad : new String[] {"10.0.0.5:4573/agent", "hub:4573,x", "hub\u0000:4573", "hub :4573", "h".repeat(300) + ":4573",
        "hub:4573&other:4573", ":"}) {
      assertThatThrownBy(() -> VoiceSettings.of(Map.of("agiAddress", bad))).as(bad).hasMessageContaining("channels.voice.agiAddress");
    }
    assertThatThrownBy(() -> VoiceSettings.of(Map.of("callLease", "10m"))).hasMessageContaining("callLease");
    assertThatThrownBy(() -> VoiceSettings.of(Map.of("callLease", "soon"))).hasMessageContaining("callLease");
  }
}
