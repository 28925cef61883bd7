package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.switchboard.hub.store.RoutingStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.Classification;
import io.switchboard.routing.InteractionFacts;
import io.switchboard.routing.QueueDefinition;
import io.switchboard.routing.RoutingRules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moving work between queues and agents: an agent's (or supervisor's) transfer of an assigned interaction to a queue
 * or to one agent, and a supervisor's move of a waiting interaction to another queue.
 *
 * <p>Both keep the customer's place in time: the interaction's waiting-since stays its arrival, so it ranks ahead of
 * later arrivals of the same priority; its relaxation steps count from the transfer or move
 * ({@link Classification#requeuedAfter}), and its priority never drops.
 *
 * <p>Order of writes, and crashes: PostgreSQL first (state, transition, note, audit in one transaction, guarded by
 * the state expected), then one Redis script (transfer.lua: the agent's load freed, the interaction waiting again).
 * If the node dies between the two, the interaction is {@code queued} in PostgreSQL while Redis still counts it on
 * the agent; sending the same transfer again completes the Redis step (it is idempotent), as does a routing rebuild.
 * Methods return futures and never block; call them from a Vert.x context.
 */
public final class TransferService {
  private static final Logger log = LoggerFactory.getLogger(TransferService.class);

  /** Event: an assigned interaction was transferred ({@code interactionId, fromAgentId, toQueue, toAgentId, by, reason}). */
  public static final String INTERACTION_TRANSFERRED = io.switchboard.hub.api.event.HubEvents.INTERACTION_TRANSFERRED;
  /** Event: a waiting interaction was moved to another queue ({@code interactionId, fromQueue, toQueue, by}). */
  public static final String INTERACTION_MOVED = io.switchboard.hub.api.event.HubEvents.INTERACTION_MOVED;
  /** The longest transfer note. */
  public static final int MAX_NOTE = 2000;

  /** What a transfer did; {@code toAgent} and {@code noteId} may be null. */
  public record TransferResult(InteractionId interactionId, String queue, AgentId fromAgent, AgentId toAgent, MessageId noteId) {}

  /** What a move did. */
  public record MoveResult(InteractionId interactionId, String fromQueue, String queue) {}

  private final Vertx vertx;
  private final Stores stores;
  private final RoutingState live;
  private final RulesService rules;
  private final Clock clock;

  TransferService(Vertx vertx, Stores stores, RoutingState live, RulesService rules, Clock clock) {
    this.vertx = vertx;
    this.stores = stores;
    this.live = live;
    this.rules = rules;
    this.clock = clock;
  }

  // ------------------------------------------------------------------ transfer

  /**
   * Transfers an assigned interaction to {@code queue} or to {@code toAgent} (exactly one). Agents transfer only
   * their own (404 otherwise); supervisors any. 409 when it is not assigned; 422 for an unknown queue or agent, the
   * agent it is assigned to, a note over {@value #MAX_NOTE} characters.
   */
  public Future<TransferResult> transfer(Principal.Staff by, InteractionId id, String queue, AgentId toAgent, String note) {
    if ((queue == null) == (toAgent == null)) {
      return Future.failedFuture(new ValidationException(queue == null ? "queue" : "agentId",
          "give exactly one of queue and agentId"));
    }
    if (note != null && note.length() > MAX_NOTE) {
      return Future.failedFuture(new ValidationException("note", "is longer than " + MAX_NOTE + " characters"));
    }
    String text = note == null || note.isBlank() ? null : note.strip();
    RoutingRules current = rules.current();
    if (queue != null && !current.queues().containsKey(queue)) {
      return Future.failedFuture(new ValidationException("queue", "unknown queue '" + abbreviate(queue) + "'; one of "
          + String.join(", ", current.queues().keySet())));
    }
    var sql = stores.db().pool();
    return stores.interactions().find(sql, id).compose(found -> stores.routing().routingOf(sql, id.value()).compose(routing -> {
      Interaction i = found.orElse(null);
      JsonObject stored = routing.map(RoutingStore.RoutingRow::routing).orElse(null);
      JsonObject previous = stored == null ? null : stored.getJsonObject("transfer");
      AgentId previousFrom = previous == null ? null : AgentId.parse(previous.getString("from"));
      boolean supervisor = by.role().atLeast(Role.SUPERVISOR);
      if (i == null || !(supervisor || by.agentId().equals(i.agentId()) || by.agentId().equals(previousFrom))) {
        return Future.failedFuture(new NotFoundException("no interaction " + id + " assigned to you"));
      }
      if (i.state() == InteractionState.QUEUED && previousFrom != null) {
        // A transfer committed in PostgreSQL whose Redis step may not have run (a crash between the two).
        return live.isAssigned(previousFrom.toString(), id.toString()).compose(pending -> pending
            ? completePending(i, stored, routing.get(), previousFrom)
            : Future.failedFuture(notAssigned(i)));
      }
      if (i.state() != InteractionState.ASSIGNED || i.agentId() == null) {
        return Future.failedFuture(notAssigned(i));
      }
      return target(toAgent, i).compose(targetAgent -> stores.customers().find(sql, i.customerId()).compose(customer -> {
        Instant now = clock.instant();
        String into = queue != null ? queue : i.queueId();
        Classification cls = classifyInto(current, into, i, customer.orElse(null))
            .requeuedAfter(Duration.between(i.createdAt(), now), i.priority());
        Instant until = toAgent == null ? null : now.plus(maxWait(current, cls.queue()));
        String reason = "transferred by " + by.auditName() + " to "
            + (toAgent == null ? "queue " + cls.queue() : "agent " + targetAgent.username());
        Message noteMessage = text == null ? null : note(by, i, text, now);
        JsonObject transfer = new JsonObject().put("from", i.agentId().toString())
            .put("to", toAgent == null ? null : toAgent.toString())
            .put("until", until == null ? null : until.toEpochMilli())
            .put("at", now.toEpochMilli()).put("by", by.auditName())
            .put("noteMessageId", noteMessage == null ? null : noteMessage.id().toString());
        JsonObject routingJson = RoutingJson.classification(cls).put("transfer", transfer);
        return stores.db().inTransaction(tx -> stores.routing().transfer(tx, id.value(), i.agentId().value(), cls.queue(), cls.priority(), routingJson)
                .compose(ok -> ok ? Future.<Void>succeededFuture()
                    : Future.<Void>failedFuture(new ConflictException("interaction " + id + " is no longer assigned to " + i.agentId())))
                .compose(x -> stores.routing().transition(tx, id.value(), "assigned", "queued", cls.queue(), i.agentId().value(), reason, now))
                .compose(x -> noteMessage == null ? Future.succeededFuture() : stores.messages().insert(tx, noteMessage)
                    .compose(y -> stores.outbox().append(tx, OutboxRelay.EVENT_PREFIX + MessageService.MESSAGE_CREATED,
                        OutboxRelay.event(MessageService.MESSAGE_CREATED, new JsonObject().put("interactionId", id.toString())
                            .put("conversationId", i.conversationId().toString()).put("messageId", noteMessage.id().toString())
                            .put("agentId", by.agentId().toString()).put("private", true)))))
                .compose(x -> stores.audit().append(tx, by.auditName(), "interaction.transferred", "interaction", id.toString(),
                    new JsonObject().put("fromAgentId", i.agentId().toString()).put("fromQueue", i.queueId()).put("toQueue", cls.queue())
                        .put("toAgentId", toAgent == null ? null : toAgent.toString()).put("note", text != null))))
            .compose(x -> {
              if (noteMessage != null) {
                OutboxRelay.wake(vertx);
              }
              RoutingStore.RoutingRow row = new RoutingStore.RoutingRow(routingJson,
                  appended(routing.map(RoutingStore.RoutingRow::excluded).orElse(java.util.List.of()), i.agentId().value()));
              return requeueLive(i, row, i.agentId(), now);
            })
            .map(x -> {
              log.atInfo().addKeyValue("interactionId", id).addKeyValue("fromAgentId", i.agentId()).addKeyValue("toQueue", cls.queue())
                  .addKeyValue("toAgentId", toAgent).addKeyValue("by", by.auditName()).log("interaction transferred");
              vertx.eventBus().publish(INTERACTION_TRANSFERRED, new JsonObject().put("interactionId", id.toString())
                  .put("fromAgentId", i.agentId().toString()).put("toQueue", cls.queue())
                  .put("toAgentId", toAgent == null ? null : toAgent.toString()).put("by", by.auditName()).put("reason",
                      toAgent == null ? "transferred to queue " + cls.queue() : "transferred to agent " + targetAgent.username()));
              queued(id, cls, i);
              return new TransferResult(id, cls.queue(), i.agentId(), toAgent, noteMessage == null ? null : noteMessage.id());
            });
      }));
    }));
  }

  private Future<Agent> target(AgentId toAgent, Interaction i) {
    if (toAgent == null) {
      return Future.succeededFuture(null);
    }
    if (toAgent.equals(i.agentId())) {
      return Future.failedFuture(new ValidationException("agentId", "is the agent the interaction is assigned to"));
    }
    return stores.agents().find(stores.db().pool(), toAgent).compose(a -> a.isPresent() && a.get().active()
        ? Future.succeededFuture(a.get())
        : Future.failedFuture(new ValidationException("agentId", "no active agent " + toAgent)));
  }

  /** Completes the Redis step of a transfer already committed in PostgreSQL (a retry after a crash). */
  private Future<TransferResult> completePending(Interaction i, JsonObject stored, RoutingStore.RoutingRow row, AgentId from) {
    JsonObject t = stored.getJsonObject("transfer");
    log.atWarn().addKeyValue("interactionId", i.id()).addKeyValue("fromAgentId", from)
        .log("completing a transfer whose live-state step had not run");
    return requeueLive(i, row, from, clock.instant()).map(x -> new TransferResult(i.id(), stored.getString("queue"), from,
        t.getString("to") == null ? null : AgentId.parse(t.getString("to")), null));
  }

  /** The Redis step: the agent's load freed, the interaction waiting again with its new classification. */
  private Future<Void> requeueLive(Interaction i, RoutingStore.RoutingRow row, AgentId from, Instant now) {
    JsonObject item = QueueIntake.itemOf(i.channel().wireName(), row.routing(), row.excluded());
    return live.transfer(i.id().toString(), from.toString(), i.channel().wireName(), now, item, i.createdAt())
        .compose(r -> "ok".equals(r) ? Future.<Void>succeededFuture()
            // Not in the agent's set (live state was rebuilt meanwhile): still make sure it waits.
            : live.enqueue(i.id().toString(), item, i.createdAt()));
  }

  private static java.util.List<UUID> appended(java.util.List<UUID> excluded, UUID agent) {
    java.util.List<UUID> out = new java.util.ArrayList<>(excluded);
    if (!out.contains(agent)) {
      out.add(agent);
    }
    return out;
  }

  private static Message note(Principal.Staff by, Interaction i, String text, Instant now) {
    return new Message(MessageId.random(), i.conversationId(), i.id(), i.channel(), null, Message.Direction.INTERNAL, null, null,
        by.agentId(), null, new MessageContent.Text(text), true, Message.Status.RECEIVED, null, now);
  }

  private static ConflictException notAssigned(Interaction i) {
    return new ConflictException("interaction " + i.id() + " is " + i.state().wireName() + ", not assigned; only assigned work is transferred");
  }

  // ------------------------------------------------------------------ move

  /**
   * A supervisor moves a waiting interaction (queued, or offered: the offer is withdrawn first, without excluding or
   * pausing that agent) to {@code queue}, keeping its place in time. 409 when it is not waiting; 422 for an unknown
   * queue or the queue it is in.
   */
  public Future<MoveResult> move(Principal.Staff by, InteractionId id, String queue) {
    if (!by.role().atLeast(Role.SUPERVISOR)) {
      return Future.failedFuture(new io.switchboard.hub.api.error.ForbiddenException("only supervisors move interactions"));
    }
    RoutingRules current = rules.current();
    if (queue == null || !current.queues().containsKey(queue)) {
      return Future.failedFuture(new ValidationException("queue", (queue == null ? "is required" : "unknown queue '" + abbreviate(queue) + "'")
          + "; one of " + String.join(", ", current.queues().keySet())));
    }
    var sql = stores.db().pool();
    return stores.interactions().find(sql, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new NotFoundException("no interaction " + id));
      }
      Interaction i = found.get();
      if (queue.equals(i.queueId())) {
        return Future.failedFuture(new ValidationException("queue", "the interaction is already in queue " + queue));
      }
      return switch (i.state()) {
        case QUEUED, OFFERED -> reclassify(by, i, queue, current);
        case ASSIGNED -> Future.failedFuture(new ConflictException("interaction " + id + " is assigned; transfer it instead"));
        default -> Future.failedFuture(new ConflictException("interaction " + id + " is " + i.state().wireName() + ", not waiting"));
      };
    });
  }

  /**
   * PostgreSQL first (an offer ended, the new queue, transitions, audit, in one transaction), so that no matching
   * pass can offer it under its old classification; then the live item is reclassified and the offer, if any,
   * released without excluding or pausing its agent, which puts it back in its place.
   */
  private Future<MoveResult> reclassify(Principal.Staff by, Interaction i, String queue, RoutingRules current) {
    var sql = stores.db().pool();
    boolean offered = i.state() == InteractionState.OFFERED;
    UUID holder = offered ? i.agentId().value() : null;
    return stores.customers().find(sql, i.customerId()).compose(customer -> {
      Instant now = clock.instant();
      Classification cls = classifyInto(current, queue, i, customer.orElse(null))
          .requeuedAfter(Duration.between(i.createdAt(), now), i.priority());
      JsonObject routingJson = RoutingJson.classification(cls);
      String withdrawn = "moved to queue " + queue;
      String reason = "moved by " + by.auditName() + " from queue " + i.queueId() + " to queue " + queue;
      return stores.db().inTransaction(tx -> (offered
                  ? stores.routing().unoffer(tx, i.id().value(), holder, false).compose(ok -> ok
                      ? stores.routing().transition(tx, i.id().value(), "offered", "queued", i.queueId(), holder, withdrawn, now)
                      : Future.failedFuture(new ConflictException("interaction " + i.id() + " is no longer offered; try again")))
                  : Future.<Void>succeededFuture())
              .compose(x -> stores.routing().move(tx, i.id().value(), queue, cls.priority(), routingJson))
              .compose(ok -> ok ? Future.<Void>succeededFuture()
                  : Future.<Void>failedFuture(new ConflictException("interaction " + i.id() + " was offered or taken meanwhile; try again")))
              .compose(x -> stores.routing().transition(tx, i.id().value(), "queued", "queued", queue, null, reason, now))
              .compose(x -> stores.audit().append(tx, by.auditName(), "interaction.moved", "interaction", i.id().toString(),
                  new JsonObject().put("fromQueue", i.queueId()).put("toQueue", queue))))
          .compose(x -> live.reclassify(i.id().toString(), routingJson))
          .compose(r -> "ok".equals(r) ? Future.<Void>succeededFuture()
              // No live item (Redis lost it): write the whole item.
              : stores.routing().routingOf(sql, i.id().value()).compose(row -> live.enqueue(i.id().toString(),
                  QueueIntake.itemOf(i.channel().wireName(), routingJson,
                      row.map(RoutingStore.RoutingRow::excluded).orElse(java.util.List.of())), i.createdAt())))
          .compose(x -> !offered ? Future.<String>succeededFuture("no-offer")
              : live.release(i.id().toString(), holder.toString(), i.createdAt(), now, false, null, false))
          .map(released -> {
            if (offered) {
              vertx.eventBus().publish(RoutingService.OFFER_WITHDRAWN, new JsonObject()
                  .put("interactionId", i.id().toString()).put("agentId", holder.toString()).put("reason", withdrawn));
            }
            log.atInfo().addKeyValue("interactionId", i.id()).addKeyValue("fromQueue", i.queueId()).addKeyValue("toQueue", queue)
                .addKeyValue("by", by.auditName()).log("interaction moved");
            vertx.eventBus().publish(INTERACTION_MOVED, new JsonObject().put("interactionId", i.id().toString())
                .put("fromQueue", i.queueId()).put("toQueue", queue).put("by", by.auditName()));
            queued(i.id(), cls, i);
            return new MoveResult(i.id(), i.queueId(), queue);
          });
    });
  }

  // ------------------------------------------------------------------ shared

  private void queued(InteractionId id, Classification cls, Interaction i) {
    vertx.eventBus().publish(RoutingService.INTERACTION_QUEUED, new JsonObject().put("interactionId", id.toString())
        .put("queue", cls.queue()).put("rule", cls.rule()).put("priority", cls.priority()).put("channel", i.channel().wireName()));
    vertx.eventBus().send(RoutingVerticle.PASS_ADDRESS, new JsonObject());
  }

  private Classification classifyInto(RoutingRules current, String queue, Interaction i, Customer c) {
    InteractionFacts facts = QueueIntake.facts(i, c);
    ZonedDateTime now = ZonedDateTime.now(clock);
    if (queue == null || !current.queues().containsKey(queue)) {
      return current.classify(facts, now); // the queue it was in is gone from the rules
    }
    return current.classifyInto(queue, facts, now);
  }

  private static Duration maxWait(RoutingRules current, String queue) {
    QueueDefinition q = current.queues().get(queue);
    return q == null ? Duration.ofMinutes(10) : q.maxWait();
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
