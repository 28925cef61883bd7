package io.switchboard.voice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingTest {
  @TempDir
  Path dir;

  /** {@code seconds} of the sum of these tones at 8 kHz, each at amplitude 4000. */
  static short[] tones(double seconds, double... hz) {
    short[] s = new short[(int) (seconds * 8000)];
    for (int i = 0; i < s.length; i++) {
      double v = 0;
      for (double f : hz) {
        v += 4000 * Math.sin(2 * Math.PI * f * i / 8000);
      }
      s[i] = (short) v;
    }
    return s;
  }

  Recording roundTrip(short[] samples) throws IOException {
    Path wav = dir.resolve("t.wav");
    Files.write(wav, Recording.of(samples, 8000).wav());
    return Recording.read(wav);
  }

  @Test
  void aToneIsFoundInEveryWindowAndOthersInNone() throws Exception {
    Recording r = roundTrip(tones(2, 1100));
    assertThat(r.seconds()).isEqualTo(2.0);
    assertThat(r.presence(1100)).isEqualTo(1.0);
    assertThat(r.presence(500)).isZero();
    assertThat(r.presence(1700)).isZero();
  }

  @Test
  void eachToneOfAMixIsFound() throws Exception {
    Recording r = roundTrip(tones(2, 500, 1100, 1700));
    assertThat(r.presence(500)).isEqualTo(1.0);
    assertThat(r.presence(1100)).isEqualTo(1.0);
    assertThat(r.presence(1700)).isEqualTo(1.0);
    assertThat(r.presence(2300)).isZero();
  }

  @Test
  void aToneHeardHalfTheTimeHasHalfThePresenceAndSilenceHoldsNoTone() throws Exception {
    short[] half = tones(2, 500);
    Arrays.fill(half, 8000, 16000, (short) 0);
    assertThat(roundTrip(half).presence(500)).isEqualTo(0.5);
    assertThat(roundTrip(new short[16000]).presence(500)).isZero();
    assertThat(roundTrip(new short[100]).presence(500)).as("shorter than a window").isZero();
  }

  @Test
  void aToneFarBelowTheOthersIsNotHeard() throws Exception {
    short[] loud = tones(2, 1100);
    short[] faint = tones(2, 1700);
    for (int i = 0; i < loud.length; i++) {
      loud[i] = (short) (loud[i] + faint[i] / 100); // 40 dB below
    }
    assertThat(roundTrip(loud).presence(1700)).isZero();
  }

  @Test
  void aRecordingStillBeingWrittenIsReadToTheEnd() throws Exception {
    byte[] bytes = Recording.of(tones(1, 500), 8000).wav();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0); // data size not written yet
    Path wav = dir.resolve("open.wav");
    Files.write(wav, bytes);
    assertThat(Recording.read(wav).seconds()).isEqualTo(1.0);
  }

  @Test
  void filesThatAreNoMonoSixteenBitWaveAreRefused() throws Exception {
    Path text = dir.resolve("x.wav");
    Files.writeString(text, "not a recording at all");
    assertThatThrownBy(() -> Recording.read(text)).isInstanceOf(IOException.class).hasMessageContaining("not a RIFF/WAVE");
    Files.write(text, new byte[3]);
    assertThatThrownBy(() -> Recording.read(text)).isInstanceOf(IOException.class).hasMessageContaining("not a RIFF/WAVE");

    byte[] stereo = Recording.of(tones(1, 500), 8000).wav();
    ByteBuffer.wrap(stereo).order(ByteOrder.LITTLE_ENDIAN).putShort(22, (short) 2);
    Files.write(text, stereo);
    assertThatThrownBy(() -> Recording.read(text)).isInstanceOf(IOException.class).hasMessageContaining("2 channels");

    byte[] noData = Arrays.copyOf(Recording.of(tones(1, 500), 8000).wav(), 36);
    Files.write(text, noData);
    assertThatThrownBy(() -> Recording.read(text)).isInstanceOf(IOException.class).hasMessageContaining("no data chunk");

    assertThatThrownBy(() -> Recording.read(dir.resolve("missing.wav"))).isInstanceOf(IOException.class);
  }

  @Test
  void aSteadyToneIsMadeAtEightKilohertz() {
    Recording r = Recording.tone(1700, 0.5);
    assertThat(r.seconds()).isEqualTo(0.5);
    assertThat(r.presence(1700)).isEqualTo(1.0);
    assertThat(r.presence(1100)).isZero();
    assertThatThrownBy(() -> Recording.tone(4000, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Recording.tone(500, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void frequenciesOutsideWhatTheRecordingCanHoldAreRefused() {
    Recording r = Recording.of(tones(1, 500), 8000);
    assertThatThrownBy(() -> r.presence(4000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.presence(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Recording.of(new short[0], 1000)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tonesHeardAtTheSameTimeAreFoundTogetherOnlyWhereBothAre() throws Exception {
    // 2 s: the first second holds 500 Hz alone, the second 500 and 1100 Hz mixed (one side, then both sides talking).
    short[] alone = tones(1, 500);
    short[] both = tones(1, 500, 1100);
    short[] call = Arrays.copyOf(alone, alone.length + both.length);
    System.arraycopy(both, 0, call, alone.length, both.length);
    Recording r = roundTrip(call);
    assertThat(r.together(500, 1100)).isEqualTo(0.5);
    assertThat(r.together(1100, 500)).isEqualTo(0.5);
    assertThat(r.together(500)).isEqualTo(r.presence(500)).isEqualTo(1.0);
    assertThat(r.together(500, 1700)).isZero();
    assertThat(roundTrip(tones(2, 500, 1100, 1700)).together(500, 1100, 1700)).isEqualTo(1.0);
    assertThat(roundTrip(new short[100]).together(500, 1100)).as("shorter than a window").isZero();
  }

  @Test
  void tonesLookedForTogetherMustBeDistinctAndAudible() {
    Recording r = Recording.of(tones(1, 500, 1100), 8000);
    assertThatThrownBy(() -> r.together()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tone");
    assertThatThrownBy(() -> r.together((double[]) null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.together(500, 500)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> r.together(500, 4000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.together(500, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.together(500, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
