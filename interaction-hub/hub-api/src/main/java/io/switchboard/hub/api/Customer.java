package io.switchboard.hub.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A customer record. When {@link #mergedInto} is set, this record was merged into another (the golden
 * record) and everything addressed to it resolves there.
 *
 * @param version incremented on every change; updates must name the version they read
 */
public record Customer(
    CustomerId id,
    String displayName,
    String tier,
    String language,
    Map<String, String> attributes,
    String notes,
    CustomerId mergedInto,
    int version,
    Instant createdAt,
    Instant updatedAt) {
  public Customer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(displayName, "displayName");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
