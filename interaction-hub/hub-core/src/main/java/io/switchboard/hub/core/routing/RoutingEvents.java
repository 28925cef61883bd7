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

  /**
   * Publishes {@link HubEvents#AGENT_LOAD_CHANGED} with the agent's live load and capacity, read from Redis (best
   * effort). Where the script that changed the load answered it, {@link #publishLoad(String, RoutingState.AgentLoad)}
   * saves the read.
   */
  void publishLoad(String agentId) {
    live.agent(agentId).onSuccess(a -> {
      if (a != null) {
        publish(agentId, a.load(), a.capacity());
      }
    });
  }

  /**
   * Publishes {@link HubEvents#AGENT_LOAD_CHANGED} with the load and capacity the script that changed them answered (no
   * read of Redis); with none known ({@code null}: the script changed nothing), reads them as {@link #publishLoad(String)}.
   */
  void publishLoad(String agentId, RoutingState.AgentLoad known) {
    if (known == null) {
      publishLoad(agentId);
    } else {
      publish(agentId, known.load(), known.capacity());
    }
  }

  private void publish(String agentId, java.util.Map<String, Integer> load, java.util.Map<String, Integer> capacity) {
    vertx.eventBus().publish(HubEvents.AGENT_LOAD_CHANGED, new JsonObject().put("agentId", agentId)
        .put("load", new JsonObject(new LinkedHashMap<>(load))).put("capacity", new JsonObject(new LinkedHashMap<>(capacity))));
  }
}
