package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import java.util.Objects;

/**
 * One of an adapter's interactions that is not finished (waiting, offered or being worked), as
 * {@link ChannelContext#openInteractions()} lists them for reconciliation after a restart.
 *
 * @param externalId the provider's id the interaction was taken in with (for a call, its linkedid)
 * @param attributes the interaction's attributes (a voice callback keeps its number here)
 */
public record OpenInteraction(InteractionId id, String externalId, InteractionState state, java.util.Map<String, String> attributes) {
  public OpenInteraction {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(externalId, "externalId");
    Objects.requireNonNull(state, "state");
    attributes = attributes == null ? java.util.Map.of() : java.util.Map.copyOf(attributes);
  }

  /** One without attributes. */
  public OpenInteraction(InteractionId id, String externalId, InteractionState state) {
    this(id, externalId, state, java.util.Map.of());
  }
}
