package io.switchboard.voice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sound files of steady tones for test phones to play ({@link TestPhones#saysTone}): 10 s of {@link Recording#tone} as
 * a WAV file, written once per test JVM into a temporary folder that is deleted when the JVM exits.
 */
final class ToneFiles {
  private static final Map<Integer, Path> files = new ConcurrentHashMap<>();
  private static volatile Path dir;

  private ToneFiles() {}

  /** The tone's file without its {@code .wav} ending, as Asterisk's {@code Playback} takes it. */
  static String of(int hz) {
    Path wav = files.computeIfAbsent(hz, f -> {
      try {
        Path file = folder().resolve("tone-" + f + ".wav");
        Files.write(file, Recording.tone(f, 10).wav());
        file.toFile().deleteOnExit();
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the tone file of " + f + " Hz", e);
      }
    });
    String name = wav.toString();
    return name.substring(0, name.length() - ".wav".length());
  }

  private static synchronized Path folder() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("switchboard-tones-");
      dir.toFile().deleteOnExit();
    }
    return dir;
  }
}
