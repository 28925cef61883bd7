package io.switchboard.voice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestPhonesTest {
  @Test
  void phonesBecomeDialplanExtensions() {
    String dialplan = TestPhones.context("test-phones").answersAfter("1001", 1).neverAnswers("1002")
        .and("test-customers").busy("+4930100002").exten("_+X.", "Busy(5)").toString();
    assertThat(dialplan).isEqualTo("""
        [test-phones]
        exten => 1001,1,Wait(1)
         same => n,Answer()
         same => n,Wait(600)
        exten => 1002,1,Wait(600)
        [test-customers]
        exten => +4930100002,1,Busy(5)
        exten => _+X.,1,Busy(5)
        """);
  }

  @Test
  void aPhoneSayingAToneLoopsASoundFileOfIt() throws Exception {
    String dialplan = TestPhones.context("audio").saysTone("agent", 1100).toString();
    var m = java.util.regex.Pattern.compile("""
        \\[audio]
        exten => agent,1,Answer\\(\\)
         same => n,Playback\\((/.+/tone-1100)\\)
         same => n,Goto\\(2\\)
        """).matcher(dialplan);
    assertThat(m.matches()).as(dialplan).isTrue();
    Recording file = Recording.read(java.nio.file.Path.of(m.group(1) + ".wav"));
    assertThat(file.seconds()).isEqualTo(10.0);
    assertThat(file.presence(1100)).isEqualTo(1.0);
    assertThat(TestPhones.context("again").saysTone("x", 1100).toString()).as("one file per tone").contains(m.group(1) + ")");
  }

  @Test
  void badNamesAndTonesAreRefused() {
    assertThatThrownBy(() -> TestPhones.context("a]b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TestPhones.context("p").answers("10,01")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TestPhones.context("p").exten("1001")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TestPhones.context("p").saysTone("1001", 4000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TestPhones.context(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
