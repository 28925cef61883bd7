package io.switchboard.hub.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a process is, read from /proc on Linux (the only platform whose server binaries the hub ships). */
final class ProcessArgs {
  private ProcessArgs() {}

  /** The process's command line, split into arguments; empty when it cannot be read. */
  static List<String> of(ProcessHandle p) {
    try {
      String s = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>(Arrays.asList(s.split("\0")));
      out.removeIf(String::isEmpty);
      if (out.size() == 1) { // a process that rewrote its title (redis-server 127.0.0.1:6379)
        out = new ArrayList<>(Arrays.asList(out.get(0).trim().split(" +")));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** The {@code -D} argument (PostgreSQL's data directory), normalised. */
  static Optional<Path> dataDirectory(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("-D") && i + 1 < args.size()) {
        return Optional.of(Path.of(args.get(i + 1)).toAbsolutePath().normalize());
      }
      if (args.get(i).startsWith("-D") && args.get(i).length() > 2) {
        return Optional.of(Path.of(args.get(i).substring(2)).toAbsolutePath().normalize());
      }
    }
    return Optional.empty();
  }

  static Optional<Path> workingDirectory(ProcessHandle p) {
    try {
      return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toAbsolutePath().normalize());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
