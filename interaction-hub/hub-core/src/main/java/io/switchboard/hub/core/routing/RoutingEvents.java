package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;

/** Events the routing runtime publishes that need a read of live state first. */
final class RoutingEvents {
  private final Vertx vertx;
  private final RoutingState live;

  RoutingEvents(Vertx vertx, RoutingState live) {
    this.vertx = vertx;
    this.live = live;
  }

  /** Publishes {@link HubEvents#AGENT_LOAD_CHANGED} with the agent's live load and capacity (best effort). */
  void publishLoad(String agentId) {
    live.agent(agentId).onSuccess(a -> {
      if (a != null) {
        vertx.eventBus().publish(HubEvents.AGENT_LOAD_CHANGED, new JsonObject().put("agentId", agentId)
            .put("load", new JsonObject(new LinkedHashMap<>(a.load()))).put("capacity", new JsonObject(new LinkedHashMap<>(a.capacity()))));
      }
    });
  }
}
