package io.switchboard.hub.api.error;

import java.util.List;
import java.util.Objects;

/** Input that is well-formed but not acceptable; names every offending field (JSON pointer style path). */
public final class ValidationException extends SwitchboardException {

  /** One problem with one field. */
  public record FieldError(String field, String message) {
    public FieldError {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(message, "message");
    }
  }

  private final List<FieldError> errors;

  public ValidationException(List<FieldError> errors) {
    super("validation-failed", summarize(errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a validation error needs at least one field error");
    }
    this.errors = List.copyOf(errors);
  }

  public ValidationException(String field, String message) {
    this(List.of(new FieldError(field, message)));
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** The same errors with {@code prefix} put before each field name (for nested objects). */
  public ValidationException under(String prefix) {
    return new ValidationException(
        errors.stream().map(e -> new FieldError(prefix + "." + e.field(), e.message())).toList());
  }

  private static String summarize(List<FieldError> errors) {
    StringBuilder sb = new StringBuilder();
    for (FieldError e : errors) {
      if (!sb.isEmpty()) {
        sb.append("; ");
      }
      sb.append(e.field()).append(": ").append(e.message());
    }
    return sb.toString();
  }
}
