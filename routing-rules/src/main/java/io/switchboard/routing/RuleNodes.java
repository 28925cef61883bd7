package io.switchboard.routing;

import io.switchboard.routing.RulesException.Problem;
import io.switchboard.yaml.YamlLines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reading values out of routing.yaml's node tree for {@link RulesParser} and {@link CalendarSection}: mappings with
 * their allowed keys, lists, words, numbers, booleans and durations, each wrong value recorded as a problem with its
 * file, line and key (and a "did you mean" for near misses) instead of thrown, so one parse reports every problem.
 * One instance per parse; not thread-safe.
 */
final class RuleNodes {
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final String file;
  private final List<Problem> problems = new ArrayList<>();

  RuleNodes(String file) {
    this.file = file;
  }

  /** Whether any problem was recorded. */
  boolean failed() {
    return !problems.isEmpty();
  }

  /** The problems so far, by line, as the exception a parse ends with. */
  RulesException done() {
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparingInt(Problem::line));
    return new RulesException(sorted);
  }

  /** A mapping's entries by key, in file order, with the key nodes (for lines). */
  static final class Fields {
    final Node node;
    final String path;
    final Map<String, Node> values = new LinkedHashMap<>();
    final Map<String, Node> keys = new LinkedHashMap<>();

    Fields(Node node, String path) {
      this.node = node;
      this.path = path;
    }

    boolean has(String key) {
      return values.containsKey(key);
    }

    Node get(String key) {
      return values.get(key);
    }
  }

  /** The mapping at {@code node}; unknown (when {@code allowed} is given) and duplicate keys are problems. */
  Fields fields(Node node, String path, List<String> allowed, String what) {
    if (!(node instanceof MappingNode mapping)) {
      problem(node, path, what + " must be a mapping (key: value)");
      return null;
    }
    Fields f = new Fields(node, path);
    for (YamlLines.Entry t : YamlLines.entries(mapping)) {
      Node k = t.keyNode();
      if (t.key() == null) {
        problem(k, path, "keys must be plain names");
        continue;
      }
      String key = t.key();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      if (f.values.containsKey(key)) {
        problem(k, keyPath, "duplicate key '" + key + "' (first at line " + line(f.keys.get(key)) + ")");
        continue;
      }
      if (allowed != null && !allowed.contains(key)) {
        problem(k, keyPath, "unknown key '" + key + "'" + suggest(key, allowed) + " (expected " + String.join(", ", allowed) + ")");
        continue;
      }
      f.values.put(key, t.value());
      f.keys.put(key, k);
    }
    return f;
  }

  /** The items of a sequence; with {@code scalarToo} a single scalar counts as a one-item list. */
  List<Node> sequence(Node node, String path, String what, boolean scalarToo) {
    if (node instanceof SequenceNode seq) {
      return seq.getValue();
    }
    if (scalarToo && node instanceof ScalarNode s && s.getTag() != Tag.NULL) {
      return List.of(node);
    }
    problem(node, path, what + " must be a list" + (node instanceof ScalarNode s && s.getTag() == Tag.NULL ? " (it is empty)" : ""));
    return List.of();
  }

  String text(Node node, String key, String what) {
    if (node instanceof ScalarNode s && s.getTag() != Tag.NULL) {
      return s.getValue();
    }
    problem(node, key, what + (node instanceof ScalarNode ? " is empty" : " must be a single value, not a list or mapping"));
    return null;
  }

  String word(Node node, String key, String what) {
    String s = text(node, key, what);
    if (s != null && !WORD.matcher(s).matches()) {
      problem(node, key, what + " must be one word of letters, digits, '.', '_' or '-', not '" + s + "'");
      return null;
    }
    return s;
  }

  Integer integer(Node node, String key, int min, int max, String what) {
    if (!(node instanceof ScalarNode s) || s.getTag() != Tag.INT) {
      String shown = node instanceof ScalarNode s2 ? "'" + s2.getValue() + "'" : "a list or mapping";
      problem(node, key, what + " must be a whole number from " + min + " to " + max + ", not " + shown);
      return null;
    }
    long v;
    try {
      v = Long.parseLong(s.getValue().replace("_", "").replace("+", ""));
    } catch (NumberFormatException e) {
      problem(node, key, what + " must be a whole number from " + min + " to " + max + ", not '" + s.getValue() + "'");
      return null;
    }
    if (v < min || v > max) {
      problem(node, key, what + " must be from " + min + " to " + max + ", not " + v);
      return null;
    }
    return (int) v;
  }

  Double number(Node node, String key) {
    if (node instanceof ScalarNode s && (s.getTag() == Tag.INT || s.getTag() == Tag.FLOAT)) {
      try {
        return Double.parseDouble(s.getValue().replace("_", ""));
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problem(node, key, "must be a number");
    return null;
  }

  boolean bool(Fields f, String key, boolean fallback) {
    if (!f.has(key)) {
      return fallback;
    }
    Node node = f.get(key);
    if (node instanceof ScalarNode s && s.getTag() == Tag.BOOL) {
      return switch (s.getValue().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "y" -> true;
        default -> false;
      };
    }
    problem(node, pathOf(f, key), key + " must be true or false");
    return fallback;
  }

  Duration duration(Fields f, String key, Duration fallback, boolean positive) {
    if (!f.has(key)) {
      return fallback;
    }
    Duration d = durationValue(f.get(key), pathOf(f, key), positive);
    return d == null ? fallback : d;
  }

  Duration durationValue(Node node, String key, boolean positive) {
    String s = node instanceof ScalarNode sc && sc.getTag() != Tag.NULL ? sc.getValue() : null;
    if (s == null) {
      problem(node, key, "a duration is needed, e.g. 30s, 15m or PT15M");
      return null;
    }
    try {
      Duration d = Durations.parse(s);
      if (positive && d.isZero()) {
        problem(node, key, "must be longer than zero");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problem(node, key, e.getMessage());
      return null;
    }
  }

  static String pathOf(Fields f, String key) {
    return f.path.isEmpty() ? key : f.path + "." + key;
  }

  void problem(Node node, String key, String message) {
    problems.add(new Problem(file, line(node), key, message));
  }

  static int line(Node node) {
    return YamlLines.line(node);
  }

  /** " (did you mean 'x'?)" when a known name is one or two edits away. */
  static String suggest(String name, java.util.Collection<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      int d = distance(name.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
