package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The routing runtime: puts new interactions in their queue, matches waiting interactions with free agents,
 * offers, and handles what follows (accept, decline, offer timeout, lost console, wrap-up, agent states).
 *
 * <p>Live state is in Redis ({@link RoutingState}); every reservation is atomic there, so any number of hub
 * nodes may run passes at once without offering one interaction twice or overfilling an agent. Every state
 * change is also written to PostgreSQL with its time, and {@link #rebuild} restores Redis from it.
 * Methods return futures and never block; call them from a Vert.x context.
 *
 * <p>This class is the routing runtime's one entry point; the work is done by one class per responsibility:
 * {@link QueueIntake} (into the queue), {@link MatchingPass} (matching and offering), {@link OfferLifecycle} (accept,
 * decline, withdrawal), {@link AgentPresence} (states, presence, profiles), {@link WorkCompletion} (end, wrap-up,
 * abandon), {@link RoutingSweep} (timeouts, lost consoles, after-call work), {@link RoutingExplanations} (why, and
 * queue positions) and {@link LiveStateRebuild} (live state from PostgreSQL).
 */
public final class RoutingService {
  /** Event bus address: an interaction entered its queue ({@code interactionId, queue, rule, priority}). */
  public static final String INTERACTION_QUEUED = io.switchboard.hub.api.event.HubEvents.INTERACTION_QUEUED;
  /** Event bus address: an offer was made ({@code interactionId, agentId, expiresAt}). */
  public static final String OFFER_CREATED = io.switchboard.hub.api.event.HubEvents.OFFER_CREATED;
  /** Event bus address: an offer ended without acceptance ({@code interactionId, agentId, reason}). */
  public static final String OFFER_WITHDRAWN = io.switchboard.hub.api.event.HubEvents.OFFER_WITHDRAWN;
  /** Event bus address: an offer was accepted ({@code interactionId, agentId}). */
  public static final String OFFER_ACCEPTED = io.switchboard.hub.api.event.HubEvents.OFFER_ACCEPTED;
  /** Event bus address: this node finished a matching pass ({@code offers}, {@code durationNanos}, {@code decisionNanos}). */
  public static final String PASS_DONE = io.switchboard.hub.api.event.HubEvents.PASS_DONE;
  /** Event bus address: an agent's routing state changed ({@code agentId, state, reason}). */
  public static final String AGENT_STATE_CHANGED = io.switchboard.hub.api.event.HubEvents.AGENT_STATE_CHANGED;

  /**
   * Event bus address: an agent's load changed ({@code agentId, load, capacity}: channel → count), after an offer was
   * made or ended, or an interaction finished; consoles show it live.
   */
  public static final String AGENT_LOAD_CHANGED = io.switchboard.hub.api.event.HubEvents.AGENT_LOAD_CHANGED;
  /** The agent ended the customer side: {@code interactionId, agentId, channel, reason}. */
  public static final String AGENT_ENDED = io.switchboard.hub.api.event.HubEvents.AGENT_ENDED;

  /**
   * Offers made at once within a pass (each is a Redis script and one PostgreSQL statement); about the PostgreSQL pool's
   * size, so a pass that frees many agents waits for a few commits, not one batch of eight after another.
   */
  static final int OFFERS_IN_FLIGHT = 16;

  /** How long a console's heartbeat keeps its agent present. */
  public static final Duration PRESENCE_TTL = Duration.ofSeconds(4);

  /** At most one heartbeat per agent is written to Redis this often by one node, whatever its consoles send. */
  public static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(1);

  private final RoutingState live;
  private final AgentRoster roster;
  private final RulesService rules;
  private final String nodeId = UUID.randomUUID().toString();
  private final TransferService transfers;
  private final RoutingReconciler reconciler;
  private final QueueIntake intake;
  private final MatchingPass matching;
  private final OfferLifecycle offers;
  private final AgentPresence agents;
  private final WorkCompletion completion;
  private final RoutingSweep sweeper;
  private final RoutingExplanations explanations;
  private final QueuePositions positions;
  private final LiveStateRebuild rebuilder;

  public RoutingService(Vertx vertx, Stores stores, RoutingState live, RulesService rules, Clock clock) {
    this.live = live;
    this.roster = new AgentRoster(stores, live);
    this.rules = rules;
    RoutingEvents events = new RoutingEvents(vertx, live);
    this.intake = new QueueIntake(vertx, stores, live, rules, clock);
    AgentIndex agentIndex = new AgentIndex(live);
    this.matching = new MatchingPass(vertx, stores, live, rules, clock, events, nodeId, agentIndex);
    this.offers = new OfferLifecycle(vertx, stores, live, clock, events);
    this.agents = new AgentPresence(vertx, stores, live, clock, events, offers);
    this.completion = new WorkCompletion(vertx, stores, live, rules, clock, events, agents);
    this.sweeper = new RoutingSweep(stores, live, rules, clock, intake, offers, agents, agentIndex);
    this.explanations = new RoutingExplanations(stores, live, clock);
    this.positions = new QueuePositions(new WaitingIndex(live), clock, QueuePositions.MAX_AGE);
    this.rebuilder = new LiveStateRebuild(vertx, stores, live, clock, nodeId);
    this.transfers = new TransferService(vertx, stores, live, rules, clock);
    this.reconciler = new RoutingReconciler(vertx, stores, live, clock, this::rebuild, () -> nodeId);
  }

  /** The reconciler that makes live state agree with PostgreSQL (run by {@link RoutingVerticle}). */
  public RoutingReconciler reconciler() {
    return reconciler;
  }

  /** See {@link RoutingState#onReconnected}. */
  public void onRedisReconnected(Runnable listener) {
    live.onReconnected(listener);
  }

  /** Transfers and supervisors' moves, over the same stores and live state. */
  public TransferService transfers() {
    return transfers;
  }

  /** Every member of staff's routing state and presence, as the directory, the dashboard and the state endpoint show it. */
  public AgentRoster roster() {
    return roster;
  }

  public RulesService rules() {
    return rules;
  }


  // ------------------------------------------------------------------ queueing (QueueIntake)

  /**
   * Classifies a new interaction with the rules in force and puts it in its queue. Idempotent, and safe to retry after
   * a failure: an interaction already queued in PostgreSQL whose live entry is missing (Redis failed after the commit)
   * is put back in the live waiting set at its place.
   */
  public Future<Void> enqueue(InteractionId id) {
    return intake.enqueue(id);
  }

  /** {@link #enqueue} of several new interactions together, queued in PostgreSQL with one statement. */
  public Future<Void> enqueueAll(java.util.List<InteractionId> ids) {
    return intake.enqueueAll(ids);
  }

  // ------------------------------------------------------------------ matching (MatchingPass)

  /**
   * One matching pass over every waiting interaction, under a short lease so nodes take turns. Returns the
   * number of offers made (0 when another node holds the lease).
   */
  public Future<Integer> pass() {
    return matching.pass();
  }

  /**
   * Starts a matching pass and says both when its lease is given up (its reservations made: the next pass may start)
   * and when its offers are recorded; see {@link MatchingPass#start()}.
   */
  MatchingPass.Run startPass() {
    return matching.start();
  }

  // ------------------------------------------------------------------ offers (OfferLifecycle, RoutingSweep)

  /** The agent accepts an offer made to it. */
  public Future<Void> accept(Principal.Staff agent, InteractionId id) {
    return offers.accept(agent, id);
  }

  /** The agent declines: the interaction waits again in its place and is not offered to this agent again. */
  public Future<Void> decline(Principal.Staff agent, InteractionId id) {
    return offers.decline(agent, id);
  }

  /**
   * A channel lost the device an offer rang (the hub node ringing an agent's phone went away): the offer is withdrawn
   * as for a lost console, not as a missed offer (the agent is neither put on break nor kept away from the interaction),
   * and the interaction waits again in its place for the next offer.
   *
   * @return true when an offer was withdrawn; false when the interaction had none (it timed out, was accepted or ended)
   */
  public Future<Boolean> withdrawLostOffer(InteractionId id, String reason) {
    return offers.withdraw(id, null, reason, false, false).map(holder -> !"no-offer".equals(holder) && !"not-your-offer".equals(holder));
  }

  /**
   * Offers whose time ran out, and offers of agents whose console is gone, go back to the queue; agents
   * whose after-call work is over become available; interactions whose creation event was missed (a crash
   * between commit and relay) are queued.
   */
  public Future<Integer> sweep() {
    return sweeper.sweep();
  }

  // ------------------------------------------------------------------ presence and states (AgentPresence)

  /** A console's heartbeat: the agent is present for {@link #PRESENCE_TTL} (coalesced: at most one write a second). */
  public Future<Void> heartbeat(AgentId agent) {
    return agents.heartbeat(agent, false);
  }

  /**
   * A console's heartbeat, written to Redis at most once per {@link #HEARTBEAT_EVERY} per agent on this node, or now
   * when {@code force} (a console that has just authenticated).
   */
  public Future<Void> heartbeat(AgentId agent, boolean force) {
    return agents.heartbeat(agent, force);
  }

  /** The console went away for good (logout, socket closed): offers go back at once. */
  public Future<Void> disconnected(AgentId agent) {
    return agents.disconnected(agent);
  }

  /**
   * Sets an agent's routing state. Agents set their own (available, busy, break with a reason, offline);
   * supervisors may set anyone's. The agent's skills and capacity are refreshed from PostgreSQL.
   */
  public Future<Void> setState(Principal.Staff by, AgentId agent, AgentState state, String reason) {
    return agents.setState(by, agent, state, reason);
  }

  /**
   * The agent signed out: offline (recorded, with reason "signed out"), console presence gone, and every pending offer
   * back to the queue without excluding the agent. The next login starts offline, so nothing is offered until the
   * agent chooses to be available.
   */
  public Future<Void> signedOut(AgentId agent) {
    return agents.signedOut(agent);
  }

  /** Writes the agent's skills and capacity from PostgreSQL into live state (keeps state and load). */
  public Future<Void> syncProfile(AgentId agent) {
    return agents.syncProfile(agent);
  }

  /** An agent's live routing state. */
  public Future<RoutingState.AgentLive> agentState(AgentId agent) {
    return agents.agentState(agent);
  }

  /** Every agent with live routing state (state, presence, load), in no particular order. */
  public Future<List<RoutingState.AgentLive>> liveAgents() {
    return agents.liveAgents();
  }

  /** Live offers for an agent. */
  public Future<List<RoutingState.Offer>> offersFor(AgentId agent) {
    return agents.offersFor(agent);
  }

  // ------------------------------------------------------------------ after the offer (WorkCompletion)

  /**
   * The agent ends the customer side. With wrap-up required the interaction waits for its disposition;
   * otherwise it ends and the agent's capacity is free.
   */
  public Future<InteractionState> end(Principal.Staff agent, InteractionId id) {
    return completion.end(agent, id);
  }

  /** Wrap-up with a disposition code: the interaction ends, capacity is free, after-call work starts. */
  public Future<Void> wrapUp(Principal.Staff agent, InteractionId id, String disposition, String notes) {
    return completion.wrapUp(agent, id, disposition, notes);
  }

  /** The customer left before being answered (hung up, closed the chat). */
  public Future<Boolean> abandon(InteractionId id, String reason) {
    return completion.abandon(id, reason);
  }

  // ------------------------------------------------------------------ explanations and position (RoutingExplanations)

  /**
   * Why an interaction went where it went: its classification, every stored decision (candidates, scores,
   * exclusions, relaxation step, rules version) and, while it still waits, why no agent takes it now.
   */
  public Future<JsonObject> explain(InteractionId id) {
    return explanations.explain(id, null);
  }

  /**
   * As {@link #explain(InteractionId)}, and with {@code agent} also why that agent was or was not chosen in each stored
   * decision ({@code agent}: its verdict where the decision names it, otherwise computed on demand from its skills and
   * queues against the requirement in force then) and, while the interaction waits, now.
   */
  public Future<JsonObject> explain(InteractionId id, io.switchboard.hub.api.AgentId agent) {
    return explanations.explain(id, agent);
  }

  /**
   * Where a waiting interaction stands in its queue (1 = next) and how many wait there, ranked the way the matcher ranks
   * (priority in force, then longest wait, then id); null when it does not wait. No estimated wait: that is
   * {@link io.switchboard.hub.core.dashboard.WaitEstimates}' (see
   * {@link io.switchboard.hub.core.messaging.ChannelConversations}). Answered from one ranking per node shared by every
   * session that asks, at most {@link QueuePositions#MAX_AGE} (one second) old ({@link QueuePositions}); fails with
   * {@link IllegalStateException} when this interaction's own live item cannot be read.
   */
  public Future<io.switchboard.hub.api.spi.ConversationReader.QueuePosition> position(InteractionId id) {
    return positions.position(id).map(p -> p == null ? null
        : new io.switchboard.hub.api.spi.ConversationReader.QueuePosition(p.queue(), p.position(), p.waiting(), null));
  }

  // ------------------------------------------------------------------ restart (LiveStateRebuild)

  /**
   * Rebuilds live state from PostgreSQL when Redis has none (first start, or Redis lost its data):
   * agents with their last state, skills, capacity and load; waiting interactions in their order; live offers.
   * With {@code force} it rebuilds even when live state exists (an admin's repair).
   */
  public Future<Boolean> rebuild(boolean force) {
    return rebuilder.rebuild(force);
  }
}
