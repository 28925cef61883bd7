package io.switchboard.yaml;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The YAML reader the configuration parsers share (routing rules, console settings, IVR menus): it gives SnakeYAML's
 * node tree, which keeps the line of every key and value, so each parser can name the line of every problem it
 * finds. Only the tree is built (no Java objects from tags); at most 50 aliases per document.
 *
 * <p>Pure and thread-safe; no I/O (parsers read their files themselves).
 */
public final class YamlLines {
  private YamlLines() {}

  /** A document that is not YAML, with the line of the problem (1-based; 0 when unknown). */
  public static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    SyntaxError(int line, String message) {
      super(message);
      this.line = line;
    }

    /** The line of the problem, 1-based; 0 when the parser could not tell. */
    public int line() {
      return line;
    }
  }

  /** One key of a mapping: its text (null when the key is not a plain value), the key's node and the value's. */
  public record Entry(String key, Node keyNode, Node value) {
    /** The line of the key. */
    public int line() {
      return YamlLines.line(keyNode);
    }
  }

  /**
   * The node tree of {@code text}, or null for an empty document.
   *
   * @throws SyntaxError when the text is not YAML; its message is SnakeYAML's problem and context, without
   *     "not valid YAML" (each parser words that itself)
   */
  public static Node compose(String text) throws SyntaxError {
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(50);
      return new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      throw new SyntaxError(mark == null ? 0 : mark.getLine() + 1, e.getProblem() + context);
    } catch (YAMLException e) {
      throw new SyntaxError(0, e.getMessage());
    }
  }

  /** The 1-based line where {@code node} starts; 0 for null or a node without a position. */
  public static int line(Node node) {
    return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  /** The entries of a mapping in document order, repeated keys included (parsers report those with both lines). */
  public static List<Entry> entries(MappingNode mapping) {
    List<Entry> out = new ArrayList<>(mapping.getValue().size());
    for (NodeTuple t : mapping.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
      out.add(new Entry(key, t.getKeyNode(), t.getValueNode()));
    }
    return out;
  }
}
