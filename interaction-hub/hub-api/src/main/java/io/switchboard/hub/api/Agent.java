package io.switchboard.hub.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A member of staff. Agents take interactions; supervisors and admins may too when they have skills.
 *
 * @param skills skill name to proficiency, 1 (basic) to 5 (expert)
 * @param capacity channel to how many interactions of it at once
 */
public record Agent(
    AgentId id,
    String username,
    String displayName,
    Role role,
    boolean active,
    Map<String, Integer> skills,
    Map<Channel, Integer> capacity,
    Instant createdAt) {
  public Agent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(role, "role");
    skills = skills == null ? Map.of() : Map.copyOf(skills);
    capacity = capacity == null ? Map.of() : Map.copyOf(capacity);
  }
}
