package io.switchboard.routing;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An agent as the matcher sees it at one moment.
 *
 * @param available in state "available" (not busy by state, on break, in after-call work or offline)
 * @param skills skill → proficiency 1..5
 * @param queues the queues the agent serves; empty means every queue
 * @param capacity channel → how many at once
 * @param load channel → interactions offered or assigned now
 * @param exclusiveChannels channels whose work excludes any other (voice by default): an agent with load on
 *     one takes nothing else, and takes one only with no load at all
 * @param idleSince when the agent last became free of work (for longest-idle ordering)
 */
public record AgentSnapshot(
    String agentId,
    boolean available,
    Map<String, Integer> skills,
    Set<String> queues,
    Map<String, Integer> capacity,
    Map<String, Integer> load,
    Set<String> exclusiveChannels,
    Instant idleSince) {
  public AgentSnapshot {
    Objects.requireNonNull(agentId, "agentId");
    skills = Map.copyOf(skills);
    queues = Set.copyOf(queues);
    capacity = Map.copyOf(capacity);
    load = Map.copyOf(load);
    exclusiveChannels = Set.copyOf(exclusiveChannels);
    Objects.requireNonNull(idleSince, "idleSince");
  }

  /** Load on every channel together. */
  public int totalLoad() {
    return load.values().stream().mapToInt(Integer::intValue).sum();
  }
}
