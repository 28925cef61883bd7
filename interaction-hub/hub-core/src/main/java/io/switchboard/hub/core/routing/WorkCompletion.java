package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.RoutingStore;
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
 * The end of a piece of work: the agent ends it (wrap-up next, or ended at once), wraps it up with a disposition
 * (capacity freed, after-call work), or the customer abandons it while it waits or rings.
 */
final class WorkCompletion {
  private static final Logger log = LoggerFactory.getLogger(WorkCompletion.class);

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final Clock clock;
  private final RoutingEvents events;
  private final RulesService rules;
  private final AgentPresence agents;

  WorkCompletion(Vertx vertx, Stores stores, RoutingState live, RulesService rules, Clock clock, RoutingEvents events,
      AgentPresence agents) {
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.rules = rules;
    this.clock = clock;
    this.events = events;
    this.agents = agents;
  }


  /**
   * The agent ends the customer side. With wrap-up required the interaction waits for its disposition;
   * otherwise it ends and the agent's capacity is free. One statement in PostgreSQL (state, transition), then live state.
   */
  Future<InteractionState> end(Principal.Staff agent, InteractionId id) {
    Instant now = clock.instant();
    boolean wrapUp = rules.current().settings().wrapUpRequired();
    UUID aid = agent.agentId().value();
    Future<RoutingStore.StepRow> step = wrapUp
        ? stores.routing().toWrapUpOne(stores.db().pool(), id.value(), aid, now, "ended by agent")
        : stores.routing().toEndedOne(stores.db().pool(), id.value(), aid, now, null, "ended by agent", "ended by agent",
            null, null, null);
    return step.compose(r -> checked(r, agent, id)).compose(r -> {
      publishAgentEnded(id, r.channel(), agent, "ended by agent");
      return wrapUp ? Future.succeededFuture(InteractionState.WRAP_UP)
          : live.finishWithLoad(id.toString(), agent.agentId().toString(), r.channel(), now)
              .onSuccess(load -> events.publishLoad(agent.agentId().toString(), load)).map(InteractionState.ENDED);
    });
  }

  /**
   * Wrap-up with a disposition code: the interaction ends, capacity is free, after-call work starts. One statement in
   * PostgreSQL (state, transition, the notes' audit entry, the agent's after-call work), then live state.
   */
  Future<Void> wrapUp(Principal.Staff agent, InteractionId id, String disposition, String notes) {
    if (disposition == null || disposition.isBlank() || disposition.length() > 64) {
      return Future.failedFuture(new ValidationException("disposition", "is required (1 to 64 characters)"));
    }
    if (notes != null && notes.length() > 10_000) {
      return Future.failedFuture(new ValidationException("notes", "is longer than 10000 characters"));
    }
    Instant now = clock.instant();
    String agentId = agent.agentId().toString();
    // After-call work starts only for an agent who is available now (read before, written in the same statement).
    Future<Boolean> afterCallWork = rules.current().settings().afterCallWork().isZero() ? Future.succeededFuture(false)
        : live.agent(agentId).map(a -> a != null && "available".equals(a.state()));
    String acwReason = "wrap-up of " + id;
    JsonObject audit = notes == null || notes.isBlank() ? null
        : new JsonObject().put("disposition", disposition).put("notes", notes);
    return afterCallWork.compose(acw -> stores.routing().toEndedOne(stores.db().pool(), id.value(), agent.agentId().value(), now,
            disposition, "wrapped up", "disposition " + disposition, agent.auditName(), audit, acw ? acwReason : null)
        .compose(r -> checked(r, agent, id))
        .compose(r -> {
          // Wrapped up straight from the conversation: the customer side ends now (after an end it ended then).
          if (!InteractionState.WRAP_UP.wireName().equals(r.stateBefore())) {
            publishAgentEnded(id, r.channel(), agent, "wrapped up");
          }
          return live.finishWithLoad(id.toString(), agentId, r.channel(), now);
        })
        .onSuccess(load -> events.publishLoad(agentId, load))
        .compose(x -> acw ? agents.applyState(agent.agentId(), AgentState.AFTER_CALL_WORK, acwReason, now)
            : Future.<Void>succeededFuture()));
  }

  /**
   * What a step found, as the agent is told: no such interaction or not the agent's is "not found", the agent's but not
   * in a state the step applies to is a conflict.
   */
  private static Future<RoutingStore.StepRow> checked(RoutingStore.StepRow r, Principal.Staff agent, InteractionId id) {
    if (r.stateBefore() == null || !agent.agentId().value().equals(r.agentBefore())) {
      return Future.failedFuture(new NotFoundException("no interaction " + id + " assigned to you"));
    }
    if (!r.changed()) {
      return Future.failedFuture(new ConflictException("interaction " + id + " is not being worked"));
    }
    return Future.succeededFuture(r);
  }

  /**
   * Tells every node the agent ended the customer side ({@link HubEvents#AGENT_ENDED}), after the commit: the web
   * chat adapter holding the customer's session puts the survey in the widget.
   */
  private void publishAgentEnded(InteractionId id, String channel, Principal.Staff agent, String reason) {
    vertx.eventBus().publish(HubEvents.AGENT_ENDED, new JsonObject().put("interactionId", id.toString())
        .put("agentId", agent.agentId().toString()).put("channel", channel).put("reason", reason));
  }

  /** The customer left before being answered (hung up, closed the chat). */
  Future<Boolean> abandon(InteractionId id, String reason) {
    Instant now = clock.instant();
    return live.release(id.toString(), null, now, now, false, null, false)
        .compose(holder -> live.dequeue(id.toString())
            .compose(x -> stores.db().inTransaction(tx -> stores.routing().abandon(tx, id.value(), now, reason).compose(ok -> ok
                ? stores.routing().transition(tx, id.value(), null, "abandoned", null, null, reason, now).map(true)
                : Future.succeededFuture(false))))
            .onSuccess(abandoned -> {
              // An offer ringing at an agent for a customer who has gone is withdrawn from that console at once (#10).
              if (!holder.equals("no-offer") && !holder.equals("not-your-offer")) {
                log.atInfo().addKeyValue("interactionId", id).addKeyValue("agentId", holder).log("offer withdrawn: the customer left");
                vertx.eventBus().publish(HubEvents.OFFER_WITHDRAWN, new JsonObject().put("interactionId", id.toString())
                    .put("agentId", holder).put("reason", "the customer left"));
                events.publishLoad(holder);
              }
            }));
  }

}
