package io.switchboard.voice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.asteriskjava.manager.event.AgiExecEndEvent;
import org.asteriskjava.manager.event.AgiExecStartEvent;
import org.asteriskjava.manager.event.DtmfEndEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.junit.jupiter.api.Test;

class AsteriskCallsTest {
  static final String PHONE = "caller-1-42";

  /** The AMI events of one caller's session on {@code <phone>-2}, as a test's connection hears them. */
  static final class Session {
    final List<ManagerEvent> events = new ArrayList<>();

    Session start(String command) {
      return start(PHONE, command);
    }

    Session start(String phone, String command) {
      AgiExecStartEvent e = new AgiExecStartEvent(this);
      e.setUniqueId(phone + "-2");
      e.setCommand(command);
      events.add(e);
      return this;
    }

    Session end(String command) {
      AgiExecEndEvent e = new AgiExecEndEvent(this);
      e.setUniqueId(PHONE + "-2");
      e.setCommand(command);
      events.add(e);
      return this;
    }

    Session dtmf(String uniqueId, String digit, String direction) {
      DtmfEndEvent e = new DtmfEndEvent(this);
      e.setUniqueId(uniqueId);
      e.setDigit(digit);
      e.setDirection(direction);
      events.add(e);
      return this;
    }

    Session received(String digit) {
      return dtmf(PHONE + "-2", digit, "Received");
    }
  }

  @Test
  void anAgiCommandIsSplitIntoWordsWithQuotedAndEmptyOnes() {
    assertThat(AsteriskCalls.words("STREAM FILE \"beep\" \"129\"")).containsExactly("STREAM", "FILE", "beep", "129");
    assertThat(AsteriskCalls.words("STREAM FILE beep \"\"")).containsExactly("STREAM", "FILE", "beep", "");
    assertThat(AsteriskCalls.words("WAIT FOR DIGIT 3000")).containsExactly("WAIT", "FOR", "DIGIT", "3000");
    assertThat(AsteriskCalls.words("SAY NUMBER \"5\"  \"1 2\"")).containsExactly("SAY", "NUMBER", "5", "1 2");
    assertThat(AsteriskCalls.words("")).isEmpty();
  }

  @Test
  void aKeyThatReachesTheSessionWhileACommandReadsItIsHeard() {
    Session s = new Session().start("WAIT FOR DIGIT 300");
    int pressed = s.events.size();
    assertThat(AsteriskCalls.heard(s.events, PHONE, '1', pressed)).as("not come yet").isNull();
    s.received("1").end("WAIT FOR DIGIT 300");
    assertThat(AsteriskCalls.heard(s.events, PHONE, '1', pressed)).isTrue();

    Session prompt = new Session().start("STREAM FILE \"beep\" \"19\"").received("9");
    assertThat(AsteriskCalls.heard(prompt.events, PHONE, '9', 0)).as("an escape digit of the prompt").isTrue();
    Session data = new Session().start("GET DATA beep 5000 4").received("4").received("7");
    assertThat(AsteriskCalls.heard(data.events, PHONE, '7', 0)).isTrue();
  }

  @Test
  void aKeyThatReachesTheSessionBetweenTwoCommandsOrDuringOneThatIgnoresItIsDropped() {
    // The wait ended before the key came (a loaded machine): Asterisk read the key between two commands.
    Session between = new Session().start("WAIT FOR DIGIT 300").end("WAIT FOR DIGIT 300").received("1")
        .start("WAIT FOR DIGIT 300");
    assertThat(AsteriskCalls.heard(between.events, PHONE, '1', 0)).isFalse();
    Session music = new Session().start("WAIT FOR DIGIT 300").end("WAIT FOR DIGIT 300").start("SET MUSIC ON off")
        .received("1");
    assertThat(AsteriskCalls.heard(music.events, PHONE, '1', 0)).isFalse();
    Session prompt = new Session().start("STREAM FILE \"beep\" \"\"").received("1");
    assertThat(AsteriskCalls.heard(prompt.events, PHONE, '1', 0)).as("no escape digits").isFalse();
    assertThat(AsteriskCalls.heard(new Session().received("1").events, PHONE, '1', 0)).as("no command yet").isFalse();
  }

  @Test
  void onlyTheSessionsOwnChannelReceivingThatKeyAfterThePressCounts() {
    Session s = new Session().start("WAIT FOR DIGIT 300")
        .received("2") // another key
        .dtmf(PHONE, "1", "Sent") // the phone's own half sending it
        .dtmf("caller-7-42-2", "1", "Received") // another caller
        .dtmf(PHONE + "-2", "1", "Sent");
    assertThat(AsteriskCalls.heard(s.events, PHONE, '1', 0)).isNull();
    s.received("1");
    assertThat(AsteriskCalls.heard(s.events, PHONE, '1', s.events.size() - 1)).isTrue();
    assertThat(AsteriskCalls.heard(s.events, PHONE, '1', s.events.size())).as("pressed after that key came").isNull();
    Session other = new Session().start("caller-7-42", "WAIT FOR DIGIT 300").received("1");
    assertThat(AsteriskCalls.heard(other.events, PHONE, '1', 0)).as("another caller's session reads").isFalse();
  }

  @Test
  void keysThatAreNoDtmfAreRefusedBeforeAnyIsPressed() {
    // press and pressNow check the keys first (no Asterisk needed to see it).
    for (String bad : new String[] {null, "", "1x", "12 3", "1\u00003", "\n", "e", "5".repeat(3) + "%"}) {
      assertThatThrownBy(() -> AsteriskCalls.checkKeys(bad)).as(String.valueOf(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("not DTMF keys").hasMessageNotContaining("\u0000");
    }
    AsteriskCalls.checkKeys("0123456789*#ABCD");
  }
}
