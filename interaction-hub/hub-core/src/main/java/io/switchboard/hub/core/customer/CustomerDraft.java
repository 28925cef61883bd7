package io.switchboard.hub.core.customer;

import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.error.ValidationException.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The editable fields of a customer, validated. Used for creation (all fields) and as the result of applying
 * a patch.
 */
public record CustomerDraft(
    String displayName, String tier, String language, Map<String, String> attributes, String notes,
    List<SenderAddress> identities) {

  private static final Pattern TIER = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,31}$");
  private static final Pattern LANGUAGE = Pattern.compile("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$");
  private static final Pattern ATTRIBUTE_KEY = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$");

  public CustomerDraft {
    List<FieldError> errors = new ArrayList<>();
    if (attributes != null) {
      attributes.forEach((k, v) -> {
        if (v == null) {
          errors.add(new FieldError("attributes." + k, "must not be null"));
        }
      });
    }
    if (identities != null && identities.stream().anyMatch(java.util.Objects::isNull)) {
      errors.add(new FieldError("identities", "must not contain null"));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    identities = identities == null ? List.of() : List.copyOf(identities);
    if (displayName == null || displayName.isBlank()) {
      errors.add(new FieldError("displayName", "is required"));
    } else if (displayName.strip().length() > 200) {
      errors.add(new FieldError("displayName", "is longer than 200 characters"));
    }
    if (tier != null && !TIER.matcher(tier).matches()) {
      errors.add(new FieldError("tier", "must be 1 to 32 lower-case letters, digits, '_' or '-'"));
    }
    if (language != null && !LANGUAGE.matcher(language).matches()) {
      errors.add(new FieldError("language", "must be a language tag such as 'en' or 'de-CH'"));
    }
    if (attributes.size() > 50) {
      errors.add(new FieldError("attributes", "has more than 50 entries"));
    }
    attributes.forEach((k, v) -> {
      if (!ATTRIBUTE_KEY.matcher(k).matches()) {
        errors.add(new FieldError("attributes." + k, "key must be 1 to 64 letters, digits, '_', '.' or '-'"));
      } else if (v == null) {
        errors.add(new FieldError("attributes." + k, "must not be null"));
      } else if (v.length() > 1024) {
        errors.add(new FieldError("attributes." + k, "is longer than 1024 characters"));
      }
    });
    if (notes != null && notes.length() > 10_000) {
      errors.add(new FieldError("notes", "is longer than 10000 characters"));
    }
    if (identities.size() > 20) {
      errors.add(new FieldError("identities", "has more than 20 entries"));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    displayName = displayName.strip();
  }
}
