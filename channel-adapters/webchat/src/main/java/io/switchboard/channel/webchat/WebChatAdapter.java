package io.switchboard.channel.webchat;

import io.switchboard.channel.webchat.Frames.ErrorCode;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.Surveys;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web chat channel: an embeddable widget ({@code <hub>/channels/webchat/widget.js}) and the customer
 * WebSocket it talks to ({@code /channels/webchat/socket}, protocol in docs/webchat.md).
 *
 * <p>Inbound: each chat line becomes an {@link InboundContact} on channel {@link Channel#CHAT} with external
 * id {@code <sessionId>:<clientId>} (a line re-sent after a reconnect is a duplicate, not a second message),
 * the session id as thread key, the pre-chat answers as metadata ({@code topic}, {@code prechat.name},
 * {@code prechat.email}, {@code page}, {@code language}), and the email as sender when one was given (so the
 * chat joins a known customer), else the handle {@code webchat:<sessionId>}.
 *
 * <p>Outbound: {@link #send} pushes an agent's reply to the session's open sockets on this node and
 * reports it taken ({@code wc-<messageId>}); a customer who is offline, or connected to another hub node,
 * gets it when their widget resumes (the conversation is read back from the hub). The widget's receipts
 * become {@code delivered} and {@code read} statuses.
 *
 * <p>Sessions live in this node's memory; their resume tokens are signed, so any node with the same
 * {@code SWITCHBOARD_WEBCHAT_SESSION_KEY} takes a session up again. Without that secret each node signs with
 * a random key of its own, and a restart ends every session's chance to resume.
 *
 * <p>Threading: handlers run on the hub's event loops; the only blocking work (sending transcripts) is done by the
 * hub's mail sender off the event loop. State shared between event loops is in concurrent maps and {@link ChatSession}.
 *
 * <p>Size (over 400 lines, #15): the adapter owns this node's sessions, and everything here reads or changes them on
 * their way through the hub (start, a line in, a reply out, catching up after a resume, typing, the end with
 * transcript and survey, the sweep of idle sessions); one socket's protocol is {@link CustomerSocket}, settings are
 * {@link WebChatSettings}, transcripts {@link TranscriptMailer}. Moving the session table behind a class of its own
 * is the next split when voice or email need nothing from it.
 */
public final class WebChatAdapter implements ChannelAdapter {
  private static final Logger log = LoggerFactory.getLogger(WebChatAdapter.class);

  /** The adapter's name: its URL prefix {@code /channels/webchat} and its switchboard.yaml section. */
  public static final String NAME = "webchat";
  /** The prefix of provider message ids this adapter reports ({@code wc-<hub message id>}). */
  public static final String PROVIDER_ID_PREFIX = "wc-";
  /**
   * Event bus address the adapter listens on for an agent's typing ({@code {"interactionId": ..., "on": true}}) from
   * whichever hub node the agent's console is connected to; pushed to the customer as a {@code typing} frame.
   */
  public static final String AGENT_TYPING_ADDRESS =
      io.switchboard.hub.api.event.HubEvents.everyNode(io.switchboard.hub.api.event.HubEvents.AGENT_TYPING);
  /**
   * Event bus address the adapter listens on for an agent ending a chat ({@code {"interactionId", "agentId",
   * "channel", "reason"}}) from any hub node: the customer's tabs get the {@code ended} frame and the survey.
   */
  public static final String AGENT_ENDED_ADDRESS =
      io.switchboard.hub.api.event.HubEvents.everyNode(io.switchboard.hub.api.event.HubEvents.AGENT_ENDED);
  /**
   * Event bus address the adapter publishes a customer's typing on
   * ({@code {"interactionId", "conversationId", "sessionId", "on"}}), for the agent console.
   */
  public static final String CUSTOMER_TYPING_ADDRESS = io.switchboard.hub.api.event.HubEvents.CUSTOMER_TYPING;

  /** Broadcast topic of replies for a chat whose socket may be on another node. */
  static final String REPLY_TOPIC = "reply";

  private static final String WIDGET_RESOURCE = "io/switchboard/channel/webchat/widget.js";
  private static final Duration PENDING_GRACE = Duration.ofSeconds(30);
  private static final int REPLAY_PAGE = 500;
  private static final int REPLAY_MAX = 5000;
  /** How long the sockets of an ended chat stay open for the customer's rating. */
  static final Duration SURVEY_WAIT = Duration.ofMinutes(10);
  private static final long[] RECEIPT_RETRY_MS = {200, 500, 1000, 2000, 4000, 8000};

  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Map<String, ChatSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, String> sessionByInteraction = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> connectionsByAddress = new ConcurrentHashMap<>();
  private final Map<String, SlidingWindow> startsByAddress = new ConcurrentHashMap<>();
  private final Set<CustomerSocket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<String> polling = ConcurrentHashMap.newKeySet();
  private ChannelContext context;
  private WebChatSettings settings;
  private ResumeTokens tokens;
  private TranscriptMailer mailer;
  private Buffer widget;
  private String widgetEtag;
  private String ownOrigin;
  private long queueTimer = -1;
  private long sweepTimer = -1;
  private MessageConsumer<JsonObject> agentTyping;
  private MessageConsumer<JsonObject> agentEnded;
  private io.switchboard.hub.api.spi.ChannelBroadcast.Subscription replies;
  /** Tells this instance's broadcasts from those of the adapter on other nodes. */
  private final String instanceId = java.util.UUID.randomUUID().toString();

  /** The adapter as {@link java.util.ServiceLoader} creates it. */
  public WebChatAdapter() {
    this(Clock.systemUTC());
  }

  WebChatAdapter(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Channel channel() {
    return Channel.CHAT;
  }

  @Override
  public Kind kind() {
    return Kind.MESSAGE;
  }

  @Override
  public Future<Void> start(ChannelContext context) {
    this.context = context;
    try {
      settings = WebChatSettings.parse(context.settings());
      widget = widgetScript();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Future.failedFuture(e);
    }
    widgetEtag = "\"" + HexFormat.of().formatHex(sha256(widget.getBytes()), 0, 12) + "\"";
    String key = context.secret("SESSION_KEY");
    byte[] keyBytes;
    if (key == null) {
      keyBytes = new byte[32];
      random.nextBytes(keyBytes);
      log.atInfo().log("web chat: no SWITCHBOARD_WEBCHAT_SESSION_KEY; chats resume only on this node until it restarts");
    } else if (key.length() < 32) {
      return Future.failedFuture(new IllegalArgumentException(
          "the secret SWITCHBOARD_WEBCHAT_SESSION_KEY must have at least 32 characters"));
    } else {
      keyBytes = key.getBytes(StandardCharsets.UTF_8);
    }
    tokens = new ResumeTokens(keyBytes, clock, settings.sessionTtl());
    if (settings.transcripts()) {
      mailer = new TranscriptMailer(context.mail(), settings.transcriptMailbox(), settings.transcriptSubject());
    }
    context.http().route("/widget.js", this::serveWidget);
    context.http().webSocket("/socket", this::accept);
    var vertx = context.vertx();
    queueTimer = vertx.setPeriodic(settings.queueUpdateInterval().toMillis(), id -> pollAll());
    sweepTimer = vertx.setPeriodic(60_000, id -> sweep());
    agentTyping = vertx.eventBus().consumer(AGENT_TYPING_ADDRESS, m -> agentTyping(m.body()));
    agentEnded = vertx.eventBus().consumer(AGENT_ENDED_ADDRESS, m -> agentEnded(m.body()));
    log.atInfo().addKeyValue("widget", "/channels/" + NAME + "/widget.js")
        .addKeyValue("transcripts", mailer == null ? "off" : "through the hub's mail sender").addKeyValue("allowedOrigins", settings.allowedOrigins().isEmpty() ? "any" : settings.allowedOrigins())
        .log("web chat ready");
    return agentTyping.completion().compose(x -> agentEnded.completion())
        .compose(x -> context.broadcast().subscribe(REPLY_TOPIC, this::replyFromAnotherNode))
        .onSuccess(s -> replies = s)
        .mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    if (context == null) {
      return Future.succeededFuture();
    }
    context.vertx().cancelTimer(queueTimer);
    context.vertx().cancelTimer(sweepTimer);
    for (CustomerSocket s : sockets) {
      s.close(CustomerSocket.CLOSE_GOING_AWAY, "server stopping; reconnect to resume");
    }
    Future<Void> typing = agentTyping == null ? Future.succeededFuture() : agentTyping.unregister();
    Future<Void> ends = agentEnded == null ? Future.succeededFuture() : agentEnded.unregister();
    Future<Void> replyFeed = replies == null ? Future.succeededFuture() : replies.cancel();
    return Future.all(typing, ends, replyFeed).mapEmpty();
  }

  /**
   * Pushes an agent's reply to the customer's open sockets: those on this node at once, those on other hub
   * nodes through the adapter's {@link ChannelContext#broadcast() broadcast} (topic {@value #REPLY_TOPIC}).
   * Always reports the message taken when it is text: a customer who is connected nowhere gets it on resume,
   * as does one whose node missed the broadcast.
   */
  @Override
  public Future<DeliveryResult> send(OutboundMessage message) {
    if (!(message.content() instanceof MessageContent.Text text)) {
      return Future.succeededFuture(new DeliveryResult.Failed(
          "web chat carries text only; cannot send " + message.content().summary(), false));
    }
    if (message.threadKey() == null || message.threadKey().isBlank()) {
      return Future.succeededFuture(new DeliveryResult.Failed("the conversation has no chat session to answer in", false));
    }
    String id = message.messageId().toString();
    Instant at = clock.instant();
    pushReply(message.threadKey(), id, text.body(), at, message.senderName());
    context.broadcast().publish(REPLY_TOPIC, new JsonObject().put("from", instanceId).put("sessionId", message.threadKey())
        .put("messageId", id).put("text", text.body()).put("at", at.toString()).put("name", message.senderName()));
    return Future.succeededFuture(new DeliveryResult.Delivered(PROVIDER_ID_PREFIX + id));
  }

  /** A reply another node's instance sent: pushed if this node holds sockets of that chat. */
  private void replyFromAnotherNode(JsonObject e) {
    if (instanceId.equals(e.getString("from")) || !(e.getValue("sessionId") instanceof String sessionId)
        || !(e.getValue("messageId") instanceof String id) || !(e.getValue("text") instanceof String text)) {
      return;
    }
    Instant at;
    try {
      at = Instant.parse(e.getString("at"));
    } catch (RuntimeException ex) {
      at = clock.instant();
    }
    pushReply(sessionId, id, text, at, e.getValue("name") instanceof String name ? name : null);
  }

  private void pushReply(String sessionId, String id, String text, Instant at, String agentName) {
    ChatSession s = sessions.get(sessionId);
    if (s == null) {
      return;
    }
    s.shown(id);
    List<String> answered = s.agentAnswered();
    JsonObject frame = Frames.agentName(Frames.message(id, "agent", text, at, null), agentName);
    for (CustomerSocket socket : s.sockets()) {
      socket.deliver(id, frame);
      if (!answered.isEmpty()) {
        socket.push(Frames.statuses(answered, "read"));
      }
    }
  }

  // ------------------------------------------------------------------ HTTP

  private void serveWidget(HttpServerRequest request, Buffer body) {
    var response = request.response();
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      response.setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
      return;
    }
    response.putHeader("Cache-Control", "public, max-age=300")
        .putHeader("ETag", widgetEtag)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Cross-Origin-Resource-Policy", "cross-origin")
        .putHeader("Access-Control-Allow-Origin", "*");
    if (widgetEtag.equals(request.getHeader("If-None-Match"))) {
      response.setStatusCode(304).end();
      return;
    }
    response.putHeader("Content-Type", "text/javascript; charset=utf-8");
    if (request.method() == HttpMethod.HEAD) {
      response.putHeader("Content-Length", String.valueOf(widget.length())).end();
    } else {
      response.end(widget);
    }
  }

  private void accept(ServerWebSocket ws) {
    String origin = ws.headers().get("Origin");
    if (!settings.originAllowed(origin, ownOrigin())) {
      log.atInfo().addKeyValue("origin", origin).log("chat socket refused: origin not allowed");
      ws.close(CustomerSocket.CLOSE_POLICY, "origin not allowed");
      return;
    }
    String address = clientAddress(ws);
    AtomicInteger open = connectionsByAddress.computeIfAbsent(address, a -> new AtomicInteger());
    if (open.incrementAndGet() > settings.limits().connectionsPerAddress()) {
      release(address, open);
      log.atInfo().addKeyValue("address", address).log("chat socket refused: too many connections from one address");
      ws.close(CustomerSocket.CLOSE_TRY_LATER, "too many connections from your address");
      return;
    }
    CustomerSocket socket = new CustomerSocket(this, ws, address, language(ws.headers().get("Accept-Language")));
    sockets.add(socket);
    ws.closeHandler(v -> {
      sockets.remove(socket);
      release(address, open);
      socket.closed();
    });
    socket.open();
  }

  /** The hub's own origin (its pages may always open the socket); read late: the hub may not know its port at start. */
  private String ownOrigin() {
    if (ownOrigin == null) {
      try {
        ownOrigin = originOf(context.http().baseUrl());
      } catch (RuntimeException e) {
        return null;
      }
    }
    return ownOrigin;
  }

  private void release(String address, AtomicInteger open) {
    if (open.decrementAndGet() <= 0) {
      connectionsByAddress.remove(address, open);
    }
  }

  // ------------------------------------------------------------------ for the sockets

  ChannelContext context() {
    return context;
  }

  WebChatSettings settings() {
    return settings;
  }

  ResumeTokens tokens() {
    return tokens;
  }

  boolean transcriptsAvailable() {
    return mailer != null && mailer.readiness().canSend();
  }

  String token(ChatSession s) {
    return tokens.issue(s.facts());
  }

  boolean startAllowed(String address) {
    return startsByAddress.computeIfAbsent(address, a -> new SlidingWindow(
        settings.limits().sessionStartsPerAddress(), settings.limits().sessionStartWindow())).tryAcquire();
  }

  long startRetryAfterSeconds(String address) {
    SlidingWindow w = startsByAddress.get(address);
    return w == null ? 1 : w.retryAfterSeconds();
  }

  ChatSession newSession(String name, String email, String topic, String language, String page) {
    byte[] bytes = new byte[18];
    random.nextBytes(bytes);
    String id = "wc_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    ChatSession s = new ChatSession(new SessionFacts(id, name, email, topic, language, page, null, null), clock.instant());
    sessions.put(id, s);
    return s;
  }

  /** The session a valid token names: this node's, or taken up from the token's facts (another node's). */
  ChatSession sessionFor(SessionFacts facts) {
    ChatSession s = sessions.computeIfAbsent(facts.sessionId(), id -> new ChatSession(facts, clock.instant()));
    if (s.facts().conversationId() == null && facts.conversationId() != null) {
      s.stored(facts.conversationId(), facts.interactionId(), false, clock.instant());
    }
    indexInteraction(s);
    return s;
  }

  void indexInteraction(ChatSession s) {
    String interaction = s.facts().interactionId();
    if (interaction != null) {
      sessionByInteraction.put(interaction, s.id());
    }
  }

  /** The contact a chat line becomes. */
  InboundContact contact(ChatSession s, String clientId, String text, Instant at) {
    SessionFacts f = s.facts();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("topic", f.topic());
    if (f.name() != null) {
      metadata.put("prechat.name", f.name());
    }
    if (f.email() != null) {
      metadata.put("prechat.email", f.email());
    }
    if (f.page() != null) {
      metadata.put("page", f.page());
    }
    if (f.language() != null) {
      metadata.put("language", f.language());
    }
    SenderAddress sender = f.email() != null ? SenderAddress.email(f.email()) : SenderAddress.handle(NAME, s.id());
    return new InboundContact(Channel.CHAT, s.id() + ":" + clientId, sender, f.name(), s.id(), List.of(), null,
        new MessageContent.Text(text), metadata, at);
  }

  /**
   * The customer-visible messages after the one the client saw last (by id; by time when the id is not
   * found), oldest first.
   */
  Future<List<Message>> missed(ChatSession s, String lastSeenId, Instant lastSeenAt) {
    String conversation = s.facts().conversationId();
    if (conversation == null) {
      return Future.succeededFuture(List.of());
    }
    ConversationId id = ConversationId.parse(conversation);
    // Start a little before the time the client gives: its clock and ours need not agree.
    Instant from = lastSeenId != null && lastSeenAt != null ? lastSeenAt.minus(Duration.ofMinutes(10)) : lastSeenAt;
    return readAll(id, from, new ArrayList<>()).compose(found -> {
      if (lastSeenId == null) {
        return Future.succeededFuture(found);
      }
      for (int i = 0; i < found.size(); i++) {
        if (found.get(i).id().toString().equals(lastSeenId)) {
          return Future.succeededFuture(List.copyOf(found.subList(i + 1, found.size())));
        }
      }
      if (from == null) {
        return Future.succeededFuture(found);
      }
      // The id is not in the window: read from the start (the client drops what it has by message id).
      return readAll(id, null, new ArrayList<>()).map(all -> {
        for (int i = 0; i < all.size(); i++) {
          if (all.get(i).id().toString().equals(lastSeenId)) {
            return List.copyOf(all.subList(i + 1, all.size()));
          }
        }
        return all.stream().filter(m -> m.createdAt() == null || m.createdAt().isAfter(lastSeenAt)).toList();
      });
    });
  }

  private Future<List<Message>> readAll(ConversationId id, Instant after, List<Message> into) {
    return context.conversations().messages(id, after, REPLAY_PAGE).compose(page -> {
      into.addAll(page);
      if (page.size() < REPLAY_PAGE || into.size() >= REPLAY_MAX || page.get(page.size() - 1).createdAt() == null) {
        return Future.succeededFuture(into);
      }
      return readAll(id, page.get(page.size() - 1).createdAt(), into);
    });
  }

  /** Reports a receipt of an agent message; retried a little while the hub has not recorded the send yet. */
  void report(String messageId, Message.Status status) {
    report(messageId, status, 0);
  }

  private void report(String messageId, Message.Status status, int attempt) {
    context.deliveries().update(Channel.CHAT, PROVIDER_ID_PREFIX + messageId, status, null).onComplete(ar -> {
      // The customer's receipt can beat the hub's own record of the send: try again shortly.
      if ((ar.failed() || !ar.result()) && attempt < RECEIPT_RETRY_MS.length) {
        context.vertx().setTimer(RECEIPT_RETRY_MS[attempt], t -> report(messageId, status, attempt + 1));
      } else if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("messageId", messageId).log("chat receipt could not be recorded");
      }
    });
  }

  void customerTyping(ChatSession s, boolean on) {
    SessionFacts f = s.facts();
    if (f.interactionId() == null) {
      return;
    }
    context.vertx().eventBus().publish(CUSTOMER_TYPING_ADDRESS, new JsonObject().put("interactionId", f.interactionId())
        .put("conversationId", f.conversationId()).put("sessionId", s.id()).put("on", on));
  }

  private void agentTyping(JsonObject event) {
    if (event == null || !(event.getValue("interactionId") instanceof String interaction)) {
      return;
    }
    String sessionId = sessionByInteraction.get(interaction);
    ChatSession s = sessionId == null ? null : sessions.get(sessionId);
    if (s != null) {
      JsonObject frame = Frames.typing("agent", Boolean.TRUE.equals(event.getValue("on")));
      s.sockets().forEach(socket -> socket.push(frame));
    }
  }

  /** Ends a session: the transcript first when asked for, then every tab is told and closed. */
  void end(ChatSession s, CustomerSocket asking, boolean transcript) {
    if (!s.end()) {
      return;
    }
    String interaction = s.facts().interactionId();
    if (interaction != null) {
      // A chat still waiting for an agent is abandoned; one being answered stays with its agent.
      context.interactions().customerLeft(InteractionId.parse(interaction), "customer ended the chat")
          .onFailure(e -> log.atWarn().setCause(e).addKeyValue("interactionId", interaction).log("could not tell the hub the customer left"));
    }
    Future<String> mail = transcript ? transcript(s) : Future.succeededFuture("not-requested");
    mail.recover(e -> {
      if (e instanceof TranscriptUnavailable u) {
        asking.push(Frames.error(ErrorCode.TRANSCRIPT_UNAVAILABLE, u.getMessage()));
        return Future.succeededFuture("unavailable");
      }
      log.atWarn().setCause(e).addKeyValue("sessionId", s.id()).addKeyValue("conversationId", s.facts().conversationId())
          .log("chat transcript could not be sent");
      asking.push(Frames.error(ErrorCode.TRANSCRIPT_FAILED, "the transcript could not be sent"));
      return Future.succeededFuture("failed");
    }).compose(result -> survey(interaction).map(invitation -> {
      log.atInfo().addKeyValue("sessionId", s.id()).addKeyValue("conversationId", s.facts().conversationId())
          .addKeyValue("transcript", result).addKeyValue("survey", invitation != null).log("chat ended by the customer");
      tellEnded(s, result, "customer", invitation);
      return null;
    }));
  }

  /**
   * The agent ended the chat (or wrapped it up straight away), told from whichever node the agent works on: the
   * customer's tabs connected to this node get the {@code ended} frame, with the survey when the queue asks for one.
   * A chat whose customer is not connected is left as it is (a later resume continues it); one ended already (the
   * customer ended it first, or the event came twice) is not told again, so there is one survey per interaction.
   */
  private void agentEnded(JsonObject event) {
    if (event == null || !(event.getValue("interactionId") instanceof String interaction)) {
      return;
    }
    String sessionId = sessionByInteraction.get(interaction);
    ChatSession s = sessionId == null ? null : sessions.get(sessionId);
    if (s == null || s.sockets().isEmpty() || !interaction.equals(s.facts().interactionId()) || !s.end()) {
      return;
    }
    survey(interaction).onSuccess(invitation -> {
      log.atInfo().addKeyValue("sessionId", s.id()).addKeyValue("interactionId", interaction)
          .addKeyValue("survey", invitation != null).log("chat ended by the agent");
      tellEnded(s, "not-requested", "agent", invitation);
    });
  }

  /**
   * Tells every tab of an ended session: without a survey the sockets close at once; with one they stay open for the
   * answer (a {@code rate} frame), at most {@link #SURVEY_WAIT}.
   */
  private void tellEnded(ChatSession s, String transcript, String by, Surveys.Invitation invitation) {
    if (invitation == null) {
      JsonObject ended = Frames.ended(transcript, by);
      for (CustomerSocket socket : s.sockets()) {
        socket.push(ended);
        socket.close(CustomerSocket.CLOSE_NORMAL, "chat ended");
      }
      return;
    }
    s.survey(invitation);
    JsonObject ended = Frames.ended(transcript, by, invitation);
    s.sockets().forEach(socket -> socket.push(ended));
    context.vertx().setTimer(SURVEY_WAIT.toMillis(), t -> closeAfterSurvey(s, "chat ended"));
  }

  /** The survey of an ended chat's interaction, or null when its queue asks none (or the hub cannot say now). */
  private Future<Surveys.Invitation> survey(String interaction) {
    if (interaction == null) {
      return Future.succeededFuture(null);
    }
    return context.surveys().invite(InteractionId.parse(interaction), "widget")
        .map(o -> o.orElse(null))
        .otherwise(e -> {
          log.atWarn().setCause(e).addKeyValue("interactionId", interaction).log("no satisfaction survey: the hub did not answer");
          return null;
        });
  }

  /** A customer's rating of an ended chat: stored by the hub, then every tab is thanked and closed. */
  void rate(ChatSession s, CustomerSocket asking, int rating, String comment) {
    Surveys.Invitation invitation = s.survey();
    context.surveys().answer(invitation.interactionId(), rating, comment).onComplete(ar -> {
      if (ar.succeeded()) {
        log.atInfo().addKeyValue("sessionId", s.id()).addKeyValue("interactionId", invitation.interactionId())
            .addKeyValue("rating", rating).log("chat rated by the customer");
        JsonObject rated = Frames.rated(rating);
        s.sockets().forEach(socket -> socket.push(rated));
        closeAfterSurvey(s, "chat rated");
        return;
      }
      Throwable e = ar.cause();
      JsonObject err = switch (e) {
        case io.switchboard.hub.api.error.ValidationException v -> Frames.error(ErrorCode.INVALID_FIELD,
            v.errors().isEmpty() ? v.getMessage() : v.errors().get(0).message())
            .put("field", v.errors().isEmpty() ? null : v.errors().get(0).field());
        case io.switchboard.hub.api.error.ConflictException c -> Frames.error(ErrorCode.ALREADY_RATED, c.getMessage());
        case io.switchboard.hub.api.error.NotFoundException n -> Frames.error(ErrorCode.NO_SURVEY, n.getMessage());
        default -> {
          log.atWarn().setCause(e).addKeyValue("interactionId", invitation.interactionId()).log("chat rating could not be stored");
          yield Frames.error(ErrorCode.UNAVAILABLE, "the rating could not be stored; send it again");
        }
      };
      asking.push(err);
    });
  }

  private void closeAfterSurvey(ChatSession s, String reason) {
    s.survey(null);
    for (CustomerSocket socket : s.sockets()) {
      socket.close(CustomerSocket.CLOSE_NORMAL, reason);
    }
  }

  private Future<String> transcript(ChatSession s) {
    SessionFacts f = s.facts();
    if (mailer == null) {
      return Future.failedFuture(new TranscriptUnavailable("transcripts by email are not set up on this server"));
    }
    if (!mailer.readiness().canSend()) {
      return Future.failedFuture(new TranscriptUnavailable("transcripts by email cannot be sent now: " + mailer.readiness().reason()));
    }
    if (f.email() == null) {
      return Future.failedFuture(new TranscriptUnavailable("no email address was given for this chat"));
    }
    if (f.conversationId() == null) {
      return Future.failedFuture(new TranscriptUnavailable("there is nothing to send yet"));
    }
    var topic = settings.topic(f.topic());
    return readAll(ConversationId.parse(f.conversationId()), null, new ArrayList<>())
        .compose(messages -> mailer.send(f.email(), f.name(), topic == null ? null : topic.label(), messages))
        .map("sent");
  }

  /** Asks for the session's place in the queue after {@code delayMs}. */
  void pollSoon(ChatSession s, long delayMs) {
    if (delayMs <= 0) {
      poll(s);
    } else {
      context.vertx().setTimer(delayMs, t -> poll(s));
    }
  }

  private void pollAll() {
    for (ChatSession s : sessions.values()) {
      ChatSession.QueueState q = s.queueState();
      if (q != ChatSession.QueueState.NONE && q != ChatSession.QueueState.ANSWERED && !s.sockets().isEmpty()) {
        poll(s);
      }
    }
  }

  private void poll(ChatSession s) {
    String interaction = s.facts().interactionId();
    if (interaction == null || s.ended() || s.sockets().isEmpty() || !polling.add(s.id())) {
      return;
    }
    context.conversations().position(InteractionId.parse(interaction)).onComplete(ar -> {
      polling.remove(s.id());
      if (ar.failed()) {
        log.atDebug().setCause(ar.cause()).addKeyValue("interactionId", interaction).log("queue position unavailable");
        return;
      }
      ConversationReader.QueuePosition p = ar.result();
      ChatSession.WaitingPlace place = p == null ? null : new ChatSession.WaitingPlace(p.queue(), p.position(), p.waiting(),
          p.estimatedWait() == null ? null : Math.max(1, p.estimatedWait().toSeconds()));
      JsonObject frame = s.queueFrame(place, clock.instant(), PENDING_GRACE);
      if (frame != null) {
        s.sockets().forEach(socket -> socket.push(frame));
      }
    });
  }

  /** Forgets sessions that nobody resumed within their time to live, and idle per-address counters. */
  private void sweep() {
    Instant cutoff = clock.instant().minus(settings.sessionTtl());
    sessions.values().removeIf(s -> {
      boolean gone = s.sockets().isEmpty() && s.lastActivity().isBefore(cutoff);
      if (gone && s.facts().interactionId() != null) {
        sessionByInteraction.remove(s.facts().interactionId(), s.id());
      }
      return gone;
    });
    startsByAddress.values().removeIf(SlidingWindow::isEmpty);
  }

  // ------------------------------------------------------------------ helpers

  private String clientAddress(ServerWebSocket ws) {
    if (settings.trustForwardedFor()) {
      String forwarded = ws.headers().get("X-Forwarded-For");
      if (forwarded != null) {
        String[] hops = forwarded.split(",");
        String last = hops[hops.length - 1].strip();
        if (!last.isEmpty()) {
          return last;
        }
      }
    }
    var remote = ws.remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }

  /** The primary language subtag of the first Accept-Language entry ("de" for "de-CH,de;q=0.9"), or null. */
  static String language(String acceptLanguage) {
    if (acceptLanguage == null || acceptLanguage.isBlank()) {
      return null;
    }
    String first = acceptLanguage.split(",")[0].split(";")[0].strip();
    String primary = first.split("[-_]")[0].toLowerCase(Locale.ROOT);
    return primary.matches("[a-z]{2,3}") ? primary : null;
  }

  private static String originOf(String url) {
    try {
      URI u = URI.create(url);
      return (u.getScheme() + "://" + u.getRawAuthority()).toLowerCase(Locale.ROOT);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Buffer widgetScript() {
    try (InputStream in = WebChatAdapter.class.getClassLoader().getResourceAsStream(WIDGET_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the widget script " + WIDGET_RESOURCE + " is missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the widget script: " + e.getMessage(), e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A transcript was asked for that cannot be sent (no SMTP, no email, nothing written). */
  private static final class TranscriptUnavailable extends RuntimeException {
    TranscriptUnavailable(String message) {
      super(message, null, false, false);
    }
  }
}
