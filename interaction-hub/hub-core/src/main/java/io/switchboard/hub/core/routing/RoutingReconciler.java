package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.RoutingStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the live routing state in Redis agree with PostgreSQL, the record. {@link RoutingVerticle} runs it every few
 * seconds and soon after any Redis error or reconnect.
 *
 * <p>One round compares both sides:
 * <ul>
 *   <li>Redis has lost its data (the epoch marker is gone: a restart without persistence, FLUSHALL): the whole live
 *       state is rebuilt from PostgreSQL at once ({@link RoutingService#rebuild}), and {@code auth.sessions_lost}
 *       ({@link HubEvents#SESSIONS_LOST}) tells every node that the login sessions are gone too.</li>
 *   <li>an interaction {@code queued} in PostgreSQL that is neither waiting nor offered in Redis (its enqueue failed
 *       while Redis was away) waits again, at its place in line (its {@code waiting_since});</li>
 *   <li>a live offer PostgreSQL does not record: released (the interaction waits again if it is queued), or turned
 *       into the assignment PostgreSQL records;</li>
 *   <li>an offer PostgreSQL records without a live offer: back to the queue (reason {@link #OFFER_LOST}), so it is
 *       offered again instead of waiting forever for an answer nobody can give;</li>
 *   <li>a waiting entry for an interaction that no longer waits: removed;</li>
 *   <li>a waiting entry whose item cannot be read (no JSON object, no usable classification, a huge or garbled value
 *       written behind routing's back, or no item at all) for an interaction the record has waiting: the item is
 *       rewritten from PostgreSQL (its sticky agent is lost with it), so it is routed again instead of being left out of
 *       every pass forever. A round reads and checks at most {@link #ITEMS_PER_ROUND} items (one MGET), taking the
 *       waiting interactions in turn by id, so with n waiting every item is checked within n / {@value #ITEMS_PER_ROUND}
 *       rounds whatever the size of the queue; an item found unreadable is read again by the next round, which confirms
 *       it. Each item is checked alone, so one such item stops nothing else;</li>
 *   <li>agents: a missing agent is restored with its last recorded state; a live state other than the recorded one is
 *       set to the record's; load, assigned and offers sets are set to what PostgreSQL records (compare-and-set, so a
 *       reservation made meanwhile wins).</li>
 * </ul>
 *
 * <p>Besides the items, a round reads ids and places only: the waiting set's ids with their scores from Redis and the
 * queued interactions' ids with their {@code waiting_since} from PostgreSQL, never every waiting interaction's
 * classification (a requeue reads the one it needs).
 *
 * <p>The two stores are written one after the other, so a difference can be a change in flight. A difference is only
 * repaired when the next round (at least {@code confirmAfter} later) sees the very same difference again; changes in
 * flight take milliseconds. Every repair is logged and published on {@link #REPAIRED} ({@code kind}), which the
 * metrics count. Rounds run under a Redis lease, so one node reconciles at a time.
 */
public final class RoutingReconciler {
  private static final Logger log = LoggerFactory.getLogger(RoutingReconciler.class);

  /** Event bus address: one repair made ({@code kind}, {@code interactionId} or {@code agentId}). */
  public static final String REPAIRED = "routing.reconciler.repaired";
  /** The reason given when an offer PostgreSQL records has no live offer any more. */
  public static final String OFFER_LOST = "offer lost with the live routing state";
  /** At most this many waiting items are read and checked by one round (besides those to confirm). */
  static final int ITEMS_PER_ROUND = 1_000;
  private static final String UNREADABLE = "unreadable-waiting:";

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final Clock clock;
  private final Function<Boolean, Future<Boolean>> rebuild;
  private final Supplier<String> node;
  /** Differences seen by the last round, by key. */
  private Set<String> suspects = Set.of();
  private final int itemsPerRound;
  /** The last waiting interaction whose item a round checked (ids in order); the next round goes on after it. */
  private String itemCursor;
  private long itemsChecked;

  RoutingReconciler(Vertx vertx, Stores stores, RoutingState live, Clock clock, Function<Boolean, Future<Boolean>> rebuild,
      Supplier<String> node) {
    this(vertx, stores, live, clock, rebuild, node, ITEMS_PER_ROUND);
  }

  /** As above, checking at most {@code itemsPerRound} waiting items per round (tests use few). */
  RoutingReconciler(Vertx vertx, Stores stores, RoutingState live, Clock clock, Function<Boolean, Future<Boolean>> rebuild,
      Supplier<String> node, int itemsPerRound) {
    if (itemsPerRound < 1) {
      throw new IllegalArgumentException("itemsPerRound must be at least 1");
    }
    this.itemsPerRound = itemsPerRound;
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.clock = clock;
    this.rebuild = rebuild;
    this.node = node;
  }

  /** Outcome of a round: repairs made, and differences seen that the next round confirms or not. */
  public record Round(int repairs, int suspected, boolean rebuilt) {}

  /** One round (see the class comment); completes with nothing done when another node holds the lease. */
  public Future<Round> run() {
    String token = node.get() + ":" + UUID.randomUUID();
    return live.tryLease("reconcile", token, 30_000).compose(got -> !got ? Future.succeededFuture(new Round(0, 0, false))
        : round().eventually(() -> live.releaseLease("reconcile", token)));
  }

  private Future<Round> round() {
    return live.epoch().compose(epoch -> {
      if (epoch == null) {
        // Redis lost everything (or was never built): the login sessions went too, so every node's agent sockets check
        // theirs now rather than at their next periodic check; then the whole live state is rebuilt.
        vertx.eventBus().publish(HubEvents.SESSIONS_LOST, new JsonObject().put("reason", "Redis lost its data"));
        return rebuild.apply(false).map(done -> {
          if (done) {
            repaired("rebuilt", null, null);
          }
          suspects = Set.of();
          return new Round(done ? 1 : 0, 0, done);
        });
      }
      return compare();
    });
  }

  /** How many waiting items the rounds have read and checked so far. */
  long itemsChecked() {
    return itemsChecked;
  }

  /**
   * What the record says, and what Redis holds: {@code waiting} the queued interactions' places in line by id, {@code
   * liveItems} the items of this round's slice of the waiting set.
   */
  private record Sides(
      Map<String, Instant> waiting, List<RoutingStore.OfferRow> offers, List<RoutingStore.WorkingRow> working,
      List<Agent> agents, List<RoutingStore.AgentStateRow> agentStates,
      Map<String, Long> liveWaiting, Map<String, String> liveItems, List<RoutingState.Offer> liveOffers, List<RoutingState.AgentLive> liveAgents,
      Map<String, Set<String>> liveAssigned, Map<UUID, RoutingStore.StateRow> statesOfStray) {}

  private Future<Round> compare() {
    var sql = stores.db().pool();
    // Redis first, then PostgreSQL: a change in flight shows as a difference once, never twice.
    return live.waitingIds().compose(lw -> live.itemTexts(slice(lw.keySet())).compose(li -> live.offers().compose(lo -> live.agents().compose(la ->
        live.assignedOf(la.stream().map(RoutingState.AgentLive::agentId).toList()).compose(las ->
            stores.routing().waitingPlaces(sql).compose(places -> stores.routing().offers(sql).compose(o -> stores.routing().working(sql)
                .compose(wk -> stores.agents().list(sql).compose(ag -> stores.routing().latestAgentStates(sql).compose(st -> {
                  itemsChecked += li.size();
                  Map<String, Instant> w = new HashMap<>();
                  places.forEach((id, since) -> w.put(id.toString(), since));
                  Set<String> known = w.keySet();
                  List<UUID> stray = new ArrayList<>();
                  lw.keySet().stream().filter(id -> !known.contains(id)).forEach(id -> stray.add(UUID.fromString(id)));
                  lo.forEach(x -> stray.add(UUID.fromString(x.interactionId())));
                  return stores.routing().statesOf(sql, stray).map(states -> new Sides(w, o, wk, ag, st, lw, li, lo, la, las, states));
                })))))))))).compose(this::repairConfirmed);
  }

  /**
   * The waiting interactions whose items this round checks: those found unreadable by the last round (to confirm),
   * then up to {@link #itemsPerRound} more in id order after the last one checked, starting again from the first.
   */
  private List<String> slice(Set<String> waitingIds) {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (String key : suspects) {
      if (key.startsWith(UNREADABLE) && waitingIds.contains(key.substring(UNREADABLE.length()))) {
        out.add(key.substring(UNREADABLE.length()));
      }
    }
    if (waitingIds.size() <= itemsPerRound) {
      out.addAll(waitingIds);
      itemCursor = null;
      return new ArrayList<>(out);
    }
    java.util.NavigableSet<String> ids = new TreeSet<>(waitingIds);
    int taken = 0;
    String last = itemCursor;
    for (java.util.Iterator<String> it = (itemCursor == null ? ids : ids.tailSet(itemCursor, false)).iterator();
        it.hasNext() && taken < itemsPerRound; taken++) {
      last = it.next();
      out.add(last);
    }
    for (java.util.Iterator<String> it = ids.iterator(); it.hasNext() && taken < itemsPerRound; taken++) {
      last = it.next();
      out.add(last);
    }
    itemCursor = last;
    return new ArrayList<>(out);
  }

  /** A difference: its key (the same difference gives the same key) and its repair. */
  private record Difference(String key, String kind, Supplier<Future<?>> repair) {}

  private Future<Round> repairConfirmed(Sides s) {
    List<Difference> found = differences(s);
    Set<String> previous = suspects;
    Set<String> now = new HashSet<>();
    List<Difference> confirmed = new ArrayList<>();
    for (Difference d : found) {
      if (previous.contains(d.key())) {
        confirmed.add(d);
      } else {
        now.add(d.key());
      }
    }
    suspects = now;
    Future<Integer> chain = Future.succeededFuture(0);
    for (Difference d : confirmed) {
      chain = chain.compose(n -> d.repair().get().transform(ar -> {
        if (ar.failed()) {
          log.atWarn().setCause(ar.cause()).addKeyValue("difference", d.key()).log("routing reconciler could not repair; the next round tries again");
          return Future.succeededFuture(n);
        }
        return Future.succeededFuture(n + 1);
      }));
    }
    return chain.map(n -> new Round(n, now.size(), false));
  }

  private List<Difference> differences(Sides s) {
    Instant now = clock.instant();
    List<Difference> out = new ArrayList<>();
    Map<String, Instant> waiting = s.waiting();
    Map<String, RoutingStore.OfferRow> offers = new HashMap<>();
    s.offers().forEach(o -> offers.put(o.interactionId().toString(), o));
    Map<String, RoutingStore.WorkingRow> working = new HashMap<>();
    s.working().forEach(w -> working.put(w.interactionId().toString(), w));
    Map<String, RoutingState.Offer> liveOffers = new HashMap<>();
    s.liveOffers().forEach(o -> liveOffers.put(o.interactionId(), o));
    Set<String> touchedAgents = new HashSet<>();

    // Live offers the record does not have.
    for (RoutingState.Offer o : s.liveOffers()) {
      String iid = o.interactionId();
      RoutingStore.OfferRow recorded = offers.get(iid);
      if (recorded != null && recorded.agentId().toString().equals(o.agentId())) {
        if (s.liveWaiting().containsKey(iid)) {
          out.add(new Difference("offered-and-waiting:" + iid, "waiting-removed", () -> live.unlistWaiting(iid)
              .onSuccess(x -> repaired("waiting-removed", iid, o.agentId()))));
        }
        continue;
      }
      touchedAgents.add(o.agentId());
      RoutingStore.WorkingRow work = working.get(iid);
      Instant queued = waiting.get(iid);
      if (work != null && work.agentId().toString().equals(o.agentId())) {
        out.add(new Difference("offer-not-accepted:" + iid + ":" + o.agentId(), "offer-accepted", () -> live.accept(iid, o.agentId())
            .onSuccess(x -> repaired("offer-accepted", iid, o.agentId()))));
      } else if (queued != null) {
        out.add(new Difference("offer-unrecorded:" + iid + ":" + o.agentId(), "offer-dropped", () ->
            live.release(iid, o.agentId(), queued, now, false, null, false)
                .compose(x -> requeue(iid))
                .onSuccess(x -> repaired("offer-dropped", iid, o.agentId()))));
      } else {
        RoutingStore.StateRow st = s.statesOfStray().get(UUID.fromString(iid));
        String state = st == null ? "missing" : st.state();
        out.add(new Difference("offer-of-" + state + ":" + iid + ":" + o.agentId(), "offer-dropped", () ->
            live.release(iid, o.agentId(), now, now, false, null, false)
                .compose(x -> live.dequeue(iid))
                .onSuccess(x -> repaired("offer-dropped", iid, o.agentId()))));
      }
    }

    // Recorded offers without a live offer: back to the queue.
    for (RoutingStore.OfferRow o : s.offers()) {
      String iid = o.interactionId().toString();
      RoutingState.Offer l = liveOffers.get(iid);
      if (l != null && l.agentId().equals(o.agentId().toString())) {
        continue;
      }
      if (l != null) {
        continue; // offered live to another agent: handled above (the live offer is dropped first)
      }
      String agent = o.agentId().toString();
      touchedAgents.add(agent);
      boolean acceptedLive = s.liveAssigned().getOrDefault(agent, Set.of()).contains(iid);
      out.add(new Difference("offer-not-live:" + iid + ":" + agent + ":" + acceptedLive, "offer-requeued",
          () -> offerNotLive(o, acceptedLive, now)));
    }

    // Interactions the record has queued that Redis neither lists as waiting nor offers: wait again, in order.
    for (String iid : waiting.keySet()) {
      if (!s.liveWaiting().containsKey(iid) && !liveOffers.containsKey(iid)) {
        out.add(new Difference("not-waiting:" + iid, "requeued", () -> requeue(iid).onSuccess(x -> repaired("requeued", iid, null))));
      }
    }

    // Waiting entries (of this round's slice) of interactions the record has waiting whose item cannot be read:
    // rewritten from the record.
    Map<String, io.switchboard.routing.Classification> decoded = new HashMap<>();
    for (var e : s.liveItems().entrySet()) {
      String iid = e.getKey();
      Long since = s.liveWaiting().get(iid);
      if (since == null || !waiting.containsKey(iid) || liveOffers.containsKey(iid)) {
        continue;
      }
      String why = unreadable(iid, e.getValue(), since, decoded);
      if (why != null) {
        out.add(new Difference(UNREADABLE + iid, "item-rewritten", () -> {
          log.atWarn().addKeyValue("interactionId", iid).addKeyValue("reason", why)
              .log("routing reconciler: a waiting item cannot be read; it is rewritten from PostgreSQL");
          return requeue(iid).onSuccess(x -> repaired("item-rewritten", iid, null));
        }));
      }
    }

    // Waiting entries for interactions that no longer wait.
    for (String iid : s.liveWaiting().keySet()) {
      if (waiting.containsKey(iid) || liveOffers.containsKey(iid) || offers.containsKey(iid)) {
        continue;
      }
      RoutingStore.StateRow st = s.statesOfStray().get(UUID.fromString(iid));
      if (st != null && (st.state().equals("created") || st.state().equals("queued"))) {
        continue; // being queued right now (or queued without a classification yet)
      }
      String state = st == null ? "missing" : st.state();
      out.add(new Difference("stray-waiting:" + iid + ":" + state, "dequeued", () -> live.dequeue(iid)
          .onSuccess(x -> repaired("dequeued", iid, null))));
    }

    agents(s, touchedAgents, offers, out);
    return out;
  }

  private void agents(Sides s, Set<String> touched, Map<String, RoutingStore.OfferRow> offers, List<Difference> out) {
    Map<String, RoutingState.AgentLive> liveAgents = new HashMap<>();
    s.liveAgents().forEach(a -> liveAgents.put(a.agentId(), a));
    Map<String, RoutingStore.AgentStateRow> recorded = new HashMap<>();
    s.agentStates().forEach(r -> recorded.put(r.agentId().toString(), r));
    Map<String, Map<String, Integer>> load = new HashMap<>();
    Map<String, Set<String>> assigned = new HashMap<>();
    Map<String, Set<String>> offered = new HashMap<>();
    s.offers().forEach(o -> {
      load.computeIfAbsent(o.agentId().toString(), k -> new HashMap<>()).merge(o.channel(), 1, Integer::sum);
      offered.computeIfAbsent(o.agentId().toString(), k -> new TreeSet<>()).add(o.interactionId().toString());
    });
    s.working().forEach(w -> {
      load.computeIfAbsent(w.agentId().toString(), k -> new HashMap<>()).merge(w.channel(), 1, Integer::sum);
      assigned.computeIfAbsent(w.agentId().toString(), k -> new TreeSet<>()).add(w.interactionId().toString());
    });
    for (Agent a : s.agents()) {
      String id = a.id().toString();
      RoutingState.AgentLive l = liveAgents.get(id);
      RoutingStore.AgentStateRow rec = recorded.get(id);
      if (l == null) {
        if (rec != null) {
          out.add(new Difference("agent-missing:" + id, "agent-restored", () -> restoreAgent(a, rec, load.getOrDefault(id, Map.of()))
              .compose(x -> live.repairAgent(id, load.getOrDefault(id, Map.of()), load.getOrDefault(id, Map.of()),
                  assigned.getOrDefault(id, Set.of()), offered.getOrDefault(id, Set.of())))
              .onSuccess(x -> repaired("agent-restored", null, id))));
        }
        continue;
      }
      if (rec != null && (!rec.state().equals(l.state()) || !java.util.Objects.equals(blank(rec.reason()), blank(l.reason())))) {
        out.add(new Difference("agent-state:" + id + ":" + l.state() + ":" + rec.state() + ":" + rec.at().toEpochMilli(), "agent-state", () ->
            live.setState(id, rec.state(), rec.reason(), rec.at()).onSuccess(x -> repaired("agent-state", null, id))));
      }
      if (touched.contains(id)) {
        continue; // its offers are being repaired: look at its load in the next round
      }
      Map<String, Integer> expected = load.getOrDefault(id, Map.of());
      Set<String> expectedAssigned = assigned.getOrDefault(id, Set.of());
      Set<String> liveAssigned = s.liveAssigned().getOrDefault(id, Set.of());
      String observed = RoutingState.loadSignature(l.load());
      String wanted = RoutingState.loadSignature(expected);
      if (!observed.equals(wanted) || !new TreeSet<>(liveAssigned).equals(new TreeSet<>(expectedAssigned))) {
        out.add(new Difference("agent-load:" + id + ":" + observed + ":" + wanted + ":" + new TreeSet<>(liveAssigned) + ":" + expectedAssigned,
            "agent-load", () -> live.repairAgent(id, l.load(), expected, expectedAssigned, offered.getOrDefault(id, Set.of()))
                .onSuccess(r -> {
                  if (r.equals("ok")) {
                    repaired("agent-load", null, id);
                  }
                })));
      }
    }
  }

  /** An offer PostgreSQL records has no live offer: back to the queue (and out of the agent's live assigned set). */
  private Future<Void> offerNotLive(RoutingStore.OfferRow o, boolean acceptedLive, Instant now) {
    String iid = o.interactionId().toString();
    String agent = o.agentId().toString();
    Future<Void> first = acceptedLive ? live.finish(iid, agent, o.channel(), now).mapEmpty() : Future.succeededFuture();
    return first
        .compose(x -> stores.db().inTransaction(tx -> stores.routing().unoffer(tx, o.interactionId(), o.agentId(), false)
            .compose(ok -> ok
                ? stores.routing().transition(tx, o.interactionId(), "offered", "queued", null, o.agentId(), OFFER_LOST, now).map(true)
                : Future.succeededFuture(false))))
        .compose(requeued -> {
          if (!requeued) {
            return Future.<Void>succeededFuture();
          }
          return stores.routing().waitingOne(stores.db().pool(), o.interactionId())
              .compose(w -> w.isEmpty() ? Future.<Void>succeededFuture() : requeue(w.get()))
              .onSuccess(x -> {
                repaired("offer-requeued", iid, agent);
                vertx.eventBus().publish(RoutingService.OFFER_WITHDRAWN, new JsonObject().put("interactionId", iid)
                    .put("agentId", agent).put("reason", OFFER_LOST));
              });
        });
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private Future<Void> restoreAgent(Agent a, RoutingStore.AgentStateRow rec, Map<String, Integer> load) {
    Map<String, Integer> capacity = new LinkedHashMap<>();
    a.capacity().forEach((ch, n) -> capacity.put(ch.wireName(), n));
    List<String> exclusive = a.capacity().containsKey(io.switchboard.hub.api.Channel.VOICE)
        ? List.of(io.switchboard.hub.api.Channel.VOICE.wireName()) : List.of();
    return live.putAgent(new RoutingState.AgentLive(a.id().toString(), rec.state(), rec.reason(), rec.at(), false, rec.at(),
        a.skills(), a.queues(), capacity, load, exclusive), true);
  }

  /**
   * Why a waiting item cannot be routed (as {@link WaitingIndex} decodes it), at most 200 characters; null when it can.
   * {@code decoded} shares classifications between the items of one round.
   */
  private static String unreadable(String iid, String text, long waitingSince,
      Map<String, io.switchboard.routing.Classification> decoded) {
    if (text == null) {
      return "no item";
    }
    try {
      LiveViews.waitingOf(iid, new RoutingState.RawItem(text, waitingSince).parse(),
          c -> decoded.computeIfAbsent(c.encode(), k -> RoutingJson.classification(c)));
      return null;
    } catch (RuntimeException e) {
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      return why.length() > 200 ? why.substring(0, 200) + "…" : why;
    }
  }

  /** {@link #requeue(RoutingStore.WaitingRow)} of the interaction as PostgreSQL has it now; nothing when it no longer waits. */
  private Future<Void> requeue(String iid) {
    return stores.routing().waitingOne(stores.db().pool(), UUID.fromString(iid))
        .compose(w -> w.isEmpty() ? Future.<Void>succeededFuture() : requeue(w.get()));
  }

  /**
   * Puts a queued interaction back in the waiting set at its place, keeping a live item's sticky agent; an item that
   * cannot be read is replaced without one.
   */
  private Future<Void> requeue(RoutingStore.WaitingRow w) {
    String iid = w.interactionId().toString();
    return live.item(iid).recover(e -> e instanceof io.vertx.core.json.DecodeException
        ? Future.succeededFuture(null) : Future.failedFuture(e)).compose(existing -> {
      JsonObject item = QueueIntake.itemOf(w.channel(), w.routing(), w.excluded());
      if (existing != null && existing.getValue("lastAgent") instanceof String lastAgent) {
        item.put("lastAgent", lastAgent);
      }
      log.atInfo().addKeyValue("interactionId", iid).addKeyValue("waitingSince", w.waitingSince())
          .log("routing reconciler: interaction waits again");
      return live.enqueue(iid, item, w.waitingSince());
    });
  }

  private void repaired(String kind, String interactionId, String agentId) {
    log.atWarn().addKeyValue("kind", kind).addKeyValue("interactionId", interactionId).addKeyValue("agentId", agentId)
        .log("routing reconciler repaired live state");
    vertx.eventBus().publish(REPAIRED, new JsonObject().put("kind", kind).put("interactionId", interactionId).put("agentId", agentId));
  }
}
