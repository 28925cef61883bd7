package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.RoutingStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.InteractionFacts;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.RoutingRules;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing runtime: puts new interactions in their queue, matches waiting interactions with free agents,
 * offers, and handles what follows (accept, decline, offer timeout, lost console, wrap-up, agent states).
 *
 * <p>Live state is in Redis ({@link RoutingState}); every reservation is atomic there, so any number of hub
 * nodes may run passes at once without offering one interaction twice or overfilling an agent. Every state
 * change is also written to PostgreSQL with its time, and {@link #rebuild} restores Redis from it.
 * Methods return futures and never block; call them from a Vert.x context.
 */
public final class RoutingService {
  private static final Logger log = LoggerFactory.getLogger(RoutingService.class);

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

  /** Offers made at once within a pass (each is a Redis script and a PostgreSQL transaction). */
  static final int OFFERS_IN_FLIGHT = 8;

  /** Up to this many agents, stored decisions list every agent with its verdict. */
  static final int FULL_EXPLANATION_LIMIT = 200;

  /** How long a console's heartbeat keeps its agent present. */
  public static final Duration PRESENCE_TTL = Duration.ofSeconds(4);

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final AgentRoster roster;
  private final RulesService rules;
  private final Clock clock;
  private final String nodeId = UUID.randomUUID().toString();
  private final TransferService transfers;
  private final RoutingReconciler reconciler;

  public RoutingService(Vertx vertx, Stores stores, RoutingState live, RulesService rules, Clock clock) {
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.roster = new AgentRoster(stores, live);
    this.rules = rules;
    this.clock = clock;
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

  // ------------------------------------------------------------------ queueing

  /**
   * Classifies a new interaction with the rules in force and puts it in its queue. Idempotent, and safe to retry after
   * a failure: an interaction already queued in PostgreSQL whose live entry is missing (Redis failed after the commit)
   * is put back in the live waiting set at its place.
   */
  public Future<Void> enqueue(InteractionId id) {
    var sql = stores.db().pool();
    return stores.interactions().find(sql, id).compose(found -> {
      if (found.isPresent() && found.get().state() == InteractionState.QUEUED) {
        return ensureLive(id);
      }
      if (found.isEmpty() || found.get().state() != InteractionState.CREATED) {
        return Future.succeededFuture();
      }
      Interaction i = found.get();
      return stores.customers().find(sql, i.customerId()).compose(customer -> {
        RoutingRules current = rules.current();
        InteractionFacts facts = facts(i, customer.orElse(null));
        Classification cls = current.classify(facts, ZonedDateTime.now(clock), ConditionFailures.reporter(vertx, id));
        Instant since = i.createdAt();
        Instant window = clock.instant().minus(current.settings().stickyAgentWindow());
        return stores.customers().resolve(sql, i.customerId())
            .compose(g -> stores.customers().members(sql, g.orElse(i.customerId())))
            .compose(members -> stores.routing().lastAgent(sql, members.stream().map(m -> m.value()).toList(), window,
                i.conversationId().value()))
            .compose(last -> stores.db().inTransaction(tx ->
                    stores.routing().queue(tx, id.value(), cls.queue(), cls.priority(), RoutingJson.classification(cls), since)
                        .compose(ok -> ok.isEmpty() ? Future.succeededFuture(false)
                            : stores.routing().transition(tx, id.value(), "created", "queued", cls.queue(), null,
                                "rule " + cls.rule(), clock.instant()).map(true)))
                .compose(queued -> {
                  if (!queued) {
                    return Future.succeededFuture();
                  }
                  JsonObject item = new JsonObject()
                      .put("channel", i.channel().wireName())
                      .put("classification", RoutingJson.classification(cls))
                      .put("lastAgent", last.map(UUID::toString).orElse(null))
                      .put("excluded", new JsonArray());
                  log.atInfo().addKeyValue("interactionId", id).addKeyValue("queue", cls.queue())
                      .addKeyValue("rule", cls.rule()).addKeyValue("priority", cls.priority()).log("interaction queued");
                  return live.enqueue(id.toString(), item, since).onSuccess(x -> vertx.eventBus().publish(INTERACTION_QUEUED,
                      new JsonObject().put("interactionId", id.toString()).put("queue", cls.queue()).put("rule", cls.rule())
                          .put("priority", cls.priority()).put("channel", i.channel().wireName())));
                }));
      });
    });
  }

  /** A queued interaction with neither a live item nor a live offer waits again live, at its place in line. */
  private Future<Void> ensureLive(InteractionId id) {
    return live.item(id.toString()).compose(item -> item != null ? Future.succeededFuture()
        : live.offer(id.toString()).compose(o -> o != null ? Future.succeededFuture()
            : stores.routing().waitingOne(stores.db().pool(), id.value()).compose(w -> w.isEmpty() ? Future.succeededFuture()
                : live.enqueue(id.toString(), itemOf(w.get().channel(), w.get().routing(), w.get().excluded()), w.get().waitingSince())
                    .onSuccess(x -> log.atInfo().addKeyValue("interactionId", id).log("queued interaction put back in the live waiting set")))));
  }

  /** Publishes {@link #AGENT_LOAD_CHANGED} with the agent's live load and capacity (best effort). */
  void publishLoad(String agentId) {
    live.agent(agentId).onSuccess(a -> {
      if (a != null) {
        vertx.eventBus().publish(AGENT_LOAD_CHANGED, new JsonObject().put("agentId", agentId)
            .put("load", new JsonObject(new LinkedHashMap<>(a.load()))).put("capacity", new JsonObject(new LinkedHashMap<>(a.capacity()))));
      }
    });
  }

  /** What the rules see of an interaction and its customer (null when unknown). */
  static InteractionFacts facts(Interaction i, Customer c) {
    return new InteractionFacts(i.channel().wireName(), i.attributes(),
        c == null ? null : c.tier(),
        i.attributes().getOrDefault("language", c == null ? null : c.language()),
        c == null ? Map.of() : c.attributes(), i.subject());
  }

  /**
   * The live waiting item for an interaction from its stored routing JSON (the classification, plus the transfer
   * target under {@code transfer} when it went to one agent).
   */
  static JsonObject itemOf(String channel, JsonObject routing, List<UUID> excluded) {
    JsonObject classification = routing.copy();
    JsonObject transfer = (JsonObject) classification.remove("transfer");
    JsonArray ex = new JsonArray();
    excluded.forEach(e -> ex.add(e.toString()));
    JsonObject item = new JsonObject().put("channel", channel).put("classification", classification)
        .putNull("lastAgent").put("excluded", ex);
    if (transfer != null && transfer.getString("to") != null && transfer.getLong("until") != null) {
      item.put("targetAgent", transfer.getString("to")).put("targetUntil", transfer.getLong("until"));
    }
    return item;
  }

  // ------------------------------------------------------------------ matching

  /**
   * One matching pass over every waiting interaction, under a short lease so nodes take turns. Returns the
   * number of offers made (0 when another node holds the lease).
   */
  public Future<Integer> pass() {
    String token = nodeId + ":" + UUID.randomUUID();
    return live.tryLease("matcher", token, 10_000).compose(got -> {
      if (!got) {
        return Future.succeededFuture(0);
      }
      long started = System.nanoTime();
      long[] decisionNanos = {0};
      return matchOnce(decisionNanos)
          .eventually(() -> live.releaseLease("matcher", token))
          .onSuccess(n -> vertx.eventBus().publish(PASS_DONE, new JsonObject().put("offers", n)
              .put("durationNanos", System.nanoTime() - started).put("decisionNanos", decisionNanos[0])));
    });
  }

  /** {@code decisionNanos[0]} receives the time the matcher took to decide (CPU work, no I/O). */
  private Future<Integer> matchOnce(long[] decisionNanos) {
    Instant now = clock.instant();
    return live.waiting().compose(waiting -> {
      if (waiting.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return live.agents().compose(agents -> {
        Map<String, WaitingInteraction> byId = new HashMap<>();
        waiting.forEach((iid, item) -> byId.put(iid, waitingOf(iid, item)));
        List<WaitingInteraction> list = new ArrayList<>(byId.values());
        List<AgentSnapshot> snapshots = agents.stream().map(a -> snapshot(a, now)).toList();
        // Name every agent in stored explanations while the team is small; count them by reason when large.
        Matcher matcher = snapshots.size() <= FULL_EXPLANATION_LIMIT ? Matcher.withFullExplanations() : Matcher.capped();
        long t0 = System.nanoTime();
        List<Decision> decisions = matcher.match(list, snapshots, now);
        decisionNanos[0] = System.nanoTime() - t0;
        List<Decision> chosen = decisions.stream().filter(d -> d.chosenAgentId() != null).toList();
        Map<String, RoutingState.AgentLive> byAgent = new HashMap<>();
        agents.forEach(a -> byAgent.put(a.agentId(), a));
        return offerAll(chosen, 0, byId, byAgent, now, 0);
      });
    });
  }

  /**
   * Offers in batches of {@link #OFFERS_IN_FLIGHT}, highest priority first: reservations are atomic in Redis,
   * so running some at once is safe, and it keeps a pass short when many agents free up together.
   */
  private Future<Integer> offerAll(List<Decision> chosen, int from, Map<String, WaitingInteraction> byId,
      Map<String, RoutingState.AgentLive> agents, Instant now, int made) {
    if (from >= chosen.size()) {
      return Future.succeededFuture(made);
    }
    List<Future<Boolean>> batch = new ArrayList<>();
    for (Decision d : chosen.subList(from, Math.min(chosen.size(), from + OFFERS_IN_FLIGHT))) {
      batch.add(offer(d, byId.get(d.interactionId()), agents, now));
    }
    return Future.join(batch).transform(ar -> {
      int n = made;
      for (Future<Boolean> f : batch) {
        if (f.succeeded() && f.result()) {
          n++;
        } else if (f.failed()) {
          log.atWarn().setCause(f.cause()).log("an offer could not be made; its interaction waits for the next pass");
        }
      }
      return offerAll(chosen, from + OFFERS_IN_FLIGHT, byId, agents, now, n);
    });
  }

  private Future<Boolean> offer(Decision d, WaitingInteraction w, Map<String, RoutingState.AgentLive> agents, Instant now) {
    String channel = w.channel();
    Duration timeout = rules.current().settings().offerTimeout();
    Instant expires = now.plus(timeout);
    return live.reserve(d.interactionId(), d.chosenAgentId(), channel, now, expires).compose(r -> {
      if (r != RoutingState.Reservation.OK) {
        log.atDebug().addKeyValue("interactionId", d.interactionId()).addKeyValue("agentId", d.chosenAgentId())
            .addKeyValue("outcome", r).log("reservation refused");
        return Future.succeededFuture(false);
      }
      UUID iid = UUID.fromString(d.interactionId());
      UUID aid = UUID.fromString(d.chosenAgentId());
      Classification cls = w.classification();
      JsonObject explanation = explained(d, agents, now).put("rule", cls.rule()).put("queue", cls.queue())
          .put("waitedMs", Duration.between(w.waitingSince(), now).toMillis());
      return stores.db().inTransaction(tx ->
              stores.routing().offer(tx, iid, aid, now, expires, UUID.randomUUID(), cls.rulesVersion(), cls.queue(),
                      d.target().step(), explanation)
                  .compose(ok -> ok
                      ? stores.routing().transition(tx, iid, "queued", "offered", cls.queue(), aid, "matched", now).map(true)
                      : Future.succeededFuture(false)))
          .compose(stored -> {
            if (stored) {
              log.atInfo().addKeyValue("interactionId", iid).addKeyValue("agentId", aid)
                  .addKeyValue("relaxationStep", d.target().step()).log("offered");
              vertx.eventBus().publish(OFFER_CREATED, new JsonObject().put("interactionId", iid.toString())
                  .put("agentId", aid.toString()).put("channel", channel).put("expiresAt", expires.toString()).put("queue", cls.queue()));
              publishLoad(aid.toString());
              return Future.succeededFuture(true);
            }
            // The interaction left the queue meanwhile (abandoned): give the agent back, drop the item.
            return live.release(d.interactionId(), d.chosenAgentId(), w.waitingSince(), now, false, null, false)
                .compose(x -> live.dequeue(d.interactionId()))
                .map(false);
            // The offer could not be recorded (PostgreSQL away): the agent did not decline, so it is not excluded.
          }, e -> live.release(d.interactionId(), d.chosenAgentId(), w.waitingSince(), now, false, null, false)
              .compose(x -> Future.failedFuture(e)));
    });
  }

  static WaitingInteraction waitingOf(String iid, JsonObject item) {
    Set<String> excluded = new HashSet<>();
    RoutingJson.array(item, "excluded").forEach(e -> excluded.add((String) e));
    String target = item.getString("targetAgent");
    Long until = target == null ? null : item.getLong("targetUntil");
    return new WaitingInteraction(iid, item.getString("channel"), RoutingJson.classification(item.getJsonObject("classification")),
        Instant.ofEpochMilli(item.getLong("waitingSince")), item.getString("lastAgent"), excluded,
        until == null ? null : target, until == null ? null : Instant.ofEpochMilli(until));
  }

  /**
   * An agent as the matcher sees it at {@code now}. Idle time (longest idle wins a tie) is how long the agent has been
   * available with no work at all: it starts when the agent becomes available or its console present (set_state.lua,
   * present.lua) or finishes its last piece of work (finish.lua), whichever is latest; an agent holding work has none.
   */
  static AgentSnapshot snapshot(RoutingState.AgentLive a, Instant now) {
    boolean available = "available".equals(a.state()) && a.present();
    return new AgentSnapshot(a.agentId(), available, a.skills(), new HashSet<>(a.queues()), a.capacity(), a.load(),
        new HashSet<>(a.exclusive()), idleSince(a, now));
  }

  /**
   * A decision as stored and shown to supervisors ({@link RoutingJson#decision}), with the real reason an agent was
   * not available ("console not connected", "on break: lunch", "busy", "offline", "in after-call work") instead of
   * "not available", also in the counts by reason, and each eligible agent's idle time ({@code idleSeconds}), which
   * breaks ties between equal scores.
   */
  static JsonObject explained(Decision d, Map<String, RoutingState.AgentLive> agents, Instant now) {
    JsonObject j = RoutingJson.decision(d);
    for (Object o : j.getJsonArray("candidates")) {
      JsonObject c = (JsonObject) o;
      RoutingState.AgentLive a = agents.get(c.getString("agentId"));
      if (a == null) {
        continue;
      }
      String why = unavailable(a);
      if (why != null && "not available".equals(c.getString("excludedBecause"))) {
        c.put("excludedBecause", why);
      }
      if (c.containsKey("score")) {
        c.put("idleSeconds", Duration.between(idleSince(a, now), now).toSeconds());
      }
    }
    JsonObject excluded = j.getJsonObject("excluded");
    if (excluded != null && excluded.containsKey("not available")) {
      excluded.remove("not available");
      Map<String, Integer> byReason = new java.util.TreeMap<>();
      agents.values().forEach(a -> {
        String why = unavailable(a);
        if (why != null) {
          byReason.merge(why, 1, Integer::sum);
        }
      });
      byReason.forEach(excluded::put);
    }
    return j;
  }

  /** Why an agent takes no work now, in a supervisor's words; null when it is available with its console connected. */
  static String unavailable(RoutingState.AgentLive a) {
    if (!"available".equals(a.state())) {
      String s = switch (a.state()) {
        case "break" -> "on break";
        case "after_call_work" -> "in after-call work";
        default -> a.state();
      };
      return a.reason() == null || a.reason().isBlank() || !"break".equals(a.state()) ? s : s + ": " + a.reason();
    }
    return a.present() ? null : "console not connected";
  }

  /** When the agent's idle time started; {@code now} (no idle time) while it holds work. */
  static Instant idleSince(RoutingState.AgentLive a, Instant now) {
    boolean holdsWork = a.load().values().stream().anyMatch(n -> n != null && n > 0);
    return holdsWork || a.idleSince().isAfter(now) ? now : a.idleSince();
  }

  // ------------------------------------------------------------------ offers

  /** The agent accepts an offer made to it. */
  public Future<Void> accept(Principal.Staff agent, InteractionId id) {
    Instant now = clock.instant();
    return live.accept(id.toString(), agent.agentId().toString()).compose(r -> switch (r) {
      case "ok" -> stores.db().inTransaction(tx ->
              stores.routing().accept(tx, id.value(), agent.agentId().value(), now)
                  .compose(ok -> ok
                      ? stores.routing().transition(tx, id.value(), "offered", "assigned", null, agent.agentId().value(), "accepted", now)
                      : Future.failedFuture(new ConflictException("interaction " + id + " is no longer offered to you"))))
          .onSuccess(x -> {
            log.atInfo().addKeyValue("interactionId", id).addKeyValue("agentId", agent.agentId()).log("offer accepted");
            vertx.eventBus().publish(OFFER_ACCEPTED, new JsonObject().put("interactionId", id.toString()).put("agentId", agent.agentId().toString()));
          });
      case "not-your-offer" -> Future.failedFuture(new NotFoundException("no offer of interaction " + id + " for you"));
      default -> Future.failedFuture(new ConflictException("interaction " + id + " has no live offer (it timed out or was withdrawn)"));
    });
  }

  /** The agent declines: the interaction waits again in its place and is not offered to this agent again. */
  public Future<Void> decline(Principal.Staff agent, InteractionId id) {
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
  private Future<String> withdraw(InteractionId id, String agentId, String reason, boolean pause, boolean exclude) {
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
              vertx.eventBus().publish(OFFER_WITHDRAWN, new JsonObject().put("interactionId", id.toString())
                  .put("agentId", holder).put("reason", reason));
              publishLoad(holder);
              if (pause) {
                vertx.eventBus().publish(AGENT_STATE_CHANGED, new JsonObject().put("agentId", holder)
                    .put("state", AgentState.BREAK.wireName()).put("reason", "missed offer"));
              }
              return holder;
            });
      });
    });
  }

  /**
   * Offers whose time ran out, and offers of agents whose console is gone, go back to the queue; agents
   * whose after-call work is over become available; interactions whose creation event was missed (a crash
   * between commit and relay) are queued.
   */
  public Future<Integer> sweep() {
    Instant now = clock.instant();
    Future<Void> stuck = stores.routing().stuckCreated(stores.db().pool(), now.minusSeconds(5)).compose(ids -> {
      Future<Void> chain = Future.succeededFuture();
      for (UUID id : ids) {
        chain = chain.compose(x -> enqueue(new InteractionId(id)));
      }
      return chain;
    });
    boolean pause = rules.current().settings().pauseAgentOnOfferTimeout();
    return stuck.compose(s -> live.expiredOffers(now)).compose(expired -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (String iid : expired) {
        chain = chain.compose(n -> withdraw(InteractionId.parse(iid), null, "offer timed out", pause, true)
            .map(r -> r.equals("no-offer") ? n : n + 1));
      }
      return chain;
    }).compose(n -> live.agents().compose(agents -> {
      Future<Integer> chain = Future.succeededFuture(n);
      for (RoutingState.AgentLive a : agents) {
        if (a.present()) {
          chain = chain.compose(m -> live.presenceAlive(a.agentId()).compose(alive -> alive ? Future.succeededFuture(m)
              : live.setPresent(a.agentId(), false, now)
                  .compose(x -> live.offersOf(a.agentId()))
                  .compose(offers -> {
                    Future<Integer> inner = Future.succeededFuture(m);
                    for (String iid : offers) {
                      inner = inner.compose(k -> withdraw(InteractionId.parse(iid), a.agentId(), "agent console disconnected", false, false).map(k + 1));
                    }
                    return inner;
                  })));
        }
        if ("after_call_work".equals(a.state()) && a.since().plus(rules.current().settings().afterCallWork()).isBefore(now)) {
          chain = chain.compose(m -> changeState(AgentId.parse(a.agentId()), AgentState.AVAILABLE, "after-call work over").map(m));
        }
      }
      return chain;
    }));
  }

  // ------------------------------------------------------------------ presence and states

  /** A console's heartbeat: the agent is present for {@link #PRESENCE_TTL}. */
  public Future<Void> heartbeat(AgentId agent) {
    String id = agent.toString();
    return live.presence(id, PRESENCE_TTL).compose(x -> live.setPresent(id, true, clock.instant()));
  }

  /** The console went away for good (logout, socket closed): offers go back at once. */
  public Future<Void> disconnected(AgentId agent) {
    String id = agent.toString();
    return live.clearPresence(id).compose(x -> live.setPresent(id, false, clock.instant())).compose(x -> live.offersOf(id)).compose(offers -> {
      Future<Void> chain = Future.succeededFuture();
      for (String iid : offers) {
        chain = chain.compose(y -> withdraw(InteractionId.parse(iid), id, "agent console disconnected", false, false).mapEmpty());
      }
      return chain;
    });
  }

  /**
   * Sets an agent's routing state. Agents set their own (available, busy, break with a reason, offline);
   * supervisors may set anyone's. The agent's skills and capacity are refreshed from PostgreSQL.
   */
  public Future<Void> setState(Principal.Staff by, AgentId agent, AgentState state, String reason) {
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
    return syncProfile(agent).compose(x -> present ? heartbeat(agent) : Future.<Void>succeededFuture())
        .compose(x -> changeState(agent, state, reason))
        // A state a supervisor forces on an agent, and going offline, take the agent's pending offers back to the queue
        // (the agent did not decline them). An agent's own busy or break leaves an offer it was shown to accept.
        .compose(x -> state == AgentState.AVAILABLE || (by.agentId().equals(agent) && state != AgentState.OFFLINE)
            ? Future.<Void>succeededFuture()
            : withdrawOffersOf(agent, "agent is now " + describe(state, reason)))
        .onSuccess(x -> stores.audit().append(stores.db().pool(), by.auditName(), "agent.state_changed", "agent", agent.toString(),
            new JsonObject().put("state", state.wireName()).put("reason", reason)));
  }

  /**
   * The agent signed out: offline (recorded, with reason "signed out"), console presence gone, and every pending offer
   * back to the queue without excluding the agent. The next login starts offline, so nothing is offered until the
   * agent chooses to be available.
   */
  public Future<Void> signedOut(AgentId agent) {
    String id = agent.toString();
    return syncProfile(agent)
        .compose(x -> changeState(agent, AgentState.OFFLINE, "signed out"))
        .compose(x -> live.clearPresence(id)).compose(x -> live.setPresent(id, false, clock.instant()))
        .compose(x -> withdrawOffersOf(agent, "agent signed out"));
  }

  /** Every live offer of the agent back to the queue, the agent not excluded (it did not decline). */
  private Future<Void> withdrawOffersOf(AgentId agent, String reason) {
    String id = agent.toString();
    return live.offersOf(id).compose(offers -> {
      Future<Void> chain = Future.succeededFuture();
      for (String iid : offers) {
        chain = chain.compose(y -> withdraw(InteractionId.parse(iid), id, reason, false, false).mapEmpty());
      }
      return chain;
    });
  }

  private static String describe(AgentState state, String reason) {
    String s = switch (state) {
      case BREAK -> "on break";
      case AFTER_CALL_WORK -> "in after-call work";
      default -> state.wireName();
    };
    return reason == null || reason.isBlank() ? s : s + ": " + reason;
  }

  private Future<Void> changeState(AgentId agent, AgentState state, String reason) {
    Instant now = clock.instant();
    return stores.routing().agentState(stores.db().pool(), agent.value(), state.wireName(), reason, now)
        .compose(x -> live.setState(agent.toString(), state.wireName(), reason, now))
        .onSuccess(x -> {
          log.atInfo().addKeyValue("agentId", agent).addKeyValue("state", state.wireName()).log("agent state changed");
          vertx.eventBus().publish(AGENT_STATE_CHANGED, new JsonObject().put("agentId", agent.toString())
              .put("state", state.wireName()).put("reason", reason));
        });
  }

  /** Writes the agent's skills and capacity from PostgreSQL into live state (keeps state and load). */
  public Future<Void> syncProfile(AgentId agent) {
    return stores.agents().find(stores.db().pool(), agent).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no agent " + agent));
      }
      // An agent routing does not hold yet starts from what PostgreSQL records (its last state and its time, or offline
      // since the account was made), as AgentRoster shows it, never from "now".
      return live.agent(agent.toString()).compose(existing -> existing != null
          ? live.putAgent(profile(found.get(), existing, Map.of()), false)
          : stores.routing().latestAgentStates(stores.db().pool(), List.of(agent.value())).compose(rows ->
              live.putAgent(AgentRoster.recordedOnly(found.get(), rows.isEmpty() ? null : rows.get(0)), true)));
    });
  }

  private RoutingState.AgentLive profile(Agent a, RoutingState.AgentLive existing, Map<String, Integer> load) {
    Map<String, Integer> capacity = new LinkedHashMap<>();
    a.capacity().forEach((ch, n) -> capacity.put(ch.wireName(), n));
    List<String> exclusive = a.capacity().containsKey(Channel.VOICE) ? List.of(Channel.VOICE.wireName()) : List.of();
    Instant now = clock.instant();
    return new RoutingState.AgentLive(a.id().toString(),
        existing == null ? AgentState.OFFLINE.wireName() : existing.state(),
        existing == null ? null : existing.reason(),
        existing == null ? now : existing.since(),
        existing != null && existing.present(),
        existing == null ? now : existing.idleSince(),
        a.skills(), a.queues(), capacity, existing == null ? load : existing.load(), exclusive);
  }

  /** An agent's live routing state. */
  public Future<RoutingState.AgentLive> agentState(AgentId agent) {
    return live.agent(agent.toString()).compose(a -> a != null ? Future.succeededFuture(a)
        : syncProfile(agent).compose(x -> live.agent(agent.toString())));
  }

  /** Every agent with live routing state (state, presence, load), in no particular order. */
  public Future<List<RoutingState.AgentLive>> liveAgents() {
    return live.agents();
  }

  /** Live offers for an agent. */
  public Future<List<RoutingState.Offer>> offersFor(AgentId agent) {
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

  // ------------------------------------------------------------------ after the offer

  /**
   * The agent ends the customer side. With wrap-up required the interaction waits for its disposition;
   * otherwise it ends and the agent's capacity is free.
   */
  public Future<InteractionState> end(Principal.Staff agent, InteractionId id) {
    Instant now = clock.instant();
    boolean wrapUp = rules.current().settings().wrapUpRequired();
    return assignedTo(agent, id).compose(i -> stores.db().inTransaction(tx -> wrapUp
            ? stores.routing().toWrapUp(tx, id.value(), agent.agentId().value(), now).compose(ok -> ok
                ? stores.routing().transition(tx, id.value(), "assigned", "wrap_up", i.queueId(), agent.agentId().value(), "ended by agent", now)
                : Future.failedFuture(new ConflictException("interaction " + id + " is not being worked")))
            : stores.routing().toEnded(tx, id.value(), agent.agentId().value(), now, null, "ended by agent").compose(ok -> ok
                ? stores.routing().transition(tx, id.value(), i.state().wireName(), "ended", i.queueId(), agent.agentId().value(), "ended by agent", now)
                : Future.failedFuture(new ConflictException("interaction " + id + " is not being worked"))))
        .compose(x -> wrapUp ? Future.succeededFuture(InteractionState.WRAP_UP)
            : live.finish(id.toString(), agent.agentId().toString(), i.channel().wireName(), now)
                .onSuccess(done -> publishLoad(agent.agentId().toString())).map(InteractionState.ENDED)));
  }

  /** Wrap-up with a disposition code: the interaction ends, capacity is free, after-call work starts. */
  public Future<Void> wrapUp(Principal.Staff agent, InteractionId id, String disposition, String notes) {
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
        .compose(x -> live.finish(id.toString(), agent.agentId().toString(), i.channel().wireName(), now))
        .onSuccess(x -> publishLoad(agent.agentId().toString()))
        .compose(x -> rules.current().settings().afterCallWork().isZero()
            ? Future.succeededFuture()
            : live.agent(agent.agentId().toString()).compose(a -> a != null && "available".equals(a.state())
                ? changeState(agent.agentId(), AgentState.AFTER_CALL_WORK, "wrap-up of " + id)
                : Future.succeededFuture())));
  }

  /** The customer left before being answered (hung up, closed the chat). */
  public Future<Boolean> abandon(InteractionId id, String reason) {
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
                vertx.eventBus().publish(OFFER_WITHDRAWN, new JsonObject().put("interactionId", id.toString())
                    .put("agentId", holder).put("reason", "the customer left"));
                publishLoad(holder);
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

  // ------------------------------------------------------------------ explanations

  /**
   * Why an interaction went where it went: its classification, every stored decision (candidates, scores,
   * exclusions, relaxation step, rules version) and, while it still waits, why no agent takes it now.
   */
  public Future<JsonObject> explain(InteractionId id) {
    var sql = stores.db().pool();
    return stores.interactions().find(sql, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no interaction " + id));
      }
      Interaction i = found.get();
      return stores.agents().list(sql).compose(staff -> stores.interactions().transitions(sql, id).compose(transitions ->
          stores.routing().decisions(sql, id.value()).compose(decisions -> {
        Map<String, String> names = new HashMap<>();
        staff.forEach(a -> names.put(a.id().toString(), a.displayName() == null ? a.username() : a.displayName()));
        JsonArray stored = new JsonArray();
        decisions.forEach(d -> stored.add(new JsonObject().put("decidedAt", d.decidedAt().toString())
            .put("rulesVersion", d.rulesVersion()).put("queue", d.queueId())
            .put("chosenAgentId", d.chosenAgentId() == null ? null : d.chosenAgentId().toString())
            .put("chosenAgentName", d.chosenAgentId() == null ? null : names.get(d.chosenAgentId().toString()))
            .put("relaxationStep", d.step()).put("explanation", named(d.explanation(), names))));
        JsonObject out = new JsonObject().put("interactionId", id.toString()).put("state", i.state().wireName())
            .put("queue", i.queueId()).put("decisions", stored).put("offers", offerHistory(transitions, names));
        return live.item(id.toString()).compose(item -> {
          if (item == null || i.state() != InteractionState.QUEUED) {
            return Future.succeededFuture(out);
          }
          item.put("waitingSince", i.createdAt().toEpochMilli());
          out.put("classification", item.getJsonObject("classification"));
          return live.agents().map(agents -> {
            Instant now = clock.instant();
            WaitingInteraction w = waitingOf(id.toString(), item);
            List<Decision> d = Matcher.withFullExplanations().match(List.of(w), agents.stream().map(a -> snapshot(a, now)).toList(), now);
            Map<String, RoutingState.AgentLive> byAgent = new HashMap<>();
            agents.forEach(a -> byAgent.put(a.agentId(), a));
            Duration next = w.classification().nextStepAfter(Duration.between(w.waitingSince(), now));
            out.put("now", named(explained(d.get(0), byAgent, now), names)
                .put("waitedMs", Duration.between(w.waitingSince(), now).toMillis())
                .put("nextRelaxationInMs", next == null ? null : next.minus(Duration.between(w.waitingSince(), now)).toMillis()));
            return out;
          });
        });
      })));
    });
  }

  /** Puts each agent's display name beside its id in an explanation ({@code name}, {@code chosenAgentName}). */
  static JsonObject named(JsonObject explanation, Map<String, String> names) {
    if (explanation == null) {
      return null;
    }
    String chosen = explanation.getString("chosenAgentId");
    if (chosen != null) {
      explanation.put("chosenAgentName", names.get(chosen));
    }
    JsonArray candidates = explanation.getJsonArray("candidates");
    if (candidates != null) {
      for (Object o : candidates) {
        JsonObject c = (JsonObject) o;
        c.put("name", names.get(c.getString("agentId")));
      }
    }
    return explanation;
  }

  /**
   * Every offer of the interaction and how it ended, from its transitions: {@code agentId}, {@code name},
   * {@code offeredAt}, {@code endedAt} and {@code outcome} ("accepted", or the reason it went back to the queue:
   * declined, offer timed out, agent console disconnected, agent signed out...); a live offer has no end yet.
   */
  static JsonArray offerHistory(List<io.switchboard.hub.store.InteractionStore.Transition> transitions, Map<String, String> names) {
    JsonArray out = new JsonArray();
    JsonObject open = null;
    for (var t : transitions) {
      if ("offered".equals(t.toState())) {
        String agent = t.agentId() == null ? null : t.agentId().toString();
        open = new JsonObject().put("agentId", agent).put("name", agent == null ? null : names.get(agent))
            .put("offeredAt", t.at().toString()).putNull("endedAt").putNull("outcome");
        out.add(open);
      } else if (open != null && "offered".equals(t.fromState())) {
        open.put("endedAt", t.at().toString()).put("outcome", "assigned".equals(t.toState()) ? "accepted"
            : t.reason() == null ? t.toState() : t.reason());
        open = null;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ queue position

  /**
   * Where a waiting interaction stands in its queue (1 = next), ranked the way the matcher ranks (priority
   * in force, then longest wait), and an estimated wait from the queue's answers in the last hour; null
   * when it no longer waits.
   */
  public Future<io.switchboard.hub.api.spi.ConversationReader.QueuePosition> position(InteractionId id) {
    Instant now = clock.instant();
    return live.waiting().compose(waiting -> {
      JsonObject mine = waiting.get(id.toString());
      if (mine == null) {
        return Future.succeededFuture(null);
      }
      WaitingInteraction me = waitingOf(id.toString(), mine);
      String queue = me.classification().queue();
      int myPriority = me.classification().at(Duration.between(me.waitingSince(), now)).priority();
      int ahead = 0;
      int inQueue = 0;
      for (var e : waiting.entrySet()) {
        WaitingInteraction w = waitingOf(e.getKey(), e.getValue());
        if (!w.classification().queue().equals(queue)) {
          continue;
        }
        inQueue++;
        int p = w.classification().at(Duration.between(w.waitingSince(), now)).priority();
        if (!w.interactionId().equals(me.interactionId())
            && (p > myPriority || (p == myPriority && w.waitingSince().isBefore(me.waitingSince())))) {
          ahead++;
        }
      }
      int position = ahead + 1;
      int total = inQueue;
      Duration window = Duration.ofHours(1);
      return stores.routing().answeredSince(stores.db().pool(), queue, now.minus(window)).map(answered ->
          new io.switchboard.hub.api.spi.ConversationReader.QueuePosition(queue, position, total,
              answered < 3 ? null : window.dividedBy(answered).multipliedBy(position)));
    });
  }

  // ------------------------------------------------------------------ restart

  /**
   * Rebuilds live state from PostgreSQL when Redis has none (first start, or Redis lost its data):
   * agents with their last state, skills, capacity and load; waiting interactions in their order; live offers.
   * With {@code force} it rebuilds even when live state exists (an admin's repair).
   */
  public Future<Boolean> rebuild(boolean force) {
    String token = nodeId + ":" + UUID.randomUUID();
    return live.tryLease("rebuild", token, 60_000).compose(got -> {
      if (!got) {
        return Future.succeededFuture(false);
      }
      // Hold the matcher lease too, so no pass reserves against half-rebuilt state.
      return leaseWithin("matcher", token, 50)
          .compose(x -> live.epoch())
          .compose(epoch -> epoch != null && !force ? Future.succeededFuture(false) : doRebuild().map(true))
          .eventually(() -> live.releaseLease("matcher", token))
          .eventually(() -> live.releaseLease("rebuild", token));
    });
  }

  private Future<Void> leaseWithin(String name, String token, int attempts) {
    return live.tryLease(name, token, 60_000).compose(got -> {
      if (got) {
        return Future.succeededFuture();
      }
      if (attempts == 0) {
        return Future.failedFuture(new ConflictException("routing is busy; try the rebuild again"));
      }
      io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
      vertx.setTimer(200, t -> leaseWithin(name, token, attempts - 1).onComplete(later));
      return later.future();
    });
  }

  private Future<Void> doRebuild() {
    var sql = stores.db().pool();
    Instant now = clock.instant();
    return live.clear()
        .compose(x -> stores.agents().list(sql))
        .compose(agents -> stores.routing().latestAgentStates(sql).compose(states -> stores.routing().offers(sql).compose(offers ->
            stores.routing().working(sql).compose(working -> {
              Map<UUID, RoutingStore.AgentStateRow> stateOf = new HashMap<>();
              states.forEach(s -> stateOf.put(s.agentId(), s));
              Map<UUID, Map<String, Integer>> load = new HashMap<>();
              offers.forEach(o -> load.computeIfAbsent(o.agentId(), k -> new HashMap<>()).merge(o.channel(), 1, Integer::sum));
              working.forEach(w -> load.computeIfAbsent(w.agentId(), k -> new HashMap<>()).merge(w.channel(), 1, Integer::sum));
              Future<Void> chain = Future.succeededFuture();
              for (Agent a : agents) {
                RoutingStore.AgentStateRow s = stateOf.get(a.id().value());
                RoutingState.AgentLive base = profile(a, null, load.getOrDefault(a.id().value(), Map.of()));
                RoutingState.AgentLive restored = new RoutingState.AgentLive(base.agentId(),
                    s == null ? AgentState.OFFLINE.wireName() : s.state(), s == null ? null : s.reason(),
                    s == null ? now : s.at(), false, s == null ? now : s.at(), base.skills(), base.queues(), base.capacity(), base.load(),
                    base.exclusive());
                chain = chain.compose(y -> live.putAgent(restored, true));
              }
              for (RoutingStore.OfferRow o : offers) {
                chain = chain.compose(y -> live.putOffer(new RoutingState.Offer(o.interactionId().toString(), o.agentId().toString(),
                    o.channel(), o.offeredAt(), o.expiresAt())));
              }
              for (RoutingStore.WorkingRow w : working) {
                chain = chain.compose(y -> live.putAssigned(w.agentId().toString(), w.interactionId().toString()));
              }
              return chain;
            }))))
        .compose(x -> stores.routing().waiting(sql))
        .compose(rows -> {
          Future<Void> chain = Future.succeededFuture();
          for (RoutingStore.WaitingRow w : rows) {
            JsonObject item = itemOf(w.channel(), w.routing(), w.excluded());
            chain = chain.compose(y -> live.enqueue(w.interactionId().toString(), item, w.waitingSince()));
          }
          return chain.map(rows.size());
        })
        .compose(n -> live.setEpoch(now.toString()).onSuccess(y ->
            log.atInfo().addKeyValue("waiting", n).log("routing state rebuilt from PostgreSQL")));
  }
}
