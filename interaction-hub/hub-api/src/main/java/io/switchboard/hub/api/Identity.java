package io.switchboard.hub.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A normalised address of a customer: a phone in E.164, a lower-cased email, or a handle of a provider.
 * Unique across all customers.
 *
 * @param customerId the customer that owns it (which may itself be merged into a golden record)
 */
public record Identity(
    IdentityId id, CustomerId customerId, IdentityKind kind, String provider, String value, Instant createdAt) {
  public Identity {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    provider = provider == null ? "" : provider;
  }
}
