package io.switchboard.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every benchmark's command line and report share: {@code --name value} options and the machine's load average. */
public final class BenchmarkArgs {
  private BenchmarkArgs() {}

  /** The value after {@code name} in {@code args}, or {@code fallback} when it is not given. */
  public static String option(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  /** {@link #option} as a number. */
  public static int intOption(String[] args, String name, int fallback) {
    return Integer.parseInt(option(args, name, Integer.toString(fallback)));
  }

  /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, or "n/a" where there is none. */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}
