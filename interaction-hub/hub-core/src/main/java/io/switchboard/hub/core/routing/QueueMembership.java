package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which queues each agent serves (its routing profile, #9.5). An agent with no queues assigned serves every queue (the
 * default); one with queues serves only those, and interactions whose relaxation steps {@code widen} to one of them.
 * Skills still apply within the queues. A change reaches live routing at once ({@link RoutingService#syncProfile}), on
 * every node (they share the live state).
 *
 * <p>Threading: futures complete on the caller's context; no state is kept.
 */
public final class QueueMembership {
  /** At most this many queues per agent. */
  public static final int MAX_QUEUES = 100;
  private static final Pattern QUEUE_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /**
   * An agent's queues.
   *
   * @param queues assigned queue ids, sorted; empty: every queue
   * @param unknownQueues assigned ids the rules in force no longer name (kept, never matched)
   */
  public record Assignment(AgentId agentId, List<String> queues, List<String> unknownQueues) {
    public boolean servesAllQueues() {
      return queues.isEmpty();
    }
  }

  /**
   * An agent who serves a queue.
   *
   * @param assigned true: the queue is in the agent's list; false: the agent serves every queue
   */
  public record Member(Agent agent, boolean assigned) {}

  private final Stores stores;
  private final RoutingService routing;

  public QueueMembership(Stores stores, RoutingService routing) {
    this.stores = stores;
    this.routing = routing;
  }

  /** Every queue the routing rules have named, with its service-level target and maximum wait. */
  public Future<List<io.switchboard.hub.api.Queue>> queues() {
    return stores.queues().list(stores.db().pool());
  }

  /** The queues of {@code id}; fails with {@link NotFoundException} for an unknown agent. */
  public Future<Assignment> of(AgentId id) {
    return stores.agents().find(stores.db().pool(), id).compose(found -> found.isEmpty()
        ? Future.failedFuture(new NotFoundException("no agent " + id))
        : Future.succeededFuture(assignment(found.get())));
  }

  /**
   * Replaces the queues {@code id} serves ({@code []}: every queue), audited as {@code agent.queues_changed} with the
   * old and new lists, and hands the change to live routing. Refused with {@link ValidationException} (naming
   * {@code queues[i]}) for an id the rules in force do not name, a duplicate, or more than {@link #MAX_QUEUES}.
   */
  public Future<Assignment> set(Principal by, AgentId id, List<String> queues) {
    List<String> wanted;
    try {
      wanted = validate(queues);
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    return stores.db().inTransaction(tx -> stores.agents().find(tx, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no agent " + id));
      }
      List<String> before = found.get().queues();
      return stores.agents().replaceQueues(tx, id, wanted)
          .compose(x -> stores.audit().append(tx, by.auditName(), "agent.queues_changed", "agent", id.toString(),
              new JsonObject().put("before", new JsonArray(before)).put("after", new JsonArray(wanted))));
    })).compose(x -> routing.syncProfile(id)).compose(x -> of(id));
  }

  /**
   * The agents who serve {@code queueId}: those who have it in their list and those who serve every queue, by display
   * name. Fails with {@link NotFoundException} when the rules in force do not name the queue and nobody has it.
   */
  public Future<List<Member>> members(String queueId) {
    boolean known = routing.rules().current().queues().containsKey(queueId);
    return stores.agents().list(stores.db().pool()).compose(agents -> {
      List<Member> out = new ArrayList<>();
      for (Agent a : agents) {
        if (!a.active()) {
          continue;
        }
        if (a.queues().contains(queueId)) {
          out.add(new Member(a, true));
        } else if (a.queues().isEmpty() && known && a.role() == io.switchboard.hub.api.Role.AGENT) {
          out.add(new Member(a, false));
        }
      }
      if (!known && out.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no queue " + queueId + " in the rules in force"));
      }
      out.sort(Comparator.comparing((Member m) -> m.agent().displayName()).thenComparing(m -> m.agent().username()));
      return Future.succeededFuture(out);
    });
  }

  /** Whether the rules in force name {@code queueId}. */
  public boolean known(String queueId) {
    return routing.rules().current().queues().containsKey(queueId);
  }

  private Assignment assignment(Agent a) {
    Set<String> known = routing.rules().current().queues().keySet();
    return new Assignment(a.id(), a.queues(), a.queues().stream().filter(q -> !known.contains(q)).toList());
  }

  private List<String> validate(List<String> queues) {
    if (queues == null) {
      throw new ValidationException("queues", "is required: a list of queue ids ([] for every queue)");
    }
    if (queues.size() > MAX_QUEUES) {
      throw new ValidationException("queues", "at most " + MAX_QUEUES + " queues");
    }
    Set<String> known = routing.rules().current().queues().keySet();
    List<ValidationException.FieldError> errors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < queues.size(); i++) {
      String q = queues.get(i);
      String field = "queues[" + i + "]";
      if (q == null || !QUEUE_ID.matcher(q).matches()) {
        errors.add(new ValidationException.FieldError(field, "is not a queue id (lower-case letters, digits, - and _)"));
      } else if (!known.contains(q)) {
        errors.add(new ValidationException.FieldError(field, "no queue '" + q + "' in the rules in force; known: "
            + String.join(", ", new java.util.TreeSet<>(known))));
      } else if (!seen.add(q)) {
        errors.add(new ValidationException.FieldError(field, "'" + q + "' is listed twice"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new ArrayList<>(new java.util.TreeSet<>(queues));
  }
}
