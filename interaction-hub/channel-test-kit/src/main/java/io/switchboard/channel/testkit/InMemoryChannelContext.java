package io.switchboard.channel.testkit;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.UnavailableException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelBroadcast;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.api.spi.InteractionControl;
import io.switchboard.hub.api.spi.MailSender;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.api.spi.Quarantine;
import io.switchboard.hub.api.spi.SendReadiness;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The hub as one channel adapter sees it, in memory, for adapter tests. What it does as the hub does:
 * <ul>
 *   <li>a real Vert.x HTTP server on a free loopback port routes {@code /channels/<adapter><path>} to the adapter's
 *       handlers with the whole body, and WebSocket upgrades to its socket handlers;</li>
 *   <li>the intake dedupes on the external id ({@code DUPLICATE} with the first ids) and threads by thread key (a second
 *       contact of a thread is {@code APPENDED} to its interaction), and stores each contact's message;</li>
 *   <li>the conversation reader answers from those messages and what a test adds (agents' replies, earlier
 *       messages), never private notes; queue positions are what a test sets;</li>
 *   <li>delivery updates are recorded; the hub knows a provider id once it "sent" it ({@link #deliver},
 *       {@link #markSent}) or, with {@link #knowEveryProviderId}, always;</li>
 *   <li>the customer leaving, quarantine and mail sent through the hub's mail sender are recorded.</li>
 * </ul>
 * Failures a test can ask for: the intake down for the next contacts ({@link #failNextAccepts}) or once for an
 * external id ({@link #failOnceFor}), and refusing a contact as invalid ({@link #refuse}).
 *
 * <p>Threading: the lists are safe to read from the test thread while the adapter writes; {@link #awaitUntil}
 * wakes on every change this context records (never sleeping in a loop). {@link #close} stops the adapter it
 * started, the HTTP server and, when this context created it, the Vert.x instance.
 *
 * <p>Size (over 400 lines, #15): it implements the whole {@link ChannelContext} SPI (about twenty facets: HTTP,
 * intake, deliveries, conversations, leases, cursors, quarantine, mail, surveys...) plus the failures a test can ask
 * for, so that every adapter's tests use one fake of the hub instead of a copy each. Each facet is a few lines;
 * splitting them would only move the shared recorded state around.
 */
public final class InMemoryChannelContext implements ChannelContext, AutoCloseable {
  /** A status change the adapter reported for an outbound message. */
  public record DeliveryUpdate(Channel channel, String providerMessageId, Message.Status status, String reason) {}

  /** The customer left an interaction, as the adapter told the hub. */
  public record Departure(InteractionId interaction, String reason) {}

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final String adapterName;
  private final Channel channel;
  private final Map<String, Object> settings;
  private final Map<String, String> secrets;
  private final Map<String, ChannelHttp.RequestHandler> routes = new ConcurrentHashMap<>();
  private final Map<String, Handler<ServerWebSocket>> sockets = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final Object changes = new Object();

  private final List<InboundContact> contacts = new CopyOnWriteArrayList<>();
  private final List<DeliveryUpdate> updates = new CopyOnWriteArrayList<>();
  private final List<String> receiptAttempts = new CopyOnWriteArrayList<>();
  private final List<Quarantine.Item> quarantined = new CopyOnWriteArrayList<>();
  private final List<MailSender.SystemEmail> mails = new CopyOnWriteArrayList<>();
  private final List<Departure> departures = new CopyOnWriteArrayList<>();
  private final Map<InteractionId, ConversationReader.QueuePosition> positions = new ConcurrentHashMap<>();
  private final Set<String> failOnce = ConcurrentHashMap.newKeySet();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final AtomicInteger failNext = new AtomicInteger();
  private final Set<String> sent = ConcurrentHashMap.newKeySet();
  private final Map<String, IntakeResult> byExternalId = new HashMap<>();
  private final Map<String, IntakeResult> byThread = new HashMap<>();
  private final Map<ConversationId, List<Message>> messages = new HashMap<>();
  private volatile boolean everyProviderIdKnown;
  private volatile boolean customerLeftAnswer;
  private volatile ChannelBroadcast broadcast;
  private volatile MailSender mailSender = MailSender.NONE;
  private volatile io.switchboard.hub.api.spi.Surveys surveys = io.switchboard.hub.api.spi.Surveys.NONE;
  private ChannelAdapter adapter;

  /** A context on a Vert.x instance of its own (closed with it) for the adapter called {@code adapterName}. */
  public InMemoryChannelContext(String adapterName, Channel channel, Map<String, Object> settings,
      Map<String, String> secrets) {
    this(Vertx.vertx(), true, adapterName, channel, settings, secrets);
  }

  /** A context on the test's Vert.x instance (left open by {@link #close}). */
  public InMemoryChannelContext(Vertx vertx, String adapterName, Channel channel, Map<String, Object> settings,
      Map<String, String> secrets) {
    this(vertx, false, adapterName, channel, settings, secrets);
  }

  private InMemoryChannelContext(Vertx vertx, boolean ownsVertx, String adapterName, Channel channel,
      Map<String, Object> settings, Map<String, String> secrets) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.adapterName = adapterName;
    this.channel = channel;
    this.settings = Map.copyOf(settings);
    this.secrets = Map.copyOf(secrets);
    this.server = vertx.createHttpServer().requestHandler(req -> {
      String prefix = "/channels/" + adapterName;
      String rest = req.path().startsWith(prefix) ? req.path().substring(prefix.length()) : null;
      Handler<ServerWebSocket> socket = rest == null ? null : sockets.get(rest);
      if (socket != null && "websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
        req.toWebSocket().onSuccess(socket);
        return;
      }
      ChannelHttp.RequestHandler route = rest == null ? null : routes.get(rest);
      if (route == null) {
        req.response().setStatusCode(404).end();
        return;
      }
      req.body().onSuccess(body -> route.handle(req, body));
    });
    await(server.listen(0, "127.0.0.1"));
  }

  // ------------------------------------------------------------------ running an adapter

  /** Starts the adapter with this context, as the hub would; {@link #close} stops it. */
  public <A extends ChannelAdapter> A start(A channelAdapter) {
    synchronized (this) {
      this.adapter = channelAdapter;
    }
    await(channelAdapter.start(this));
    return channelAdapter;
  }

  /** The adapter {@link #start} started. */
  @SuppressWarnings("unchecked")
  public synchronized <A extends ChannelAdapter> A adapter() {
    if (adapter == null) {
      throw new IllegalStateException("no adapter was started with this context");
    }
    return (A) adapter;
  }

  /** The HTTP port the adapter's endpoints are served on. */
  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>/channels/<adapter>}, what {@link ChannelHttp#baseUrl()} tells the adapter. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/channels/" + adapterName;
  }

  // ------------------------------------------------------------------ what a test arranges

  /** The next {@code n} contacts fail as with a hub whose store is down ({@link UnavailableException}). */
  public void failNextAccepts(int n) {
    failNext.set(n);
  }

  /** The contact with this external id fails once as with a hub whose store is down. */
  public void failOnceFor(String externalId) {
    failOnce.add(externalId);
  }

  /** Contacts with this external id are refused as invalid ({@link ValidationException}). */
  public void refuse(String externalId) {
    refused.add(externalId);
  }

  /** Delivery updates for provider ids the hub never sent are taken too (default: only ids it sent). */
  public void knowEveryProviderId(boolean known) {
    everyProviderIdKnown = known;
  }

  /** What {@link InteractionControl#customerLeft} answers (default false: nothing was waiting). */
  public void customerLeftAnswers(boolean answer) {
    customerLeftAnswer = answer;
  }

  /** Carries {@link #broadcast()} over this link instead of this Vert.x instance (two contexts as two nodes). */
  public void linkBroadcast(ChannelBroadcast link) {
    broadcast = link;
  }

  /** The hub's satisfaction surveys as the test wants them ({@link io.switchboard.hub.api.spi.Surveys#NONE} by default). */
  public void surveys(io.switchboard.hub.api.spi.Surveys surveys) {
    this.surveys = surveys;
  }

  @Override
  public io.switchboard.hub.api.spi.Surveys surveys() {
    return surveys;
  }

  /** The hub's mail sender keeps what is sent through it in {@link #mails()} (or fails each send with {@code failWith}). */
  public void mailSenderThatRecords(String failWith) {
    mailSender = new MailSender() {
      @Override
      public SendReadiness readiness(String mailbox) {
        return SendReadiness.READY;
      }

      @Override
      public Future<String> send(SystemEmail email) {
        if (failWith != null) {
          return Future.failedFuture(new IllegalStateException(failWith));
        }
        mails.add(email);
        changed();
        return Future.succeededFuture("<sb-" + UUID.randomUUID() + "@hub.example>");
      }
    };
  }

  /** The live map of queue positions the conversation reader answers with (by interaction). */
  public Map<InteractionId, ConversationReader.QueuePosition> positions() {
    return positions;
  }

  /** Adds an earlier message to a conversation (say, the customer's last message, for a service window). */
  public synchronized Message priorMessage(ConversationId conversation, Message.Direction direction, Instant at) {
    Message m = new Message(MessageId.random(), conversation, null, channel, null, direction, null, null, null, null,
        new MessageContent.Text("earlier"), false,
        direction == Message.Direction.INBOUND ? Message.Status.RECEIVED : Message.Status.SENT, null, at);
    messages.computeIfAbsent(conversation, c -> new ArrayList<>()).add(m);
    return m;
  }

  /** Forgets every message of a conversation (a test that sets up its history from scratch). */
  public synchronized void clearConversation(ConversationId conversation) {
    messages.remove(conversation);
  }

  /** An agent writes in the conversation: stored as the hub would ({@code queued}, or a private note). */
  public synchronized Message agentWrites(ConversationId conversation, String text, boolean privateNote) {
    IntakeResult any = byThread.values().stream().filter(r -> r.conversationId().equals(conversation)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no contact started conversation " + conversation));
    Message m = new Message(MessageId.random(), conversation, any.interactionId(), channel, null,
        privateNote ? Message.Direction.INTERNAL : Message.Direction.OUTBOUND, null, null, null, null,
        new MessageContent.Text(text), privateNote, privateNote ? Message.Status.RECEIVED : Message.Status.QUEUED, null,
        Instant.now());
    messages.get(conversation).add(m);
    return m;
  }

  /** The delivery relay hands a stored reply to the started adapter; a delivered one's provider id becomes known. */
  public DeliveryResult deliver(Message m, String threadKey) {
    DeliveryResult r = await(adapter().send(new OutboundMessage(m.id(), m.interactionId(), m.conversationId(),
        SenderAddress.handle(adapterName, threadKey), threadKey, List.of(), null, m.content())));
    if (r instanceof DeliveryResult.Delivered d) {
      markSent(d.providerMessageId());
    }
    return r;
  }

  /** The hub records the provider id of a delivered message (what the delivery relay does after a send). */
  public void markSent(String providerMessageId) {
    sent.add(providerMessageId);
  }

  // ------------------------------------------------------------------ what a test reads

  /** Contacts stored, in order (duplicates and refused ones not). */
  public List<InboundContact> contacts() {
    return contacts;
  }

  /** Delivery updates the hub took, in order. */
  public List<DeliveryUpdate> updates() {
    return updates;
  }

  /** Every provider id a delivery update named, taken or not. */
  public List<String> receiptAttempts() {
    return receiptAttempts;
  }

  /** What the adapter set aside for supervisors. */
  public List<Quarantine.Item> quarantined() {
    return quarantined;
  }

  /** Mails sent through the hub's mail sender ({@link #mailSenderThatRecords}). */
  public List<MailSender.SystemEmail> mails() {
    return mails;
  }

  /** Interactions the adapter said the customer left. */
  public List<Departure> departures() {
    return departures;
  }

  /** The conversation the contacts of this thread key went to. */
  public synchronized ConversationId conversationOf(String threadKey) {
    return thread(threadKey).conversationId();
  }

  /** The interaction the contacts of this thread key went to. */
  public synchronized InteractionId interactionOf(String threadKey) {
    return thread(threadKey).interactionId();
  }

  /** Every message stored in a conversation, private notes included. */
  public synchronized List<Message> messages(ConversationId conversation) {
    return List.copyOf(messages.getOrDefault(conversation, List.of()));
  }

  private IntakeResult thread(String threadKey) {
    IntakeResult r = byThread.get(threadKey);
    if (r == null) {
      throw new IllegalArgumentException("no contact came with thread key " + threadKey);
    }
    return r;
  }

  /**
   * Waits up to 20 s until {@code condition} holds, re-checking it whenever this context records something (a
   * contact, an update, a receipt attempt, a departure, a mail, a quarantined item).
   */
  public void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (changes) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + what + "; contacts " + contacts + ", updates " + updates);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(changes, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  private void changed() {
    synchronized (changes) {
      changes.notifyAll();
    }
  }

  /** The outcome of a future, waiting up to 20 s; a failure or timeout is an {@link AssertionError}. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
  }

  // ------------------------------------------------------------------ ChannelContext

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public InboundSink inbound() {
    return contact -> {
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || failOnce.remove(contact.externalId())) {
        return Future.failedFuture(new UnavailableException("the store is down"));
      }
      if (refused.contains(contact.externalId())) {
        return Future.failedFuture(new ValidationException("sender.value", "is not a valid address"));
      }
      IntakeResult r;
      synchronized (this) {
        IntakeResult prior = byExternalId.get(contact.externalId());
        if (prior != null) {
          return Future.succeededFuture(new IntakeResult(IntakeResult.Outcome.DUPLICATE, prior.interactionId(),
              prior.conversationId(), prior.customerId(), prior.messageId()));
        }
        IntakeResult thread = contact.threadKey() == null ? null : byThread.get(contact.threadKey());
        MessageId id = MessageId.random();
        r = thread == null
            ? new IntakeResult(IntakeResult.Outcome.CREATED, InteractionId.random(), ConversationId.random(),
                CustomerId.random(), id)
            : new IntakeResult(IntakeResult.Outcome.APPENDED, thread.interactionId(), thread.conversationId(),
                thread.customerId(), id);
        if (contact.threadKey() != null) {
          byThread.putIfAbsent(contact.threadKey(), r);
        }
        byExternalId.put(contact.externalId(), r);
        contacts.add(contact);
        messages.computeIfAbsent(r.conversationId(), c -> new ArrayList<>()).add(new Message(id, r.conversationId(),
            r.interactionId(), contact.channel(), contact.externalId(), Message.Direction.INBOUND,
            contact.sender().value(), contact.senderName(), null, null, contact.content(), false,
            Message.Status.RECEIVED, null, contact.receivedAt()));
      }
      changed();
      return Future.succeededFuture(r);
    };
  }

  @Override
  public Map<String, Object> settings() {
    return settings;
  }

  @Override
  public String secret(String name) {
    return secrets.get(name);
  }

  @Override
  public ChannelHttp http() {
    return new ChannelHttp() {
      @Override
      public void route(String path, RequestHandler handler) {
        routes.put(path, handler);
      }

      @Override
      public void webSocket(String path, Handler<ServerWebSocket> handler) {
        sockets.put(path, handler);
      }

      @Override
      public String baseUrl() {
        return InMemoryChannelContext.this.baseUrl();
      }
    };
  }

  @Override
  public DeliverySink deliveries() {
    return (updateChannel, providerMessageId, status, reason) -> {
      boolean known = everyProviderIdKnown || sent.contains(providerMessageId);
      receiptAttempts.add(providerMessageId);
      if (known) {
        updates.add(new DeliveryUpdate(updateChannel, providerMessageId, status, reason));
      }
      changed();
      return Future.succeededFuture(known);
    };
  }

  @Override
  public ConversationReader conversations() {
    return new ConversationReader() {
      @Override
      public Future<List<Message>> messages(ConversationId conversation, Instant after, int limit) {
        synchronized (InMemoryChannelContext.this) {
          return Future.succeededFuture(messages.getOrDefault(conversation, List.of()).stream()
              .filter(m -> !m.privateNote())
              .filter(m -> after == null || m.createdAt().isAfter(after))
              .sorted(java.util.Comparator.comparing(Message::createdAt))
              .limit(limit).toList());
        }
      }

      @Override
      public Future<QueuePosition> position(InteractionId interaction) {
        return Future.succeededFuture(positions.get(interaction));
      }
    };
  }

  @Override
  public InteractionControl interactions() {
    return (interaction, reason) -> {
      departures.add(new Departure(interaction, reason));
      changed();
      return Future.succeededFuture(customerLeftAnswer);
    };
  }

  @Override
  public ChannelBroadcast broadcast() {
    ChannelBroadcast linked = broadcast;
    return linked != null ? linked : ChannelContext.super.broadcast();
  }

  @Override
  public Quarantine quarantine() {
    Quarantine inMemory = Quarantine.inMemory(quarantined);
    return item -> inMemory.store(item).onComplete(r -> changed());
  }

  @Override
  public MailSender mail() {
    return mailSender;
  }

  @Override
  public void close() {
    ChannelAdapter started;
    synchronized (this) {
      started = adapter;
      adapter = null;
    }
    try {
      if (started != null) {
        await(started.stop());
      }
      await(server.close());
    } finally {
      if (ownsVertx) {
        await(vertx.close());
      }
    }
  }
}
