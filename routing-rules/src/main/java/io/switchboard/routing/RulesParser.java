package io.switchboard.routing;

import io.switchboard.routing.RulesException.Problem;
import io.switchboard.yaml.YamlLines;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads routing.yaml from SnakeYAML's node tree (which keeps line numbers) and validates it, collecting every problem
 * before giving up. One instance per parse; not thread-safe.
 */
final class RulesParser {
  static final int MAX_RULES = 500;
  static final int MIN_PRIORITY = -1000;
  static final int MAX_PRIORITY = 1000;
  /** What the implicit last step adds to the priority: more than any rule or step can reach. */
  static final int MAX_WAIT_PRIORITY_BOOST = 1_000_000;

  private static final List<String> TOP_KEYS = List.of("settings", "skills", "calendars", "queues", "rules");
  private static final List<String> SETTINGS_KEYS =
      List.of("offerTimeout", "pauseAgentOnOfferTimeout", "stickyAgentWindow", "afterCallWork", "wrapUpRequired");
  private static final List<String> CALENDAR_KEYS = List.of("zone", "hours", "holidays");
  private static final List<String> QUEUE_KEYS = List.of("id", "name", "serviceLevel", "maxWait");
  private static final List<String> SERVICE_LEVEL_KEYS = List.of("percent", "within");
  private static final List<String> RULE_KEYS = List.of("name", "when", "queue", "priority", "require", "relax");
  private static final List<String> STEP_KEYS = List.of("after", "lower", "drop", "widen", "raisePriority");
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern HOURS = Pattern.compile("(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})");
  private static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(10);
  private static final Map<String, DayOfWeek> DAYS = new LinkedHashMap<>();

  static {
    for (DayOfWeek d : DayOfWeek.values()) {
      String full = d.name().toLowerCase(Locale.ROOT);
      DAYS.put(full.substring(0, 3), d);
      DAYS.put(full, d);
    }
  }

  private final String file;
  private final List<Problem> problems = new ArrayList<>();

  RulesParser(String file) {
    this.file = file;
  }

  RoutingRules parse(String text, int version) throws RulesException {
    Node root;
    try {
      root = YamlLines.compose(text);
    } catch (YamlLines.SyntaxError e) {
      throw new RulesException(List.of(new Problem(file, e.line(), "", "not valid YAML: " + e.getMessage())));
    }
    if (root == null) {
      throw new RulesException(List.of(new Problem(file, 0, "", "the file is empty; it needs at least queues and rules")));
    }
    Fields top = fields(root, "", TOP_KEYS, "the file");
    if (top == null) {
      throw done();
    }
    RoutingSettings settings = settings(top.get("settings"));
    Set<String> skills = skills(top.get("skills"));
    Map<String, BusinessCalendar> calendars = calendars(top.get("calendars"));
    Map<String, QueueDefinition> queues = queues(top, top.get("queues"));
    List<RoutingRules.Rule> rules = rules(top, top.get("rules"), skills, queues, calendars, version);
    if (!problems.isEmpty()) {
      throw done();
    }
    return new RoutingRules(file, version, text, settings, skills, calendars, queues, rules, ConditionBudget.DEFAULT);
  }

