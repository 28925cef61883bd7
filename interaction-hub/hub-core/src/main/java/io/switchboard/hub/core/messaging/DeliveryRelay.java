package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.EmailEnvelope;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.OutboundEmail;
import java.util.Optional;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.core.scheduling.PassRunner;
import io.switchboard.hub.store.MessageStore;
import io.switchboard.hub.store.OutboxStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers queued outbound messages through their channel's adapter, from the outbox. An entry is leased
 * (not locked) while the provider is called, so a slow provider holds no database transaction; a hub that
 * dies mid-delivery leaves the lease to run out and another takes the entry again (adapters get the same
 * message id each time, to pass to providers as an idempotency key).
 *
 * <p>A retryable failure (timeout, 5xx, rate limit, an exception) is tried again with growing pauses, or after the
 * pause the provider asked for ({@link DeliveryResult.Failed#retryAfter()}, for that entry only), up to
 * {@link #MAX_ATTEMPTS}; the message stays {@code queued} with the last reason. A final failure, or running
 * out of attempts, marks the message {@code failed} with the provider's reason, for the agent to see.
 * Private notes are never handed to an adapter, whatever the outbox says.
 *
 * <p>Bounded resends: every lease counts as an attempt (an entry whose outcome never gets recorded, because the
 * provider never answers or the hub keeps dying, is given up after {@link #MAX_ATTEMPTS} leases), and an outcome this
 * node could not write to PostgreSQL is kept in memory and written again on every pass, with the entry's lease
 * extended meanwhile, instead of sending the reply again. An entry still waiting for its provider here is not sent a
 * second time when its lease runs out. What stays unbounded only if PostgreSQL refuses that one write forever is the
 * retrying of the write, never the sending.
 */
public final class DeliveryRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(DeliveryRelay.class);
  public static final String WAKE_ADDRESS = "switchboard.delivery.wake";
  public static final int MAX_ATTEMPTS = 8;
  /**
   * Local event after each delivery attempt: {@code {"channel", "outcome"}} with outcome {@code sent}, {@code retry},
   * {@code failed} or {@code unrecorded} (the provider answered, writing it failed and is retried).
   */
  public static final String DELIVERY_ATTEMPTED = io.switchboard.hub.api.event.HubEvents.DELIVERY_ATTEMPTED;
  /** The longest pause a provider's retry-after may impose on one message. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  /** How long a leased entry is held by the node delivering it before another may take it. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
  private static final int BATCH = 32;

  private final Stores stores;
  private final AdapterDirectory adapters;
  private final Duration pollInterval;
  private final Duration lease;
  private final PassRunner runner = new PassRunner(this::pass, n -> n == BATCH,
      e -> log.atWarn().setCause(e).log("delivery pass failed; will retry"));
  private long timer;
  /** Outcomes the provider gave that could not be written yet, by outbox entry id: written again each pass. */
  private final java.util.Map<Long, java.util.function.Supplier<Future<Void>>> unrecorded = new java.util.LinkedHashMap<>();
  /** Entries whose provider call has not answered yet. */
  private final java.util.Set<Long> inFlight = new java.util.HashSet<>();

  public DeliveryRelay(Stores stores, AdapterDirectory adapters, Duration pollInterval) {
    this(stores, adapters, pollInterval, DEFAULT_LEASE);
  }

  /** As above, holding leased entries for {@code lease} (tests use a short one). */
  public DeliveryRelay(Stores stores, AdapterDirectory adapters, Duration pollInterval, Duration lease) {
    this.stores = stores;
    this.adapters = adapters;
    this.pollInterval = pollInterval;
    this.lease = lease;
  }

  /** Asks a running relay for a pass now. */
  public static void wake(Vertx vertx) {
    vertx.eventBus().send(WAKE_ADDRESS, null);
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().localConsumer(WAKE_ADDRESS, m -> runner.request());
    timer = vertx.setPeriodic(pollInterval.toMillis(), id -> runner.request());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private Future<Integer> pass() {
    return recordKeptOutcomes().compose(x -> stores.outbox().lease(stores.db().pool(), "delivery.%", BATCH, lease)).compose(entries -> {
      List<Future<Void>> all = new ArrayList<>();
      for (OutboxStore.Entry e : entries) {
        all.add(take(e).recover(err -> {
          log.atWarn().setCause(err).addKeyValue("outboxId", e.id()).log("delivery step failed; the lease will bring it back");
          return Future.succeededFuture();
        }));
      }
      return withinLease(Future.join(all)).map(entries.size());
    });
  }

  /**
   * The pass ends when its deliveries do, or when the lease runs out: a provider that never answers must not stop
   * the relay (its entry is left alone here while it may still answer, and counted as an attempt each lease).
   */
  private Future<Void> withinLease(Future<?> deliveries) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long timer = vertx.setTimer(lease.toMillis(), id -> done.tryComplete());
    deliveries.onComplete(ar -> {
      vertx.cancelTimer(timer);
      done.tryComplete();
    });
    return done.future();
  }

  /** A leased entry: its kept outcome written, left alone while its provider call runs, given up, or delivered. */
  private Future<Void> take(OutboxStore.Entry entry) {
    if (unrecorded.containsKey(entry.id())) {
      return writeKept(entry.id());
    }
    if (entry.attempts() > MAX_ATTEMPTS) {
      inFlight.remove(entry.id());
      return giveUp(entry);
    }
    if (!inFlight.add(entry.id())) {
      log.atWarn().addKeyValue("outboxId", entry.id()).addKeyValue("attempt", entry.attempts())
          .log("the provider has not answered within the lease; not sending again while it may still");
      return Future.succeededFuture();
    }
    return deliver(entry).onComplete(ar -> inFlight.remove(entry.id()));
  }

  /** Writes the outcomes kept from earlier passes; those still refused keep their entries leased to this node. */
  private Future<Void> recordKeptOutcomes() {
    if (unrecorded.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Long> ids = List.copyOf(unrecorded.keySet());
    List<Future<Void>> writes = new ArrayList<>();
    for (Long id : ids) {
      writes.add(writeKept(id).recover(e -> Future.succeededFuture()));
    }
    return Future.join(writes).compose(x -> {
      List<Long> still = ids.stream().filter(unrecorded::containsKey).toList();
      return stores.outbox().extendLease(stores.db().pool(), still, lease).recover(e -> Future.succeededFuture());
    });
  }

  private Future<Void> writeKept(long entryId) {
    var write = unrecorded.get(entryId);
    if (write == null) {
      return Future.succeededFuture();
    }
    return write.get().onSuccess(x -> {
      unrecorded.remove(entryId);
      log.atInfo().addKeyValue("outboxId", entryId).log("kept delivery outcome recorded");
    });
  }

  /**
   * Records an outcome; when PostgreSQL refuses, keeps it to write again each pass (the reply is not sent again).
   */
  private Future<Void> record(OutboxStore.Entry entry, Message m, java.util.function.Supplier<Future<Void>> write) {
    return write.get().recover(e -> {
      log.atWarn().setCause(e).addKeyValue("outboxId", entry.id()).addKeyValue("messageId", m.id())
          .addKeyValue("interactionId", m.interactionId())
          .log("could not record the delivery outcome; kept to write again, the reply is not sent again");
      unrecorded.put(entry.id(), write);
      attempted(m, "unrecorded");
      return stores.outbox().extendLease(stores.db().pool(), List.of(entry.id()), lease).recover(x -> Future.succeededFuture());
    });
  }

  /** An entry leased more than {@link #MAX_ATTEMPTS} times without an outcome: its message fails, nothing is sent. */
  private Future<Void> giveUp(OutboxStore.Entry entry) {
    var sql = stores.db().pool();
    MessageId id = MessageId.parse(entry.payload().getString("messageId"));
    return stores.messages().find(sql, id).compose(found -> {
      if (found.isEmpty() || found.get().status() != Message.Status.QUEUED) {
        return stores.outbox().complete(sql, entry.id());
      }
      Message m = found.get();
      String reason = "no delivery outcome after " + MAX_ATTEMPTS + " attempts (the provider did not answer, or the"
          + " hub could not record its answer); the customer may or may not have received it";
      return stores.db().inTransaction(tx -> stores.messages().markAttemptFailed(tx, m.id(), Message.Status.FAILED, reason)
              .compose(x -> stores.outbox().complete(tx, entry.id())))
          .onSuccess(x -> {
            log.atWarn().addKeyValue("messageId", m.id()).addKeyValue("interactionId", m.interactionId())
                .addKeyValue("attempts", entry.attempts() - 1).log("delivery given up: " + reason);
            attempted(m, "failed");
            status(m, Message.Status.FAILED, reason);
          });
    });
  }

  /**
   * Delivers a leased entry's message: one statement reads what the adapter needs (the message, its interaction's
   * attributes, the thread key, where replies go, the customer's latest message ids), one records the provider's
   * acceptance with the entry done. A message gone, no longer queued, or a note: the entry is done, nothing is sent.
   */
  private Future<Void> deliver(OutboxStore.Entry entry) {
    var db = stores.db();
    MessageId id = MessageId.parse(entry.payload().getString("messageId"));
    return stores.messages().deliveryContext(db, id).compose(found -> {
      if (found.isEmpty() || found.get().message().privateNote() || found.get().message().direction() != Message.Direction.OUTBOUND
          || found.get().message().status() != Message.Status.QUEUED) {
        return stores.outbox().complete(db.pool(), entry.id());
      }
      MessageStore.DeliveryContext ctx = found.get();
      Message m = ctx.message();
      List<String> refs = ctx.inboundRefs();
      // An email reply goes to the recipients the agent chose; other replies to the customer's address.
      Optional<SenderAddress> recipient = m.email() != null && !m.email().to().isEmpty()
          ? Optional.of(SenderAddress.email(m.email().to().get(0).address())) : ctx.replyAddress();
      if (recipient.isEmpty()) {
        return fail(entry, m, "the customer has no address on this channel", false, null);
      }
      var adapter = adapters.forRecipient(m.channel(), recipient.get());
      if (adapter.isEmpty()) {
        return fail(entry, m, AdapterDirectory.noAdapter(m.channel(), recipient.get()), false, null);
      }
      return outboundEmail(m, refs).compose(email -> adapter.get().send(new OutboundMessage(m.id(), m.interactionId(),
              m.conversationId(), recipient.get(), ctx.threadKey(), refs, m.subject(), m.content(), email, ctx.attributes(),
              m.senderName())))
          .recover(e -> Future.succeededFuture(new DeliveryResult.Failed(e.getClass().getSimpleName() + ": " + e.getMessage(), true)))
          .compose(result -> switch (result) {
            case DeliveryResult.Delivered d -> record(entry, m, () ->
                stores.messages().markSentAndComplete(db, m.id(), d.providerMessageId(), entry.id())
                    .<Void>mapEmpty()
                    .onSuccess(x -> {
                      log.atInfo().addKeyValue("messageId", m.id()).addKeyValue("interactionId", m.interactionId())
                          .addKeyValue("providerMessageId", d.providerMessageId()).log("message delivered to provider");
                      attempted(m, "sent");
                      status(m, Message.Status.SENT, null);
                    }));
            case DeliveryResult.Failed f -> fail(entry, m, f.reason(), f.retryable(), f.retryAfter());
          });
    });
  }

  /**
   * The email part of an outbound email message: recipients, the answered email's Message-ID as
   * In-Reply-To with its References, and the attached files' bytes. Null for other messages.
   */
  private Future<OutboundEmail> outboundEmail(Message m, List<String> inboundRefsNewestFirst) {
    EmailEnvelope e = m.email();
    if (e == null) {
      return Future.succeededFuture(null);
    }
    var sql = stores.db().pool();
    Future<Optional<Message>> answered = e.inReplyTo() == null ? Future.succeededFuture(Optional.empty())
        : stores.messages().find(sql, e.inReplyTo());
    return answered.compose(original -> stores.attachments().ofMessage(sql, m.id()).map(files -> {
      String inReplyTo;
      List<String> references = new ArrayList<>();
      EmailEnvelope oe = original.map(Message::email).orElse(null);
      if (oe != null && oe.messageId() != null) {
        inReplyTo = oe.messageId();
        references.addAll(oe.references());
        references.remove(inReplyTo);
        references.add(inReplyTo);
      } else {
        inReplyTo = inboundRefsNewestFirst.isEmpty() ? null : inboundRefsNewestFirst.get(0);
        references.addAll(inboundRefsNewestFirst.reversed());
      }
      return new OutboundEmail(e.to(), e.cc(), inReplyTo, references,
          files.stream().map(f -> new OutboundEmail.File(f.attachment(), f.bytes())).toList(), e.bcc());
    }));
  }

  /**
   * A failed attempt: final, or tried again after a pause, which is the provider's own {@code retryAfter} where it
   * gave one (a rate limit for this recipient; at most {@link #MAX_RETRY_AFTER}), else growing pauses. The pause is
   * this entry's alone: other entries are delivered meanwhile.
   */
  private Future<Void> fail(OutboxStore.Entry entry, Message m, String reason, boolean retryable, Duration retryAfter) {
    int attempts = entry.attempts();
    boolean giveUp = !retryable || attempts >= MAX_ATTEMPTS;
    Message.Status status = giveUp ? Message.Status.FAILED : Message.Status.QUEUED;
    Duration pause = retryAfter != null
        ? (retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter)
        : Duration.ofSeconds(Math.min(300, 1L << Math.min(attempts, 8)));
    String shown = giveUp && retryable ? reason + " (gave up after " + attempts + " attempts)" : reason;
    return record(entry, m, () -> stores.db().inTransaction(tx -> stores.messages().markAttemptFailed(tx, m.id(), status, shown)
            .compose(x -> giveUp
                ? stores.outbox().complete(tx, entry.id())
                : stores.outbox().markFailed(tx, entry.id(), reason, pause)))
        .onSuccess(x -> {
          log.atWarn().addKeyValue("messageId", m.id()).addKeyValue("interactionId", m.interactionId())
              .addKeyValue("attempt", attempts).addKeyValue("final", giveUp)
              .addKeyValue("retryIn", giveUp ? null : pause.toSeconds() + "s").log("delivery failed: " + reason);
          attempted(m, giveUp ? "failed" : "retry");
          if (giveUp) {
            status(m, Message.Status.FAILED, shown);
          }
        }));
  }

  /** Local event for the metrics: one delivery attempt of {@code m} and how it ended. */
  private void attempted(Message m, String outcome) {
    vertx.eventBus().publish(DELIVERY_ATTEMPTED, new JsonObject().put("channel", m.channel().wireName()).put("outcome", outcome));
  }

  private void status(Message m, Message.Status status, String reason) {
    vertx.eventBus().publish(MessageService.MESSAGE_STATUS_CHANGED, new JsonObject()
        .put("messageId", m.id().toString()).put("interactionId", m.interactionId() == null ? null : m.interactionId().toString())
        .put("status", status.wireName()).put("reason", reason));
  }
}
