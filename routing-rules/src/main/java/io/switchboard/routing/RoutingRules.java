package io.switchboard.routing;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.jexl3.MapContext;

/**
 * A validated rule set read from routing.yaml: settings, skills, calendars, queues and the ordered rules that put each
 * interaction in a queue with a priority, skill requirements and relaxation steps.
 *
 * <p>Lifecycle: {@link #parse} builds one; a new file version is a new instance (the hub swaps the reference on hot
 * reload, and each {@link Classification} names the version that made it). Threading: immutable and thread-safe;
 * conditions are compiled once by {@link #parse} and share nothing while they run. Failure: {@link #parse} throws a
 * {@link RulesException} listing every problem with its line and key; {@link #classify} never throws for a condition
 * that fails at run time (a null where text was expected, say) or runs past its {@linkplain #conditionBudget() time
 * budget}: that rule just does not match, and the caller's listener is told.
 */
public final class RoutingRules {

  /** One rule: its compiled condition (null = matches everything) and the classification it gives. */
  record Rule(String name, int line, Conditions.Condition condition, Classification classification) {}

  /** How the message to a {@link ConditionErrorListener} starts when a condition ran past its time budget. */
  public static final String OVER_BUDGET = "ran longer than its time budget";

  /** Told when a rule's condition fails while it runs (the rule then does not match). */
  @FunctionalInterface
  public interface ConditionErrorListener {
    void conditionFailed(String rule, String message);
  }

  private final String fileName;
  private final int version;
  private final String sourceText;
  private final RoutingSettings settings;
  private final Set<String> skills;
  private final Map<String, BusinessCalendar> calendars;
  private final Map<String, QueueDefinition> queues;
  private final List<Rule> rules;
  private final List<String> ruleNames;
  private final ConditionBudget budget;

  RoutingRules(
      String fileName,
      int version,
      String sourceText,
      RoutingSettings settings,
      Set<String> skills,
      Map<String, BusinessCalendar> calendars,
      Map<String, QueueDefinition> queues,
      List<Rule> rules,
      ConditionBudget budget) {
    this.budget = budget;
    this.fileName = fileName;
    this.version = version;
    this.sourceText = sourceText;
    this.settings = settings;
    this.skills = Collections.unmodifiableSet(new LinkedHashSet<>(skills));
    this.calendars = Collections.unmodifiableMap(new LinkedHashMap<>(calendars));
    this.queues = Collections.unmodifiableMap(new LinkedHashMap<>(queues));
    this.rules = List.copyOf(rules);
    this.ruleNames = this.rules.stream().map(Rule::name).toList();
  }

  /**
   * Parses and validates routing.yaml text.
   *
   * @param fileName named in every problem (e.g. "config/routing.yaml")
   * @param version stamped on every classification, so a decision can be traced to the file version that made it
   * @throws RulesException listing every problem found (YAML syntax, unknown keys, skills or queues, bad levels,
   *     durations or priorities, relaxation steps out of order, conditions that do not compile, unreachable rules, a
   *     missing catch-all rule, ...), sorted by line
   */
  public static RoutingRules parse(String fileName, String yamlText, int version) throws RulesException {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(yamlText, "yamlText");
    return new RulesParser(fileName).parse(yamlText, version);
  }

  public String fileName() {
    return fileName;
  }

  /** The same rules with another time budget per condition, measured by {@code ticker} (nanoseconds; tests). */
  RoutingRules withConditionBudget(Duration limit, java.util.function.LongSupplier ticker) {
    return new RoutingRules(fileName, version, sourceText, settings, skills, calendars, queues, rules,
        new ConditionBudget(limit, ticker));
  }

  /** How long one condition may run before it is stopped, reported and counted as no match. */
  public Duration conditionBudget() {
    return budget.limit();
  }

  public int version() {
    return version;
  }

  /** The text this rule set was parsed from. */
  public String sourceText() {
    return sourceText;
  }

  /** Queues by id, in file order. */
  public Map<String, QueueDefinition> queues() {
    return queues;
  }

  /** The skills rules may require, in file order. */
  public Set<String> skills() {
    return skills;
  }

  public RoutingSettings settings() {
    return settings;
  }

  /** Rule names in the order they are tried. */
  public List<String> ruleNames() {
    return ruleNames;
  }

  /** Names of the calendars conditions can test with {@code open.NAME}. */
  public Set<String> calendarNames() {
    return calendars.keySet();
  }

