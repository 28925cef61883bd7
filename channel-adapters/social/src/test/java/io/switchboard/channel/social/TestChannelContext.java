package io.switchboard.channel.social;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.ChannelHttp;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliverySink;
import io.switchboard.hub.api.spi.InboundSink;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A hub as one adapter sees it: a real HTTP server that routes {@code /channels/<name><path>} to the
 * adapter's handlers with the raw body (as the hub does), an intake that records contacts and dedupes on
 * external id, a delivery sink that records status updates, and a conversation of given messages.
 */
final class TestChannelContext implements ChannelContext {
  record StatusUpdate(String providerMessageId, Message.Status status, String reason) {}

  private final Vertx vertx;
  private final String adapter;
  private final Map<String, Object> settings;
  private final Map<String, String> secrets;
  private final Map<String, ChannelHttp.RequestHandler> routes = new ConcurrentHashMap<>();
  private final HttpServer server;

  final List<InboundContact> stored = new CopyOnWriteArrayList<>();
  final List<StatusUpdate> statuses = new CopyOnWriteArrayList<>();
  final List<Message> conversation = new CopyOnWriteArrayList<>();
  /** What the adapter set aside for supervisors. */
  final List<io.switchboard.hub.api.spi.Quarantine.Item> quarantined = new CopyOnWriteArrayList<>();
  private final Map<String, IntakeResult> seen = new ConcurrentHashMap<>();
  /** External ids the intake fails for as if the database were down (once each). */
  final Set<String> outageFor = ConcurrentHashMap.newKeySet();
  /** External ids the intake refuses with a ValidationException. */
  final Set<String> refuse = ConcurrentHashMap.newKeySet();

  TestChannelContext(Vertx vertx, String adapter, Map<String, Object> settings, Map<String, String> secrets) {
    this.vertx = vertx;
    this.adapter = adapter;
    this.settings = settings;
    this.secrets = secrets;
    this.server = vertx.createHttpServer().requestHandler(req -> {
      String prefix = "/channels/" + adapter;
      ChannelHttp.RequestHandler h = req.path().startsWith(prefix) ? routes.get(req.path().substring(prefix.length())) : null;
      if (h == null) {
        req.response().setStatusCode(404).end();
        return;
      }
      req.body().onSuccess(body -> h.handle(req, body));
    });
    await(server.listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  String webhookUrl() {
    return "http://127.0.0.1:" + port() + "/channels/" + adapter + "/webhook";
  }

  /** Adds an earlier message of the conversation (for the customer-service window). */
  void priorMessage(Message.Direction direction, Instant at) {
    conversation.add(new Message(MessageId.random(), CONVERSATION, null, Channel.SOCIAL, null, direction, null, null, null,
        null, new io.switchboard.hub.api.MessageContent.Text("earlier"), false,
        direction == Message.Direction.INBOUND ? Message.Status.RECEIVED : Message.Status.SENT, null, at));
  }

  static final ConversationId CONVERSATION = ConversationId.random();

  void close() {
    await(server.close());
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public InboundSink inbound() {
    return contact -> {
      if (outageFor.remove(contact.externalId())) {
        return Future.failedFuture(new IllegalStateException("connection to the database lost"));
      }
      if (refuse.contains(contact.externalId())) {
        return Future.failedFuture(new ValidationException("sender.value", "is not a valid address"));
      }
      IntakeResult prior = seen.get(contact.externalId());
      if (prior != null) {
        return Future.succeededFuture(new IntakeResult(IntakeResult.Outcome.DUPLICATE, prior.interactionId(),
            prior.conversationId(), prior.customerId(), prior.messageId()));
      }
      IntakeResult r = new IntakeResult(IntakeResult.Outcome.CREATED, InteractionId.random(), CONVERSATION,
          CustomerId.random(), MessageId.random());
      seen.put(contact.externalId(), r);
      stored.add(contact);
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
        throw new UnsupportedOperationException("social adapters serve no WebSockets");
      }

      @Override
      public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/channels/" + adapter;
      }
    };
  }

  @Override
  public DeliverySink deliveries() {
    return (channel, providerMessageId, status, reason) -> {
      statuses.add(new StatusUpdate(providerMessageId, status, reason));
      return Future.succeededFuture(true);
    };
  }

  @Override
  public ConversationReader conversations() {
    return new ConversationReader() {
      @Override
      public Future<List<Message>> messages(ConversationId id, Instant after, int limit) {
        List<Message> out = new ArrayList<>();
        for (Message m : conversation) {
          if ((after == null || m.createdAt().isAfter(after)) && out.size() < limit) {
            out.add(m);
          }
        }
        out.sort(java.util.Comparator.comparing(Message::createdAt));
        return Future.succeededFuture(out);
      }

      @Override
      public Future<QueuePosition> position(InteractionId interaction) {
        return Future.succeededFuture(null);
      }
    };
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
  }

  @Override
  public io.switchboard.hub.api.spi.Quarantine quarantine() {
    return io.switchboard.hub.api.spi.Quarantine.inMemory(quarantined);
  }

  @Override
  public io.switchboard.hub.api.spi.InteractionControl interactions() {
    return (interaction, reason) -> io.vertx.core.Future.succeededFuture(false);
  }
}
