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
import java.util.List;

/**
 * Reading interactions with the visibility rule applied ({@link io.switchboard.hub.core.access.WorkVisibility}):
 * agents open only interactions they worked; supervisors and admins see all. An interaction an agent may not see is
 * reported as not found, so its existence does not leak.
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
  private final io.switchboard.hub.core.access.WorkVisibility visibility;

  public InteractionQueries(Stores stores) {
    this(stores, null);
  }

  /** @param adapters the running adapters, asked whether replies can go out; null: always ready */
  public InteractionQueries(Stores stores, AdapterDirectory adapters) {
    this(stores, adapters, new io.switchboard.hub.core.access.WorkVisibility(stores,
        io.switchboard.hub.core.access.WorkVisibility.Settings.defaults()));
  }

  /** With the visibility rule's settings from the configuration. */
  public InteractionQueries(Stores stores, AdapterDirectory adapters, io.switchboard.hub.core.access.WorkVisibility visibility) {
    this.stores = stores;
    this.adapters = adapters;
    this.visibility = visibility;
  }

  /** The visibility rule these queries apply (for other views of interactions: history, search). */
  public io.switchboard.hub.core.access.WorkVisibility visibility() {
    return visibility;
  }

  public Future<Detail> get(Principal.Staff viewer, InteractionId id) {
    var sql = stores.db().pool();
    return stores.interactions().find(sql, id).compose(found -> found.isEmpty()
        ? Future.succeededFuture(false) : visibility.mayOpen(viewer, found.get())).compose(ok -> ok
        ? stores.interactions().find(sql, id) : Future.succeededFuture(java.util.Optional.<Interaction>empty())).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no interaction " + id));
      }
      Interaction i = found.get();
      return stores.messages().ofInteractions(sql, List.of(id)).compose(all -> visibility.messages(viewer, i, all)).compose(messages ->
          stores.interactions().transitions(sql, id).compose(transitions ->
              stores.interactions().departure(sql, id).compose(departure ->
                  stores.routing().routingOf(sql, id.value()).compose(routing ->
                  stores.messages().replyAddress(sql, i.conversationId()).map(address -> new Detail(i, messages, transitions,
                      departure.map(io.switchboard.hub.core.messaging.MessageService::noOneThere).orElseGet(() -> adapters == null ? SendReadiness.READY
                          : adapters.readiness(i.channel(), address.orElse(null), i.attributes())),
                      departure.orElse(null), routingSummary(routing.map(r -> r.routing()).orElse(null))))))));
    });
  }

  // ------------------------------------------------------------------ the hub's own reads (no viewer)

  /**
   * What an offer shows the agent it is made to: the interaction, the few messages an offer shows (the first inbound
   * one, the first that is not private and a transfer's note; never the whole conversation), how routing classified it
   * (null when it was never routed) and its customer.
   *
   * @param customer the golden record the interaction's customer resolves to, with the identities of every customer
   *     merged into it; null when the customer row is missing
   */
  public record OfferContext(Interaction interaction, List<Message> messages, io.vertx.core.json.JsonObject classification,
      io.switchboard.hub.core.customer.CustomerView customer) {
    /** The transfer that brought it, as routing recorded it ({@code from}, {@code by}, {@code at}, {@code to}...); null when none. */
    public io.vertx.core.json.JsonObject transfer() {
      return classification == null ? null : classification.getJsonObject("transfer");
    }

    /**
     * Since when the customer has been waiting for this agent: since the transfer when it came by one (the time with
     * the first agent was not waiting), else since the interaction was created.
     */
    public java.time.Instant waitingSince() {
      var t = transfer();
      return t == null || t.getLong("at") == null ? interaction.createdAt() : java.time.Instant.ofEpochMilli(t.getLong("at"));
    }

    /** The note the transferring agent left (a private note named by the transfer), or null. */
    public Message transferNote() {
      var t = transfer();
      String noteId = t == null ? null : t.getString("noteMessageId");
      return noteId == null ? null : messages.stream().filter(m -> m.id().toString().equals(noteId)).findFirst().orElse(null);
    }
  }

  /** A message and the agent working its interaction now (assigned or in wrap-up); null agent when nobody does. */
  public record MessageAndWorker(Message message, AgentId worker) {}

  /** The interaction, whoever may see it (for the hub's own use: pushing events, call controls). */
  public Future<java.util.Optional<Interaction>> find(InteractionId id) {
    return stores.interactions().find(stores.db().pool(), id);
  }

  /**
   * The interaction whose call {@code me} wants to control ({@code action}: hang-up, hold...): the agent working it or
   * a supervisor may; fails with {@link NotFoundException} when there is no such interaction and with
   * {@link io.switchboard.hub.api.error.ForbiddenException} for another agent.
   */
  public Future<Interaction> forCallControl(Principal.Staff me, InteractionId id, String action) {
    return find(id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no interaction " + id));
      }
      if (!me.role().atLeast(Role.SUPERVISOR) && !me.agentId().equals(found.get().agentId())) {
        return Future.failedFuture(new io.switchboard.hub.api.error.ForbiddenException(
            "only the agent working the call or a supervisor may " + action + " it"));
      }
      return Future.succeededFuture(found.get());
    });
  }

  /** The agent an interaction is assigned to now (not in wrap-up: a customer's typing is for the agent answering). */
  public Future<java.util.Optional<AgentId>> answeringAgent(InteractionId id) {
    return find(id).map(found -> found
        .filter(i -> i.agentId() != null && i.state() == InteractionState.ASSIGNED)
        .map(Interaction::agentId));
  }

  /** What an offer of this interaction shows, read in one statement; empty when there is no such interaction. */
  public Future<java.util.Optional<OfferContext>> offerContext(InteractionId id) {
    return stores.offerContexts().offerContext(stores.db().pool(), id).map(found -> found.map(c -> new OfferContext(
        c.interaction(), c.messages(), c.routing(),
        c.customer() == null ? null : new io.switchboard.hub.core.customer.CustomerView(c.customer(), c.identities()))));
  }

  /** An agent's work: the interactions assigned to it, then those in wrap-up, at most {@code limit} of each. */
  public Future<List<Interaction>> workOf(AgentId agent, int limit) {
    var sql = stores.db().pool();
    Future<List<Interaction>> assigned = stores.interactions()
        .list(sql, new InteractionStore.Filter(InteractionState.ASSIGNED, null, agent), null, limit);
    Future<List<Interaction>> wrapUp = stores.interactions()
        .list(sql, new InteractionStore.Filter(InteractionState.WRAP_UP, null, agent), null, limit);
    return Future.all(assigned, wrapUp).map(x -> {
      List<Interaction> all = new java.util.ArrayList<>(assigned.result());
      all.addAll(wrapUp.result());
      return all;
    });
  }

  /**
   * A message with the agent working its interaction (assigned or in wrap-up: that agent's consoles show it); empty
   * for a message outside any interaction or one that does not exist.
   */
  public Future<java.util.Optional<MessageAndWorker>> messageAndWorker(io.switchboard.hub.api.MessageId id) {
    // One statement: the message joined to its interaction (two frames a reply, each read once per node).
    return stores.messages().findWithInteraction(stores.db(), id).map(found -> found.map(x -> new MessageAndWorker(x.message(),
        x.interactionAgent() != null && (x.interactionState() == InteractionState.ASSIGNED
            || x.interactionState() == InteractionState.WRAP_UP) ? x.interactionAgent() : null)));
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
}
