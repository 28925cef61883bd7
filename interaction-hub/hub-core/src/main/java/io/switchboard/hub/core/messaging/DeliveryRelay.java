package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.EmailEnvelope;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.OutboundEmail;
import java.util.Map;
import java.util.Optional;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.core.scheduling.PassRunner;
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
 * <p>A retryable failure (timeout, 5xx, rate limit, an exception) is tried again with growing pauses, up to
 * {@link #MAX_ATTEMPTS}; the message stays {@code queued} with the last reason. A final failure, or running
 * out of attempts, marks the message {@code failed} with the provider's reason, for the agent to see.
 * Private notes are never handed to an adapter, whatever the outbox says.
 */
public final class DeliveryRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(DeliveryRelay.class);
  public static final String WAKE_ADDRESS = "switchboard.delivery.wake";
  public static final int MAX_ATTEMPTS = 8;
  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final int BATCH = 32;

  private final Stores stores;
  private final AdapterDirectory adapters;
  private final Duration pollInterval;
  private final PassRunner runner = new PassRunner(this::pass, n -> n == BATCH,
      e -> log.atWarn().setCause(e).log("delivery pass failed; will retry"));
  private long timer;

  public DeliveryRelay(Stores stores, AdapterDirectory adapters, Duration pollInterval) {
    this.stores = stores;
    this.adapters = adapters;
    this.pollInterval = pollInterval;
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
    return stores.outbox().lease(stores.db().pool(), "delivery.%", BATCH, LEASE).compose(entries -> {
      List<Future<Void>> all = new ArrayList<>();
      for (OutboxStore.Entry e : entries) {
        all.add(deliver(e).recover(err -> {
          log.atWarn().setCause(err).addKeyValue("outboxId", e.id()).log("delivery step failed; the lease will bring it back");
          return Future.succeededFuture();
        }));
      }
      return Future.join(all).map(entries.size());
    });
  }

  private Future<Void> deliver(OutboxStore.Entry entry) {
    var sql = stores.db().pool();
    MessageId id = MessageId.parse(entry.payload().getString("messageId"));
    return stores.messages().find(sql, id).compose(found -> {
      if (found.isEmpty() || found.get().privateNote() || found.get().direction() != Message.Direction.OUTBOUND
          || found.get().status() != Message.Status.QUEUED) {
        return stores.outbox().markPublished(sql, List.of(entry.id()));
      }
      Message m = found.get();
      Future<Map<String, String>> attributes = m.interactionId() == null ? Future.succeededFuture(Map.of())
          : stores.interactions().find(sql, m.interactionId()).map(i -> i.map(x -> x.attributes()).orElse(Map.of()));
      return attributes.compose(attrs -> stores.conversations().find(sql, m.conversationId()).compose(conv ->
          stores.messages().replyAddress(sql, m.conversationId()).compose(address ->
              stores.messages().inboundRefs(sql, m.conversationId()).compose(refs -> {
                // An email reply goes to the recipients the agent chose; other replies to the customer's address.
                Optional<SenderAddress> recipient = m.email() != null && !m.email().to().isEmpty()
                    ? Optional.of(SenderAddress.email(m.email().to().get(0).address())) : address;
                if (recipient.isEmpty()) {
                  return fail(entry, m, "the customer has no address on this channel", false);
                }
                var adapter = adapters.forRecipient(m.channel(), recipient.get());
                if (adapter.isEmpty()) {
                  return fail(entry, m, AdapterDirectory.noAdapter(m.channel(), recipient.get()), false);
                }
                return outboundEmail(m, refs).compose(email -> adapter.get().send(new OutboundMessage(m.id(), m.interactionId(),
                        m.conversationId(), recipient.get(), conv.map(c -> c.threadKey()).orElse(null), refs, m.subject(),
                        m.content(), email, attrs)))
                    .recover(e -> Future.succeededFuture(new DeliveryResult.Failed(
                        e.getClass().getSimpleName() + ": " + e.getMessage(), true)))
                    .compose(result -> switch (result) {
                      case DeliveryResult.Delivered d -> stores.db().inTransaction(tx ->
                              stores.messages().markSent(tx, m.id(), d.providerMessageId())
                                  .compose(x -> stores.outbox().markPublished(tx, List.of(entry.id()))))
                          .onSuccess(x -> {
                            log.atInfo().addKeyValue("messageId", m.id()).addKeyValue("interactionId", m.interactionId())
                                .addKeyValue("providerMessageId", d.providerMessageId()).log("message delivered to provider");
                            status(m, Message.Status.SENT, null);
                          });
                      case DeliveryResult.Failed f -> fail(entry, m, f.reason(), f.retryable());
                    });
              }))));
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

  private Future<Void> fail(OutboxStore.Entry entry, Message m, String reason, boolean retryable) {
    int attempts = entry.attempts() + 1;
    boolean giveUp = !retryable || attempts >= MAX_ATTEMPTS;
    Message.Status status = giveUp ? Message.Status.FAILED : Message.Status.QUEUED;
    Duration pause = Duration.ofSeconds(Math.min(300, 1L << Math.min(attempts, 8)));
    String shown = giveUp && retryable ? reason + " (gave up after " + attempts + " attempts)" : reason;
    return stores.db().inTransaction(tx -> stores.messages().markAttemptFailed(tx, m.id(), status, shown)
            .compose(x -> giveUp
                ? stores.outbox().markPublished(tx, List.of(entry.id()))
                : stores.outbox().markFailed(tx, entry.id(), reason, pause)))
        .onSuccess(x -> {
          log.atWarn().addKeyValue("messageId", m.id()).addKeyValue("interactionId", m.interactionId())
              .addKeyValue("attempt", attempts).addKeyValue("final", giveUp).log("delivery failed: " + reason);
          if (giveUp) {
            status(m, Message.Status.FAILED, shown);
          }
        });
  }

  private void status(Message m, Message.Status status, String reason) {
    vertx.eventBus().publish(MessageService.MESSAGE_STATUS_CHANGED, new JsonObject()
        .put("messageId", m.id().toString()).put("interactionId", m.interactionId() == null ? null : m.interactionId().toString())
        .put("status", status.wireName()).put("reason", reason));
  }
}
