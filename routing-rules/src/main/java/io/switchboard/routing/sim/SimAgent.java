package io.switchboard.routing.sim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An agent on the simulated roster, available from the start to the end.
 *
 * @param queues the queues served; empty = every queue
 * @param capacity channel → how many at once ({@link #DEFAULT_CAPACITY} fills channels not given)
 * @param exclusiveChannels channels whose work excludes any other (voice by default)
 */
public record SimAgent(
    String id,
    Map<String, Integer> skills,
    Set<String> queues,
    Map<String, Integer> capacity,
    Set<String> exclusiveChannels) {

  /** voice 1, chat 3, email 5, social 3: the hub's defaults (see config/demo/agents.yaml). */
  public static final Map<String, Integer> DEFAULT_CAPACITY = Map.of("voice", 1, "chat", 3, "email", 5, "social", 3);

  public static final Set<String> DEFAULT_EXCLUSIVE = Set.of("voice");

  public SimAgent {
    Objects.requireNonNull(id, "id");
    skills = Map.copyOf(skills);
    queues = queues == null ? Set.of() : Set.copyOf(queues);
    Map<String, Integer> c = new LinkedHashMap<>(DEFAULT_CAPACITY);
    if (capacity != null) {
      c.putAll(capacity);
    }
    capacity = Map.copyOf(c);
    exclusiveChannels = exclusiveChannels == null ? DEFAULT_EXCLUSIVE : Set.copyOf(exclusiveChannels);
  }

  /** An agent with default capacity, serving every queue. */
  public static SimAgent of(String id, Map<String, Integer> skills) {
    return new SimAgent(id, skills, Set.of(), null, null);
  }

  boolean serves(String queue) {
    return queues.isEmpty() || queues.contains(queue);
  }
}
