package io.switchboard.voice.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a phone heard: 16-bit mono PCM (a WAV file as Asterisk's {@code MixMonitor} writes it), and which tones are in
 * it. A tone is looked for in windows of {@value #WINDOW_MS} ms with a Goertzel filter at its frequency: the window
 * holds the tone when that frequency carries at least {@value #SHARE} of the window's energy; windows quieter than
 * {@value #SILENCE_RMS} (RMS of 32767) hold no tone. {@link #presence} is the share of all windows that hold it, so
 * gaps and jitter on a loaded machine lower it a little, and a tone that is not there at all gives 0; {@link #together}
 * is the share of windows that hold several tones at once (both sides of a call heard at the same time).
 */
public final class Recording {
  /** Window length of the tone search. */
  public static final int WINDOW_MS = 100;
  /** Share of a window's energy at a frequency from which the window holds that tone. */
  public static final double SHARE = 0.05;
  /** RMS below which a window is silence. */
  public static final double SILENCE_RMS = 30;

  private final short[] samples;
  private final int rate;

  private Recording(short[] samples, int rate) {
    if (rate < 8_000 || rate > 48_000) {
      throw new IllegalArgumentException("unsupported sample rate " + rate);
    }
    this.samples = samples;
    this.rate = rate;
  }

  /** Samples at {@code rate} per second. */
  public static Recording of(short[] samples, int rate) {
    return new Recording(samples.clone(), rate);
  }

  /** {@code seconds} of a steady sine tone of {@code hz} at 8,000 samples per second, at about -18 dB of full scale. */
  public static Recording tone(double hz, double seconds) {
    if (hz <= 0 || hz >= 4_000 || seconds <= 0) {
      throw new IllegalArgumentException("no tone of " + hz + " Hz for " + seconds + " s at 8,000 samples per second");
    }
    short[] samples = new short[(int) Math.round(seconds * 8_000)];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) Math.round(4_000 * Math.sin(2 * Math.PI * hz * i / 8_000));
    }
    return new Recording(samples, 8_000);
  }

  /**
   * Reads a RIFF/WAVE file of 16-bit mono PCM. A data chunk whose size is 0 or larger than the file (a recording still
   * being written) is read to the end of the file.
   *
   * @throws IOException when the file cannot be read, is no WAVE file, or holds another format
   */
  public static Recording read(Path wav) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) { // "RIFF", "WAVE"
      throw new IOException(wav + " is not a RIFF/WAVE file");
    }
    b.position(12);
    Integer rate = null;
    while (b.remaining() >= 8) {
      int id = b.getInt();
      long size = Integer.toUnsignedLong(b.getInt());
      if (id == 0x20746d66) { // "fmt "
        if (size < 16 || b.remaining() < 16) {
          throw new IOException(wav + ": short fmt chunk");
        }
        int at = b.position();
        int format = Short.toUnsignedInt(b.getShort(at));
        int channels = b.getShort(at + 2);
        int bits = b.getShort(at + 14);
        if (format != 1 || channels != 1 || bits != 16) {
          throw new IOException(wav + ": format " + format + ", " + channels + " channels, " + bits
              + " bits; want PCM (1), 1 channel, 16 bits");
        }
        rate = b.getInt(at + 4);
        b.position((int) Math.min(b.limit(), at + size + (size & 1)));
      } else if (id == 0x61746164) { // "data"
        if (rate == null) {
          throw new IOException(wav + ": data before fmt");
        }
        int bytes = size == 0 || size > b.remaining() ? b.remaining() : (int) size;
        short[] samples = new short[bytes / 2];
        b.asShortBuffer().get(samples);
        return new Recording(samples, rate);
      } else {
        b.position((int) Math.min(b.limit(), b.position() + size + (size & 1)));
      }
    }
    throw new IOException(wav + ": no data chunk");
  }

  /** This recording as a WAV file's bytes (16-bit mono PCM). */
  public byte[] wav() {
    ByteBuffer b = ByteBuffer.allocate(44 + samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x46464952).putInt(36 + samples.length * 2).putInt(0x45564157);
    b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
        .putShort((short) 2).putShort((short) 16);
    b.putInt(0x61746164).putInt(samples.length * 2);
    for (short s : samples) {
      b.putShort(s);
    }
    return b.array();
  }

  /** Length in seconds. */
  public double seconds() {
    return samples.length / (double) rate;
  }

  /** The share (0 to 1) of the recording's windows that hold a tone of {@code hz}. 0 for a recording under one window. */
  public double presence(double hz) {
    return together(hz);
  }

  /**
   * The share (0 to 1) of the recording's windows that hold every one of these tones at once: a recording of both
   * sides of a call, each saying a tone of its own, holds both in every window where both sides were heard. 0 for a
   * recording under one window.
   *
   * @throws IllegalArgumentException for no tone, the same tone twice, or a tone the recording cannot hold
   */
  public double together(double... hz) {
    if (hz == null || hz.length == 0) {
      throw new IllegalArgumentException("no tone to look for");
    }
    if (java.util.Arrays.stream(hz).distinct().count() < hz.length) {
      throw new IllegalArgumentException("a tone named twice: " + java.util.Arrays.toString(hz));
    }
    for (double f : hz) {
      if (!(f > 0 && f < rate / 2.0)) {
        throw new IllegalArgumentException(f + " Hz cannot be heard at " + rate + " samples per second");
      }
    }
    int n = rate * WINDOW_MS / 1000;
    int windows = samples.length / n;
    if (windows == 0) {
      return 0;
    }
    int holding = 0;
    for (int w = 0; w < windows; w++) {
      boolean all = true;
      for (int t = 0; t < hz.length && all; t++) {
        all = holds(w * n, n, hz[t]);
      }
      if (all) {
        holding++;
      }
    }
    return holding / (double) windows;
  }

  /** Whether the {@code n} samples from {@code start} hold a tone of {@code hz} (Goertzel); silence holds none. */
  private boolean holds(int start, int n, double hz) {
    double coeff = 2 * Math.cos(2 * Math.PI * hz / rate);
    double energy = 0;
    double s1 = 0;
    double s2 = 0;
    for (int i = start; i < start + n; i++) {
      double x = samples[i];
      energy += x * x;
      double s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    if (Math.sqrt(energy / n) < SILENCE_RMS) {
      return false;
    }
    double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    // A pure tone at hz: power ≈ (A·n/2)², energy ≈ A²·n/2, so the share is ≈ 1.
    return 2 * power / (n * energy) >= SHARE;
  }
}
