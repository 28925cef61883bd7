package io.switchboard.routing;

import java.util.Objects;

/** An agent must have {@code skill} at {@code minProficiency} (1..5) or better. */
public record SkillRequirement(String skill, int minProficiency) {
  public SkillRequirement {
    Objects.requireNonNull(skill, "skill");
    if (minProficiency < 1 || minProficiency > 5) {
      throw new IllegalArgumentException("proficiency must be 1..5, got " + minProficiency);
    }
  }
}
