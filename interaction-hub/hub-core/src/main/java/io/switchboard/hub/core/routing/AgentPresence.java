package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ForbiddenException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agents' routing state and console presence: heartbeats, a console lost or signed out, state changes (recorded in
 * PostgreSQL, set in live state, published as {@link HubEvents#AGENT_STATE_CHANGED}), profiles (skills, queues,
 * capacity) synchronised from PostgreSQL, and reads of agents' live state and offers.
 */
final class AgentPresence {
  private static final Logger log = LoggerFactory.getLogger(AgentPresence.class);

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final Clock clock;
  private final RoutingEvents events;
  private final OfferLifecycle offerLife;
  /** When this node last wrote each agent's heartbeat (clock millis); see {@link #heartbeat(AgentId, boolean)}. */
  private final java.util.concurrent.ConcurrentHashMap<String, Long> beatenAt = new java.util.concurrent.ConcurrentHashMap<>();

  AgentPresence(Vertx vertx, Stores stores, RoutingState live, Clock clock, RoutingEvents events, OfferLifecycle offers) {
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.clock = clock;
    this.events = events;
    this.offerLife = offers;
  }


  /**
   * A console's heartbeat: the agent is present for {@link RoutingService#PRESENCE_TTL}. Heartbeats are coalesced per
   * agent on this node: one Redis write (one script: presence and the present flag) per
   * {@link RoutingService#HEARTBEAT_EVERY}, however many sockets, pongs and pings an agent's consoles send; the others
   * are answered at once without a write. A write that failed does not count, so the next beat tries again.
   *
   * @param force write now whatever was written last (a console that has just authenticated, an agent made available)
   */
  Future<Void> heartbeat(AgentId agent, boolean force) {
    String id = agent.toString();
    long now = clock.millis();
    boolean[] due = {false};
    beatenAt.compute(id, (k, last) -> {
      if (force || last == null || now - last >= RoutingService.HEARTBEAT_EVERY.toMillis() || now < last) {
        due[0] = true;
        return now;
      }
      return last;
    });
    if (!due[0]) {
      return Future.succeededFuture();
    }
    return live.heartbeat(id, RoutingService.PRESENCE_TTL, clock.instant())
        .onFailure(e -> beatenAt.remove(id, now))
        .<Void>mapEmpty();
  }

  /** The console went away for good (logout, socket closed): offers go back at once. */
  Future<Void> disconnected(AgentId agent) {
    String id = agent.toString();
    beatenAt.remove(id);
    return live.clearPresence(id).compose(x -> live.setPresent(id, false, clock.instant())).compose(x -> live.offersOf(id)).compose(offers -> {
      Future<Void> chain = Future.succeededFuture();
      for (String iid : offers) {
        chain = chain.compose(y -> offerLife.withdraw(InteractionId.parse(iid), id, "agent console disconnected", false, false).mapEmpty());
      }
      return chain;
    });
  }

  /**
   * Sets an agent's routing state. Agents set their own (available, busy, break with a reason, offline);
   * supervisors may set anyone's. The agent's skills and capacity are refreshed from PostgreSQL.
   */
  Future<Void> setState(Principal.Staff by, AgentId agent, AgentState state, String reason) {
    if (!by.agentId().equals(agent) && !by.role().atLeast(Role.SUPERVISOR)) {
      return Future.failedFuture(new ForbiddenException("only supervisors may set another agent's state"));
    }
    if (state == AgentState.AFTER_CALL_WORK) {
      return Future.failedFuture(new ValidationException("state", "after_call_work starts by itself when an interaction is wrapped up"));
    }
    if (state == AgentState.BREAK && (reason == null || reason.isBlank())) {
      return Future.failedFuture(new ValidationException("reason", "a break needs a reason"));
    }
    if (reason != null && reason.length() > 200) {
      return Future.failedFuture(new ValidationException("reason", "is longer than 200 characters"));
    }
    // The profile first (a first login creates it), then the console's presence, then the state.
    boolean present = by.agentId().equals(agent) && state == AgentState.AVAILABLE;
    return syncProfile(agent).compose(x -> present ? heartbeat(agent, true) : Future.<Void>succeededFuture())
        .compose(x -> changeState(agent, state, reason))
        // A state a supervisor forces on an agent, and going offline, take the agent's pending offers back to the queue
        // (the agent did not decline them). An agent's own busy or break leaves an offer it was shown to accept.
        .compose(x -> state == AgentState.AVAILABLE || (by.agentId().equals(agent) && state != AgentState.OFFLINE)
            ? Future.<Void>succeededFuture()
            : offerLife.withdrawOffersOf(agent, "agent is now " + describe(state, reason)))
        .onSuccess(x -> stores.audit().append(stores.db().pool(), by.auditName(), "agent.state_changed", "agent", agent.toString(),
            new JsonObject().put("state", state.wireName()).put("reason", reason)));
  }

