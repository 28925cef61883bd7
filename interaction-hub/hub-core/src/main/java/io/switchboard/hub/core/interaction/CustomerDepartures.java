package io.switchboard.hub.core.interaction;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.InteractionStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer ended a contact (closed the chat, hung up): the channel adapters' {@code
 * InteractionControl.customerLeft}. An interaction still waiting or offered is abandoned and leaves its queue
 * ({@link RoutingService#abandon}). One an agent is working stays with the agent and the departure is recorded
 * ({@code interactions.customer_left_at}, a transition "customer left: reason"); replies are refused from then on
 * ({@link io.switchboard.hub.core.messaging.MessageService}) and {@code GET /api/v1/interactions/{id}} says so.
 *
 * <p>Either way the event {@link #CUSTOMER_LEFT} is published on this node's event bus
 * ({@code interactionId, reason, abandoned, agentId, at, adapter}); {@code ClusterEvents} carries it to every
 * node, where the console gateway tells the agent working the interaction and the supervisors watching it.
 * Idempotent: a second call changes nothing and publishes nothing.
 */
public final class CustomerDepartures {
  private static final Logger log = LoggerFactory.getLogger(CustomerDepartures.class);

  /** Event: a customer ended a contact ({@code interactionId, reason, abandoned, agentId, at, adapter}). */
  public static final String CUSTOMER_LEFT = io.switchboard.hub.api.event.HubEvents.CUSTOMER_LEFT;

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingService routing;
  private final Clock clock;

  public CustomerDepartures(Vertx vertx, Stores stores, RoutingService routing, Clock clock) {
    this.vertx = vertx;
    this.stores = stores;
    this.routing = routing;
    this.clock = clock;
  }

  /**
   * @param adapter the channel adapter that reports it (for the event and the log)
   * @return true when the interaction was abandoned (it was still waiting or offered)
   */
  public Future<Boolean> left(InteractionId id, String reason, String adapter) {
    String why = reason == null || reason.isBlank() ? "customer left" : reason;
    return routing.abandon(id, why).compose(abandoned -> {
      if (abandoned) {
        publish(id, why, true, null, adapter);
        return Future.succeededFuture(true);
      }
      return stores.db().inTransaction(tx -> stores.interactions().markCustomerLeft(tx, id, clock.instant(), why))
          .map(left -> {
            left.ifPresent(l -> {
              log.atInfo().addKeyValue("interactionId", id).addKeyValue("agentId", l.agentId())
                  .addKeyValue("state", l.state().wireName()).addKeyValue("reason", why).log("customer left a worked interaction");
              publish(id, why, false, l, adapter);
            });
            return false;
          });
    });
  }

  private void publish(InteractionId id, String reason, boolean abandoned, InteractionStore.Left left, String adapter) {
    vertx.eventBus().publish(CUSTOMER_LEFT, new JsonObject().put("interactionId", id.toString()).put("reason", reason)
        .put("abandoned", abandoned).put("adapter", adapter)
        .put("agentId", Optional.ofNullable(left).map(InteractionStore.Left::agentId).map(a -> a.toString()).orElse(null))
        .put("at", (left == null ? clock.instant() : left.at()).toString()));
  }
}
