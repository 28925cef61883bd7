package io.switchboard.voice.testkit;

import java.util.regex.Pattern;

/**
 * The test's phones as dialplan text, one context at a time: an agent's phone endpoint {@code Local/<exten>@<context>/n}
 * (or a callback's customer, {@code Local/{number}@<context>}) lands on one of these extensions. Phones stay up for
 * ten minutes unless hung up; the private Asterisk goes with the test class.
 *
 * <pre>{@code
 * TestPhones.context("test-phones").answersAfter("1001", 1).neverAnswers("1002")
 *     .context("test-customers").busy("+4930100002")
 * }</pre>
 */
public final class TestPhones {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern EXTEN = Pattern.compile("[A-Za-z0-9+_.-]+");
  private final StringBuilder text = new StringBuilder();

  private TestPhones() {}

  /** Starts the dialplan with the context {@code name}. */
  public static TestPhones context(String name) {
    return new TestPhones().and(name);
  }

  /** Starts another context. */
  public TestPhones and(String name) {
    text.append('[').append(checked(name)).append("]\n");
    return this;
  }

  /** A phone that answers at once. */
  public TestPhones answers(String exten) {
    return exten(exten, "Answer()", "Wait(600)");
  }

  /** A phone that rings for {@code seconds}, then answers. */
  public TestPhones answersAfter(String exten, int seconds) {
    return exten(exten, "Wait(" + seconds + ")", "Answer()", "Wait(600)");
  }

  /** A phone that rings and is never answered. */
  public TestPhones neverAnswers(String exten) {
    return exten(exten, "Wait(600)");
  }

  /** A phone that is busy. */
  public TestPhones busy(String exten) {
    return exten(exten, "Busy(5)");
  }

  /**
   * A phone that answers and says one steady tone of {@code hz} until hung up: a sound file of the tone
   * ({@link Recording#tone}, written once per test JVM) played over and over. A file, not {@code Playtones}: a
   * generator on the phone's half of a Local channel silences a {@code ChanSpy} running on the other half.
   */
  public TestPhones saysTone(String exten, int hz) {
    return exten(exten, "Answer()", "Playback(" + ToneFiles.of(hz) + ")", "Goto(2)");
  }

  /** An extension running these dialplan applications in order ({@code exten} may be a pattern such as {@code _+X.}). */
  public TestPhones exten(String exten, String... steps) {
    if (steps.length == 0) {
      throw new IllegalArgumentException("extension " + exten + " has no steps");
    }
    if (exten == null || !EXTEN.matcher(exten).matches()) {
      throw new IllegalArgumentException("not an extension: " + exten);
    }
    text.append("exten => ").append(exten).append(",1,").append(steps[0]).append('\n');
    for (int i = 1; i < steps.length; i++) {
      text.append(" same => n,").append(steps[i]).append('\n');
    }
    return this;
  }

  private static String checked(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a dialplan name: " + name);
    }
    return name;
  }

  /** The dialplan text, to append to the sample's. */
  @Override
  public String toString() {
    return text.toString();
  }
}
