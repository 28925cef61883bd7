package io.switchboard.hub.core.intake;

import io.switchboard.hub.api.Attachment;
import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationToken;
import io.switchboard.hub.api.InboundFile;
import io.switchboard.hub.api.Conversation;
import io.switchboard.hub.api.EmailEnvelope;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.Identity;
import io.switchboard.hub.api.IdentityId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.IntakeResult.Outcome;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.core.customer.IdentityKey;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.switchboard.hub.store.MessageStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.UniqueViolation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake pipeline: dedupe on (channel, external id), match the sender to a customer (creating one when
 * unknown), thread into a conversation, and store interaction and message in one transaction with the
 * {@code interaction.created} (or {@code message.received}) event in the outbox.
 *
 * <p>Races between hub nodes (two deliveries of one message, two first messages of one thread, two
 * contacts from one new customer) surface as unique violations; the losing transaction is rolled back and
 * run again, and then finds what the winner stored.
 */
public final class IntakeService implements InboundSink {
  private static final Logger log = LoggerFactory.getLogger(IntakeService.class);
  private static final int ATTEMPTS = 4;

  private final Vertx vertx;
  private final Stores stores;
  private final IdentityNormalizer normalizer;
  private final java.time.Clock clock;

  public IntakeService(Vertx vertx, Stores stores, IdentityNormalizer normalizer) {
    this(vertx, stores, normalizer, java.time.Clock.systemUTC());
  }

  /** @param clock the hub's clock: receipt times (and so queue and service-level clocks) are read from it */
  public IntakeService(Vertx vertx, Stores stores, IdentityNormalizer normalizer, java.time.Clock clock) {
    this.vertx = vertx;
    this.stores = stores;
    this.normalizer = normalizer;
    this.clock = clock;
  }

