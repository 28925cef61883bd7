package io.switchboard.hub.core.access;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.customer.HistoryEntry;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one rule for who sees whose work. Every view of interactions applies it: customer history, the interaction
 * detail and list, and (console) conversation search.
 *
 * <ul>
 *   <li>Supervisors and admins see every interaction with every message, private notes included.
 *   <li>An agent <em>worked</em> an interaction when it is or was assigned to them (any recorded state change names
 *       them) or they wrote a message or note in it. An agent sees everything of the interactions they worked.
 *   <li>In a customer's history an agent also sees the customer's other interactions, on every channel, with what
 *       the customer and the agents wrote to each other, but without other agents' private notes
 *       ({@code security.agentsSeeCustomerHistory}, default true; false: only what they worked). Setting
 *       {@code security.agentsSeeOthersNotes} (default false) shows them the private notes too.
 *   <li>An interaction's own view (detail) is open to an agent only for interactions they worked: elsewhere it is
 *       not found, so its existence does not leak; the list shows only their own.
 * </ul>
 *
 * <p>Thread-safe; the stores are read on the caller's context.
 */
public final class WorkVisibility {
  /**
   * @param agentsSeeCustomerHistory agents see the customer's interactions they did not work in the history
   * @param agentsSeeOthersNotes agents see other agents' private notes in interactions they did not work
   */
  public record Settings(boolean agentsSeeCustomerHistory, boolean agentsSeeOthersNotes) {
    public static Settings defaults() {
      return new Settings(true, false);
    }
  }

  private final Stores stores;
  private final Settings settings;

  public WorkVisibility(Stores stores, Settings settings) {
    this.stores = stores;
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /** Whether {@code viewer} sees everyone's work (supervisors, admins). */
  public static boolean seesAll(Principal.Staff viewer) {
    return viewer.role().atLeast(Role.SUPERVISOR);
  }

  /**
   * The interactions among {@code interactions} that {@code viewer} worked (assigned now, named by a recorded state
   * change, or wrote in), given the messages already read (may be empty: then only the stores are asked).
   */
  public Future<Set<InteractionId>> worked(Principal.Staff viewer, List<Interaction> interactions, List<Message> messages) {
    Set<InteractionId> out = new HashSet<>();
    AgentId me = viewer.agentId();
    List<InteractionId> unknown = new ArrayList<>();
    for (Interaction i : interactions) {
      if (me.equals(i.agentId())) {
        out.add(i.id());
      } else {
        unknown.add(i.id());
      }
    }
    for (Message m : messages) {
      if (me.equals(m.agentId())) {
        out.add(m.interactionId());
      }
    }
    unknown.removeIf(out::contains);
    if (unknown.isEmpty()) {
      return Future.succeededFuture(out);
    }
    return stores.interactions().workedBy(stores.db().pool(), me, unknown).map(found -> {
      out.addAll(found);
      return out;
    });
  }

  /** Whether {@code viewer} may open the interaction itself (detail); answer not-found otherwise. */
  public Future<Boolean> mayOpen(Principal.Staff viewer, Interaction i) {
    if (seesAll(viewer) || viewer.agentId().equals(i.agentId())) {
      return Future.succeededFuture(true);
    }
    return worked(viewer, List.of(i), List.of()).map(set -> set.contains(i.id()));
  }

  /** Whether {@code viewer} sees message {@code m} of an interaction they did ({@code worked}) or did not work. */
  public boolean shows(Principal.Staff viewer, boolean worked, Message m) {
    if (seesAll(viewer) || worked || !m.privateNote()) {
      return true;
    }
    return settings.agentsSeeOthersNotes() || viewer.agentId().equals(m.agentId());
  }

  /** A customer's history as {@code viewer} may see it. */
  public Future<List<HistoryEntry>> history(Principal.Staff viewer, List<HistoryEntry> entries) {
    if (seesAll(viewer)) {
      return Future.succeededFuture(entries);
    }
    List<Interaction> interactions = entries.stream().map(HistoryEntry::interaction).toList();
    List<Message> messages = entries.stream().flatMap(e -> e.messages().stream()).toList();
    return worked(viewer, interactions, messages).map(worked -> {
      List<HistoryEntry> out = new ArrayList<>();
      for (HistoryEntry e : entries) {
        boolean mine = worked.contains(e.interaction().id());
        if (!mine && !settings.agentsSeeCustomerHistory()) {
          continue;
        }
        out.add(new HistoryEntry(e.interaction(), e.messages().stream().filter(m -> shows(viewer, mine, m)).toList()));
      }
      return out;
    });
  }

  /** The messages of one interaction that {@code viewer} may see. */
  public Future<List<Message>> messages(Principal.Staff viewer, Interaction i, List<Message> messages) {
    if (seesAll(viewer)) {
      return Future.succeededFuture(messages);
    }
    return worked(viewer, List.of(i), messages).map(w -> {
      boolean mine = w.contains(i.id());
      return messages.stream().filter(m -> shows(viewer, mine, m)).toList();
    });
  }
}
