package io.switchboard.hub.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One merge of {@code mergedId} into {@code survivorId}, reversible until undone.
 *
 * @param fieldChanges the survivor's fields the merge filled in: field name to {before, after}
 */
public record CustomerMerge(
    UUID id,
    CustomerId survivorId,
    CustomerId mergedId,
    Map<String, FieldChange> fieldChanges,
    String mergedBy,
    Instant mergedAt,
    String undoneBy,
    Instant undoneAt) {

  /** A field's value on the survivor before and after the merge. */
  public record FieldChange(Object before, Object after) {}

  public CustomerMerge {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(survivorId, "survivorId");
    Objects.requireNonNull(mergedId, "mergedId");
    fieldChanges = fieldChanges == null ? Map.of() : Map.copyOf(fieldChanges);
  }
}
