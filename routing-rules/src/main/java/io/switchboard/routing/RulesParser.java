package io.switchboard.routing;

import io.switchboard.routing.RuleNodes.Fields;
import io.switchboard.routing.RulesException.Problem;
import io.switchboard.yaml.YamlLines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads routing.yaml from SnakeYAML's node tree (which keeps line numbers) and validates it, collecting every problem
 * before giving up: settings, skills, queues and rules with their conditions and relaxation steps here, the calendars
 * in {@link CalendarSection}, value reading and problem recording in {@link RuleNodes}. One instance per parse; not
 * thread-safe.
 *
 * <p>Size (just over 400 lines, #15): what is left here is the queues and rules sections, which check each other (a
 * rule names a queue, a step widens to one, requirements name skills); calendars and value reading were split out.
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
  private static final List<String> QUEUE_KEYS = List.of("id", "name", "serviceLevel", "maxWait");
  private static final List<String> SERVICE_LEVEL_KEYS = List.of("percent", "within");
  private static final List<String> RULE_KEYS = List.of("name", "when", "queue", "priority", "require", "relax");
  private static final List<String> STEP_KEYS = List.of("after", "lower", "drop", "widen", "raisePriority");
  private static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(10);

  private final String file;
  private final RuleNodes nodes;

  RulesParser(String file) {
    this.file = file;
    this.nodes = new RuleNodes(file);
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
    Fields top = nodes.fields(root, "", TOP_KEYS, "the file");
    if (top == null) {
      throw nodes.done();
    }
    RoutingSettings settings = settings(top.get("settings"));
    Set<String> skills = skills(top.get("skills"));
    Map<String, BusinessCalendar> calendars = new CalendarSection(nodes).read(top.get("calendars"));
    Map<String, QueueDefinition> queues = queues(top, top.get("queues"));
    List<RoutingRules.Rule> rules = rules(top, top.get("rules"), skills, queues, calendars, version);
    if (nodes.failed()) {
      throw nodes.done();
    }
    return new RoutingRules(file, version, text, settings, skills, calendars, queues, rules, ConditionBudget.DEFAULT);
  }

  // ---- settings, skills

  private RoutingSettings settings(Node node) {
    RoutingSettings d = RoutingSettings.DEFAULTS;
    if (node == null) {
      return d;
    }
    Fields f = nodes.fields(node, "settings", SETTINGS_KEYS, "settings");
    if (f == null) {
      return d;
    }
    return new RoutingSettings(
        nodes.duration(f, "offerTimeout", d.offerTimeout(), true),
        nodes.bool(f, "pauseAgentOnOfferTimeout", d.pauseAgentOnOfferTimeout()),
        nodes.duration(f, "stickyAgentWindow", d.stickyAgentWindow(), false),
        nodes.duration(f, "afterCallWork", d.afterCallWork(), false),
        nodes.bool(f, "wrapUpRequired", d.wrapUpRequired()));
  }

  private Set<String> skills(Node node) {
    Set<String> skills = new LinkedHashSet<>();
    if (node == null) {
      return skills;
    }
    List<Node> items = nodes.sequence(node, "skills", "skills", true);
    for (int i = 0; i < items.size(); i++) {
      String key = "skills[" + i + "]";
      String name = nodes.word(items.get(i), key, "a skill");
      if (name != null && !skills.add(name)) {
        nodes.problem(items.get(i), key, "skill '" + name + "' is listed twice");
      }
    }
    return skills;
  }

  // ---- queues

  private Map<String, QueueDefinition> queues(Fields top, Node node) {
    Map<String, QueueDefinition> queues = new LinkedHashMap<>();
    if (node == null) {
      nodes.problem(top.node, "queues", "the file needs a 'queues' list");
      return queues;
    }
    List<Node> items = nodes.sequence(node, "queues", "queues", false);
    if (items.isEmpty() && node instanceof SequenceNode) {
      nodes.problem(node, "queues", "the queues list is empty; define at least one queue");
    }
    Map<String, Integer> firstLine = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "queues[" + i + "]";
      Fields f = nodes.fields(items.get(i), path, QUEUE_KEYS, "a queue");
      if (f == null) {
        continue;
      }
      String id = null;
      if (!f.has("id")) {
        nodes.problem(f.node, path + ".id", "a queue needs an id");
      } else {
        id = nodes.word(f.get("id"), path + ".id", "a queue id");
      }
      String name = f.has("name") ? nodes.text(f.get("name"), path + ".name", "name") : null;
      double percent = 80;
      Duration within = Duration.ofSeconds(20);
      if (f.has("serviceLevel")) {
        Fields sl = nodes.fields(f.get("serviceLevel"), path + ".serviceLevel", SERVICE_LEVEL_KEYS, "serviceLevel");
        if (sl != null) {
          if (sl.has("percent")) {
            Double p = nodes.number(sl.get("percent"), path + ".serviceLevel.percent");
            if (p != null && (p <= 0 || p > 100)) {
              nodes.problem(sl.get("percent"), path + ".serviceLevel.percent", "percent must be above 0 and at most 100, not " + fmt(p));
            } else if (p != null) {
              percent = p;
            }
          }
          within = nodes.duration(sl, "within", within, true);
        }
      }
      Duration maxWait = nodes.duration(f, "maxWait", DEFAULT_MAX_WAIT, true);
      if (id == null) {
        continue;
      }
      if (firstLine.containsKey(id)) {
        nodes.problem(f.get("id"), path + ".id", "duplicate queue id '" + id + "' (first at line " + firstLine.get(id) + ")");
        continue;
      }
      firstLine.put(id, RuleNodes.line(f.get("id")));
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
      nodes.problem(top.node, "rules", "the file needs a 'rules' list ending with a catch-all rule (one without 'when')");
      return rules;
    }
    List<Node> items = nodes.sequence(node, "rules", "rules", false);
    if (!(node instanceof SequenceNode)) {
      return rules;
    }
    if (items.isEmpty()) {
      nodes.problem(node, "rules", "the rules list is empty; it needs at least a catch-all rule (one without 'when')");
      return rules;
    }
    if (items.size() > MAX_RULES) {
      nodes.problem(node, "rules", items.size() + " rules; at most " + MAX_RULES + " are allowed");
    }
    Map<String, Integer> names = new LinkedHashMap<>();
    int catchAll = -1;
    String catchAllName = null;
    int catchAllLine = 0;
    for (int i = 0; i < items.size(); i++) {
      String path = "rules[" + i + "]";
      Node item = items.get(i);
      if (catchAll >= 0) {
        nodes.problem(
            item,
            path,
            "unreachable: rule '" + catchAllName + "' (line " + catchAllLine + ") has no 'when' and takes everything first");
      }
      Fields f = nodes.fields(item, path, RULE_KEYS, "a rule");
      if (f == null) {
        continue;
      }
      String name = null;
      if (!f.has("name")) {
        nodes.problem(f.node, path + ".name", "a rule needs a name");
      } else {
        name = nodes.text(f.get("name"), path + ".name", "name");
        if (name != null && name.isBlank()) {
          nodes.problem(f.get("name"), path + ".name", "a rule name must not be blank");
          name = null;
        }
        if (name != null && names.containsKey(name)) {
          nodes.problem(f.get("name"), path + ".name", "duplicate rule name '" + name + "' (first at line " + names.get(name) + ")");
        } else if (name != null) {
          names.put(name, RuleNodes.line(f.get("name")));
        }
      }
      String label = name == null ? path : name;
      Conditions.Condition condition = null;
      if (f.has("when")) {
        condition = condition(f.get("when"), path + ".when", calendars.keySet());
      } else if (catchAll < 0) {
        catchAll = i;
        catchAllName = label;
        catchAllLine = RuleNodes.line(item);
      }
      QueueDefinition queue = null;
      if (!f.has("queue")) {
        nodes.problem(f.node, path + ".queue", "a rule needs a queue");
      } else {
        queue = knownQueue(f.get("queue"), path + ".queue", queues);
      }
      int priority = 0;
      if (f.has("priority")) {
        Integer p = nodes.integer(f.get("priority"), path + ".priority", MIN_PRIORITY, MAX_PRIORITY, "priority");
        priority = p == null ? 0 : p;
      }
      Map<String, Integer> require = new LinkedHashMap<>();
      if (f.has("require")) {
        Fields r = nodes.fields(f.get("require"), path + ".require", null, "require");
        if (r != null) {
          for (Map.Entry<String, Node> e : r.values.entrySet()) {
            String key = path + ".require." + e.getKey();
            boolean known = knownSkill(r.keys.get(e.getKey()), key, e.getKey(), skills);
            Integer level = nodes.integer(e.getValue(), key, 1, 5, "proficiency");
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
        rules.add(new RoutingRules.Rule(name, RuleNodes.line(item), condition, c));
      }
    }
    if (catchAll < 0) {
      nodes.problem(
          items.get(items.size() - 1),
          "rules[" + (items.size() - 1) + "]",
          "no final catch-all rule: the last rule must have no 'when', so every interaction gets a queue");
    }
    return rules;
  }

  private Conditions.Condition condition(Node node, String key, Set<String> calendars) {
    if (!(node instanceof ScalarNode s) || s.getTag() != Tag.STR) {
      nodes.problem(node, key, "'when' must be a string, e.g. when: \"channel == 'voice'\" (leave 'when' out to match everything)");
      return null;
    }
    Conditions.Compiled compiled = Conditions.compile(s.getValue(), calendars);
    for (String message : compiled.problems()) {
      nodes.problem(node, key, message);
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
    List<Node> items = nodes.sequence(node, path, "relax", false);
    for (int j = 0; j < items.size(); j++) {
      String sp = path + "[" + j + "]";
      Fields f = nodes.fields(items.get(j), sp, STEP_KEYS, "a relax step");
      if (f == null) {
        continue;
      }
      Duration after = null;
      if (!f.has("after")) {
        nodes.problem(f.node, sp + ".after", "a relax step needs 'after' (how long the interaction has waited), e.g. after: 30s");
      } else {
        after = nodes.durationValue(f.get("after"), sp + ".after", false);
      }
      if (after != null) {
        if (previous != null && after.compareTo(previous) <= 0) {
          nodes.problem(
              f.get("after"),
              sp + ".after",
              "after " + Durations.format(after) + " is not later than the step before ("
                  + Durations.format(previous) + "); steps must come in increasing order");
        } else if (queue != null && after.compareTo(queue.maxWait()) >= 0) {
          nodes.problem(
              f.get("after"),
              sp + ".after",
              "after " + Durations.format(after) + " is not before queue " + queue.id() + "'s maxWait ("
                  + Durations.format(queue.maxWait()) + "), when every requirement is dropped anyway");
        }
        previous = after;
      }
      List<RelaxationAction> actions = new ArrayList<>();
      if (f.has("lower")) {
        Fields lower = nodes.fields(f.get("lower"), sp + ".lower", null, "lower");
        if (lower != null) {
          for (Map.Entry<String, Node> e : lower.values.entrySet()) {
            String skill = e.getKey();
            String key = sp + ".lower." + skill;
            boolean known = knownSkill(lower.keys.get(skill), key, skill, skills);
            Integer level = nodes.integer(e.getValue(), key, 1, 5, "proficiency");
            if (!known || level == null) {
              continue;
            }
            Integer now = current.get(skill);
            if (now == null) {
              nodes.problem(lower.keys.get(skill), key, "lower names " + skill + ", which is not required at this step");
            } else if (level >= now) {
              nodes.problem(e.getValue(), key, "does not lower " + skill + ": it is already " + now + " at this step");
            } else {
              current.put(skill, level);
              actions.add(new RelaxationAction.LowerSkill(skill, level));
            }
          }
        }
      }
      if (f.has("drop")) {
        List<Node> drops = nodes.sequence(f.get("drop"), sp + ".drop", "drop", true);
        boolean single = !(f.get("drop") instanceof SequenceNode);
        for (int k = 0; k < drops.size(); k++) {
          String key = single ? sp + ".drop" : sp + ".drop[" + k + "]";
          String skill = nodes.text(drops.get(k), key, "a skill");
          if (skill == null || !knownSkill(drops.get(k), key, skill, skills)) {
            continue;
          }
          if (!current.containsKey(skill)) {
            nodes.problem(drops.get(k), key, "drop names " + skill + ", which is not required at this step");
          } else {
            current.remove(skill);
            actions.add(new RelaxationAction.DropSkill(skill));
          }
        }
      }
      if (f.has("widen")) {
        List<Node> widen = nodes.sequence(f.get("widen"), sp + ".widen", "widen", true);
        boolean single = !(f.get("widen") instanceof SequenceNode);
        for (int k = 0; k < widen.size(); k++) {
          String key = single ? sp + ".widen" : sp + ".widen[" + k + "]";
          QueueDefinition q = knownQueue(widen.get(k), key, queues);
          if (q == null) {
            continue;
          }
          if (queue != null && q.id().equals(queue.id())) {
            nodes.problem(widen.get(k), key, "widen names the rule's own queue " + q.id());
          } else if (!widened.add(q.id())) {
            nodes.problem(widen.get(k), key, "queue " + q.id() + " is already widened to");
          } else {
            actions.add(new RelaxationAction.WidenQueue(q.id()));
          }
        }
      }
      if (f.has("raisePriority")) {
        Integer by = nodes.integer(f.get("raisePriority"), sp + ".raisePriority", MIN_PRIORITY, MAX_PRIORITY, "raisePriority");
        if (by != null) {
          actions.add(new RelaxationAction.RaisePriority(by));
        }
      }
      if (!f.has("lower") && !f.has("drop") && !f.has("widen") && !f.has("raisePriority")) {
        nodes.problem(f.node, sp, "a relax step must lower, drop, widen or raisePriority");
      }
      if (after != null && !actions.isEmpty()) {
        steps.add(new RelaxationStep(after, actions));
      }
    }
    return steps;
  }

  private QueueDefinition knownQueue(Node node, String key, Map<String, QueueDefinition> queues) {
    String id = nodes.text(node, key, "a queue id");
    if (id == null) {
      return null;
    }
    QueueDefinition q = queues.get(id);
    if (q == null) {
      nodes.problem(node, key, "unknown queue '" + id + "'" + RuleNodes.suggest(id, queues.keySet()) + " (queues: " + String.join(", ", queues.keySet()) + ")");
    }
    return q;
  }

  private boolean knownSkill(Node node, String key, String skill, Set<String> skills) {
    if (skills.contains(skill)) {
      return true;
    }
    nodes.problem(
        node,
        key,
        "unknown skill '" + skill + "'" + RuleNodes.suggest(skill, skills)
            + (skills.isEmpty() ? " (no skills are listed under 'skills')" : " (skills: " + String.join(", ", skills) + ")"));
    return false;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

}
