package io.switchboard.hub.core.customer;

import io.switchboard.hub.api.IdentityKind;
import java.util.Objects;

/** A normalised identity, as stored and looked up: (kind, provider, value). */
public record IdentityKey(IdentityKind kind, String provider, String value) {
  public IdentityKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    provider = provider == null ? "" : provider;
  }
}
