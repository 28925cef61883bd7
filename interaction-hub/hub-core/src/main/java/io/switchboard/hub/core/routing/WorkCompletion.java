package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
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
   * otherwise it ends and the agent's capacity is free.
   */
  Future<InteractionState> end(Principal.Staff agent, InteractionId id) {
    Instant now = clock.instant();
    boolean wrapUp = rules.current().settings().wrapUpRequired();
    return assignedTo(agent, id).compose(i -> stores.db().inTransaction(tx -> wrapUp
            ? stores.routing().toWrapUp(tx, id.value(), agent.agentId().value(), now).compose(ok -> ok
                ? stores.routing().transition(tx, id.value(), "assigned", "wrap_up", i.queueId(), agent.agentId().value(), "ended by agent", now)
                : Future.failedFuture(new ConflictException("interaction " + id + " is not being worked")))
            : stores.routing().toEnded(tx, id.value(), agent.agentId().value(), now, null, "ended by agent").compose(ok -> ok
                ? stores.routing().transition(tx, id.value(), i.state().wireName(), "ended", i.queueId(), agent.agentId().value(), "ended by agent", now)
                : Future.failedFuture(new ConflictException("interaction " + id + " is not being worked"))))
        .onSuccess(x -> publishAgentEnded(i, agent, "ended by agent"))
        .compose(x -> wrapUp ? Future.succeededFuture(InteractionState.WRAP_UP)
            : live.finish(id.toString(), agent.agentId().toString(), i.channel().wireName(), now)
                .onSuccess(done -> events.publishLoad(agent.agentId().toString())).map(InteractionState.ENDED)));
  }

  /** Wrap-up with a disposition code: the interaction ends, capacity is free, after-call work starts. */
  Future<Void> wrapUp(Principal.Staff agent, InteractionId id, String disposition, String notes) {
    if (disposition == null || disposition.isBlank() || disposition.length() > 64) {
      return Future.failedFuture(new ValidationException("disposition", "is required (1 to 64 characters)"));
    }
    if (notes != null && notes.length() > 10_000) {
      return Future.failedFuture(new ValidationException("notes", "is longer than 10000 characters"));
    }
    Instant now = clock.instant();
    return assignedTo(agent, id).compose(i -> stores.db().inTransaction(tx ->
            stores.routing().toEnded(tx, id.value(), agent.agentId().value(), now, disposition, "wrapped up").compose(ok -> ok
                ? stores.routing().transition(tx, id.value(), i.state().wireName(), "ended", i.queueId(), agent.agentId().value(),
                    "disposition " + disposition, now)
                : Future.failedFuture(new ConflictException("interaction " + id + " is not being worked")))
                .compose(x -> notes == null || notes.isBlank() ? Future.succeededFuture()
                    : stores.audit().append(tx, agent.auditName(), "interaction.wrapped_up", "interaction", id.toString(),
                        new JsonObject().put("disposition", disposition).put("notes", notes))))
        // Wrapped up straight from the conversation: the customer side ends now (after an end it ended then).
        .onSuccess(x -> {
          if (i.state() != InteractionState.WRAP_UP) {
            publishAgentEnded(i, agent, "wrapped up");
          }
        })
        .compose(x -> live.finish(id.toString(), agent.agentId().toString(), i.channel().wireName(), now))
        .onSuccess(x -> events.publishLoad(agent.agentId().toString()))
        .compose(x -> rules.current().settings().afterCallWork().isZero()
            ? Future.succeededFuture()
            : live.agent(agent.agentId().toString()).compose(a -> a != null && "available".equals(a.state())
                ? agents.changeState(agent.agentId(), AgentState.AFTER_CALL_WORK, "wrap-up of " + id)
                : Future.succeededFuture())));
  }

  /**
   * Tells every node the agent ended the customer side ({@link HubEvents#AGENT_ENDED}), after the commit: the web
   * chat adapter holding the customer's session puts the survey in the widget.
   */
  private void publishAgentEnded(Interaction i, Principal.Staff agent, String reason) {
    vertx.eventBus().publish(HubEvents.AGENT_ENDED, new JsonObject().put("interactionId", i.id().toString())
        .put("agentId", agent.agentId().toString()).put("channel", i.channel().wireName()).put("reason", reason));
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

  private Future<Interaction> assignedTo(Principal.Staff agent, InteractionId id) {
    return stores.interactions().find(stores.db().pool(), id).compose(found -> {
      if (found.isEmpty() || !agent.agentId().equals(found.get().agentId())) {
        return Future.failedFuture(new NotFoundException("no interaction " + id + " assigned to you"));
      }
      return Future.succeededFuture(found.get());
    });
  }
}
