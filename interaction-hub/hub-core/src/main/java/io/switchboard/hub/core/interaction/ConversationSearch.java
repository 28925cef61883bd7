package io.switchboard.hub.core.interaction;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.ConversationSearchStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * The conversation search of the console: past and present interactions by customer (name or identity), text
 * (what was written, never private notes), agent, channel and date, newest first.
 *
 * <p>Visibility is the one of {@link InteractionQueries}: supervisors and admins find every conversation; an
 * agent finds only the interactions they worked (assigned to them), which are also the ones they may open. An
 * agent asking for another agent's work gets an empty result, as the interaction list does. (When hub-core
 * {@code access/WorkVisibility} widens what agents may read, this class follows it.)
 */
public final class ConversationSearch {
  /** Results per search at most. */
  public static final int MAX_LIMIT = 100;

  private final Stores stores;
  private final ConversationSearchStore store = new ConversationSearchStore();

  public ConversationSearch(Stores stores) {
    this.stores = stores;
  }

  /** The search's criteria; null or blank fields do not filter. */
  public record Criteria(String customer, String text, AgentId agentId, String channel, Instant from, Instant to, int limit) {}

  public Future<List<ConversationSearchStore.Hit>> search(Principal.Staff viewer, Criteria c) {
    boolean all = viewer.role().atLeast(Role.SUPERVISOR);
    if (!all && c.agentId() != null && !c.agentId().equals(viewer.agentId())) {
      return Future.succeededFuture(List.of());
    }
    return store.search(stores.db().pool(), new ConversationSearchStore.Query(c.customer(), c.text(),
        c.agentId() == null ? null : c.agentId().value(), c.channel(), c.from(), c.to(),
        all ? null : viewer.agentId().value(), Math.max(1, Math.min(MAX_LIMIT, c.limit()))));
  }
}
