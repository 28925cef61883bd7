package io.switchboard.hub.core.routing;

import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * This node's copy of every agent's live routing state (state, reason, presence, idle time, skills, queues, capacity,
 * load), decoded, brought up to date from the agents' change log in Redis ({@code agent_log.lua}): every script that
 * changes an agent's live state — a profile sync, a state change, presence, a heartbeat that made the agent present, a
 * reservation, a released offer, finished or transferred work, a reconciler's repair — counts the change and notes the
 * agent with its number in one atomic step. {@link #sync} reads the counter, the agents noted since the last sync (one
 * sorted-set range) and only their hashes (one pipelined round), never every agent.
 *
 * <p>What this node's own scripts changed and answered (a reservation, finished work: {@link
 * RoutingState#ownAgentChanges}) is taken from their answers, not read back: when every change since the last sync is
 * one of them, the sync reads nothing but the counter (and a pass gets the counter with its lease, {@link
 * #sync(RoutingState.AgentCursor)}); otherwise the log is read and only the agents whose last change was made elsewhere
 * are read (issue #12).
 *
 * <p>Every agent is read once at the first sync, after live state was rebuilt (a new epoch: a restart, Redis lost its
 * data, an admin's rebuild) and when the change counter went back (Redis emptied). The log holds one entry per agent
 * (its last change), so it never forgets a change a node has not read yet.
 *
 * <p>Every node keeps its own index over the same Redis state, so a reservation, accept or state change made on
 * another node is seen at the next sync. The copy may be a moment old; decisions made on it are safe because the
 * reservation script checks the agent again, atomically, in Redis.
 *
 * <p>Not thread-safe: owned by the routing verticle's context. A sync asked for while one is under way gets that one's
 * result (and whatever it missed is read at the next), so a pass and a sweep never apply reads out of order.
 */
final class AgentIndex {
  private final RoutingState live;
  private final Map<String, RoutingState.AgentLive> byId = new HashMap<>();
  private long seq = -1;
  private String epoch;
  private long fullReads;
  private long agentsRead;
  private Future<Collection<RoutingState.AgentLive>> inFlight;

  AgentIndex(RoutingState live) {
    this.live = live;
  }

  /** Brings the index up to date with live state; completes with every agent routing holds (in no order). */
  Future<Collection<RoutingState.AgentLive>> sync() {
    if (inFlight != null) {
      return inFlight;
    }
    return track(live.agentCursor().compose(this::syncTo));
  }

  /**
   * As {@link #sync()}, to the counter {@code c} just read (with a pass's lease) instead of reading it. A counter behind
   * this index in the same epoch (another sync read a later one meanwhile) is read again rather than taken for a Redis
   * that lost its data.
   */
  Future<Collection<RoutingState.AgentLive>> sync(RoutingState.AgentCursor c) {
    if (inFlight != null) {
      return inFlight;
    }
    if (seq >= 0 && Objects.equals(c.epoch(), epoch) && c.seq() < seq) {
      return sync();
    }
    return track(syncTo(c));
  }

  private Future<Collection<RoutingState.AgentLive>> track(Future<Collection<RoutingState.AgentLive>> f) {
    if (!f.isComplete()) {
      inFlight = f;
      f.onComplete(x -> inFlight = null);
    }
    return f;
  }

  private Future<Collection<RoutingState.AgentLive>> syncTo(RoutingState.AgentCursor c) {
    if (seq < 0 || !Objects.equals(c.epoch(), epoch) || c.seq() < seq) {
      return readWhole(c);
    }
    if (c.seq() == seq) {
      return Future.succeededFuture(byId.values());
    }
    var own = live.ownAgentChanges(seq, c.seq(), epoch);
    if (own != null) {
      own.values().forEach(o -> byId.put(o.id(), o.value()));
      seq = c.seq();
      return Future.succeededFuture(byId.values());
    }
    return live.agentsChangedSince(seq).compose(changed -> {
      java.util.List<String> toRead = new java.util.ArrayList<>();
      changed.forEach((id, s) -> {
        var mine = live.ownAgentChange(id, s, epoch);
        if (mine != null) {
          byId.put(id, mine.value());
        } else {
          toRead.add(id);
        }
      });
      return live.agentsOf(toRead).map(agents -> {
        agents.forEach((id, a) -> {
          if (a == null) {
            byId.remove(id);
          } else {
            byId.put(id, a);
          }
        });
        agentsRead += agents.size();
        long last = seq;
        for (long s : changed.values()) {
          last = Math.max(last, s);
        }
        seq = last;
        return byId.values();
      });
    });
  }

  private Future<Collection<RoutingState.AgentLive>> readWhole(RoutingState.AgentCursor c) {
    // The cursor is read before the agents: a change made meanwhile has a higher number and is read again next time.
    return live.agents().map(agents -> {
      byId.clear();
      agents.forEach(a -> byId.put(a.agentId(), a));
      seq = c.seq();
      epoch = c.epoch();
      fullReads++;
      agentsRead += agents.size();
      return byId.values();
    });
  }

  /** How many agents routing holds, as of the last sync. */
  int size() {
    return byId.size();
  }

  /** How often every agent was read (first sync, new epoch, counter gone back). */
  long fullReads() {
    return fullReads;
  }

  /** How many agents' hashes were read and decoded from Redis so far, whole reads included. */
  long agentsRead() {
    return agentsRead;
  }
}
