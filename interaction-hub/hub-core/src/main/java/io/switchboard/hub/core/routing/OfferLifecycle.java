package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows an offer before the agent works the interaction: accept, decline, and the withdrawal of an offer (timeout,
 * lost console, sign-out, a forced state change), which puts the interaction back in its place in live state and
 * PostgreSQL and publishes {@link HubEvents#OFFER_ACCEPTED} or {@link HubEvents#OFFER_WITHDRAWN}.
 */
final class OfferLifecycle {
  private static final Logger log = LoggerFactory.getLogger(OfferLifecycle.class);

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final Clock clock;
  private final RoutingEvents events;

  OfferLifecycle(Vertx vertx, Stores stores, RoutingState live, Clock clock, RoutingEvents events) {
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.clock = clock;
    this.events = events;
  }


  /** The agent accepts an offer made to it. */
  Future<Void> accept(Principal.Staff agent, InteractionId id) {
    Instant now = clock.instant();
    return live.accept(id.toString(), agent.agentId().toString()).compose(r -> switch (r) {
      // One statement: assigned, the offer row gone, the transition (one round trip, one commit).
      case "ok" -> stores.routing().acceptOne(stores.db().pool(), id.value(), agent.agentId().value(), now)
          .compose(ok -> ok ? Future.<Void>succeededFuture()
              : Future.<Void>failedFuture(new ConflictException("interaction " + id + " is no longer offered to you")))
          .onSuccess(x -> {
            log.atInfo().addKeyValue("interactionId", id).addKeyValue("agentId", agent.agentId()).log("offer accepted");
            vertx.eventBus().publish(HubEvents.OFFER_ACCEPTED, new JsonObject().put("interactionId", id.toString()).put("agentId", agent.agentId().toString()));
          });
      case "not-your-offer" -> Future.failedFuture(new NotFoundException("no offer of interaction " + id + " for you"));
      default -> Future.failedFuture(new ConflictException("interaction " + id + " has no live offer (it timed out or was withdrawn)"));
    });
  }

  /** The agent declines: the interaction waits again in its place and is not offered to this agent again. */
  Future<Void> decline(Principal.Staff agent, InteractionId id) {
    return withdraw(id, agent.agentId().toString(), "declined", false, true).compose(r -> switch (r) {
      case "no-offer" -> Future.failedFuture(new ConflictException("interaction " + id + " has no live offer"));
      case "not-your-offer" -> Future.failedFuture(new NotFoundException("no offer of interaction " + id + " for you"));
      default -> Future.<Void>succeededFuture();
    });
  }

  /**
   * Ends an offer without acceptance and re-queues the interaction.
   *
   * @param agentId the holder, or null for whoever holds it
   * @param pause whether to put the agent on break ("missed offer")
   * @param exclude whether the agent is kept away from the interaction from now on: only when the agent declined it or
   *     let the offer lapse, never for a lost console, a sign-out or a state change (the agent did not say no)
   * @return the former holder's id, or "no-offer" / "not-your-offer"
   */
  Future<String> withdraw(InteractionId id, String agentId, String reason, boolean pause, boolean exclude) {
    Instant now = clock.instant();
    return stores.interactions().find(stores.db().pool(), id).compose(found -> {
      Instant since = found.map(i -> i.createdAt()).orElse(now);
      return live.release(id.toString(), agentId, since, now, pause, "missed offer", exclude).compose(holder -> {
        if (holder.equals("no-offer") || holder.equals("not-your-offer")) {
          return Future.succeededFuture(holder);
        }
        UUID aid = UUID.fromString(holder);
        return stores.db().inTransaction(tx ->
                stores.routing().unoffer(tx, id.value(), aid, exclude)
                    .compose(ok -> ok
                        ? stores.routing().transition(tx, id.value(), "offered", "queued", null, aid, reason, now)
                        : Future.succeededFuture())
                    .compose(x -> pause
                        ? stores.routing().agentState(tx, aid, AgentState.BREAK.wireName(), "missed offer", now)
                        : Future.succeededFuture()))
            .map(x -> {
              log.atInfo().addKeyValue("interactionId", id).addKeyValue("agentId", aid).addKeyValue("reason", reason).log("offer withdrawn");
              vertx.eventBus().publish(HubEvents.OFFER_WITHDRAWN, new JsonObject().put("interactionId", id.toString())
                  .put("agentId", holder).put("reason", reason));
              events.publishLoad(holder);
              if (pause) {
                vertx.eventBus().publish(HubEvents.AGENT_STATE_CHANGED, new JsonObject().put("agentId", holder)
                    .put("state", AgentState.BREAK.wireName()).put("reason", "missed offer"));
              }
              return holder;
            });
      });
    });
  }

  /** Every live offer of the agent back to the queue, the agent not excluded (it did not decline). */
  Future<Void> withdrawOffersOf(AgentId agent, String reason) {
    String id = agent.toString();
    return live.offersOf(id).compose(offers -> {
      Future<Void> chain = Future.succeededFuture();
      for (String iid : offers) {
        chain = chain.compose(y -> withdraw(InteractionId.parse(iid), id, reason, false, false).mapEmpty());
      }
      return chain;
    });
  }
}
