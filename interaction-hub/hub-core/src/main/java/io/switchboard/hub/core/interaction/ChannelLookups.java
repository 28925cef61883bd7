package io.switchboard.hub.core.interaction;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.OpenInteraction;
import io.switchboard.hub.core.customer.IdentityKey;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * What a channel adapter looks up in the hub through its {@code ChannelContext}: whether a customer is known by an
 * identity (an IVR's customer number), the channel's unfinished interactions (reconciliation after a restart), an
 * agent's phone endpoint (the voice channel rings it), and whether an interaction is assigned to an agent (a phone
 * answer that raced the console's accept).
 *
 * <p>Threading: futures complete on the caller's context; no state is kept.
 */
public final class ChannelLookups {
  /** At most this many unfinished interactions are listed for one channel. */
  public static final int OPEN_LIMIT = 10_000;

  private final Stores stores;
  private final IdentityNormalizer normalizer;

  public ChannelLookups(Stores stores, IdentityNormalizer normalizer) {
    this.stores = stores;
    this.normalizer = normalizer;
  }

  /** Whether a customer has this identity (normalised as intake does); false for an identity that does not normalise. */
  public Future<Boolean> knownCustomer(SenderAddress identity) {
    IdentityKey key;
    try {
      key = normalizer.normalize(identity, "identity");
    } catch (ValidationException e) {
      return Future.succeededFuture(false);
    }
    return stores.customers().findByIdentity(stores.db(), key.kind(), key.provider(), key.value())
        .map(Optional::isPresent);
  }

  /** The channel's unfinished interactions that carry the provider's id, with their attributes. */
  public Future<List<OpenInteraction>> openInteractions(Channel channel) {
    return stores.interactions().openOfChannel(stores.db().pool(), channel, OPEN_LIMIT).map(list -> list.stream()
        .filter(i -> i.externalId() != null)
        .map(i -> new OpenInteraction(i.id(), i.externalId(), i.state(), i.attributes())).toList());
  }

  /** The agent's phone endpoint (an Asterisk dial string), or null when none is set or there is no such agent. */
  public Future<String> phoneEndpoint(AgentId agent) {
    return stores.agents().phoneEndpoint(stores.db().pool(), agent).map(o -> o.orElse(null));
  }

  /** Whether the interaction is assigned to this agent now. */
  public Future<Boolean> assignedTo(InteractionId interaction, AgentId agent) {
    return stores.interactions().find(stores.db().pool(), interaction).map(found -> found.isPresent()
        && agent.equals(found.get().agentId()) && found.get().state() == InteractionState.ASSIGNED);
  }
}
