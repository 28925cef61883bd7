package io.switchboard.hub.core.console;

import io.switchboard.hub.core.console.ConsoleSettings.CannedResponse;
import io.switchboard.hub.core.console.ConsoleSettings.Disposition;
import io.switchboard.hub.core.console.ConsoleSettingsException.Problem;
import io.switchboard.yaml.YamlLines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads config/console.yaml strictly: unknown keys, wrong types, duplicate codes, ids or shortcuts, unknown
 * placeholders and YAML syntax errors are all reported at once, each with file, line and key. One instance per
 * parse; not thread-safe.
 *
 * <pre>
 * wrapUp:
 *   notesRequired: false
 *   dispositions:
 *     - { code: resolved, label: Resolved }
 * cannedResponses:
 *   - id: greeting
 *     title: Greeting
 *     shortcut: /hello
 *     text: "Hello {{customer.firstName}}, this is {{agent.name}}."
 *     channels: [chat, social]      # optional; absent = every channel
 * email:                            # optional
 *   ownAddresses: [billing@example.com, "@support.example.com"]
 * </pre>
 *
 * <p>Size (about 400 lines, #15): one strict pass over one file's grammar, collecting every problem with its line;
 * the YAML reading itself is yaml-lines' {@code YamlLines}, shared with the other configuration parsers.
 */
public final class ConsoleSettingsParser {
  /** The largest console.yaml accepted, in bytes (1 MiB); a larger file is one problem, and is not parsed. */
  public static final int MAX_FILE_BYTES = 1024 * 1024;
  static final int MAX_DISPOSITIONS = 100;
  static final int MAX_CANNED = 1000;
  static final int MAX_TEXT = 5000;

  private static final List<String> TOP_KEYS = List.of("wrapUp", "cannedResponses", "email");
  private static final List<String> EMAIL_KEYS = List.of("ownAddresses");
  private static final int MAX_OWN_ADDRESSES = 200;
  // A mailbox (local@domain) or a whole domain (@domain); the domain has at least one dot.
  private static final Pattern OWN_ADDRESS = Pattern.compile(
      "([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64})?@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+");
  private static final List<String> WRAP_UP_KEYS = List.of("dispositions", "notesRequired");
  private static final List<String> DISPOSITION_KEYS = List.of("code", "label");
  private static final List<String> CANNED_KEYS = List.of("id", "title", "shortcut", "text", "channels");
  private static final Set<String> CHANNELS = Set.of("voice", "email", "chat", "social");
  private static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  private final String file;
  private final List<Problem> problems = new ArrayList<>();

  private ConsoleSettingsParser(String file) {
    this.file = file;
  }

  /**
   * Reads {@code path}; a missing file gives {@link ConsoleSettings#DEFAULTS}. Blocking.
   *
   * @throws ConsoleSettingsException listing every problem (an unreadable or oversized file is one problem)
   */
  public static ConsoleSettings load(Path path) throws ConsoleSettingsException {
    if (!Files.exists(path)) {
      return ConsoleSettings.DEFAULTS;
    }
    byte[] content;
    try {
      content = readLimited(path);
    } catch (IOException e) {
      throw new ConsoleSettingsException(List.of(new Problem(path.toString(), 0, "", "cannot be read: " + e.getMessage())));
    }
    return parse(path.toString(), content);
  }

  /**
   * Parses console.yaml text.
   *
   * @param file named in every problem
   * @throws ConsoleSettingsException listing every problem, sorted by line
   */
  public static ConsoleSettings parse(String file, String text) throws ConsoleSettingsException {
    if (text.length() > MAX_FILE_BYTES || text.getBytes(StandardCharsets.UTF_8).length > MAX_FILE_BYTES) {
      throw tooLarge(file);
    }
    return new ConsoleSettingsParser(file).run(text);
  }

  /**
   * Parses console.yaml as read from disk: UTF-8, at most {@link #MAX_FILE_BYTES}.
   *
   * @param file named in every problem
   * @throws ConsoleSettingsException listing every problem, sorted by line (a file that is too large or not
   *     UTF-8 is one problem)
   */
  public static ConsoleSettings parse(String file, byte[] content) throws ConsoleSettingsException {
    if (content.length > MAX_FILE_BYTES) {
      throw tooLarge(file);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(content))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConsoleSettingsException(List.of(new Problem(file, 0, "", "is not UTF-8 text")));
    }
    return new ConsoleSettingsParser(file).run(text);
  }

  /**
   * The file's first {@code MAX_FILE_BYTES + 1} bytes at most: enough to tell that a file is too large
   * without reading all of it. Blocking.
   */
  static byte[] readLimited(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(MAX_FILE_BYTES + 1);
    }
  }

  private static ConsoleSettingsException tooLarge(String file) {
    return new ConsoleSettingsException(List.of(new Problem(file, 0, "",
        "the file is larger than 1 MiB (" + MAX_FILE_BYTES + " bytes)")));
  }

  private ConsoleSettings run(String text) throws ConsoleSettingsException {
    Node root;
    try {
      root = YamlLines.compose(text);
    } catch (YamlLines.SyntaxError e) {
      throw new ConsoleSettingsException(List.of(new Problem(file, e.line(), "", "not valid YAML: " + e.getMessage())));
    }
    if (root == null) {
      throw new ConsoleSettingsException(List.of(new Problem(file, 0, "", "the file is empty; it needs wrapUp.dispositions")));
    }
    Map<String, Node> top = mapping(root, "", TOP_KEYS);
    List<Disposition> dispositions = new ArrayList<>();
    boolean notesRequired = false;
    if (top != null) {
      Node wrapUp = top.get("wrapUp");
      if (wrapUp == null) {
        problem(root, "wrapUp", "is required, with at least one disposition");
      } else {
        Map<String, Node> w = mapping(wrapUp, "wrapUp", WRAP_UP_KEYS);
        if (w != null) {
          if (w.containsKey("notesRequired")) {
            notesRequired = bool(w.get("notesRequired"), "wrapUp.notesRequired");
          }
          if (!w.containsKey("dispositions")) {
            problem(wrapUp, "wrapUp.dispositions", "is required, with at least one disposition");
          } else {
            dispositions = dispositions(w.get("dispositions"));
          }
        }
      }
    }
    List<CannedResponse> canned = top == null || !top.containsKey("cannedResponses") ? List.of() : canned(top.get("cannedResponses"));
    List<String> own = top == null || !top.containsKey("email") ? List.of() : ownAddresses(top.get("email"));
    if (!problems.isEmpty()) {
      List<Problem> sorted = new ArrayList<>(problems);
      sorted.sort(Comparator.comparingInt(Problem::line));
      throw new ConsoleSettingsException(sorted);
    }
    return new ConsoleSettings(dispositions, notesRequired, canned, own);
  }

  /** {@code email.ownAddresses}: the centre's mailboxes or domains, each once. */
  private List<String> ownAddresses(Node node) {
    List<String> out = new ArrayList<>();
    Map<String, Node> e = mapping(node, "email", EMAIL_KEYS);
    if (e == null || !e.containsKey("ownAddresses")) {
      return out;
    }
    List<Node> items = sequence(e.get("ownAddresses"), "email.ownAddresses");
    if (items == null) {
      return out;
    }
    if (items.size() > MAX_OWN_ADDRESSES) {
      problem(e.get("ownAddresses"), "email.ownAddresses", "has " + items.size() + " entries; at most " + MAX_OWN_ADDRESSES);
      return out;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "email.ownAddresses[" + i + "]";
      String value = scalar(items.get(i), path);
      if (value == null) {
        continue;
      }
      String address = value.strip().toLowerCase(java.util.Locale.ROOT);
      if (address.length() > 254 || !OWN_ADDRESS.matcher(address).matches()) {
        problem(items.get(i), path, "'" + (value.length() <= 64 ? value : value.substring(0, 64) + "…") + "' is neither an address (name@example.com) nor a domain (@example.com)");
      } else if (!seen.add(address)) {
        problem(items.get(i), path, "'" + address + "' is listed twice");
      } else {
        out.add(address);
      }
    }
    return out;
  }

  private List<Disposition> dispositions(Node node) {
    List<Disposition> out = new ArrayList<>();
    List<Node> items = sequence(node, "wrapUp.dispositions");
    if (items == null) {
      return out;
    }
    if (items.isEmpty()) {
      problem(node, "wrapUp.dispositions", "needs at least one disposition");
    }
    if (items.size() > MAX_DISPOSITIONS) {
      problem(node, "wrapUp.dispositions", "has " + items.size() + " entries; at most " + MAX_DISPOSITIONS);
    }
    Set<String> codes = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "wrapUp.dispositions[" + i + "]";
      Map<String, Node> f = mapping(items.get(i), path, DISPOSITION_KEYS);
      if (f == null) {
        continue;
      }
      String code = required(f, items.get(i), path, "code");
      String label = required(f, items.get(i), path, "label");
      if (code != null && !CODE.matcher(code).matches()) {
        problem(f.get("code"), path + ".code", "'" + code + "' is not a code (a-z, 0-9, '_' and '-', up to 64 characters)");
        code = null;
      } else if (code != null && !codes.add(code)) {
        problem(f.get("code"), path + ".code", "disposition '" + code + "' is listed twice");
        code = null;
      }
      if (label != null && label.length() > 100) {
        problem(f.get("label"), path + ".label", "is longer than 100 characters");
        label = null;
      }
      if (code != null && label != null) {
        out.add(new Disposition(code, label));
      }
    }
    return out;
  }

  private List<CannedResponse> canned(Node node) {
    List<CannedResponse> out = new ArrayList<>();
    List<Node> items = sequence(node, "cannedResponses");
    if (items == null) {
      return out;
    }
    if (items.size() > MAX_CANNED) {
      problem(node, "cannedResponses", "has " + items.size() + " entries; at most " + MAX_CANNED);
    }
    Set<String> ids = new HashSet<>();
    Set<String> shortcuts = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "cannedResponses[" + i + "]";
      Node item = items.get(i);
      Map<String, Node> f = mapping(item, path, CANNED_KEYS);
      if (f == null) {
        continue;
      }
      boolean ok = true;
      String id = required(f, item, path, "id");
      if (id != null && !CODE.matcher(id).matches()) {
        problem(f.get("id"), path + ".id", "'" + id + "' is not an id (a-z, 0-9, '_' and '-', up to 64 characters)");
        ok = false;
      } else if (id != null && !ids.add(id)) {
        problem(f.get("id"), path + ".id", "canned response '" + id + "' is listed twice");
        ok = false;
      }
      String title = required(f, item, path, "title");
      if (title != null && title.length() > 200) {
        problem(f.get("title"), path + ".title", "is longer than 200 characters");
        ok = false;
      }
      String shortcut = required(f, item, path, "shortcut");
      if (shortcut != null && !CannedResponses.validShortcut(shortcut)) {
        problem(f.get("shortcut"), path + ".shortcut", "'" + shortcut + "' is not a shortcut like /refund ('/' then a-z, 0-9, '_' or '-', up to 32)");
        ok = false;
      } else if (shortcut != null && !shortcuts.add(shortcut)) {
        problem(f.get("shortcut"), path + ".shortcut", "shortcut '" + shortcut + "' is used twice");
        ok = false;
      }
      String text = required(f, item, path, "text");
      if (text != null) {
        if (text.length() > MAX_TEXT) {
          problem(f.get("text"), path + ".text", "is longer than " + MAX_TEXT + " characters");
          ok = false;
        }
        for (String p : CannedResponses.problems(text)) {
          problem(f.get("text"), path + ".text", p);
          ok = false;
        }
      }
      List<String> channels = new ArrayList<>();
      if (f.containsKey("channels")) {
        List<Node> chs = sequence(f.get("channels"), path + ".channels");
        if (chs == null) {
          ok = false;
        } else {
          if (chs.isEmpty()) {
            problem(f.get("channels"), path + ".channels", "is empty; leave it out for every channel");
            ok = false;
          }
          for (int c = 0; c < chs.size(); c++) {
            String ch = scalar(chs.get(c), path + ".channels[" + c + "]");
            if (ch == null) {
              ok = false;
            } else if (!CHANNELS.contains(ch)) {
              problem(chs.get(c), path + ".channels[" + c + "]", "unknown channel '" + ch + "' (voice, email, chat, social)");
              ok = false;
            } else if (channels.contains(ch)) {
              problem(chs.get(c), path + ".channels[" + c + "]", "channel '" + ch + "' is listed twice");
              ok = false;
            } else {
              channels.add(ch);
            }
          }
        }
      }
      if (ok && id != null && title != null && shortcut != null && text != null) {
        out.add(new CannedResponse(id, title, shortcut, text, channels));
      }
    }
    return out;
  }

  // ---- node helpers

  /** The mapping's entries by key, or null (with a problem) when it is not a mapping; flags unknown and repeated keys. */
  private Map<String, Node> mapping(Node node, String path, List<String> known) {
    if (!(node instanceof MappingNode m)) {
      problem(node, path.isEmpty() ? "(top)" : path, "must be a mapping" + (known == null ? "" : " with keys " + known));
      return null;
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (YamlLines.Entry t : YamlLines.entries(m)) {
      String key = t.key();
      String at = path.isEmpty() ? String.valueOf(key) : path + "." + key;
      if (key == null) {
        problem(t.keyNode(), path.isEmpty() ? "(top)" : path, "keys must be plain words");
      } else if (!known.contains(key)) {
        problem(t.keyNode(), at, "unknown key '" + key + "' (known: " + String.join(", ", known) + ")");
      } else if (out.containsKey(key)) {
        problem(t.keyNode(), at, "key '" + key + "' is given twice");
      } else {
        out.put(key, t.value());
      }
    }
    return out;
  }

  private List<Node> sequence(Node node, String path) {
    if (!(node instanceof SequenceNode s)) {
      problem(node, path, "must be a list");
      return null;
    }
    return s.getValue();
  }

  private String scalar(Node node, String path) {
    if (!(node instanceof ScalarNode s) || s.getTag().equals(Tag.NULL)) {
      problem(node, path, "must be a single value");
      return null;
    }
    return s.getValue();
  }

  private String required(Map<String, Node> f, Node parent, String path, String key) {
    Node n = f.get(key);
    if (n == null) {
      problem(parent, path + "." + key, "is required");
      return null;
    }
    String v = scalar(n, path + "." + key);
    if (v != null && v.isBlank()) {
      problem(n, path + "." + key, "must not be empty");
      return null;
    }
    return v;
  }

  private boolean bool(Node node, String path) {
    String v = scalar(node, path);
    if (v == null) {
      return false;
    }
    if (!(node instanceof ScalarNode s) || !s.getTag().equals(Tag.BOOL)) {
      problem(node, path, "'" + v + "' is not true or false");
      return false;
    }
    return Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT)) || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on");
  }

  private void problem(Node node, String key, String message) {
    problems.add(new Problem(file, YamlLines.line(node), key, message));
  }
}
