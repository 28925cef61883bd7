package io.switchboard.channel.voice;

import io.switchboard.channel.voice.Ivr.EntryPoint;
import io.switchboard.channel.voice.Ivr.Menu;
import io.switchboard.channel.voice.Ivr.Option;
import io.switchboard.channel.voice.Ivr.Prompt;
import io.switchboard.channel.voice.Ivr.Target;
import io.switchboard.channel.voice.Ivr.Waiting;
import io.switchboard.yaml.YamlLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads {@code ivr.yaml}. Every problem is collected with its file, line and key and reported at once
 * ({@link IvrException}); a file with any problem yields no {@link Ivr}.
 *
 * <p>Over 400 lines on purpose: one method per section of the file, all sharing the problem list and the small
 * readers (durations, prompts, keys) that make every message name file, line and key the same way.
 */
public final class IvrParser {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s|m|h)");
  private static final Pattern SOUND = Pattern.compile("[A-Za-z0-9_\\-/.]{1,128}");
  private static final Pattern DNIS = Pattern.compile("\\+?[0-9*#]{1,32}|" + Ivr.DEFAULT_ENTRY);
  private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.\\-]{0,63}");
  private static final int MAX_BYTES = 1024 * 1024;

  private static final Pattern DIAL = Pattern.compile("[A-Za-z0-9_@.:+\\-/{}]{1,200}");

  private final String file;
  private final Set<String> calendars;
  private final List<IvrException.Problem> problems = new ArrayList<>();

  private IvrParser(String file, Set<String> calendars) {
    this.file = file;
    this.calendars = calendars;
  }

  /** Reads and validates a file without checking calendar names. */
  public static Ivr parse(Path path) throws IvrException {
    return parse(path, null);
  }

  /**
   * Reads and validates a file; {@code calendars} are the routing.yaml calendars entry points may name in
   * {@code hours} (null: names are not checked).
   */
  public static Ivr parse(Path path, Set<String> calendars) throws IvrException {
    String text;
    try {
      if (Files.size(path) > MAX_BYTES) {
        throw new IvrException(List.of(new IvrException.Problem(path.toString(), 0, "(file)", "is larger than 1 MiB")));
      }
      text = Files.readString(path);
    } catch (IOException e) {
      throw new IvrException(List.of(new IvrException.Problem(path.toString(), 0, "(file)", "cannot be read: " + e.getMessage())));
    }
    return parse(path.toString(), text, calendars);
  }

  /** Validates the text of a file named {@code file} (the name is only used in problems). */
  public static Ivr parse(String file, String text) throws IvrException {
    return parse(file, text, null);
  }

  /** Validates the text of a file, checking calendar names against {@code calendars} (null: not checked). */
  public static Ivr parse(String file, String text, Set<String> calendars) throws IvrException {
    return new IvrParser(file, calendars).run(text);
  }

  private Ivr run(String text) throws IvrException {
    Node root;
    try {
      root = YamlLines.compose(text);
    } catch (YamlLines.SyntaxError e) {
      throw new IvrException(List.of(new IvrException.Problem(file, e.line(), "(yaml)", "is not valid YAML: " + e.getMessage())));
    }
    if (!(root instanceof MappingNode top)) {
      throw new IvrException(List.of(new IvrException.Problem(file, root == null ? 0 : line(root), "(file)",
          "must be a mapping with entryPoints, menus and waiting")));
    }
    Map<String, Node> fields = fields(top, "", Set.of("entryPoints", "menus", "waiting", "callbacks", "survey"));

    Map<String, Node> menuNodes = new LinkedHashMap<>();
    Node menusNode = fields.get("menus");
    if (menusNode == null) {
      problem(top, "menus", "is required (at least one menu)");
    } else if (menusNode instanceof MappingNode mm) {
      for (NodeTuple t : mm.getValue()) {
        String name = scalar(t.getKeyNode());
        if (name == null || !KEY.matcher(name).matches()) {
          problem(t.getKeyNode(), "menus", "menu names are 1 to 64 letters, digits, '.', '_' or '-', starting with a letter");
          continue;
        }
        menuNodes.put(name, t.getValueNode());
      }
      if (menuNodes.isEmpty()) {
        problem(menusNode, "menus", "must name at least one menu");
      }
    } else {
      problem(menusNode, "menus", "must be a mapping of menu names to menus");
    }

    Map<String, Menu> menus = new LinkedHashMap<>();
    for (var e : menuNodes.entrySet()) {
      Menu m = menu(e.getKey(), e.getValue(), menuNodes.keySet());
      if (m != null) {
        menus.put(e.getKey(), m);
      }
    }

    Map<String, EntryPoint> entries = new LinkedHashMap<>();
    Node entryNode = fields.get("entryPoints");
    if (entryNode == null) {
      problem(top, "entryPoints", "is required (at least the 'default' entry point)");
    } else if (entryNode instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        entryPoint("entryPoints[" + i + "]", seq.getValue().get(i), menuNodes.keySet(), entries);
      }
      if (seq.getValue().isEmpty()) {
        problem(entryNode, "entryPoints", "must list at least one entry point");
      }
    } else {
      problem(entryNode, "entryPoints", "must be a list of entry points");
    }

    Waiting waiting = waiting(fields.get("waiting"));
    Ivr.Callbacks callbacks = callbacks(fields.get("callbacks"));
    Ivr.Survey survey = survey(fields.get("survey"));
    if (!problems.isEmpty()) {
      throw new IvrException(problems);
    }
    return new Ivr(entries, menus, waiting, callbacks, survey);
  }

  private void entryPoint(String key, Node node, Set<String> menuNames, Map<String, EntryPoint> entries) {
    if (!(node instanceof MappingNode m)) {
      problem(node, key, "must be a mapping with name, numbers and menu");
      return;
    }
    Map<String, Node> f = fields(m, key, Set.of("name", "numbers", "menu", "set", "hours", "afterHours", "customerNumber",
        "callback"));
    String name = string(f.get("name"), key + ".name", m, true);
    String menu = string(f.get("menu"), key + ".menu", m, true);
    if (menu != null && !menuNames.contains(menu)) {
      problem(f.get("menu"), key + ".menu", "names no menu '" + menu + "' (menus: " + menuNames + ")");
    }
    Map<String, String> attributes = attributes(f.get("set"), key + ".set");
    String hours = null;
    if (f.get("hours") != null) {
      hours = string(f.get("hours"), key + ".hours", m, true);
      if (hours != null && calendars != null && !calendars.contains(hours)) {
        problem(f.get("hours"), key + ".hours", "names no calendar '" + hours + "' of routing.yaml (calendars: "
            + calendars.stream().sorted().toList() + ")");
      }
    }
    Ivr.AfterHours afterHours = Ivr.AfterHours.HANG_UP;
    if (f.get("afterHours") != null) {
      if (f.get("hours") == null) {
        problem(f.get("afterHours"), key + ".afterHours", "needs hours: the routing.yaml calendar whose closed times it covers");
      }
      afterHours = afterHours(f.get("afterHours"), key + ".afterHours");
    }
    Ivr.CustomerNumber customerNumber = f.get("customerNumber") == null ? null
        : customerNumber(f.get("customerNumber"), key + ".customerNumber");
    Ivr.Callback callback = f.get("callback") == null ? null : callback(f.get("callback"), key + ".callback");
    Node numbers = f.get("numbers");
    if (numbers == null) {
      problem(m, key + ".numbers", "is required: the dialled numbers (DNIS) of this entry point, or [default]");
      return;
    }
    if (!(numbers instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
      problem(numbers, key + ".numbers", "must be a non-empty list of dialled numbers");
      return;
    }
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node n = seq.getValue().get(i);
      String number = scalar(n);
      if (number == null || !DNIS.matcher(number).matches()) {
        problem(n, key + ".numbers[" + i + "]", "must be a dialled number (digits, optional leading +) or 'default'");
        continue;
      }
      if (entries.containsKey(number)) {
        problem(n, key + ".numbers[" + i + "]", "number " + number + " already belongs to entry point '" + entries.get(number).name() + "'");
        continue;
      }
      if (name != null && menu != null) {
        entries.put(number, new EntryPoint(name, menu, attributes, hours, afterHours == null ? Ivr.AfterHours.HANG_UP : afterHours,
            customerNumber, callback));
      }
    }
  }

  private Menu menu(String name, Node node, Set<String> menuNames) {
    String key = "menus." + name;
    if (!(node instanceof MappingNode m)) {
      problem(node, key, "must be a mapping with prompts and options");
      return null;
    }
    Map<String, Node> f = fields(m, key, Set.of("prompts", "options", "timeout", "retries", "invalid", "fallback"));
    List<Prompt> prompts = prompts(f.get("prompts"), key + ".prompts");
    List<Prompt> invalid = prompts(f.get("invalid"), key + ".invalid");
    Duration timeout = duration(f.get("timeout"), key + ".timeout", Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMinutes(1));
    int retries = integer(f.get("retries"), key + ".retries", 2, 0, 10);
    Target fallback = f.get("fallback") == null ? new Target.Queue() : target(f.get("fallback"), key + ".fallback", menuNames);
    Map<Character, Option> options = new LinkedHashMap<>();
    Node on = f.get("options");
    if (on instanceof MappingNode om) {
      for (NodeTuple t : om.getValue()) {
        String digit = scalar(t.getKeyNode());
        String okey = key + ".options." + digit;
        if (digit == null || !digit.matches("[0-9*#]")) {
          problem(t.getKeyNode(), key + ".options", "keys are single DTMF keys 0-9, * or # (quote them: \"1\")");
          continue;
        }
        if (!(t.getValueNode() instanceof MappingNode ov)) {
          problem(t.getValueNode(), okey, "must be a mapping with set and/or goto");
          continue;
        }
        Map<String, Node> of = fields(ov, okey, Set.of("set", "goto"));
        Map<String, String> attrs = attributes(of.get("set"), okey + ".set");
        if (of.get("goto") == null) {
          problem(ov, okey + ".goto", "is required: a menu name, 'queue' or 'hangup'");
          continue;
        }
        Target target = target(of.get("goto"), okey + ".goto", menuNames);
        if (target != null) {
          options.put(digit.charAt(0), new Option(attrs, target));
        }
      }
    } else if (on != null) {
      problem(on, key + ".options", "must be a mapping of keys to options");
    }
    if (prompts.isEmpty() && f.get("prompts") == null) {
      problem(m, key + ".prompts", "is required (at least one sound)");
    }
    return fallback == null ? null : new Menu(name, prompts, options, timeout, retries, invalid, fallback);
  }

  private Target target(Node node, String key, Set<String> menuNames) {
    String v = scalar(node);
    if (v == null) {
      problem(node, key, "must be a menu name, 'queue' or 'hangup'");
      return null;
    }
    return switch (v) {
      case "queue" -> new Target.Queue();
      case "hangup" -> new Target.Hangup();
      default -> {
        if (!menuNames.contains(v)) {
          problem(node, key, "names no menu '" + v + "' (menus: " + menuNames + "; or 'queue', 'hangup')");
          yield null;
        }
        yield new Target.GoTo(v);
      }
    };
  }

  private List<Prompt> prompts(Node node, String key) {
    List<Prompt> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    List<Node> items = node instanceof SequenceNode s ? s.getValue() : List.of(node);
    for (int i = 0; i < items.size(); i++) {
      Node n = items.get(i);
      String ikey = node instanceof SequenceNode ? key + "[" + i + "]" : key;
      if (n instanceof ScalarNode) {
        String sound = scalar(n);
        if (sound == null || !SOUND.matcher(sound).matches() || sound.contains("..")) {
          problem(n, ikey, "must be an Asterisk sound name (letters, digits, '_', '-', '/', no '..')");
        } else {
          out.add(new Prompt.Sound(sound));
        }
      } else if (n instanceof MappingNode m) {
        Map<String, Node> f = fields(m, ikey, Set.of("number", "digits"));
        if (f.size() != 1) {
          problem(m, ikey, "must have exactly one of number or digits");
          continue;
        }
        if (f.containsKey("number")) {
          String v = scalar(f.get("number"));
          if (v == null || !v.matches("-?\\d{1,12}")) {
            problem(f.get("number"), ikey + ".number", "must be a whole number");
          } else {
            out.add(new Prompt.Number(Long.parseLong(v)));
          }
        } else {
          String v = scalar(f.get("digits"));
          if (v == null || !v.matches("[0-9*#]{1,32}")) {
            problem(f.get("digits"), ikey + ".digits", "must be 1 to 32 digits");
          } else {
            out.add(new Prompt.Digits(v));
          }
        }
      } else {
        problem(n, ikey, "must be a sound name or {number: n} / {digits: \"...\"}");
      }
    }
    return out;
  }

  private Waiting waiting(Node node) {
    String music = "default";
    Duration every = Duration.ofSeconds(30);
    String position = "queue-thereare";
    String wait = "queue-holdtime";
    if (node == null) {
      return new Waiting(music, every, position, wait);
    }
    if (!(node instanceof MappingNode m)) {
      problem(node, "waiting", "must be a mapping");
      return new Waiting(music, every, position, wait);
    }
    Map<String, Node> f = fields(m, "waiting", Set.of("musicClass", "announceEvery", "positionPrompt", "waitPrompt", "callback"));
    String mc = f.get("musicClass") == null ? music : string(f.get("musicClass"), "waiting.musicClass", m, false);
    if (mc != null && !KEY.matcher(mc).matches()) {
      problem(f.get("musicClass"), "waiting.musicClass", "must be a music-on-hold class name");
    }
    every = duration(f.get("announceEvery"), "waiting.announceEvery", every, Duration.ZERO, Duration.ofHours(1));
    if (!every.isZero() && every.compareTo(Duration.ofSeconds(5)) < 0) {
      problem(f.get("announceEvery"), "waiting.announceEvery", "must be 0 (never) or at least 5s");
    }
    String pp = soundOr(f.get("positionPrompt"), "waiting.positionPrompt", position);
    String wp = soundOr(f.get("waitPrompt"), "waiting.waitPrompt", wait);
    Ivr.Callback callback = f.get("callback") == null ? null : callback(f.get("callback"), "waiting.callback");
    return new Waiting(mc == null ? music : mc, every, pp, wp, callback);
  }

  private Ivr.Callback callback(Node node, String key) {
    String off = scalar(node);
    if (off != null && (off.equals("off") || off.equals("false"))) {
      return Ivr.Callback.OFF;
    }
    if (!(node instanceof MappingNode m)) {
      problem(node, key, "must be a mapping with key, prompts, confirm and queues, or 'off'");
      return null;
    }
    Map<String, Node> f = fields(m, key, Set.of("key", "prompts", "confirm", "queues"));
    char k = dtmf(f.get("key"), key + ".key", '1');
    List<Prompt> prompts = prompts(f.get("prompts"), key + ".prompts");
    if (prompts.isEmpty() && f.get("prompts") == null) {
      problem(m, key + ".prompts", "is required: the offer the caller hears (\"press 1 to be called back\")");
    }
    List<Prompt> confirm = prompts(f.get("confirm"), key + ".confirm");
    java.util.Set<String> queues = new java.util.LinkedHashSet<>();
    Node qn = f.get("queues");
    if (qn instanceof SequenceNode qs) {
      for (int i = 0; i < qs.getValue().size(); i++) {
        String q = scalar(qs.getValue().get(i));
        if (q == null || !KEY.matcher(q).matches()) {
          problem(qs.getValue().get(i), key + ".queues[" + i + "]", "must be a queue name");
        } else {
          queues.add(q);
        }
      }
    } else if (qn != null) {
      problem(qn, key + ".queues", "must be a list of queue names");
    }
    return new Ivr.Callback(true, k, prompts, confirm, queues);
  }

  private Ivr.AfterHours afterHours(Node node, String key) {
    if (!(node instanceof MappingNode m)) {
      problem(node, key, "must be a mapping with action (message, callback or hangup) and prompts");
      return null;
    }
    Map<String, Node> f = fields(m, key, Set.of("action", "prompts", "key", "timeout", "confirm"));
    String a = string(f.get("action"), key + ".action", m, true);
    Ivr.AfterHoursAction action = null;
    if (a != null) {
      switch (a) {
        case "message" -> action = Ivr.AfterHoursAction.MESSAGE;
        case "callback" -> action = Ivr.AfterHoursAction.CALLBACK;
        case "hangup" -> action = Ivr.AfterHoursAction.HANGUP;
        default -> problem(f.get("action"), key + ".action", "must be message, callback or hangup");
      }
    }
    List<Prompt> prompts = prompts(f.get("prompts"), key + ".prompts");
    if (prompts.isEmpty() && (action == Ivr.AfterHoursAction.MESSAGE || action == Ivr.AfterHoursAction.CALLBACK)) {
      problem(f.get("prompts") == null ? m : f.get("prompts"), key + ".prompts", "is required for " + a + " (at least one sound)");
    }
    char k = dtmf(f.get("key"), key + ".key", '1');
    Duration timeout = duration(f.get("timeout"), key + ".timeout", Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(1));
    List<Prompt> confirm = prompts(f.get("confirm"), key + ".confirm");
    if (action != Ivr.AfterHoursAction.CALLBACK) {
      for (String only : List.of("key", "timeout", "confirm")) {
        if (f.get(only) != null) {
          problem(f.get(only), key + "." + only, "only applies to action callback");
        }
      }
    }
    return action == null ? null : new Ivr.AfterHours(action, prompts, k, timeout, confirm);
  }

  private Ivr.CustomerNumber customerNumber(Node node, String key) {
    if (!(node instanceof MappingNode m)) {
      problem(node, key, "must be a mapping with prompts, minDigits, maxDigits, timeout, retries and invalid");
      return null;
    }
    Map<String, Node> f = fields(m, key, Set.of("prompts", "minDigits", "maxDigits", "timeout", "retries", "invalid"));
    List<Prompt> prompts = prompts(f.get("prompts"), key + ".prompts");
    if (prompts.isEmpty() && f.get("prompts") == null) {
      problem(m, key + ".prompts", "is required (at least one sound)");
    }
    int min = integer(f.get("minDigits"), key + ".minDigits", 1, 1, 32);
    int max = integer(f.get("maxDigits"), key + ".maxDigits", 12, 1, 32);
    if (min > max) {
      problem(f.get("minDigits"), key + ".minDigits", "must not be more than maxDigits (" + max + ")");
    }
    Duration timeout = duration(f.get("timeout"), key + ".timeout", Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMinutes(1));
    int retries = integer(f.get("retries"), key + ".retries", 2, 0, 10);
    List<Prompt> invalid = prompts(f.get("invalid"), key + ".invalid");
    return new Ivr.CustomerNumber(prompts, min, max, timeout, retries, invalid);
  }

  private Ivr.Callbacks callbacks(Node node) {
    Ivr.Callbacks d = Ivr.Callbacks.DEFAULTS;
    if (node == null) {
      return d;
    }
    if (!(node instanceof MappingNode m)) {
      problem(node, "callbacks", "must be a mapping with dial, attempts, retryDelay, ringTimeout and agentPrompts");
      return d;
    }
    Map<String, Node> f = fields(m, "callbacks", Set.of("dial", "attempts", "retryDelay", "ringTimeout", "agentPrompts"));
    String dial = d.dial();
    if (f.get("dial") != null) {
      String v = scalar(f.get("dial"));
      if (v == null || !DIAL.matcher(v).matches() || !v.contains("{number}") || v.replace("{number}", "").matches(".*[{}].*")) {
        problem(f.get("dial"), "callbacks.dial", "must be an Asterisk dial string with {number} (letters, digits and _ @ . : + - /),"
            + " such as Local/{number}@switchboard-out");
      } else {
        dial = v;
      }
    }
    int attempts = integer(f.get("attempts"), "callbacks.attempts", d.attempts(), 1, 10);
    Duration retry = duration(f.get("retryDelay"), "callbacks.retryDelay", d.retryDelay(), Duration.ofSeconds(1), Duration.ofHours(1));
    Duration ring = duration(f.get("ringTimeout"), "callbacks.ringTimeout", d.ringTimeout(), Duration.ofSeconds(5), Duration.ofMinutes(5));
    List<Prompt> agent = f.get("agentPrompts") == null ? d.agentPrompts() : prompts(f.get("agentPrompts"), "callbacks.agentPrompts");
    return new Ivr.Callbacks(dial, attempts, retry, ring, agent);
  }

  /** The post-call survey's prompts and timeout; each key left out keeps its default. */
  private Ivr.Survey survey(Node node) {
    Ivr.Survey d = Ivr.Survey.DEFAULTS;
    if (node == null) {
      return d;
    }
    if (!(node instanceof MappingNode m)) {
      problem(node, "survey", "must be a mapping with question, timeout, invalid, thanks and goodbye");
      return d;
    }
    Map<String, Node> f = fields(m, "survey", Set.of("question", "timeout", "invalid", "thanks", "goodbye"));
    List<Prompt> question = d.question();
    if (f.get("question") != null) {
      question = prompts(f.get("question"), "survey.question");
      if (question.isEmpty()) {
        problem(f.get("question"), "survey.question", "must have at least one prompt (the caller has to hear the question)");
      }
    }
    Duration timeout = duration(f.get("timeout"), "survey.timeout", d.timeout(), Duration.ofSeconds(1), Duration.ofSeconds(30));
    List<Prompt> invalid = f.get("invalid") == null ? d.invalid() : prompts(f.get("invalid"), "survey.invalid");
    List<Prompt> thanks = f.get("thanks") == null ? d.thanks() : prompts(f.get("thanks"), "survey.thanks");
    List<Prompt> goodbye = f.get("goodbye") == null ? d.goodbye() : prompts(f.get("goodbye"), "survey.goodbye");
    return new Ivr.Survey(question, timeout, invalid, thanks, goodbye);
  }

  private char dtmf(Node node, String key, char dflt) {
    if (node == null) {
      return dflt;
    }
    String v = scalar(node);
    if (v == null || !v.matches("[0-9*#]")) {
      problem(node, key, "must be a single DTMF key 0-9, * or # (quote it: \"1\")");
      return dflt;
    }
    return v.charAt(0);
  }

  private String soundOr(Node node, String key, String dflt) {
    if (node == null) {
      return dflt;
    }
    String v = scalar(node);
    if (v == null || !SOUND.matcher(v).matches() || v.contains("..")) {
      problem(node, key, "must be an Asterisk sound name");
      return dflt;
    }
    return v;
  }

  private Map<String, String> attributes(Node node, String key) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof MappingNode m)) {
      problem(node, key, "must be a mapping of attribute names to values");
      return out;
    }
    for (NodeTuple t : m.getValue()) {
      String k = scalar(t.getKeyNode());
      String v = scalar(t.getValueNode());
      if (k == null || !KEY.matcher(k).matches()) {
        problem(t.getKeyNode(), key, "attribute names are 1 to 64 letters, digits, '.', '_' or '-', starting with a letter");
      } else if (v == null || v.isEmpty() || v.length() > 256) {
        problem(t.getValueNode(), key + "." + k, "must be a text of 1 to 256 characters");
      } else {
        out.put(k, v);
      }
    }
    return out;
  }

  private Duration duration(Node node, String key, Duration dflt, Duration min, Duration max) {
    if (node == null) {
      return dflt;
    }
    String v = scalar(node);
    Matcher mt = v == null ? null : DURATION.matcher(v);
    Duration d;
    if (mt == null || !mt.matches()) {
      if (!"0".equals(v)) {
        problem(node, key, "must be a duration such as 500ms, 5s, 2m");
        return dflt;
      }
      d = Duration.ZERO; // "0" is held to the same range as any other value
    } else {
      long n = Long.parseLong(mt.group(1));
      d = switch (mt.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problem(node, key, "must be between " + min + " and " + max);
      return dflt;
    }
    return d;
  }

  private int integer(Node node, String key, int dflt, int min, int max) {
    if (node == null) {
      return dflt;
    }
    String v = scalar(node);
    if (v == null || !v.matches("\\d{1,4}") || Integer.parseInt(v) < min || Integer.parseInt(v) > max) {
      problem(node, key, "must be a whole number from " + min + " to " + max);
      return dflt;
    }
    return Integer.parseInt(v);
  }

  private String string(Node node, String key, Node parent, boolean required) {
    if (node == null) {
      if (required) {
        problem(parent, key, "is required");
      }
      return null;
    }
    String v = scalar(node);
    if (v == null || v.isBlank()) {
      problem(node, key, "must be a non-empty text");
      return null;
    }
    return v;
  }

  private Map<String, Node> fields(MappingNode m, String key, Set<String> allowed) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      String k = scalar(t.getKeyNode());
      String where = key.isEmpty() ? String.valueOf(k) : key + "." + k;
      if (k == null || !allowed.contains(k)) {
        problem(t.getKeyNode(), where, "is not a known key (expected one of " + allowed.stream().sorted().toList() + ")");
        continue;
      }
      out.put(k, t.getValueNode());
    }
    return out;
  }

  private static String scalar(Node n) {
    return n instanceof ScalarNode s ? s.getValue() : null;
  }

  private static int line(Node n) {
    return YamlLines.line(n);
  }

  private void problem(Node n, String key, String message) {
    problems.add(new IvrException.Problem(file, line(n), key, message));
  }
}
