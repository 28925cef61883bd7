package io.switchboard.voice.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What {@link PrivateAsterisk} refuses without starting an Asterisk (the rest runs in every voice test class). */
class PrivateAsteriskTest {
  final PrivateAsterisk asterisk = PrivateAsterisk.with(TestPhones.context("test-phones").answers("1001"));

  @Test
  void aRecordingIsNamedByABareFileNameOnly() {
    for (String bad : new String[] {null, "", ".", "..", "../etc/passwd", "/tmp/x.wav", "a b.wav", "x\u0000.wav", "x\n.wav",
        "ä.wav", "x".repeat(256)}) {
      assertThatThrownBy(() -> asterisk.recording(bad)).as(String.valueOf(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("not a bare file name").hasMessageNotContaining("\u0000");
    }
  }

  @Test
  void noRecordingIsFoundWhileNoAsteriskRuns() {
    assertThatThrownBy(() -> asterisk.recording("switchboard-1.wav")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(asterisk::monitorFolder).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aTestClassKnowsAtLeastOneHubNode() {
    assertThatThrownBy(() -> asterisk.nodes(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
