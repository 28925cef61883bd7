package io.switchboard.channel.voice;

import java.util.List;
import java.util.stream.Collectors;

/** An IVR file that cannot be used; lists every problem with its file, line and key. */
public final class IvrException extends Exception {

  /** One problem: {@code file:line: key: message}. Line is 1-based, 0 when unknown. */
  public record Problem(String file, int line, String key, String message) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + key + ": " + message;
    }
  }

  private final List<Problem> problems;

  public IvrException(List<Problem> problems) {
    super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
