package io.switchboard.hub.core.agent;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.error.ValidationException.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an admin sets on an existing member of staff: the display name (null keeps it), every skill with its
 * proficiency (1 to 5; the map replaces the old one, empty = no skills) and the capacity per channel (0 to 50; channels
 * left out take the configured defaults).
 */
public record AgentProfile(String displayName, Map<String, Integer> skills, Map<Channel, Integer> capacity) {
  private static final Pattern SKILL = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");
  /** More skills than any routing rules file names is a mistake, not a profile. */
  public static final int MAX_SKILLS = 100;

  public AgentProfile {
    List<FieldError> errors = new ArrayList<>();
    if (displayName != null && (displayName.isBlank() || displayName.length() > 200)) {
      errors.add(new FieldError("displayName", "must be 1 to 200 characters"));
    }
    if (skills == null) {
      errors.add(new FieldError("skills", "is required: skill to proficiency 1 to 5 ({} for none)"));
    } else {
      if (skills.size() > MAX_SKILLS) {
        errors.add(new FieldError("skills", "at most " + MAX_SKILLS + " skills"));
      }
      skills.forEach((skill, level) -> {
        if (!SKILL.matcher(skill).matches()) {
          errors.add(new FieldError("skills." + skill, "skill names are lower-case letters, digits, '_' or '-'"));
        } else if (level == null || level < 1 || level > 5) {
          errors.add(new FieldError("skills." + skill, "proficiency must be 1 to 5"));
        }
      });
    }
    if (capacity != null) {
      capacity.forEach((channel, n) -> {
        if (n == null || n < 0 || n > 50) {
          errors.add(new FieldError("capacity." + channel.wireName(), "must be 0 to 50"));
        }
      });
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    displayName = displayName == null ? null : displayName.strip();
    skills = Map.copyOf(skills);
    capacity = capacity == null ? Map.of() : Map.copyOf(capacity);
  }
}
