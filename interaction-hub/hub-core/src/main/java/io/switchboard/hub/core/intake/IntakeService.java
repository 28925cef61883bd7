package io.switchboard.hub.core.intake;

import io.switchboard.hub.api.Attachment;
import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundFile;
import io.switchboard.hub.api.EmailEnvelope;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.IntakeResult.Outcome;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.core.customer.IdentityKey;
import io.switchboard.hub.core.customer.IdentityNormalizer;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.switchboard.hub.store.IntakeStore;
import io.switchboard.hub.store.StoreTransaction;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.UniqueViolation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
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
  private final IntakeStore intakeStore = new IntakeStore();

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
      // NUL and lone surrogates from any channel: refused naming the field (the channel tells its sender), never a 500.
      io.switchboard.hub.api.TextRules.check(contact);
      keys = normalizer.matchKeys(contact.sender(), "sender.value");
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    return attempt(contact, keys, now, 1)
        .map(stored -> {
          if (stored.event() != null) {
            // Committed: the router (and every other listener on this node) hears of it now, not after a relay pass;
            // the outbox entry is marked published in a batch, and relayed only if that never happens (a crash).
            OutboxRelay.publishedDirectly(vertx, stored.event(), stored.eventId());
          }
          return stored.result();
        })
        .onSuccess(r -> {
          log.atInfo()
              .addKeyValue("outcome", r.outcome())
              .addKeyValue("channel", contact.channel().wireName())
              .addKeyValue("externalId", contact.externalId())
              .addKeyValue("interactionId", r.interactionId())
              .addKeyValue("customerId", r.customerId())
              .log("inbound contact taken in");
        });
  }

  private Future<Stored> attempt(InboundContact contact, List<IdentityKey> keys, Instant now, int attempt) {
    Future<Stored> once = twoStatements(contact)
        ? decideAndWrite(intakeStore.autocommit(stores.db()), contact, keys, now, Future::succeededFuture)
        : stores.db().transaction(tx -> store(tx, contact, keys, now));
    return once
        .recover(e -> {
          if (attempt < ATTEMPTS && (UniqueViolation.is(e) || e instanceof LostRace)) {
            log.atDebug().addKeyValue("externalId", contact.externalId()).addKeyValue("attempt", attempt)
                .log("intake raced with another writer; retrying");
            return attempt(contact, keys, now, attempt + 1);
          }
          return Future.failedFuture(e);
        });
  }

  /**
   * Whether {@code c} is stored by the look and the write alone, without a transaction around them (issue 12: BEGIN and
   * COMMIT were half of an intake's round trips, each a wait for the hub's event loop while the connection sat idle in
   * its transaction): no files, and threaded by the provider's thread key or not at all. The write is one statement
   * and atomic by itself; races end in a unique violation and a retry, as inside a transaction.
   */
  static boolean twoStatements(InboundContact c) {
    return c.files().isEmpty() && !threadsByReferences(c);
  }

  private static boolean threadsByReferences(InboundContact c) {
    return c.threadKey() == null && (c.channel() == Channel.EMAIL || !c.references().isEmpty());
  }

  /**
   * One transaction of (usually) two statements: {@link IntakeStore#look} finds an earlier delivery, the customer and
   * the thread's open conversation and interaction; {@link IntakeStore#write} stores what follows. Threading by email
   * references, subject token or message references, a conversation opened again and attached files take a
   * statement each on top.
   */
  private Future<Stored> store(StoreTransaction tx, InboundContact c, List<IdentityKey> keys, Instant now) {
    return decideAndWrite(intakeStore.on(tx), c, keys, now,
        stored -> storeFiles(tx, c, stored.message(), now).map(stored));
  }

  /** Looks, decides and writes through {@code session}; {@code then} runs after the write of a contact not seen before. */
  private Future<Stored> decideAndWrite(IntakeStore.Session session, InboundContact c, List<IdentityKey> keys,
      Instant now, java.util.function.Function<Stored, Future<Stored>> then) {
    List<IntakeStore.Key> storeKeys = keys.stream()
        .map(k -> new IntakeStore.Key(k.kind().wireName(), k.provider(), k.value())).toList();
    return session.look(c.channel().wireName(), c.externalId(), storeKeys, c.threadKey())
        .compose(found -> {
          if (found.duplicate() != null) {
            IntakeStore.Duplicate d = found.duplicate();
            return Future.succeededFuture(new Stored(
                new IntakeResult(Outcome.DUPLICATE, d.interactionId(), d.conversationId(), d.customerId(), d.messageId()),
                null, -1, null));
          }
          IntakeStore.NewCustomer newCustomer = found.golden() != null ? null : newCustomer(c, keys, storeKeys);
          CustomerId customer = found.golden() != null ? found.golden() : newCustomer.id();
          Future<IntakeStore.Threaded> threaded =
              !threadsByReferences(c)
                  ? Future.succeededFuture(found.conversation() == null ? null
                      : new IntakeStore.Threaded(found.conversation(), found.conversationCustomer(),
                          found.openInteraction(), found.openCustomer()))
                  : session.threadByReferences(c.channel(), c.references(), c.subject());
          return threaded
              .compose(t -> write(session, c, now, newCustomer, customer, t))
              .compose(then);
        });
  }

  private Future<Stored> write(IntakeStore.Session tx, InboundContact c, Instant now, IntakeStore.NewCustomer newCustomer,
      CustomerId customer, IntakeStore.Threaded t) {
    IntakeStore.ConversationPart conversation = t == null
        ? new IntakeStore.ConversationPart(ConversationId.random(), true, customer, c.threadKey())
        : new IntakeStore.ConversationPart(t.conversation(), false, t.conversationCustomer(), c.threadKey());
    boolean append = t != null && t.openInteraction() != null;
    InteractionId interaction = append ? t.openInteraction() : InteractionId.random();
    CustomerId interactionCustomer = append ? t.openCustomer() : conversation.customer();
    Message message = inboundMessage(c, conversation.id(), interaction, now);
    String type = append ? HubEvents.MESSAGE_RECEIVED : HubEvents.INTERACTION_CREATED;
    JsonObject fields = append
        ? new JsonObject()
            .put("interactionId", interaction.toString())
            .put("messageId", message.id().toString())
            .put("customerId", interactionCustomer.toString())
            .put("channel", c.channel().wireName())
        : new JsonObject()
            .put("interactionId", interaction.toString())
            .put("conversationId", conversation.id().toString())
            .put("customerId", interactionCustomer.toString())
            .put("channel", c.channel().wireName())
            .put("routed", c.handling().route());
    JsonObject event = OutboxRelay.event(type, fields);
    IntakeStore.NewInteraction newInteraction = append ? null
        : new IntakeStore.NewInteraction(interaction, interactionCustomer, new JsonObject(new java.util.LinkedHashMap<>(c.metadata())),
            // Automated mail is kept in the history, but nobody is offered it: it ends at once with its reason.
            c.handling().route() ? null : c.handling().reason());
    return tx
        .write(newCustomer, conversation, newInteraction, message, c.sender(), c.subject(),
            new IntakeStore.Event(OutboxRelay.EVENT_PREFIX + type, event, OutboxRelay.DIRECT_GRACE), now)
        // Another contact from the same new sender committed first: start over and find it.
        .compose(w -> w.identitiesLost() ? Future.failedFuture(new LostRace()) : Future.succeededFuture(w))
        .map(w -> new Stored(
            new IntakeResult(append ? Outcome.APPENDED : Outcome.CREATED, interaction, conversation.id(),
                interactionCustomer, message.id()),
            event, w.eventId(), message));
  }

  /** A new customer owning every key (a WhatsApp sender: its handle and, where it is a possible number, its phone). */
  private static IntakeStore.NewCustomer newCustomer(InboundContact c, List<IdentityKey> keys,
      List<IntakeStore.Key> storeKeys) {
    IdentityKey key = keys.get(0);
    String name = c.senderName() != null && !c.senderName().isBlank() ? c.senderName().strip() : key.value();
    return new IntakeStore.NewCustomer(CustomerId.random(), name, c.metadata().get("language"), storeKeys,
        new JsonObject().put("identity", key.kind().wireName() + ":" + key.value()));
  }

  /** What one transaction stored: the result, and (null for a duplicate) the event, its outbox entry, the message. */
  private record Stored(IntakeResult result, JsonObject event, long eventId, Message message) {}

  /** The files that came with the contact, as attachments of its message (with their SHA-256). */
  private Future<Void> storeFiles(StoreTransaction tx, InboundContact c, Message message, Instant now) {
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