  /**
   * The time zone of the first calendar in the file, if the file defines any: the zone the contact center
   * keeps its hours in (the dashboard's "today" starts at midnight there).
   */
  public Optional<ZoneId> calendarZone() {
    return calendars.values().stream().findFirst().map(BusinessCalendar::zone);
  }

  /**
   * Whether {@code calendar} is open at {@code now}.
   *
   * @throws IllegalArgumentException for a calendar the file does not define
   */
  public boolean isOpen(String calendar, ZonedDateTime now) {
    BusinessCalendar c = calendars.get(calendar);
    if (c == null) {
      throw new IllegalArgumentException("no calendar '" + calendar + "' in " + fileName);
    }
    return c.isOpen(now);
  }

  /**
   * Runs the rules in order over {@code facts} and returns the first match's classification. Never null: validation
   * guarantees a last rule without condition. A condition that fails while it runs counts as no match.
   *
   * @param now the moment calendars are checked against ({@code open.NAME})
   */
  public Classification classify(InteractionFacts facts, ZonedDateTime now) {
    return classify(facts, now, (rule, message) -> {});
  }

  /** As {@link #classify(InteractionFacts, ZonedDateTime)}, telling {@code onError} about conditions that failed. */
  public Classification classify(InteractionFacts facts, ZonedDateTime now, ConditionErrorListener onError) {
    Objects.requireNonNull(facts, "facts");
    Objects.requireNonNull(now, "now");
    MapContext context = context(facts, now);
    for (Rule rule : rules) {
      if (rule.condition() == null) {
        return rule.classification();
      }
      try {
        if (rule.condition().test(context, budget)) {
          return rule.classification();
        }
      } catch (RuntimeException e) {
        onError.conditionFailed(rule.name(), describe(e));
      }
    }
    throw new IllegalStateException("rules without a catch-all passed validation: " + ruleNames);
  }

  /**
   * The classification for an interaction put into {@code queue} by a person (a transfer or a supervisor's move): the
   * first rule for that queue whose condition holds for {@code facts} (or that has none); when there is none, the
   * queue with no skill requirement, priority 0 and only the implicit step at its maxWait (rule name
   * {@code "queue:<id>"}).
   *
   * @throws IllegalArgumentException for a queue this rule set does not define
   */
  public Classification classifyInto(String queue, InteractionFacts facts, ZonedDateTime now) {
    QueueDefinition q = queues.get(queue);
    if (q == null) {
      throw new IllegalArgumentException("no queue '" + queue + "' in " + fileName);
    }
    MapContext context = null;
    for (Rule rule : rules) {
      if (!rule.classification().queue().equals(queue)) {
        continue;
      }
      if (rule.condition() == null) {
        return rule.classification();
      }
      if (context == null) {
        context = context(facts, now);
      }
      try {
        if (rule.condition().test(context, budget)) {
          return rule.classification();
        }
      } catch (RuntimeException e) {
        // a condition that fails does not match
      }
    }
    return new Classification("queue:" + queue, queue, 0, List.of(),
        List.of(new RelaxationStep(q.maxWait(), List.of(new RelaxationAction.DropAll(),
            new RelaxationAction.RaisePriority(RulesParser.MAX_WAIT_PRIORITY_BOOST)))), version);
  }

  private static String describe(RuntimeException e) {
    ConditionBudget.Exceeded over = ConditionBudget.exceeded(e);
    if (over != null) {
      return over.getMessage();
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof com.google.re2j.PatternSyntaxException bad) {
        return "the regular expression cannot be used: " + bad.getMessage();
      }
    }
    return e instanceof org.apache.commons.jexl3.JexlException je ? Conditions.describe(je) : e.toString();
  }

  private MapContext context(InteractionFacts facts, ZonedDateTime now) {
    Map<String, Object> customer = new HashMap<>();
    customer.put("tier", facts.customerTier());
    customer.put("language", facts.language());
    customer.put("attributes", facts.customerAttributes());
    Map<String, Object> open = new HashMap<>();
    for (BusinessCalendar c : calendars.values()) {
      open.put(c.name(), c.isOpen(now));
    }
    Map<String, Object> vars = new HashMap<>();
    vars.put("channel", facts.channel());
    vars.put("attributes", facts.attributes());
    vars.put("subject", facts.subject());
    vars.put("language", facts.language());
    vars.put("customer", customer);
    vars.put("open", open);
    return new MapContext(vars);
  }

  @Override
  public String toString() {
    return "RoutingRules[" + fileName + " v" + version + ", " + queues.size() + " queues, " + rules.size() + " rules]";
  }
}