  private RulesException done() {
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparingInt(Problem::line));
    return new RulesException(sorted);
  }

  // ---- settings, skills, calendars

  private RoutingSettings settings(Node node) {
    RoutingSettings d = RoutingSettings.DEFAULTS;
    if (node == null) {
      return d;
    }
    Fields f = fields(node, "settings", SETTINGS_KEYS, "settings");
    if (f == null) {
      return d;
    }
    return new RoutingSettings(
        duration(f, "offerTimeout", d.offerTimeout(), true),
        bool(f, "pauseAgentOnOfferTimeout", d.pauseAgentOnOfferTimeout()),
        duration(f, "stickyAgentWindow", d.stickyAgentWindow(), false),
        duration(f, "afterCallWork", d.afterCallWork(), false),
        bool(f, "wrapUpRequired", d.wrapUpRequired()));
  }

  private Set<String> skills(Node node) {
    Set<String> skills = new LinkedHashSet<>();
    if (node == null) {
      return skills;
    }
    List<Node> items = sequence(node, "skills", "skills", true);
    for (int i = 0; i < items.size(); i++) {
      String key = "skills[" + i + "]";
      String name = word(items.get(i), key, "a skill");
      if (name != null && !skills.add(name)) {
        problem(items.get(i), key, "skill '" + name + "' is listed twice");
      }
    }
    return skills;
  }

  private Map<String, BusinessCalendar> calendars(Node node) {
    Map<String, BusinessCalendar> calendars = new LinkedHashMap<>();
    if (node == null) {
      return calendars;
    }
    Fields all = fields(node, "calendars", null, "calendars");
    if (all == null) {
      return calendars;
    }
    for (Map.Entry<String, Node> e : all.values.entrySet()) {
      String name = e.getKey();
      String path = "calendars." + name;
      Fields f = fields(e.getValue(), path, CALENDAR_KEYS, "calendar " + name);
      if (f == null) {
        continue;
      }
      ZoneId zone = null;
      if (!f.has("zone")) {
        problem(all.keys.get(name), path + ".zone", "a calendar needs a time zone, e.g. zone: Europe/Berlin");
      } else {
        String z = text(f.get("zone"), path + ".zone", "zone");
        if (z != null) {
          try {
            zone = ZoneId.of(z);
          } catch (DateTimeException ex) {
            problem(f.get("zone"), path + ".zone", "unknown time zone '" + z + "' (use a tz name such as Europe/Berlin)");
          }
        }
      }
      Map<DayOfWeek, List<BusinessCalendar.Range>> hours = new EnumMap<>(DayOfWeek.class);
      if (!f.has("hours")) {
        problem(all.keys.get(name), path + ".hours", "a calendar needs hours, e.g. hours: { mon-fri: \"08:00-18:00\" }");
      } else {
        hours(f.get("hours"), path + ".hours", hours);
      }
      Set<LocalDate> holidays = new LinkedHashSet<>();
      if (f.has("holidays")) {
        List<Node> items = sequence(f.get("holidays"), path + ".holidays", "holidays", true);
        for (int i = 0; i < items.size(); i++) {
          String key = path + ".holidays[" + i + "]";
          String s = text(items.get(i), key, "a holiday");
          if (s != null) {
            try {
              holidays.add(LocalDate.parse(s));
            } catch (DateTimeParseException ex) {
              problem(items.get(i), key, "'" + s + "' is not a date like 2026-12-25");
            }
          }
        }
      }
      if (zone != null) {
        calendars.put(name, new BusinessCalendar(name, zone, hours, holidays));
      }
    }
    return calendars;
  }

  private void hours(Node node, String path, Map<DayOfWeek, List<BusinessCalendar.Range>> hours) {
    Fields f = fields(node, path, null, "hours");
    if (f == null) {
      return;
    }
    for (Map.Entry<String, Node> e : f.values.entrySet()) {
      String key = path + "." + e.getKey();
      List<DayOfWeek> days = days(e.getKey());
      if (days == null) {
        problem(f.keys.get(e.getKey()), key, "'" + e.getKey() + "' is not a day or day range (use mon..sun, mon-fri or sat,sun)");
        continue;
      }
      List<BusinessCalendar.Range> ranges = ranges(e.getValue(), key);
      if (ranges == null) {
        continue;
      }
      for (DayOfWeek d : days) {
        if (hours.containsKey(d)) {
          problem(f.keys.get(e.getKey()), key, d.name().toLowerCase(Locale.ROOT).substring(0, 3) + " is given twice");
        } else {
          hours.put(d, ranges);
        }
      }
    }
  }

  private static List<DayOfWeek> days(String spec) {
    List<DayOfWeek> days = new ArrayList<>();
    String s = spec.strip().toLowerCase(Locale.ROOT);
    if (s.equals("daily")) {
      return List.of(DayOfWeek.values());
    }
    for (String part : s.split(",")) {
      String[] ends = part.strip().split("-", -1);
      if (ends.length == 1 && DAYS.containsKey(ends[0].strip())) {
        days.add(DAYS.get(ends[0].strip()));
      } else if (ends.length == 2 && DAYS.containsKey(ends[0].strip()) && DAYS.containsKey(ends[1].strip())) {
        DayOfWeek d = DAYS.get(ends[0].strip());
        DayOfWeek last = DAYS.get(ends[1].strip());
        days.add(d);
        while (d != last) {
          d = d.plus(1);
          days.add(d);
        }
      } else {
        return null;
      }
    }
    return days;
  }

  private List<BusinessCalendar.Range> ranges(Node node, String key) {
    List<String> texts = new ArrayList<>();
    if (node instanceof SequenceNode seq) {
      for (Node item : seq.getValue()) {
        if (item instanceof ScalarNode s) {
          texts.add(s.getValue());
        } else {
          problem(item, key, "hours must be text like \"08:00-18:00\"");
          return null;
        }
      }
    } else if (node instanceof ScalarNode s && s.getTag() != Tag.NULL) {
      if (s.getValue().strip().equalsIgnoreCase("closed")) {
        return List.of();
      }
      for (String part : s.getValue().split(",")) {
        texts.add(part);
      }
    } else {
      problem(node, key, "hours must be text like \"08:00-18:00\", \"08:00-12:00, 13:00-17:00\" or \"closed\"");
      return null;
    }
    List<BusinessCalendar.Range> ranges = new ArrayList<>();
    for (String t : texts) {
      Matcher m = HOURS.matcher(t.strip());
      if (!m.matches()) {
        problem(node, key, "'" + t.strip() + "' is not an hour range like 08:00-18:00");
        return null;
      }
      int h1 = Integer.parseInt(m.group(1));
      int m1 = Integer.parseInt(m.group(2));
      int h2 = Integer.parseInt(m.group(3));
      int m2 = Integer.parseInt(m.group(4));
      boolean midnight = h2 == 24 && m2 == 0;
      if (h1 > 23 || m1 > 59 || (!midnight && (h2 > 23 || m2 > 59))) {
        problem(node, key, "'" + t.strip() + "' is not a valid time of day range (00:00 to 24:00)");
        return null;
      }
      LocalTime from = LocalTime.of(h1, m1);
      LocalTime until = midnight ? null : LocalTime.of(h2, m2);
      if (until != null && !until.isAfter(from)) {
        problem(node, key, "'" + t.strip() + "' ends before it starts; split a range past midnight over two days");
        return null;
      }
      ranges.add(new BusinessCalendar.Range(from, until));
    }
    return ranges;
  }

  // ---- queues

  private Map<String, QueueDefinition> queues(Fields top, Node node) {
    Map<String, QueueDefinition> queues = new LinkedHashMap<>();
    if (node == null) {
      problem(top.node, "queues", "the file needs a 'queues' list");
      return queues;
    }
    List<Node> items = sequence(node, "queues", "queues", false);
    if (items.isEmpty() && node instanceof SequenceNode) {
      problem(node, "queues", "the queues list is empty; define at least one queue");
    }
    Map<String, Integer> firstLine = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "queues[" + i + "]";
      Fields f = fields(items.get(i), path, QUEUE_KEYS, "a queue");
      if (f == null) {
        continue;
      }
      String id = null;
      if (!f.has("id")) {
        problem(f.node, path + ".id", "a queue needs an id");
      } else {
        id = word(f.get("id"), path + ".id", "a queue id");
      }
      String name = f.has("name") ? text(f.get("name"), path + ".name", "name") : null;
      double percent = 80;
      Duration within = Duration.ofSeconds(20);
      if (f.has("serviceLevel")) {
        Fields sl = fields(f.get("serviceLevel"), path + ".serviceLevel", SERVICE_LEVEL_KEYS, "serviceLevel");
        if (sl != null) {
          if (sl.has("percent")) {
            Double p = number(sl.get("percent"), path + ".serviceLevel.percent");
            if (p != null && (p <= 0 || p > 100)) {
              problem(sl.get("percent"), path + ".serviceLevel.percent", "percent must be above 0 and at most 100, not " + fmt(p));
            } else if (p != null) {
              percent = p;
            }
          }
          within = duration(sl, "within", within, true);
        }
      }
      Duration maxWait = duration(f, "maxWait", DEFAULT_MAX_WAIT, true);
      if (id == null) {
        continue;
      }
      if (firstLine.containsKey(id)) {
        problem(f.get("id"), path + ".id", "duplicate queue id '" + id + "' (first at line " + firstLine.get(id) + ")");
        continue;
      }
      firstLine.put(id, line(f.get("id")));
      queues.put(id, new QueueDefinition(id, name == null ? id : name, percent, within, maxWait));
    }
    return queues;
  }

  // ---- rules

  private List<RoutingRules.Rule> rules(
      Fields top,
      Node node,
      Set<String> skills,
      Map<String, QueueDefinition> queues,
      Map<String, BusinessCalendar> calendars,
      int version) {
    List<RoutingRules.Rule> rules = new ArrayList<>();
    if (node == null) {
      problem(top.node, "rules", "the file needs a 'rules' list ending with a catch-all rule (one without 'when')");
      return rules;
    }
    List<Node> items = sequence(node, "rules", "rules", false);
    if (!(node instanceof SequenceNode)) {
      return rules;
    }
    if (items.isEmpty()) {
      problem(node, "rules", "the rules list is empty; it needs at least a catch-all rule (one without 'when')");
      return rules;
    }
    if (items.size() > MAX_RULES) {
      problem(node, "rules", items.size() + " rules; at most " + MAX_RULES + " are allowed");
    }
    Map<String, Integer> names = new LinkedHashMap<>();
    int catchAll = -1;
    String catchAllName = null;
    int catchAllLine = 0;
    for (int i = 0; i < items.size(); i++) {
      String path = "rules[" + i + "]";
      Node item = items.get(i);
      if (catchAll >= 0) {
        problem(
            item,
            path,
            "unreachable: rule '" + catchAllName + "' (line " + catchAllLine + ") has no 'when' and takes everything first");
      }
      Fields f = fields(item, path, RULE_KEYS, "a rule");
      if (f == null) {
        continue;
      }
      String name = null;
      if (!f.has("name")) {
        problem(f.node, path + ".name", "a rule needs a name");
      } else {
        name = text(f.get("name"), path + ".name", "name");
        if (name != null && name.isBlank()) {
          problem(f.get("name"), path + ".name", "a rule name must not be blank");
          name = null;
        }
        if (name != null && names.containsKey(name)) {
          problem(f.get("name"), path + ".name", "duplicate rule name '" + name + "' (first at line " + names.get(name) + ")");
        } else if (name != null) {
          names.put(name, line(f.get("name")));
        }
      }
      String label = name == null ? path : name;
      Conditions.Condition condition = null;
      if (f.has("when")) {
        condition = condition(f.get("when"), path + ".when", calendars.keySet());
      } else if (catchAll < 0) {
        catchAll = i;
        catchAllName = label;
        catchAllLine = line(item);
      }
      QueueDefinition queue = null;
      if (!f.has("queue")) {
        problem(f.node, path + ".queue", "a rule needs a queue");
      } else {
        queue = knownQueue(f.get("queue"), path + ".queue", queues);
      }
      int priority = 0;
      if (f.has("priority")) {
        Integer p = integer(f.get("priority"), path + ".priority", MIN_PRIORITY, MAX_PRIORITY, "priority");
        priority = p == null ? 0 : p;
      }
      Map<String, Integer> require = new LinkedHashMap<>();
      if (f.has("require")) {
        Fields r = fields(f.get("require"), path + ".require", null, "require");
        if (r != null) {
          for (Map.Entry<String, Node> e : r.values.entrySet()) {
            String key = path + ".require." + e.getKey();
            boolean known = knownSkill(r.keys.get(e.getKey()), key, e.getKey(), skills);
            Integer level = integer(e.getValue(), key, 1, 5, "proficiency");
            if (known && level != null) {
              require.put(e.getKey(), level);
            }
          }
        }
      }
      List<RelaxationStep> steps = new ArrayList<>();
      if (f.has("relax")) {
        steps = relax(f.get("relax"), path + ".relax", require, queue, skills, queues);
      }
      if (name != null && queue != null) {
        List<SkillRequirement> requirements = new ArrayList<>();
        require.forEach((skill, level) -> requirements.add(new SkillRequirement(skill, level)));
        steps.add(
            new RelaxationStep(
                queue.maxWait(),
                List.of(new RelaxationAction.DropAll(), new RelaxationAction.RaisePriority(MAX_WAIT_PRIORITY_BOOST))));
        Classification c = new Classification(name, queue.id(), priority, requirements, steps, version);
        rules.add(new RoutingRules.Rule(name, line(item), condition, c));
      }
    }
    if (catchAll < 0) {
      problem(
          items.get(items.size() - 1),
          "rules[" + (items.size() - 1) + "]",
          "no final catch-all rule: the last rule must have no 'when', so every interaction gets a queue");
    }
    return rules;
  }

  private Conditions.Condition condition(Node node, String key, Set<String> calendars) {
    if (!(node instanceof ScalarNode s) || s.getTag() != Tag.STR) {
      problem(node, key, "'when' must be a string, e.g. when: \"channel == 'voice'\" (leave 'when' out to match everything)");
      return null;
    }
    Conditions.Compiled compiled = Conditions.compile(s.getValue(), calendars);
    for (String message : compiled.problems()) {
      problem(node, key, message);
    }
    return compiled.condition();
  }

  private List<RelaxationStep> relax(
      Node node,
      String path,
      Map<String, Integer> require,
      QueueDefinition queue,
      Set<String> skills,
      Map<String, QueueDefinition> queues) {
    List<RelaxationStep> steps = new ArrayList<>();
    Map<String, Integer> current = new LinkedHashMap<>(require);
    Set<String> widened = new LinkedHashSet<>();
    Duration previous = null;
    List<Node> items = sequence(node, path, "relax", false);
    for (int j = 0; j < items.size(); j++) {
      String sp = path + "[" + j + "]";
      Fields f = fields(items.get(j), sp, STEP_KEYS, "a relax step");
      if (f == null) {
        continue;
      }
      Duration after = null;
      if (!f.has("after")) {
        problem(f.node, sp + ".after", "a relax step needs 'after' (how long the interaction has waited), e.g. after: 30s");
      } else {
        after = durationValue(f.get("after"), sp + ".after", false);
      }
      if (after != null) {
        if (previous != null && after.compareTo(previous) <= 0) {
          problem(
              f.get("after"),
              sp + ".after",
              "after " + Durations.format(after) + " is not later than the step before ("
                  + Durations.format(previous) + "); steps must come in increasing order");
        } else if (queue != null && after.compareTo(queue.maxWait()) >= 0) {
          problem(
              f.get("after"),
              sp + ".after",
              "after " + Durations.format(after) + " is not before queue " + queue.id() + "'s maxWait ("
                  + Durations.format(queue.maxWait()) + "), when every requirement is dropped anyway");
        }
        previous = after;
      }
      List<RelaxationAction> actions = new ArrayList<>();
      if (f.has("lower")) {
        Fields lower = fields(f.get("lower"), sp + ".lower", null, "lower");
        if (lower != null) {
          for (Map.Entry<String, Node> e : lower.values.entrySet()) {
            String skill = e.getKey();
            String key = sp + ".lower." + skill;
            boolean known = knownSkill(lower.keys.get(skill), key, skill, skills);
            Integer level = integer(e.getValue(), key, 1, 5, "proficiency");
            if (!known || level == null) {
              continue;
            }
            Integer now = current.get(skill);
            if (now == null) {
              problem(lower.keys.get(skill), key, "lower names " + skill + ", which is not required at this step");
            } else if (level >= now) {
              problem(e.getValue(), key, "does not lower " + skill + ": it is already " + now + " at this step");
            } else {
              current.put(skill, level);
              actions.add(new RelaxationAction.LowerSkill(skill, level));
            }
          }
        }
      }
      if (f.has("drop")) {
        List<Node> drops = sequence(f.get("drop"), sp + ".drop", "drop", true);
        boolean single = !(f.get("drop") instanceof SequenceNode);
        for (int k = 0; k < drops.size(); k++) {
          String key = single ? sp + ".drop" : sp + ".drop[" + k + "]";
          String skill = text(drops.get(k), key, "a skill");
          if (skill == null || !knownSkill(drops.get(k), key, skill, skills)) {
            continue;
          }
          if (!current.containsKey(skill)) {
            problem(drops.get(k), key, "drop names " + skill + ", which is not required at this step");
          } else {
            current.remove(skill);
            actions.add(new RelaxationAction.DropSkill(skill));
          }
        }
      }
      if (f.has("widen")) {
        List<Node> widen = sequence(f.get("widen"), sp + ".widen", "widen", true);
        boolean single = !(f.get("widen") instanceof SequenceNode);
        for (int k = 0; k < widen.size(); k++) {
          String key = single ? sp + ".widen" : sp + ".widen[" + k + "]";
          QueueDefinition q = knownQueue(widen.get(k), key, queues);
          if (q == null) {
            continue;
          }
          if (queue != null && q.id().equals(queue.id())) {
            problem(widen.get(k), key, "widen names the rule's own queue " + q.id());
          } else if (!widened.add(q.id())) {
            problem(widen.get(k), key, "queue " + q.id() + " is already widened to");
          } else {
            actions.add(new RelaxationAction.WidenQueue(q.id()));
          }
        }
      }
      if (f.has("raisePriority")) {
        Integer by = integer(f.get("raisePriority"), sp + ".raisePriority", MIN_PRIORITY, MAX_PRIORITY, "raisePriority");
        if (by != null) {
          actions.add(new RelaxationAction.RaisePriority(by));
        }
      }
      if (!f.has("lower") && !f.has("drop") && !f.has("widen") && !f.has("raisePriority")) {
        problem(f.node, sp, "a relax step must lower, drop, widen or raisePriority");
      }
      if (after != null && !actions.isEmpty()) {
        steps.add(new RelaxationStep(after, actions));
      }
    }
    return steps;
  }

  private QueueDefinition knownQueue(Node node, String key, Map<String, QueueDefinition> queues) {
    String id = text(node, key, "a queue id");
    if (id == null) {
      return null;
    }
    QueueDefinition q = queues.get(id);
    if (q == null) {
      problem(node, key, "unknown queue '" + id + "'" + suggest(id, queues.keySet()) + " (queues: " + String.join(", ", queues.keySet()) + ")");
    }
    return q;
  }

  private boolean knownSkill(Node node, String key, String skill, Set<String> skills) {
    if (skills.contains(skill)) {
      return true;
    }
    problem(
        node,
        key,
        "unknown skill '" + skill + "'" + suggest(skill, skills)
            + (skills.isEmpty() ? " (no skills are listed under 'skills')" : " (skills: " + String.join(", ", skills) + ")"));
    return false;
  }

  // ---- node helpers

  /** A mapping's entries by key, in file order, with the key nodes (for lines). */
  private static final class Fields {
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
  private Fields fields(Node node, String path, List<String> allowed, String what) {
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
  private List<Node> sequence(Node node, String path, String what, boolean scalarToo) {
    if (node instanceof SequenceNode seq) {
      return seq.getValue();
    }
    if (scalarToo && node instanceof ScalarNode s && s.getTag() != Tag.NULL) {
      return List.of(node);
    }
    problem(node, path, what + " must be a list" + (node instanceof ScalarNode s && s.getTag() == Tag.NULL ? " (it is empty)" : ""));
    return List.of();
  }

  private String text(Node node, String key, String what) {
    if (node instanceof ScalarNode s && s.getTag() != Tag.NULL) {
      return s.getValue();
    }
    problem(node, key, what + (node instanceof ScalarNode ? " is empty" : " must be a single value, not a list or mapping"));
    return null;
  }

  private String word(Node node, String key, String what) {
    String s = text(node, key, what);
    if (s != null && !WORD.matcher(s).matches()) {
      problem(node, key, what + " must be one word of letters, digits, '.', '_' or '-', not '" + s + "'");
      return null;
    }
    return s;
  }

  private Integer integer(Node node, String key, int min, int max, String what) {
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

  private Double number(Node node, String key) {
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

  private boolean bool(Fields f, String key, boolean fallback) {
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

  private Duration duration(Fields f, String key, Duration fallback, boolean positive) {
    if (!f.has(key)) {
      return fallback;
    }
    Duration d = durationValue(f.get(key), pathOf(f, key), positive);
    return d == null ? fallback : d;
  }

  private Duration durationValue(Node node, String key, boolean positive) {
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

  private static String pathOf(Fields f, String key) {
    return f.path.isEmpty() ? key : f.path + "." + key;
  }

  private void problem(Node node, String key, String message) {
    problems.add(new Problem(file, line(node), key, message));
  }

  private static int line(Node node) {
    return YamlLines.line(node);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
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
