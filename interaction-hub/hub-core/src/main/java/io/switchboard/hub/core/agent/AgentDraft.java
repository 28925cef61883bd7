package io.switchboard.hub.core.agent;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.error.ValidationException.FieldError;
import io.switchboard.hub.core.auth.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A new member of staff, validated.
 *
 * @param skills skill to proficiency 1..5
 * @param capacity per-channel capacity; channels left out take the configured defaults
 */
public record AgentDraft(
    String username, String displayName, Role role, String password, Map<String, Integer> skills,
    Map<Channel, Integer> capacity) {
  private static final Pattern USERNAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{1,63}$");
  private static final Pattern SKILL = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");

  public AgentDraft {
    List<FieldError> errors = new ArrayList<>();
    if (skills != null) {
      skills.forEach((k, v) -> {
        if (v == null) {
          errors.add(new FieldError("skills." + k, "proficiency must be 1 to 5"));
        }
      });
    }
    if (capacity != null) {
      capacity.forEach((k, v) -> {
        if (v == null) {
          errors.add(new FieldError("capacity." + k.wireName(), "must be 0 to 50"));
        }
      });
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    skills = skills == null ? Map.of() : Map.copyOf(skills);
    capacity = capacity == null ? Map.of() : Map.copyOf(capacity);
    username = username == null ? null : username.strip().toLowerCase(Locale.ROOT);
    if (username == null || !USERNAME.matcher(username).matches()) {
      errors.add(new FieldError("username", "must be 2 to 64 lower-case letters, digits, '.', '_' or '-'"));
    }
    if (displayName == null || displayName.isBlank() || displayName.length() > 200) {
      errors.add(new FieldError("displayName", "must be 1 to 200 characters"));
    }
    if (role == null) {
      errors.add(new FieldError("role", "is required"));
    }
    if (password != null && password.indexOf('\0') >= 0) {
      errors.add(new FieldError("password", "must not contain NUL characters"));
    } else if (password == null || password.length() < 8) {
      errors.add(new FieldError("password", "must be at least 8 characters"));
    } else if (password.getBytes(StandardCharsets.UTF_8).length > PasswordHasher.MAX_PASSWORD_BYTES) {
      errors.add(new FieldError("password", "must be at most " + PasswordHasher.MAX_PASSWORD_BYTES + " bytes"));
    }
    skills.forEach((skill, level) -> {
      if (!SKILL.matcher(skill).matches()) {
        errors.add(new FieldError("skills." + skill, "skill names are lower-case letters, digits, '_' or '-'"));
      } else if (level == null || level < 1 || level > 5) {
        errors.add(new FieldError("skills." + skill, "proficiency must be 1 to 5"));
      }
    });
    capacity.forEach((channel, n) -> {
      if (n == null || n < 0 || n > 50) {
        errors.add(new FieldError("capacity." + channel.wireName(), "must be 0 to 50"));
      }
    });
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }
}
