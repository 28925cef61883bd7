package io.switchboard.routing;

import java.util.List;
import java.util.Set;

/**
 * What an interaction requires at one moment of its wait.
 *
 * @param step how many relaxation steps are in force (0 = none)
 * @param queues the queues whose agents may take it (its own, plus any widened to)
 */
public record Target(int step, Set<String> queues, int priority, List<SkillRequirement> requirements) {
  public Target {
    queues = Set.copyOf(queues);
    requirements = List.copyOf(requirements);
  }
}
