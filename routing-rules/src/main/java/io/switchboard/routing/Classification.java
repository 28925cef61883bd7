package io.switchboard.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the rules put an interaction: the rule that matched, its queue, priority, skill requirements and
 * relaxation steps (ending with the implicit step at the queue's maximum wait that drops every requirement
 * and lifts the priority above all others, so nothing waits past it for lack of a perfect agent).
 *
 * <p>Immutable and thread-safe. {@link RoutingRules#classify} returns one shared instance per rule.
 *
 * @param rulesVersion the version of the rule set that classified it
 */
public record Classification(
    String rule,
    String queue,
    int priority,
    List<SkillRequirement> requirements,
    List<RelaxationStep> steps,
    int rulesVersion) {
  public Classification {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(queue, "queue");
    requirements = List.copyOf(requirements);
    steps = List.copyOf(steps);
  }

  /**
   * The requirement in force after waiting {@code waited}: every step whose {@code after} is at most {@code waited}
   * applied in list order. {@link RelaxationAction.LowerSkill} lowers a required level (never raises it),
   * {@link RelaxationAction.DropSkill} removes a requirement, {@link RelaxationAction.RaisePriority} adds to the
   * priority, {@link RelaxationAction.WidenQueue} adds a queue and {@link RelaxationAction.DropAll} removes every
   * requirement. A negative wait counts as zero.
   */
  public Target at(Duration waited) {
    Objects.requireNonNull(waited, "waited");
    Map<String, Integer> required = new LinkedHashMap<>();
    for (SkillRequirement r : requirements) {
      required.merge(r.skill(), r.minProficiency(), Math::max);
    }
    Set<String> queues = new LinkedHashSet<>();
    queues.add(queue);
    long prio = priority;
    int applied = 0;
    for (RelaxationStep step : steps) {
      if (step.after().compareTo(waited) > 0) {
        continue;
      }
      applied++;
      for (RelaxationAction action : step.actions()) {
        switch (action) {
          case RelaxationAction.LowerSkill l -> required.computeIfPresent(l.skill(), (k, v) -> Math.min(v, l.toLevel()));
          case RelaxationAction.DropSkill d -> required.remove(d.skill());
          case RelaxationAction.RaisePriority r -> prio += r.by();
          case RelaxationAction.WidenQueue w -> queues.add(w.queue());
          case RelaxationAction.DropAll x -> required.clear();
        }
      }
    }
    List<SkillRequirement> in = new ArrayList<>(required.size());
    required.forEach((skill, level) -> in.add(new SkillRequirement(skill, level)));
    int p = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, prio));
    return new Target(applied, queues, p, in);
  }

  /**
   * When the next step comes into force (measured, like {@code after}, from the start of the wait), or null when every
   * step already is.
   */
  public Duration nextStepAfter(Duration waited) {
    Objects.requireNonNull(waited, "waited");
    Duration next = null;
    for (RelaxationStep step : steps) {
      if (step.after().compareTo(waited) > 0 && (next == null || step.after().compareTo(next) < 0)) {
        next = step.after();
      }
    }
    return next;
  }

  /**
   * This classification for an interaction that already waited {@code waited} before it came here (a transfer or a
   * move keeps the customer's place in time): every relaxation step comes {@code waited} later, so relaxation counts
   * from now, while fairness still counts from the first arrival; the priority is at least {@code minPriority}.
   */
  public Classification requeuedAfter(Duration waited, int minPriority) {
    Objects.requireNonNull(waited, "waited");
    Duration shift = waited.isNegative() ? Duration.ZERO : waited;
    List<RelaxationStep> shifted = new ArrayList<>(steps.size());
    for (RelaxationStep s : steps) {
      shifted.add(new RelaxationStep(s.after().plus(shift), s.actions()));
    }
    return new Classification(rule, queue, Math.max(priority, minPriority), requirements, shifted, rulesVersion);
  }

  /** How many steps are in force after waiting {@code waited} (the {@link Target#step()} that {@link #at} gives). */
  public int stepsInForce(Duration waited) {
    int n = 0;
    for (RelaxationStep step : steps) {
      if (step.after().compareTo(waited) <= 0) {
        n++;
      }
    }
    return n;
  }
}
