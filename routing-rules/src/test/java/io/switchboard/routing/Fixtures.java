package io.switchboard.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** Shared helpers for the routing tests. */
final class Fixtures {
  private Fixtures() {}

  static RoutingRules parse(String yaml) {
    try {
      return RoutingRules.parse("test.yaml", yaml, 1);
    } catch (RulesException e) {
      throw new AssertionError("expected valid rules, got:\n" + e.getMessage(), e);
    }
  }

  /** The 1-based line of the only line containing {@code marker}. */
  static int lineOf(String text, String marker) {
    String[] lines = text.split("\n", -1);
    int found = 0;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(marker)) {
        if (found != 0) {
          throw new IllegalArgumentException("marker '" + marker + "' is on lines " + found + " and " + (i + 1));
        }
        found = i + 1;
      }
    }
    if (found == 0) {
      throw new IllegalArgumentException("marker '" + marker + "' not found");
    }
    return found;
  }

  /** A file of the repository (tests run in routing-rules/, the config lives one level up). */
  static Path repoFile(String relative) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path p = dir.resolve(relative);
      if (Files.exists(p)) {
        return p;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

  /** An available agent serving every queue, default capacity (voice 1 exclusive, chat 3, email 5), idle since T0. */
  static AgentSnapshot agent(String id, Map<String, Integer> skills) {
    return new AgentSnapshot(
        id, true, skills, Set.of(), Map.of("voice", 1, "chat", 3, "email", 5), Map.of(), Set.of("voice"), T0);
  }
}