  /**
   * The agent signed out: offline (recorded, with reason "signed out"), console presence gone, and every pending offer
   * back to the queue without excluding the agent. The next login starts offline, so nothing is offered until the
   * agent chooses to be available.
   */
  Future<Void> signedOut(AgentId agent) {
    String id = agent.toString();
    beatenAt.remove(id);
    return syncProfile(agent)
        .compose(x -> changeState(agent, AgentState.OFFLINE, "signed out"))
        // Not present first, then the presence key: the other way round, a sweep in between would see a present agent
        // without presence and withdraw its offers as "agent console disconnected".
        .compose(x -> live.setPresent(id, false, clock.instant())).compose(x -> live.clearPresence(id))
        .compose(x -> offerLife.withdrawOffersOf(agent, "agent signed out"));
  }


  private static String describe(AgentState state, String reason) {
    String s = switch (state) {
      case BREAK -> "on break";
      case AFTER_CALL_WORK -> "in after-call work";
      default -> state.wireName();
    };
    return reason == null || reason.isBlank() ? s : s + ": " + reason;
  }

  Future<Void> changeState(AgentId agent, AgentState state, String reason) {
    Instant now = clock.instant();
    return stores.routing().agentState(stores.db().pool(), agent.value(), state.wireName(), reason, now)
        .compose(x -> applyState(agent, state, reason, now));
  }

  /**
   * Sets a state change already recorded in PostgreSQL (in the caller's statement) in live state and publishes
   * {@link HubEvents#AGENT_STATE_CHANGED}.
   */
  Future<Void> applyState(AgentId agent, AgentState state, String reason, Instant now) {
    return live.setState(agent.toString(), state.wireName(), reason, now)
        .onSuccess(x -> {
          log.atInfo().addKeyValue("agentId", agent).addKeyValue("state", state.wireName()).log("agent state changed");
          vertx.eventBus().publish(HubEvents.AGENT_STATE_CHANGED, new JsonObject().put("agentId", agent.toString())
              .put("state", state.wireName()).put("reason", reason));
        });
  }

  /** Writes the agent's skills and capacity from PostgreSQL into live state (keeps state and load). */
  Future<Void> syncProfile(AgentId agent) {
    return stores.agents().find(stores.db().pool(), agent).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no agent " + agent));
      }
      // An agent routing does not hold yet starts from what PostgreSQL records (its last state and its time, or offline
      // since the account was made), as AgentRoster shows it, never from "now".
      return live.agent(agent.toString()).compose(existing -> existing != null
          ? live.putAgent(LiveViews.profile(found.get(), existing, Map.of(), clock.instant()), false)
          : stores.routing().latestAgentStates(stores.db().pool(), List.of(agent.value())).compose(rows ->
              live.putAgent(AgentRoster.recordedOnly(found.get(), rows.isEmpty() ? null : rows.get(0)), true)));
    });
  }

  /** An agent's live routing state. */
  Future<RoutingState.AgentLive> agentState(AgentId agent) {
    return live.agent(agent.toString()).compose(a -> a != null ? Future.succeededFuture(a)
        : syncProfile(agent).compose(x -> live.agent(agent.toString())));
  }

  /** Every agent with live routing state (state, presence, load), in no particular order. */
  Future<List<RoutingState.AgentLive>> liveAgents() {
    return live.agents();
  }

  /** Live offers for an agent. */
  Future<List<RoutingState.Offer>> offersFor(AgentId agent) {
    return live.offersOf(agent.toString()).compose(ids -> {
      Future<List<RoutingState.Offer>> acc = Future.succeededFuture(new ArrayList<>());
      for (String iid : ids) {
        acc = acc.compose(list -> live.offer(iid).map(o -> {
          if (o != null) {
            list.add(o);
          }
          return list;
        }));
      }
      return acc;
    });
  }
}