  /**
   * Takes a contact in. Its {@link InboundContact#receivedAt()} is the provider's (or client's) claim and is kept as
   * the message's {@code sentAt} only: everything the hub times (customer, conversation, interaction and message
   * creation, and so waiting, queue and service-level clocks) starts at receipt, by the hub's clock (issue 17.8: a
   * claimed September time made a message "wait" 87 days; a clock ahead of the hub's gave a negative answer time).
   */
  @Override
  public Future<IntakeResult> accept(InboundContact contact) {
    Instant now = clock.instant();
    List<IdentityKey> keys;
    try {
      keys = normalizer.matchKeys(contact.sender(), "sender.value");
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    return attempt(contact, keys, now, 1)
        .onSuccess(r -> {
          if (r.outcome() != Outcome.DUPLICATE) {
            OutboxRelay.wake(vertx);
          }
          log.atInfo()
              .addKeyValue("outcome", r.outcome())
              .addKeyValue("channel", contact.channel().wireName())
              .addKeyValue("externalId", contact.externalId())
              .addKeyValue("interactionId", r.interactionId())
              .addKeyValue("customerId", r.customerId())
              .log("inbound contact taken in");
        });
  }

  private Future<IntakeResult> attempt(InboundContact contact, List<IdentityKey> keys, Instant now, int attempt) {
    return stores.db()
        .inTransaction(tx -> store(tx, contact, keys, now))
        .recover(e -> {
          if (attempt < ATTEMPTS && (UniqueViolation.is(e) || e instanceof LostRace)) {
            log.atDebug().addKeyValue("externalId", contact.externalId()).addKeyValue("attempt", attempt)
                .log("intake raced with another writer; retrying");
            return attempt(contact, keys, now, attempt + 1);
          }
          return Future.failedFuture(e);
        });
  }

  private Future<IntakeResult> store(SqlConnection tx, InboundContact c, List<IdentityKey> keys, Instant now) {
    return stores.messages()
        .findDelivery(tx, c.channel(), c.externalId())
        .compose(prior -> prior.isPresent()
            ? Future.succeededFuture(duplicate(prior.get()))
            : matchCustomer(tx, c, keys, 0, now)
                .compose(customer -> conversationFor(tx, c, customer, now))
                .compose(conversation -> stores.interactions()
                    .openInConversation(tx, conversation.id())
                    .compose(open -> open.isPresent()
                        ? append(tx, c, open.get(), now)
                        : create(tx, c, conversation, now))));
  }

  private static IntakeResult duplicate(MessageStore.Delivery d) {
    return new IntakeResult(Outcome.DUPLICATE, d.interactionId(), d.conversationId(), d.customerId(), d.messageId());
  }

  /** The golden record of the first identity that matches, or a new customer owning the first identity. */
  private Future<CustomerId> matchCustomer(SqlConnection tx, InboundContact c, List<IdentityKey> keys, int index,
      Instant now) {
    if (index == keys.size()) {
      return createCustomer(tx, c, keys, now);
    }
    IdentityKey key = keys.get(index);
    return stores.customers()
        .findByIdentity(tx, key.kind(), key.provider(), key.value())
        .compose(found -> found.isPresent()
            ? stores.customers().resolve(tx, found.get()).map(Optional::orElseThrow)
            : matchCustomer(tx, c, keys, index + 1, now));
  }

  /** A new customer owning every key (a WhatsApp sender: its handle and, where it is a possible number, its phone). */
  private Future<CustomerId> createCustomer(SqlConnection tx, InboundContact c, List<IdentityKey> keys, Instant now) {
    IdentityKey key = keys.get(0);
    String name = c.senderName() != null && !c.senderName().isBlank() ? c.senderName().strip() : key.value();
    Customer customer =
        new Customer(CustomerId.random(), name, null, c.metadata().get("language"), null, null, null, 1, now, null);
    return stores.customers()
        .insert(tx, customer)
        .compose(created -> insertIdentities(tx, created.id(), keys, 0, now)
            .compose(x -> stores.audit()
                .append(tx, "system:intake", "customer.created", "customer", created.id().toString(),
                    new JsonObject().put("identity", key.kind().wireName() + ":" + key.value())))
            .map(created.id()));
  }

  private Future<Void> insertIdentities(SqlConnection tx, CustomerId customer, List<IdentityKey> keys, int index,
      Instant now) {
    if (index == keys.size()) {
      return Future.succeededFuture();
    }
    IdentityKey key = keys.get(index);
    return stores.customers()
        .insertIdentity(tx, new Identity(IdentityId.random(), customer, key.kind(), key.provider(), key.value(), now))
        // Another contact from the same new sender committed first: start over and find it.
        .compose(identity -> identity.isPresent() ? insertIdentities(tx, customer, keys, index + 1, now)
            : Future.failedFuture(new LostRace()));
  }

  /**
   * The conversation a contact belongs to: its provider thread; for email, the conversation of a message it
   * answers (In-Reply-To/References, also a reply the hub sent, also a closed conversation, which opens again),
   * then the conversation token in its subject; else a new conversation.
   */
  private Future<Conversation> conversationFor(SqlConnection tx, InboundContact c, CustomerId customer, Instant now) {
    Future<Optional<Conversation>> existing;
    if (c.threadKey() != null) {
      existing = stores.conversations().findOpenByThread(tx, c.channel(), c.threadKey());
    } else if (c.channel() == Channel.EMAIL) {
      existing = stores.conversations().findByEmailRefs(tx, c.channel(), c.references())
          .compose(byRefs -> byRefs.isPresent() ? Future.succeededFuture(byRefs)
              : ConversationToken.find(c.subject())
                  .map(range -> stores.conversations().findByToken(tx, c.channel(), range))
                  .orElse(Future.succeededFuture(Optional.empty())))
          .compose(found -> found.isPresent() && !found.get().open()
              ? stores.conversations().reopen(tx, found.get().id()).map(found)
              : Future.succeededFuture(found));
    } else {
      existing = stores.conversations().findOpenByMessageRefs(tx, c.channel(), c.references());
    }
    return existing.compose(found -> found.isPresent()
        ? Future.succeededFuture(found.get())
        : stores.conversations()
            .insert(
                tx,
                new Conversation(
                    ConversationId.random(), customer, c.channel(), c.threadKey(), c.subject(), true, now, now)));
  }

  private Future<IntakeResult> create(SqlConnection tx, InboundContact c, Conversation conversation, Instant now) {
    Interaction interaction =
        new Interaction(
            InteractionId.random(), conversation.id(), conversation.customerId(), c.channel(), c.externalId(),
            InteractionState.CREATED, null, 0, null, c.subject(), c.metadata(), null, now, null, null, null,
            null, null, 1);
    Message message = inboundMessage(c, conversation.id(), interaction.id(), now);
    JsonObject event =
        OutboxRelay.event(
            HubEvents.INTERACTION_CREATED,
            new JsonObject()
                .put("interactionId", interaction.id().toString())
                .put("conversationId", conversation.id().toString())
                .put("customerId", conversation.customerId().toString())
                .put("channel", c.channel().wireName())
                .put("routed", c.handling().route()));
    return stores.interactions()
        .insert(tx, interaction)
        .compose(x -> stores.messages().insert(tx, message, c.sender()))
        .compose(x -> storeFiles(tx, c, message, now))
        // Automated mail is kept in the history, but nobody is offered it: it ends at once with its reason.
        .compose(x -> c.handling().route() ? Future.succeededFuture()
            : stores.interactions().endUnrouted(tx, interaction.id(), c.handling().reason(), now).mapEmpty())
        .compose(x -> stores.conversations().touch(tx, conversation.id(), now))
        .compose(x -> stores.outbox().append(tx, OutboxRelay.EVENT_PREFIX + HubEvents.INTERACTION_CREATED, event))
        .map(x -> new IntakeResult(Outcome.CREATED, interaction.id(), conversation.id(), conversation.customerId(), message.id()));
  }

  private Future<IntakeResult> append(SqlConnection tx, InboundContact c, Interaction open, Instant now) {
    Message message = inboundMessage(c, open.conversationId(), open.id(), now);
    JsonObject event =
        OutboxRelay.event(
            HubEvents.MESSAGE_RECEIVED,
            new JsonObject()
                .put("interactionId", open.id().toString())
                .put("messageId", message.id().toString())
                .put("customerId", open.customerId().toString())
                .put("channel", c.channel().wireName()));
    return stores.messages()
        .insert(tx, message, c.sender())
        .compose(x -> storeFiles(tx, c, message, now))
        .compose(x -> stores.conversations().touch(tx, open.conversationId(), now))
        .compose(x -> stores.outbox().append(tx, OutboxRelay.EVENT_PREFIX + HubEvents.MESSAGE_RECEIVED, event))
        .map(x -> new IntakeResult(Outcome.APPENDED, open.id(), open.conversationId(), open.customerId(), message.id()));
  }

  /** The files that came with the contact, as attachments of its message (with their SHA-256). */
  private Future<Void> storeFiles(SqlConnection tx, InboundContact c, Message message, Instant now) {
    Future<Void> chain = Future.succeededFuture();
    for (InboundFile f : c.files()) {
      Attachment a = new Attachment(AttachmentId.random(), f.fileName(), f.mediaType(), f.bytes().length(), sha256(f.bytes()));
      chain = chain.compose(x -> stores.attachments().insertInbound(tx, a, f.bytes(), message.id(), f.contentId(), f.inline(),
          now));
    }
    return chain;
  }

  private static String sha256(io.vertx.core.buffer.Buffer bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes.getBytes()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Message inboundMessage(InboundContact c, ConversationId conversation, InteractionId interaction, Instant now) {
    // An email keeps its recipients and References, so the agent can reply to all and the reply threads; and its
    // quoted text and the parts it did not keep, for the console.
    EmailEnvelope email = c.channel() == Channel.EMAIL
        ? new EmailEnvelope(c.externalId(), c.to(), c.cc(), null, c.references(),
            c.email() == null ? null : c.email().quoted(), c.email() == null ? List.of() : c.email().omitted(), List.of())
        : null;
    return new Message(
        MessageId.random(), conversation, interaction, c.channel(), c.externalId(), Message.Direction.INBOUND,
        c.sender().value(), c.senderName(), null, c.subject(), c.content(), false, Message.Status.RECEIVED, null,
        now, email, List.of(), c.receivedAt(), null);
  }

  /** This transaction lost a race it can only win by starting over. */
  private static final class LostRace extends RuntimeException {
    LostRace() {
      super("lost a race with a concurrent intake", null, false, false);
    }
  }
}
