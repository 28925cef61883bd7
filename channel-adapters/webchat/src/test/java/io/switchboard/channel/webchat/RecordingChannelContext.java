package io.switchboard.channel.webchat;

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
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.api.spi.InboundSink;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub as the web chat adapter sees it, in memory: a real Vert.x HTTP server that routes
 * {@code /channels/webchat/*} to the adapter's handlers (as the hub does), an intake that dedupes on the
 * external id and threads by session, a message store the conversation reader answers from, queue
 * positions the test sets, and a record of every delivery update.
 */
final class RecordingChannelContext implements ChannelContext, AutoCloseable {
  record Update(Channel channel, String providerMessageId, Message.Status status) {}

  final Vertx vertx = Vertx.vertx();
  final List<InboundContact> contacts = new CopyOnWriteArrayList<>();
  final List<Update> updates = new CopyOnWriteArrayList<>();
  final List<String> receiptAttempts = new CopyOnWriteArrayList<>();
  private final Object changes = new Object();
  final Map<String, ConversationReader.QueuePosition> positions = new ConcurrentHashMap<>();
  final AtomicInteger failNextAccepts = new AtomicInteger();
  private final Map<String, Object> settings;
  private final Map<String, String> secrets;
  private final Map<String, ChannelHttp.RequestHandler> routes = new ConcurrentHashMap<>();
  private final Map<String, Handler<ServerWebSocket>> sockets = new ConcurrentHashMap<>();
  private final Map<String, IntakeResult> byExternalId = new HashMap<>();
  private final Map<String, IntakeResult> byThread = new HashMap<>();
  private final Map<ConversationId, List<Message>> messages = new HashMap<>();
  private final Map<String, Boolean> sent = new ConcurrentHashMap<>();
  private final HttpServer server;
  private WebChatAdapter adapter;
  /** When set, what {@link #broadcast()} returns (a link between two contexts standing for two hub nodes). */
  volatile io.switchboard.hub.api.spi.ChannelBroadcast linkedBroadcast;
  /** The hub's mail sender as the test sets it (none by default): mails sent through it are kept in {@link #mails}. */
  volatile io.switchboard.hub.api.spi.MailSender mailSender = io.switchboard.hub.api.spi.MailSender.NONE;
  final List<io.switchboard.hub.api.spi.MailSender.SystemEmail> mails = new CopyOnWriteArrayList<>();

  /** Gives this hub a mail sender that keeps what it sends (or fails every send with {@code failWith}). */
  void mailSenderThatRecords(String failWith) {
    mailSender = new io.switchboard.hub.api.spi.MailSender() {
      @Override
      public io.switchboard.hub.api.spi.SendReadiness readiness(String mailbox) {
        return io.switchboard.hub.api.spi.SendReadiness.READY;
      }

      @Override
      public Future<String> send(SystemEmail email) {
        if (failWith != null) {
          return Future.failedFuture(new IllegalStateException(failWith));
        }
        mails.add(email);
        return Future.succeededFuture("<sb-" + java.util.UUID.randomUUID() + "@shop.example.com>");
      }
    };
  }

  @Override
  public io.switchboard.hub.api.spi.MailSender mail() {
    return mailSender;
  }

  RecordingChannelContext(Map<String, Object> settings, Map<String, String> secrets) {
    this.settings = settings;
    this.secrets = secrets;
    server = vertx.createHttpServer().requestHandler(req -> {
      String prefix = "/channels/webchat";
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
      req.body().onSuccess(b -> route.handle(req, b));
    });
    await(server.listen(0, "127.0.0.1"));
  }

  /** Starts an adapter with this context (as the hub would). */
  WebChatAdapter start() {
    adapter = new WebChatAdapter();
    await(adapter.start(this));
    return adapter;
  }

  WebChatAdapter adapterForTest() {
    return adapter;
  }

  int port() {
    return server.actualPort();
  }

  String httpBase() {
    return "http://127.0.0.1:" + port() + "/channels/webchat";
  }

  // ------------------------------------------------------------------ what the hub does

  /** An agent writes in the conversation: stored as the hub would, then handed to the adapter. */
  synchronized Message agentWrites(ConversationId conversation, String text, boolean privateNote) {
    IntakeResult any = byThread.values().stream().filter(r -> r.conversationId().equals(conversation)).findFirst().orElseThrow();
    Message m = new Message(MessageId.random(), conversation, any.interactionId(), Channel.CHAT, null,
        privateNote ? Message.Direction.INTERNAL : Message.Direction.OUTBOUND, null, null, null, null,
        new MessageContent.Text(text), privateNote, privateNote ? Message.Status.RECEIVED : Message.Status.QUEUED, null, Instant.now());
    messages.get(conversation).add(m);
    return m;
  }

  /** The delivery relay hands a stored reply to the adapter. */
  DeliveryResult deliver(Message m, String threadKey) {
    DeliveryResult r = await(adapter.send(new OutboundMessage(m.id(), m.interactionId(), m.conversationId(),
        SenderAddress.handle("webchat", threadKey), threadKey, List.of(), null, m.content())));
    if (r instanceof DeliveryResult.Delivered d) {
      sent.put(d.providerMessageId(), true);
    }
    return r;
  }

  /** The hub records the provider id of a delivered message (what the delivery relay does after send). */
  void markSent(String providerMessageId) {
    sent.put(providerMessageId, true);
  }

  /** Waits (without polling the clock in a loop) until a receipt attempt or update makes {@code condition} true. */
  void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    synchronized (changes) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + what + "; updates " + updates);
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

  synchronized ConversationId conversationOf(String sessionId) {
    return byThread.get(sessionId).conversationId();
  }

  synchronized InteractionId interactionOf(String sessionId) {
    return byThread.get(sessionId).interactionId();
  }

  synchronized List<Message> stored(ConversationId conversation) {
    return List.copyOf(messages.getOrDefault(conversation, List.of()));
  }

  // ------------------------------------------------------------------ ChannelContext

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public InboundSink inbound() {
    return contact -> {
      if (failNextAccepts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return Future.failedFuture(new UnavailableException("the store is down"));
      }
      synchronized (this) {
        IntakeResult prior = byExternalId.get(contact.externalId());
        if (prior != null) {
          return Future.succeededFuture(new IntakeResult(IntakeResult.Outcome.DUPLICATE, prior.interactionId(),
              prior.conversationId(), prior.customerId(), prior.messageId()));
        }
        IntakeResult thread = byThread.get(contact.threadKey());
        MessageId id = MessageId.random();
        IntakeResult r = thread == null
            ? new IntakeResult(IntakeResult.Outcome.CREATED, InteractionId.random(), ConversationId.random(), CustomerId.random(), id)
            : new IntakeResult(IntakeResult.Outcome.APPENDED, thread.interactionId(), thread.conversationId(), thread.customerId(), id);
        byThread.putIfAbsent(contact.threadKey(), r);
        byExternalId.put(contact.externalId(), r);
        contacts.add(contact);
        messages.computeIfAbsent(r.conversationId(), c -> new ArrayList<>()).add(new Message(id, r.conversationId(),
            r.interactionId(), Channel.CHAT, contact.externalId(), Message.Direction.INBOUND, contact.sender().value(),
            contact.senderName(), null, null, contact.content(), false, Message.Status.RECEIVED, null, contact.receivedAt()));
        return Future.succeededFuture(r);
      }
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
        return httpBase();
      }
    };
  }

  @Override
  public DeliverySink deliveries() {
    return (channel, providerMessageId, status, reason) -> {
      boolean known = sent.containsKey(providerMessageId);
      receiptAttempts.add(providerMessageId);
      if (known) {
        updates.add(new Update(channel, providerMessageId, status));
      }
      synchronized (changes) {
        changes.notifyAll();
      }
      return Future.succeededFuture(known);
    };
  }

  @Override
  public ConversationReader conversations() {
    return new ConversationReader() {
      @Override
      public Future<List<Message>> messages(ConversationId conversation, Instant after, int limit) {
        synchronized (RecordingChannelContext.this) {
          return Future.succeededFuture(messages.getOrDefault(conversation, List.of()).stream()
              .filter(m -> !m.privateNote())
              .filter(m -> after == null || m.createdAt().isAfter(after))
              .limit(limit).toList());
        }
      }

      @Override
      public Future<QueuePosition> position(InteractionId interaction) {
        return Future.succeededFuture(positions.get(interaction.toString()));
      }
    };
  }

  @Override
  public void close() {
    if (adapter != null) {
      await(adapter.stop());
    }
    await(vertx.close());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public io.switchboard.hub.api.spi.ChannelBroadcast broadcast() {
    var linked = linkedBroadcast;
    return linked != null ? linked : io.switchboard.hub.api.spi.ChannelContext.super.broadcast();
  }

  /** The hub's surveys as the test sets them (none by default). */
  volatile io.switchboard.hub.api.spi.Surveys surveys = io.switchboard.hub.api.spi.Surveys.NONE;

  @Override
  public io.switchboard.hub.api.spi.Surveys surveys() {
    return surveys;
  }

  @Override
  public io.switchboard.hub.api.spi.InteractionControl interactions() {
    return (interaction, reason) -> io.vertx.core.Future.succeededFuture(false);
  }
}
