package io.switchboard.hub.core.interaction;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.spi.SendReadiness;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.messaging.AdapterDirectory;
import io.switchboard.hub.store.InteractionStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.List;

/**
 * Reading interactions with the visibility rule applied: agents see only interactions assigned to them;
 * supervisors and admins see all. An interaction an agent may not see is reported as not found, so its
 * existence does not leak.
 */
public final class InteractionQueries {

  /**
   * An interaction with its messages, its recorded state changes, and whether a reply can go out now (so the
   * console can say so before the agent writes).
   *
   * @param customerLeft when and why the customer ended the contact while it was worked; null when they did not
   *     (then {@code reply} is {@code unavailable}: nobody is there to read it)
   * @param routing why routing sent it where it is ({@link #routingSummary}); null when it was never routed
   */
  public record Detail(Interaction interaction, List<Message> messages, List<InteractionStore.Transition> transitions,
      SendReadiness reply, InteractionStore.Departure customerLeft, io.vertx.core.json.JsonObject routing) {}

  /**
   * The routing reason an agent is shown (offer and workspace): the rule that classified the interaction, its
   * queue, priority, the skills it asked for, the rules version, and whether it came by a transfer. Null for null.
   */
  public static io.vertx.core.json.JsonObject routingSummary(io.vertx.core.json.JsonObject classification) {
    if (classification == null) {
      return null;
    }
    return new io.vertx.core.json.JsonObject()
        .put("rule", classification.getString("rule"))
        .put("queue", classification.getString("queue"))
        .put("priority", classification.getValue("priority"))
        .put("requirements", classification.getValue("requirements") instanceof io.vertx.core.json.JsonArray a
            ? a.copy() : new io.vertx.core.json.JsonArray())
        .put("rulesVersion", classification.getValue("rulesVersion"))
        .put("transferred", classification.getValue("transfer") != null);
  }

  private final Stores stores;
  private final AdapterDirectory adapters;

  public InteractionQueries(Stores stores) {
    this(stores, null);
  }

  /** @param adapters the running adapters, asked whether replies can go out; null: always ready */
  public InteractionQueries(Stores stores, AdapterDirectory adapters) {
    this.stores = stores;
    this.adapters = adapters;
  }

  public Future<Detail> get(Principal.Staff viewer, InteractionId id) {
    SqlClient sql = stores.db().pool();
    return stores.interactions().find(sql, id).compose(found -> {
      if (found.isEmpty() || !visible(viewer, found.get())) {
        return Future.failedFuture(new NotFoundException("no interaction " + id));
      }
      Interaction i = found.get();
      return stores.messages().ofInteractions(sql, List.of(id)).compose(messages ->
          stores.interactions().transitions(sql, id).compose(transitions ->
              stores.interactions().departure(sql, id).compose(departure ->
                  stores.routing().routingOf(sql, id.value()).compose(routing ->
                  stores.messages().replyAddress(sql, i.conversationId()).map(address -> new Detail(i, messages, transitions,
                      departure.map(io.switchboard.hub.core.messaging.MessageService::noOneThere).orElseGet(() -> adapters == null ? SendReadiness.READY
                          : adapters.readiness(i.channel(), address.orElse(null), i.attributes())),
                      departure.orElse(null), routingSummary(routing.map(r -> r.routing()).orElse(null))))))));
    });
  }

  /** Newest first; for agents, only their own. */
  public Future<List<Interaction>> list(
      Principal.Staff viewer, InteractionState state, String queueId, AgentId agentId, InteractionStore.Cursor cursor, int limit) {
    AgentId scope = viewer.role().atLeast(Role.SUPERVISOR) ? agentId : viewer.agentId();
    if (!viewer.role().atLeast(Role.SUPERVISOR) && agentId != null && !agentId.equals(viewer.agentId())) {
      return Future.succeededFuture(List.of());
    }
    return stores.interactions().list(stores.db().pool(), new InteractionStore.Filter(state, queueId, scope), cursor, limit);
  }

  private static boolean visible(Principal.Staff viewer, Interaction i) {
    return viewer.role().atLeast(Role.SUPERVISOR) || viewer.agentId().equals(i.agentId());
  }
}
