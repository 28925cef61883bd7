package io.switchboard.hub.core.routing;

import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.Classification;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * This node's copy of the waiting interactions, decoded, brought up to date from the change log in
 * Redis ({@code waiting_log.lua}): {@link #sync} reads only the interactions changed since the last sync (one sorted-set
 * range and one pipelined read of those items), never the whole waiting set, and parses only them. Every node keeps
 * its own index over the same Redis state, so work queued, offered, released or moved by another node is seen at the
 * next sync.
 *
 * <p>What this node's own scripts changed and answered (an interaction it queued, one it reserved: {@link
 * RoutingState#ownWaitingChanges}) is taken from their answers, not read back: when every change since the last sync is
 * one of them, the sync reads nothing but the counter (which a pass gets with its lease, {@link
 * #sync(RoutingState.WaitingCursor)}); otherwise the log is read and only the items whose last change was made elsewhere
 * are read (issue #12).
 *
 * <p>The whole set is read once at the first sync, after live state was rebuilt (a new epoch: a restart, Redis lost its
 * data, an admin's rebuild), when the change counter went back (Redis emptied) and when this node last looked before
 * the oldest change the log still holds.
 *
 * <p>The order of the waiting interactions is the {@link io.switchboard.routing.Matcher}'s (priority in force, then wait,
 * then id): priorities rise with relaxation steps as time passes, so an order kept here would go stale.
 *
 * <p>An item that cannot be decoded is left out (see {@link #unreadable()}) rather than failing the sync: one bad item
 * must not stop routing, nor anyone's queue position, for everybody else.
 *
 * <p>Not thread-safe: owned by the routing verticle's context (one pass at a time, {@link MatchingPass}), or by
 * {@link QueuePositions}, which runs one sync at a time.
 */
final class WaitingIndex {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WaitingIndex.class);
  static final int MAX_CLASSIFICATIONS = 10_000;

  private final RoutingState live;
  private final Map<String, WaitingInteraction> byId = new HashMap<>();
  /** Decoded classifications by their JSON: items of one rule share one instance, as the rules give them. */
  private final Map<String, Classification> classifications = new HashMap<>();
  /** Waiting interactions whose item could not be decoded: id → why. */
  private final Map<String, String> unreadable = new HashMap<>();
  private long seq = -1;
  private String epoch;
  private long fullReads;
  private long itemsRead;

  WaitingIndex(RoutingState live) {
    this.live = live;
  }

  /** Brings the index up to date with live state; completes with every waiting interaction (in no order). */
  Future<Collection<WaitingInteraction>> sync() {
    return live.waitingCursor().compose(this::syncTo);
  }

  /**
   * As {@link #sync()}, to the cursor {@code c} just read (with a pass's lease) instead of reading it. A counter behind
   * this index in the same epoch is read again rather than taken for a Redis that lost its data.
   */
  Future<Collection<WaitingInteraction>> sync(RoutingState.WaitingCursor c) {
    if (seq >= 0 && Objects.equals(c.epoch(), epoch) && c.seq() < seq) {
      return sync();
    }
    return syncTo(c);
  }

  private Future<Collection<WaitingInteraction>> syncTo(RoutingState.WaitingCursor c) {
    if (seq < 0 || !Objects.equals(c.epoch(), epoch) || c.seq() < seq || seq < c.floor()) {
      return readWhole(c);
    }
    if (c.seq() == seq) {
      return Future.succeededFuture(byId.values());
    }
    var own = live.ownWaitingChanges(seq, c.seq(), epoch);
    if (own != null) {
      own.values().forEach(this::apply);
      seq = c.seq();
      return Future.succeededFuture(byId.values());
    }
    return live.waitingChangedSince(seq).compose(changed -> {
      java.util.List<String> toRead = new java.util.ArrayList<>();
      changed.forEach((id, s) -> {
        var mine = live.ownWaitingChange(id, s, epoch);
        if (mine != null) {
          apply(mine);
        } else {
          toRead.add(id);
        }
      });
      return live.waitingItemsRaw(toRead).map(items -> {
        items.forEach((id, item) -> {
          if (item == null) {
            remove(id);
          } else {
            put(id, item);
          }
        });
        itemsRead += items.size();
        long last = seq;
        for (long s : changed.values()) {
          last = Math.max(last, s);
        }
        seq = last;
        return byId.values();
      });
    });
  }

  /** A change this node's own script made: the item it left, or gone when the interaction no longer waits. */
  private void apply(RoutingState.OwnChange<RoutingState.RawItem> change) {
    if (change.value() == null) {
      remove(change.id());
    } else {
      put(change.id(), change.value());
    }
  }

  private Future<Collection<WaitingInteraction>> readWhole(RoutingState.WaitingCursor c) {
    // The cursor is read before the set: a change made meanwhile has a higher number and is read again next time.
    return live.waitingRaw().map(waiting -> {
      byId.clear();
      unreadable.clear();
      classifications.clear();
      waiting.forEach(this::put);
      seq = c.seq();
      epoch = c.epoch();
      fullReads++;
      itemsRead += waiting.size();
      return byId.values();
    });
  }

  /**
   * One shared instance per distinct classification, so the matcher works out each rule's target once per pass instead
   * of once per waiting interaction (its cache is by instance). At most {@value #MAX_CLASSIFICATIONS} are kept; past
   * that the map starts again (the instances in use stay valid).
   */
  private Classification classification(JsonObject json) {
    if (classifications.size() >= MAX_CLASSIFICATIONS) {
      classifications.clear();
    }
    return classifications.computeIfAbsent(json.encode(), k -> RoutingJson.classification(json));
  }

  /**
   * Decodes an item into the index. An item that cannot be decoded (no JSON object, no usable classification: written
   * by something other than routing's scripts) is left out and kept in {@link #unreadable()} with the reason, logged
   * once, so it fails neither the sync nor anyone else's read; it is decoded again when it changes.
   */
  private void put(String id, RoutingState.RawItem raw) {
    try {
      WaitingInteraction w = LiveViews.waitingOf(id, raw.parse(), this::classification);
      byId.put(id, w);
      unreadable.remove(id);
    } catch (RuntimeException e) {
      byId.remove(id);
      String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (unreadable.put(id, reason) == null) {
        log.atWarn().addKeyValue("interactionId", id).addKeyValue("reason", reason)
            .log("a waiting item in Redis cannot be read; it is left out of routing until it changes");
      }
    }
  }

  private void remove(String id) {
    byId.remove(id);
    unreadable.remove(id);
  }

  /** The waiting interactions whose items cannot be read, with the reason, as of the last sync (a view). */
  Map<String, String> unreadable() {
    return java.util.Collections.unmodifiableMap(unreadable);
  }

  /** The waiting interaction {@code id} as of the last sync, or null. */
  WaitingInteraction get(String id) {
    return byId.get(id);
  }

  /** How many interactions wait, as of the last sync. */
  int size() {
    return byId.size();
  }

  /** How often the whole waiting set was read (first sync, new epoch, lost log). */
  long fullReads() {
    return fullReads;
  }

  /** How many waiting items were read and decoded from Redis so far, whole reads included. */
  long itemsRead() {
    return itemsRead;
  }
}
