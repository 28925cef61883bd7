package io.switchboard.hub.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A member of staff. Agents take interactions; supervisors and admins may too when they have skills.
 *
 * @param skills skill name to proficiency, 1 (basic) to 5 (expert)
 * @param capacity channel to how many interactions of it at once
 * @param queues the queues the agent serves (its routing profile), sorted; empty: every queue
 */
public record Agent(
    AgentId id,
    String username,
    String displayName,
    Role role,
    boolean active,
    Map<String, Integer> skills,
    Map<Channel, Integer> capacity,
    Instant createdAt,
    List<String> queues) {
  public Agent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(role, "role");
    skills = skills == null ? Map.of() : Map.copyOf(skills);
    capacity = capacity == null ? Map.of() : Map.copyOf(capacity);
    queues = queues == null ? List.of() : List.copyOf(new java.util.TreeSet<>(queues));
  }

  /** A member of staff who serves every queue. */
  public Agent(AgentId id, String username, String displayName, Role role, boolean active, Map<String, Integer> skills,
      Map<Channel, Integer> capacity, Instant createdAt) {
    this(id, username, displayName, role, active, skills, capacity, createdAt, List.of());
  }
}
