package io.switchboard.hub.core.intake;

import io.switchboard.hub.core.scheduling.GroupCommit;
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
import io.switchboard.hub.store.BackendFailures;
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
 *
 * <p>Group commit (issue 12): contacts stored by the look and the write alone ({@link #twoStatements}) that arrive
 * while {@link Batching#maxInFlight} batches are being written wait and go together, looked up in one statement and
 * written in one ({@link IntakeStore#lookAll}, {@link IntakeStore#writeAll}); a contact arriving with a slot free goes
 * at once, alone, as before. Contacts sharing a message id, an identity or a thread never share a batch and go in the
 * order they came ({@link GroupCommit}), so a batch decides exactly as one-by-one intake would. A batch's write is one
 * statement: when PostgreSQL refuses it (a unique violation from another node's write, a row a constraint refuses)
 * nothing of it is stored and each of its contacts is taken in again on its own, so one bad contact fails only
 * itself; when PostgreSQL does not answer, every contact of the batch fails with that ({@link BackendFailures}).
 */
public final class IntakeService implements InboundSink {
  private static final Logger log = LoggerFactory.getLogger(IntakeService.class);
  private static final int ATTEMPTS = 4;

  private final Vertx vertx;
  private final Stores stores;
  private final IdentityNormalizer normalizer;
  private final java.time.Clock clock;
  private final IntakeStore intakeStore = new IntakeStore();
  private final GroupCommit<Pending, Stored> batches;
  private final java.util.concurrent.atomic.AtomicLong fallbacks = new java.util.concurrent.atomic.AtomicLong();

  /**
   * How concurrent intakes are grouped (see the class comment).
   *
   * @param maxBatch the most contacts looked up and written by one pair of statements
   * @param maxInFlight batches being looked up or written at once on this node (each holds one connection at a
   *     time); a contact arriving with fewer in flight goes at once
   */
  public record Batching(int maxBatch, int maxInFlight, java.time.Duration maxWait) {
    /**
     * How long a contact waits at most for its batch to start (the batches before it stuck on a lock or a PostgreSQL
     * that does not answer) before it is refused as unavailable (503 with Retry-After): PostgreSQL's pool wait, 30 s.
     */
    public static final java.time.Duration MAX_WAIT = java.time.Duration.ofSeconds(30);

    public Batching {
      if (maxBatch < 1 || maxInFlight < 1) {
        throw new IllegalArgumentException("maxBatch and maxInFlight must be at least 1");
      }
      java.util.Objects.requireNonNull(maxWait, "maxWait");
      if (maxWait.isNegative() || maxWait.isZero()) {
        throw new IllegalArgumentException("maxWait must be positive: " + maxWait);
      }
    }

    /** Batches of {@code maxBatch}, {@code maxInFlight} at once, waiting at most {@link #MAX_WAIT}. */
    public Batching(int maxBatch, int maxInFlight) {
      this(maxBatch, maxInFlight, MAX_WAIT);
    }

    /**
     * The hub's: batches of up to 64 contacts, one in flight. Measured (BENCHMARKS.md, IntakeBenchmark with 64 contacts
     * in flight): CPU per intake falls with the batch's size (PostgreSQL's backends 0.47 ms at 32 per batch and two in
     * flight, 0.29 ms at 64 and two, 0.22 ms at 64 and one; 3.5 ms alone), and with two in flight the contacts in flight
     * split into two half-size batches.
     */
    public static Batching standard() {
      return new Batching(64, 1);
    }
  }

  /**
   * Counts of the group commit so far.
   *
   * @param batches batches started (a contact alone is a batch of one)
   * @param contacts contacts that went through batches
   * @param largest the largest batch
   * @param fallbacks batches of several whose look or write PostgreSQL refused, their contacts then taken in one by one
   */
  public record BatchStats(long batches, long contacts, long largest, long fallbacks) {}

  public IntakeService(Vertx vertx, Stores stores, IdentityNormalizer normalizer) {
    this(vertx, stores, normalizer, java.time.Clock.systemUTC());
  }

  /** @param clock the hub's clock: receipt times (and so queue and service-level clocks) are read from it */
  public IntakeService(Vertx vertx, Stores stores, IdentityNormalizer normalizer, java.time.Clock clock) {
    this(vertx, stores, normalizer, clock, Batching.standard());
  }

  /** @param batching how concurrent intakes are grouped */
  public IntakeService(Vertx vertx, Stores stores, IdentityNormalizer normalizer, java.time.Clock clock,
      Batching batching) {
    this.vertx = vertx;
    this.stores = stores;
    this.normalizer = normalizer;
    this.clock = clock;
    this.batches = new GroupCommit<>(batching.maxBatch(), batching.maxInFlight(), batching.maxWait(), this::runBatch);
  }

  /** The group commit's counts so far (for metrics and tests). */
  public BatchStats batchStats() {
    GroupCommit.Stats s = batches.stats();
    return new BatchStats(s.batches(), s.items(), s.largest(), fallbacks.get());
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
    Future<Stored> stored = twoStatements(contact)
        ? batches.submit(new Pending(contact, keys, now), conflictKeys(contact, keys))
        : attempt(contact, keys, now, 1);
    return stored
        .map(s -> {
          if (s.event() != null) {
            // Committed: the router (and every other listener on this node) hears of it now, not after a relay pass;
            // the outbox entry is marked published in a batch, and relayed only if that never happens (a crash).
            OutboxRelay.publishedDirectly(vertx, s.event(), s.eventId());
          }
          return s.result();
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

  /** A contact waiting for its batch. */
  private record Pending(InboundContact contact, List<IdentityKey> keys, Instant now) {}

  /** What a contact shares with another contact it must not be batched with: its message, identities and thread. */
  private static java.util.Set<String> conflictKeys(InboundContact c, List<IdentityKey> keys) {
    java.util.Set<String> out = new java.util.HashSet<>();
    out.add("message\u0000" + c.channel().wireName() + "\u0000" + c.externalId());
    for (IdentityKey k : keys) {
      out.add("identity\u0000" + k.kind().wireName() + "\u0000" + k.provider() + "\u0000" + k.value());
    }
    if (c.threadKey() != null) {
      out.add("thread\u0000" + c.channel().wireName() + "\u0000" + c.threadKey());
    }
    return out;
  }

  /** Takes one batch in: alone as before, or several with one look and one write (see the class comment). */
  private void runBatch(List<GroupCommit.Item<Pending, Stored>> batch) {
    if (batch.size() == 1) {
      Pending p = batch.get(0).value;
      attempt(p.contact(), p.keys(), p.now(), 1).onComplete(batch.get(0)::complete);
      return;
    }
    IntakeStore.Session session = intakeStore.autocommit(stores.db());
    session.lookAll(batch.stream().map(item -> new IntakeStore.Lookup(item.value.contact().channel().wireName(),
            item.value.contact().externalId(), storeKeys(item.value.keys()), item.value.contact().threadKey())).toList())
        .onComplete(looked -> {
          if (looked.failed()) {
            oneByOneOrFail(batch, looked.cause());
            return;
          }
          List<GroupCommit.Item<Pending, Stored>> writing = new java.util.ArrayList<>();
          List<Planned> plans = new java.util.ArrayList<>();
          try {
            for (int i = 0; i < batch.size(); i++) {
              GroupCommit.Item<Pending, Stored> item = batch.get(i);
              Pending p = item.value;
              IntakeStore.Found found = looked.result().get(i);
              if (found.duplicate() != null) {
                item.complete(Future.succeededFuture(duplicate(found.duplicate())));
                continue;
              }
              writing.add(item);
              plans.add(plan(p.contact(), p.keys(), p.now(), found, threadedByKey(found)));
            }
          } catch (RuntimeException e) {
            batch.forEach(item -> item.complete(Future.failedFuture(e)));
            return;
          }
          if (writing.isEmpty()) {
            return;
          }
          (writing.size() == 1
              ? write(session, plans.get(0)).map(List::of)
              : session.writeAll(plans.stream().map(Planned::write).toList())
                  .map(ids -> java.util.stream.IntStream.range(0, ids.size())
                      .mapToObj(i -> plans.get(i).stored(ids.get(i))).toList()))
              .onComplete(written -> {
                if (written.failed()) {
                  oneByOneOrFail(writing, written.cause());
                  return;
                }
                for (int i = 0; i < writing.size(); i++) {
                  writing.get(i).complete(Future.succeededFuture(written.result().get(i)));
                }
              });
        });
  }

  /**
   * A batch's statement failed, so nothing of it was stored: when PostgreSQL does not answer, every contact fails with
   * that (the caller is told to retry); otherwise (a unique violation from a concurrent writer, a contact a constraint
   * refuses) each contact is taken in again on its own, and only a bad one fails.
   */
  private void oneByOneOrFail(List<GroupCommit.Item<Pending, Stored>> items, Throwable failure) {
    if (BackendFailures.unavailable(failure).isPresent()) {
      items.forEach(item -> item.complete(Future.failedFuture(failure)));
      return;
    }
    fallbacks.incrementAndGet();
    log.atInfo().addKeyValue("contacts", items.size()).addKeyValue("error", failure.toString())
        .log("a batch of intakes was refused; taking its contacts in one by one");
    for (GroupCommit.Item<Pending, Stored> item : items) {
      Pending p = item.value;
      attempt(p.contact(), p.keys(), p.now(), 1).onComplete(item::complete);
    }
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
    return session.look(c.channel().wireName(), c.externalId(), storeKeys(keys), c.threadKey())
        .compose(found -> {
          if (found.duplicate() != null) {
            return Future.succeededFuture(duplicate(found.duplicate()));
          }
          Future<IntakeStore.Threaded> threaded =
              !threadsByReferences(c)
                  ? Future.succeededFuture(threadedByKey(found))
                  : session.threadByReferences(c.channel(), c.references(), c.subject());
          return threaded
              .compose(t -> write(session, plan(c, keys, now, found, t)))
              .compose(then);
        });
  }

  private static List<IntakeStore.Key> storeKeys(List<IdentityKey> keys) {
    return keys.stream().map(k -> new IntakeStore.Key(k.kind().wireName(), k.provider(), k.value())).toList();
  }

  private static Stored duplicate(IntakeStore.Duplicate d) {
    return new Stored(new IntakeResult(Outcome.DUPLICATE, d.interactionId(), d.conversationId(), d.customerId(),
        d.messageId()), null, -1, null);
  }

  /** The open conversation (and its open interaction) of the contact's provider thread, as the look found them. */
  private static IntakeStore.Threaded threadedByKey(IntakeStore.Found found) {
    return found.conversation() == null ? null : new IntakeStore.Threaded(found.conversation(),
        found.conversationCustomer(), found.openInteraction(), found.openCustomer());
  }

  /** What a contact not seen before will store, and what intake answers once it is stored. */
  private record Planned(IntakeStore.Write write, IntakeResult result, JsonObject event, Message message) {
    Stored stored(long eventId) {
      return new Stored(result, event, eventId, message);
    }
  }

  /** Decides what a contact not seen before stores: customer, conversation, interaction, message and event. */
  private static Planned plan(InboundContact c, List<IdentityKey> keys, Instant now, IntakeStore.Found found,
      IntakeStore.Threaded t) {
    IntakeStore.NewCustomer newCustomer = found.golden() != null ? null : newCustomer(c, keys, storeKeys(keys));
    CustomerId customer = found.golden() != null ? found.golden() : newCustomer.id();
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
    return new Planned(
        new IntakeStore.Write(newCustomer, conversation, newInteraction, message, c.sender(), c.subject(),
            new IntakeStore.Event(OutboxRelay.EVENT_PREFIX + type, event, OutboxRelay.DIRECT_GRACE), now),
        new IntakeResult(append ? Outcome.APPENDED : Outcome.CREATED, interaction, conversation.id(),
            interactionCustomer, message.id()),
        event, message);
  }

  /** Writes one planned contact with {@link IntakeStore#write}. */
  private static Future<Stored> write(IntakeStore.Session tx, Planned p) {
    IntakeStore.Write w = p.write();
    return tx
        .write(w.customer(), w.conversation(), w.interaction(), w.message(), w.sender(), w.subject(), w.event(), w.now())
        // Another contact from the same new sender committed first: start over and find it.
        .compose(written -> written.identitiesLost() ? Future.failedFuture(new LostRace())
            : Future.succeededFuture(p.stored(written.eventId())));
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
