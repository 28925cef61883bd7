package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.store.RoutingStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one view of every member of staff's routing state and console presence (#9.1): the agent directory, the
 * supervisor dashboard and the agent state endpoint all read it, so they never disagree.
 *
 * <p>Routing's live record (Redis) is the truth: it is what offers are decided on ({@code present} is the flag the
 * reservation script checks). An agent routing does not hold yet (created while Redis was away, or before it was
 * rebuilt) is shown as PostgreSQL records it: its last recorded state with its time, or {@code offline} since the
 * account was created; never present, no load. Reading has no side effects.
 *
 * <p>Threading: futures complete on the caller's context; no state is kept.
 */
public final class AgentRoster {
  /**
   * A member of staff and its routing state.
   *
   * @param routed whether routing holds a live record of it (false: {@code live} is what PostgreSQL records)
   */
  public record Member(Agent agent, RoutingState.AgentLive live, boolean routed) {}

  private final Stores stores;
  private final RoutingState live;

  public AgentRoster(Stores stores, RoutingState live) {
    this.stores = stores;
    this.live = live;
  }

  /** Every member of staff (active or not), ordered by username. */
  public Future<List<Member>> all() {
    var sql = stores.db().pool();
    Future<List<Agent>> agents = stores.agents().list(sql);
    Future<List<RoutingState.AgentLive>> lives = live.agents();
    return Future.all(agents, lives).compose(x -> {
      Map<String, RoutingState.AgentLive> byId = new HashMap<>();
      lives.result().forEach(l -> byId.put(l.agentId(), l));
      List<UUID> missing = agents.result().stream().filter(a -> !byId.containsKey(a.id().toString()))
          .map(a -> a.id().value()).toList();
      return stores.routing().latestAgentStates(sql, missing).map(states -> {
        Map<UUID, RoutingStore.AgentStateRow> recorded = new HashMap<>();
        states.forEach(s -> recorded.put(s.agentId(), s));
        List<Member> out = new ArrayList<>();
        for (Agent a : agents.result()) {
          RoutingState.AgentLive l = byId.get(a.id().toString());
          out.add(new Member(a, l != null ? l : recordedOnly(a, recorded.get(a.id().value())), l != null));
        }
        return out;
      });
    });
  }

  /** One member of staff; fails with {@link NotFoundException} when there is none with that id. */
  public Future<Member> of(AgentId id) {
    var sql = stores.db().pool();
    return stores.agents().find(sql, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no agent " + id));
      }
      Agent a = found.get();
      return live.agent(id.toString()).compose(l -> l != null ? Future.succeededFuture(new Member(a, l, true))
          : stores.routing().latestAgentStates(sql, List.of(id.value()))
              .map(rows -> new Member(a, recordedOnly(a, rows.isEmpty() ? null : rows.get(0)), false)));
    });
  }

  /**
   * What routing would hold for {@code a} from PostgreSQL alone: its last recorded state (or offline since the
   * account was created), not present, no load. Its idle time starts with that state.
   */
  static RoutingState.AgentLive recordedOnly(Agent a, RoutingStore.AgentStateRow last) {
    Instant since = last != null ? last.at() : a.createdAt() != null ? a.createdAt() : Instant.EPOCH;
    Map<String, Integer> capacity = new LinkedHashMap<>();
    a.capacity().forEach((ch, n) -> capacity.put(ch.wireName(), n));
    List<String> exclusive = a.capacity().containsKey(Channel.VOICE) ? List.of(Channel.VOICE.wireName()) : List.of();
    return new RoutingState.AgentLive(a.id().toString(), last != null ? last.state() : AgentState.OFFLINE.wireName(),
        last != null ? last.reason() : null, since, false, since, a.skills(), a.queues(), capacity, Map.of(), exclusive);
  }
}
