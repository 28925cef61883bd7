package io.switchboard.voice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AsteriskCallsTest {
  @Test
  void anAgiCommandIsSplitIntoWordsWithQuotedAndEmptyOnes() {
    assertThat(AsteriskCalls.words("STREAM FILE \"beep\" \"129\"")).containsExactly("STREAM", "FILE", "beep", "129");
    assertThat(AsteriskCalls.words("STREAM FILE beep \"\"")).containsExactly("STREAM", "FILE", "beep", "");
    assertThat(AsteriskCalls.words("WAIT FOR DIGIT 3000")).containsExactly("WAIT", "FOR", "DIGIT", "3000");
    assertThat(AsteriskCalls.words("SAY NUMBER \"5\"  \"1 2\"")).containsExactly("SAY", "NUMBER", "5", "1 2");
    assertThat(AsteriskCalls.words("")).isEmpty();
  }
}
