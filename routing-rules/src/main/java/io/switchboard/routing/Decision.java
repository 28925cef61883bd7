package io.switchboard.routing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The matcher's verdict on one waiting interaction, with its explanation: the requirement in force, and for
 * every agent considered either a score or why it was excluded.
 *
 * <p>To keep a matching pass fast with many agents, {@link Matcher} by default lists in {@code candidates} only the
 * best {@value Matcher#SHOWN_ELIGIBLE} eligible agents (best first, the chosen one first of all) plus the customer's
 * last agent when it is not among them; every agent it left out is still accounted for, in {@code eligible} and in
 * {@code excluded} (reason → how many agents it excluded, each agent counted once, under the first reason that
 * excludes it, e.g. "not available" → 412, "lacks german" → 97, "billing below 4" → 31). {@link
 * Matcher#withFullExplanations()} lists every agent with its exact reason instead.
 *
 * @param chosenAgentId the agent to offer it to, or null when no agent qualifies now
 * @param candidates the agents listed, eligible ones first in the order the matcher ranked them
 * @param eligible how many agents were eligible (listed or not)
 * @param excluded reason → number of agents excluded for it, in the order the matcher checks reasons
 */
public record Decision(
    String interactionId,
    Target target,
    String chosenAgentId,
    List<Verdict> candidates,
    int eligible,
    Map<String, Integer> excluded) {
  public Decision {
    Objects.requireNonNull(interactionId, "interactionId");
    Objects.requireNonNull(target, "target");
    candidates = List.copyOf(candidates);
    excluded = Collections.unmodifiableMap(new LinkedHashMap<>(excluded));
  }

  /** A decision that lists every agent considered; {@code eligible} and {@code excluded} are counted from the list. */
  public Decision(String interactionId, Target target, String chosenAgentId, List<Verdict> candidates) {
    this(interactionId, target, chosenAgentId, candidates, countEligible(candidates), countExcluded(candidates));
  }

  private static int countEligible(List<Verdict> candidates) {
    return (int) candidates.stream().filter(v -> v.excludedBecause() == null).count();
  }

  private static Map<String, Integer> countExcluded(List<Verdict> candidates) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Verdict v : candidates) {
      if (v.excludedBecause() != null) {
        counts.merge(v.excludedBecause(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Whether an agent was chosen. */
  public boolean matched() {
    return chosenAgentId != null;
  }

  /**
   * One agent considered.
   *
   * @param score the skill-match score when eligible, else null
   * @param excludedBecause why not eligible (e.g. "not available", "no chat capacity left (3/3)",
   *     "billing 2 < 4", "declined it", "not in queue billing"), else null
   * @param sticky whether this is the customer's last agent within the sticky window
   */
  public record Verdict(String agentId, Double score, String excludedBecause, boolean sticky) {}
}
