package io.switchboard.hub.core.interaction;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * An agent types (or stopped typing) in an interaction: only the agent working it — assigned to them, in state
 * {@code assigned} — may say so; for anyone else, or an interaction that does not exist, it fails with
 * {@link NotFoundException} (nobody learns that another agent's interaction exists). Accepted typing is published as
 * {@link HubEvents#AGENT_TYPING} on this node (carried to every node), where the channel adapter holding the
 * customer's connection shows it. Nothing is stored.
 */
public final class AgentTyping {
  private final Vertx vertx;
  private final Stores stores;

  public AgentTyping(Vertx vertx, Stores stores) {
    this.vertx = vertx;
    this.stores = stores;
  }

  /** Publishes the agent's typing in {@code interaction} when the agent works it; fails with not-found otherwise. */
  public Future<Void> typing(AgentId agent, InteractionId interaction, boolean on) {
    return stores.interactions().find(stores.db().pool(), interaction).compose(found -> {
      if (found.isEmpty() || !agent.equals(found.get().agentId()) || found.get().state() != InteractionState.ASSIGNED) {
        return Future.failedFuture(new NotFoundException("no interaction " + interaction + " assigned to you"));
      }
      vertx.eventBus().publish(HubEvents.AGENT_TYPING,
          new JsonObject().put("interactionId", interaction.toString()).put("on", on));
      return Future.<Void>succeededFuture();
    });
  }
}
