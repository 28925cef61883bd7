package io.switchboard.channel.webchat;

import io.switchboard.channel.webchat.Frames.ErrorCode;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One customer WebSocket: reads the client's frames, enforces the per-connection limits, and writes the
 * server's frames. A client error gets an {@code error} frame and the connection stays usable; only
 * sustained abuse (too many refused frames within the window) closes it, with 1009 (too big) or 1008.
 *
 * <p>Threading: everything runs on the socket's own Vert.x context. Pushes from elsewhere (an agent's reply
 * from the delivery relay, a queue update, another tab of the session) hop onto it, so a replay after
 * {@code resume} never interleaves with them and no lock is held across sockets.
 *
 * <p>Size (over 400 lines, #15): one protocol state machine (start or resume, messages, receipts, typing, end,
 * rating, ping) whose every frame checks the same per-connection state and limits on the socket's own context; its frames
 * and tokens already live in {@link Frames}, {@link ResumeTokens} and {@link SlidingWindow}. Splitting the commands
 * from the state they guard would spread one ordering rule over several classes.
 */
final class CustomerSocket {
  private static final Logger log = LoggerFactory.getLogger(CustomerSocket.class);
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s<>\"(),;:]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\\.)*[A-Za-z0-9-]{1,63}");
  private static final List<String> TYPES = List.of("start", "resume", "message", "typing", "received", "read", "end", "rate", "ping");
  private static final int MAX_RECEIPTS_PER_FRAME = 100;
  private static final int MAX_REMEMBERED = 2000;

  static final short CLOSE_NORMAL = 1000;
  static final short CLOSE_GOING_AWAY = 1001;
  static final short CLOSE_POLICY = 1008;
  static final short CLOSE_TOO_BIG = 1009;
  static final short CLOSE_TRY_LATER = 1013;

  private final WebChatAdapter chat;
  private final ServerWebSocket ws;
  private final Context context;
  private final String address;
  private final String language;
  private final WebChatSettings.Limits limits;
  private final SlidingWindow frames;
  private final SlidingWindow messages;
  private final SlidingWindow strikes;
  private volatile ChatSession session;
  private Future<Void> intake = Future.succeededFuture();
  private boolean replaying;
  private final List<Map.Entry<String, JsonObject>> held = new ArrayList<>();
  private final LinkedHashSet<String> sent = new LinkedHashSet<>();
  private boolean closed;

  CustomerSocket(WebChatAdapter chat, ServerWebSocket ws, String address, String language) {
    this.chat = chat;
    this.ws = ws;
    Context current = io.vertx.core.Vertx.currentContext();
    this.context = current != null ? current : chat.context().vertx().getOrCreateContext();
    this.address = address;
    this.language = language;
    this.limits = chat.settings().limits();
    this.frames = new SlidingWindow(limits.framesPerWindow(), limits.window());
    this.messages = new SlidingWindow(limits.messagesPerWindow(), limits.window());
    this.strikes = new SlidingWindow(limits.strikesBeforeClose(), limits.window());
  }

  /** Wires the socket's handlers and greets the client. */
  void open() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(this::onBinary);
    ws.exceptionHandler(this::onError);
    String v = queryParam(ws.query(), "v");
    if (v != null && !v.equals(String.valueOf(Frames.PROTOCOL))) {
      write(Frames.error(ErrorCode.UNSUPPORTED_VERSION, "this server speaks protocol version " + Frames.PROTOCOL + ", not " + v));
      closeNow(CLOSE_POLICY, "unsupported protocol version");
      return;
    }
    write(Frames.hello(chat.settings(), chat.transcriptsAvailable()));
  }

  String address() {
    return address;
  }

  ChatSession session() {
    return session;
  }

  // ------------------------------------------------------------------ frames in

  /** Vert.x's words when a message passes the WebSocket message limit; it then drops the message and goes on. */
  private static final java.util.regex.Pattern OVER_LIMIT =
      java.util.regex.Pattern.compile("Cannot process (text|binary) frame .* overflow max[^0-9]*(\\d+)");

  /** Netty's words when one frame passes the server's frame limit; the connection is dropped right after. */
  private static final java.util.regex.Pattern FRAME_OVER_LIMIT =
      java.util.regex.Pattern.compile("Max frame length of (\\d+) has been exceeded");

  /**
   * A socket error. A message over the server's WebSocket message limit (256 KiB) is dropped by Vert.x, which only
   * reports it here: the client is told ({@code frame-too-large}) and the socket closed with 1009, since a client
   * that sends such messages is broken or hostile and a silent drop would leave it waiting for an answer.
   */
  private void onError(Throwable e) {
    String text = String.valueOf(e.getMessage());
    java.util.regex.Matcher m = OVER_LIMIT.matcher(text);
    java.util.regex.Matcher frame = FRAME_OVER_LIMIT.matcher(text);
    String limit = m.find() ? m.group(2) : frame.find() ? frame.group(1) : null;
    if (limit != null && !closed) {
      log.atWarn().addKeyValue("address", address).addKeyValue("sessionId", session == null ? null : session.id())
          .log("chat socket closed: a message over the WebSocket limit of " + limit + " bytes");
      write(Frames.error(ErrorCode.FRAME_TOO_LARGE, "a message may have at most " + limit
          + " bytes (the hub's WebSocket limit); the connection is closed"));
      strikes.tryAcquire();
      closeNow(CLOSE_TOO_BIG, "message over the WebSocket limit");
      return;
    }
    log.atDebug().addKeyValue("address", address).log("chat socket error: " + e.getMessage());
  }

  private void onBinary(Buffer data) {
    if (closed) {
      return;
    }
    if (!frames.tryAcquire()) {
      strike(ErrorCode.RATE_LIMITED, "too many frames; wait " + frames.retryAfterSeconds() + " s", null);
      return;
    }
    write(Frames.error(ErrorCode.BINARY_NOT_SUPPORTED, "frames are JSON text; binary frames are not supported"));
  }

  void onText(String text) {
    if (closed) {
      return;
    }
    int bytes = text.length() * 3 <= limits.maxFrameBytes() ? text.length() : text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limits.maxFrameBytes()) {
      strike(ErrorCode.FRAME_TOO_LARGE, "a frame may have at most " + limits.maxFrameBytes() + " bytes; this one had " + bytes, null);
      return;
    }
    if (!frames.tryAcquire()) {
      strike(ErrorCode.RATE_LIMITED, "too many frames; wait " + frames.retryAfterSeconds() + " s",
          new JsonObject().put("retryAfterSeconds", frames.retryAfterSeconds()));
      return;
    }
    JsonObject f;
    try {
      Object parsed = Json.decodeValue(text);
      if (!(parsed instanceof JsonObject o)) {
        write(Frames.error(ErrorCode.MALFORMED_JSON, "a frame must be a JSON object"));
        return;
      }
      f = o;
    } catch (DecodeException e) {
      write(Frames.error(ErrorCode.MALFORMED_JSON, "the frame is not valid JSON"));
      return;
    }
    try {
      Object type = f.getValue("type");
      if (type == null) {
        throw new FrameError(ErrorCode.MISSING_FIELD, "type", "every frame needs a 'type'");
      }
      if (!(type instanceof String t)) {
        throw new FrameError(ErrorCode.INVALID_FIELD, "type", "'type' must be a string");
      }
      switch (t) {
        case "start" -> start(f);
        case "resume" -> resume(f);
        case "message" -> message(f);
        case "typing" -> typing(f);
        case "received" -> received(f);
        case "read" -> read(f);
        case "end" -> end(f);
        case "rate" -> rate(f);
        case "ping" -> write(Frames.pong());
        default -> throw new FrameError(ErrorCode.UNKNOWN_TYPE, "type", "unknown frame type '" + abbreviate(t) + "' (known: " + String.join(", ", TYPES) + ")");
      }
    } catch (FrameError e) {
      JsonObject err = Frames.error(e.code, e.getMessage());
      if (e.field != null) {
        err.put("field", e.field);
      }
      if (f.getValue("clientId") instanceof String clientId && clientId.length() <= 64) {
        err.put("clientId", clientId);
      }
      write(err);
    }
  }

  private void start(JsonObject f) {
    if (session != null) {
      throw new FrameError(ErrorCode.ALREADY_STARTED, null, "this connection already has a chat session");
    }
    version(f);
    String name = text(f, "name", 200, true);
    String email = text(f, "email", 254, false);
    if (email != null && !EMAIL.matcher(email).matches()) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "email", "'email' is not an email address");
    }
    if (email == null && chat.settings().requireEmail()) {
      throw new FrameError(ErrorCode.MISSING_FIELD, "email", "an email address is required");
    }
    String topic = text(f, "topic", 64, true);
    if (chat.settings().topic(topic) == null) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "topic", "topic '" + abbreviate(topic) + "' is not offered (offered: "
          + String.join(", ", chat.settings().topics().stream().map(WebChatSettings.Topic::id).toList()) + ")");
    }
    String page = text(f, "page", 1000, false);
    if (!chat.startAllowed(address)) {
      long wait = chat.startRetryAfterSeconds(address);
      JsonObject err = Frames.error(ErrorCode.RATE_LIMITED, "too many new chats from your address; try again in " + wait + " s")
          .put("retryAfterSeconds", wait);
      write(err);
      return;
    }
    ChatSession s = chat.newSession(name.strip(), email == null ? null : email.strip(), topic, language, page);
    s.attach(this, limits.socketsPerSession());
    session = s;
    write(Frames.session(s.id(), chat.token(s), false));
    log.atInfo().addKeyValue("sessionId", s.id()).addKeyValue("topic", topic).addKeyValue("address", address).log("chat session started");
  }

  private void resume(JsonObject f) {
    if (session != null) {
      throw new FrameError(ErrorCode.ALREADY_STARTED, null, "this connection already has a chat session");
    }
    version(f);
    String sessionId = text(f, "sessionId", 128, true);
    String token = text(f, "resumeToken", 4096, true);
    String lastSeenId = text(f, "lastSeenMessageId", 64, false);
    String lastSeenText = text(f, "lastSeenAt", 64, false);
    Instant lastSeenAt = null;
    if (lastSeenText != null) {
      try {
        lastSeenAt = Instant.parse(lastSeenText);
      } catch (DateTimeParseException e) {
        throw new FrameError(ErrorCode.INVALID_FIELD, "lastSeenAt", "'lastSeenAt' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
      }
    }
    switch (chat.tokens().check(sessionId, token)) {
      case ResumeTokens.Invalid x -> {
        log.atInfo().addKeyValue("address", address).log("chat resume refused: the token does not match the session");
        strike(ErrorCode.INVALID_RESUME_TOKEN, "the session id and resume token do not match", null);
        return;
      }
      case ResumeTokens.Expired x -> {
        write(Frames.error(ErrorCode.SESSION_EXPIRED, "this chat session has expired; start a new chat"));
        return;
      }
      case ResumeTokens.Valid valid -> {
        ChatSession s = chat.sessionFor(valid.facts());
        if (s.ended()) {
          write(Frames.error(ErrorCode.SESSION_ENDED, "this chat has ended; start a new chat"));
          return;
        }
        if (!s.attach(this, limits.socketsPerSession())) {
          write(Frames.error(ErrorCode.TOO_MANY_TABS, "this chat is open in too many windows; close one and try again"));
          return;
        }
        session = s;
        s.touch(Instant.now());
        write(Frames.session(s.id(), chat.token(s), true));
        replay(s, lastSeenId, lastSeenAt);
      }
    }
  }

  private void replay(ChatSession s, String lastSeenId, Instant lastSeenAt) {
    replaying = true;
    chat.missed(s, lastSeenId, lastSeenAt).onComplete(ar -> context.runOnContext(v -> {
      {
        replaying = false;
        if (ar.failed()) {
          log.atWarn().setCause(ar.cause()).addKeyValue("sessionId", s.id()).log("chat replay failed");
          write(Frames.error(ErrorCode.UNAVAILABLE, "the conversation could not be loaded; resume again").put("retryable", true));
        } else {
          int count = 0;
          boolean agentWrote = false;
          for (Message m : ar.result()) {
            JsonObject frame = Frames.message(m, s.id());
            if (frame == null) {
              continue;
            }
            if (m.direction() == Message.Direction.OUTBOUND) {
              s.shown(m.id().toString());
              agentWrote = true;
            }
            if (deliverNow(m.id().toString(), frame)) {
              count++;
            }
          }
          if (agentWrote) {
            s.agentAnswered();
          }
          write(Frames.replayed(count));
        }
        for (Map.Entry<String, JsonObject> e : held) {
          deliverNow(e.getKey(), e.getValue());
        }
        held.clear();
      }
      chat.pollSoon(s, 0);
    }));
  }

  private void message(JsonObject f) {
    ChatSession s = requireSession();
    String clientId = text(f, "clientId", 64, true);
    if (!CLIENT_ID.matcher(clientId).matches()) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "clientId", "'clientId' must be 1 to 64 letters, digits, '_', '-', '.' or ':'");
    }
    Object rawText = f.getValue("text");
    if (rawText == null) {
      throw new FrameError(ErrorCode.MISSING_FIELD, "text", "'text' is required");
    }
    if (!(rawText instanceof String text)) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "text", "'text' must be a string");
    }
    if (text.isBlank()) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "text", "'text' must not be empty");
    }
    if (text.length() > limits.maxTextChars()) {
      throw new FrameError(ErrorCode.TEXT_TOO_LONG, "text", "a message may have at most " + limits.maxTextChars()
          + " characters; this one had " + text.length());
    }
    if (s.ended()) {
      throw new FrameError(ErrorCode.SESSION_ENDED, null, "this chat has ended; start a new chat");
    }
    if (!messages.tryAcquire()) {
      long wait = messages.retryAfterSeconds();
      strike(ErrorCode.RATE_LIMITED, "you are sending messages too fast; wait " + wait + " s",
          new JsonObject().put("clientId", clientId).put("retryAfterSeconds", wait));
      return;
    }
    InboundContact contact = chat.contact(s, clientId, text, Instant.now());
    intake = intake.transform(x -> chat.context().inbound().accept(contact))
        .andThen(ar -> context.runOnContext(v -> {
          if (ar.succeeded()) {
            stored(s, clientId, contact, ar.result());
          } else {
            refused(clientId, contact, ar.cause());
          }
        }))
        .transform(ar -> Future.succeededFuture());
  }

  private void stored(ChatSession s, String clientId, InboundContact contact, IntakeResult r) {
    boolean duplicate = r.outcome() == IntakeResult.Outcome.DUPLICATE;
    boolean changed = s.stored(r.conversationId().toString(), r.interactionId().toString(),
        r.outcome() == IntakeResult.Outcome.CREATED, Instant.now());
    chat.indexInteraction(s);
    if (changed) {
      // The new token first, so that a client that has the ack also has a token naming the conversation.
      String token = chat.token(s);
      write(Frames.session(s.id(), token, false));
      for (CustomerSocket other : s.sockets()) {
        if (other != this) {
          other.push(Frames.session(s.id(), token, false));
        }
      }
    }
    String messageId = r.messageId().toString();
    if (!duplicate) {
      s.customerWrote(messageId);
    }
    remember(messageId);
    write(Frames.ack(clientId, messageId, contact.receivedAt(), duplicate));
    if (!duplicate) {
      String text = ((MessageContent.Text) contact.content()).body();
      JsonObject echo = Frames.message(messageId, "customer", text, contact.receivedAt(), clientId);
      for (CustomerSocket other : s.sockets()) {
        if (other != this) {
          other.deliver(messageId, echo);
        }
      }
    }
    if (r.outcome() == IntakeResult.Outcome.CREATED) {
      chat.pollSoon(s, 300);
      chat.pollSoon(s, 1500);
    }
  }

  private void refused(String clientId, InboundContact contact, Throwable e) {
    if (e instanceof ValidationException v) {
      String why = v.errors().isEmpty() ? v.getMessage()
          : String.join("; ", v.errors().stream().map(fe -> fe.field() + " " + fe.message()).toList());
      write(Frames.error(ErrorCode.MESSAGE_REFUSED, "the message was refused: " + why).put("clientId", clientId));
      return;
    }
    log.atWarn().setCause(e).addKeyValue("externalId", contact.externalId()).log("chat message could not be stored");
    write(Frames.error(ErrorCode.UNAVAILABLE, "the message could not be stored; send it again")
        .put("clientId", clientId).put("retryable", true));
  }

  private void typing(JsonObject f) {
    ChatSession s = requireSession();
    Object on = f.getValue("on");
    if (on == null) {
      throw new FrameError(ErrorCode.MISSING_FIELD, "on", "'on' is required (true or false)");
    }
    if (!(on instanceof Boolean b)) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "on", "'on' must be true or false");
    }
    chat.customerTyping(s, b);
  }

  private void received(JsonObject f) {
    ChatSession s = requireSession();
    List<String> ids = new ArrayList<>();
    Object one = f.getValue("messageId");
    Object many = f.getValue("messageIds");
    if (one == null && many == null) {
      throw new FrameError(ErrorCode.MISSING_FIELD, "messageId", "'messageId' (or 'messageIds') is required");
    }
    if (one != null) {
      if (!(one instanceof String id)) {
        throw new FrameError(ErrorCode.INVALID_FIELD, "messageId", "'messageId' must be a string");
      }
      ids.add(id);
    }
    if (many != null) {
      if (!(many instanceof JsonArray arr) || arr.size() > MAX_RECEIPTS_PER_FRAME
          || !arr.stream().allMatch(String.class::isInstance)) {
        throw new FrameError(ErrorCode.INVALID_FIELD, "messageIds", "'messageIds' must be a list of at most "
            + MAX_RECEIPTS_PER_FRAME + " message ids");
      }
      arr.forEach(id -> ids.add((String) id));
    }
    List<String> unknown = new ArrayList<>();
    for (String id : ids) {
      if (s.wasShown(id)) {
        chat.report(id, Message.Status.DELIVERED);
      } else {
        unknown.add(id);
      }
    }
    if (!unknown.isEmpty()) {
      write(Frames.error(ErrorCode.UNKNOWN_MESSAGE, "no agent message " + abbreviate(unknown.get(0)) + " was sent to this chat")
          .put("field", one != null ? "messageId" : "messageIds"));
    }
  }

  private void read(JsonObject f) {
    ChatSession s = requireSession();
    String upTo = text(f, "upTo", 64, true);
    if (!s.wasShown(upTo)) {
      throw new FrameError(ErrorCode.UNKNOWN_MESSAGE, "upTo", "no agent message " + abbreviate(upTo) + " was sent to this chat");
    }
    for (String id : s.readUpTo(upTo)) {
      chat.report(id, Message.Status.READ);
    }
  }

  private void end(JsonObject f) {
    ChatSession s = requireSession();
    Object t = f.getValue("transcript");
    if (t != null && !(t instanceof Boolean)) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "transcript", "'transcript' must be true or false");
    }
    if (s.ended()) {
      throw new FrameError(ErrorCode.SESSION_ENDED, null, "this chat has already ended");
    }
    chat.end(s, this, Boolean.TRUE.equals(t));
  }

  /**
   * {@code {"type":"rate","rating":1-5,"comment":"..."}}: the answer to the survey put in the {@code ended} frame.
   * Checked here (a whole number 1–5; a comment of text, at most 1,000 characters, no NUL) and again by the hub.
   */
  private void rate(JsonObject f) {
    ChatSession s = requireSession();
    if (!s.ended() || s.survey() == null) {
      throw new FrameError(ErrorCode.NO_SURVEY, null, "there is no survey to answer in this chat");
    }
    Object r = f.getValue("rating");
    if (r == null) {
      throw new FrameError(ErrorCode.MISSING_FIELD, "rating", "'rating' is required: a whole number from 1 to 5");
    }
    if (!(r instanceof Integer || r instanceof Long) || ((Number) r).longValue() < 1 || ((Number) r).longValue() > 5) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "rating", "'rating' must be a whole number from 1 to 5");
    }
    Object c = f.getValue("comment");
    if (c != null && !(c instanceof String)) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "comment", "'comment' must be text");
    }
    String comment = (String) c;
    if (comment != null && comment.codePointCount(0, comment.length()) > 1000) {
      throw new FrameError(ErrorCode.TEXT_TOO_LONG, "comment", "a comment may have at most 1000 characters");
    }
    if (comment != null && io.switchboard.hub.api.TextRules.problem(comment) != null) {
      throw new FrameError(ErrorCode.INVALID_FIELD, "comment", "'comment' " + io.switchboard.hub.api.TextRules.problem(comment));
    }
    chat.rate(s, this, ((Number) r).intValue(), comment);
  }

  // ------------------------------------------------------------------ frames out

  /**
   * Pushes a conversation message unless this socket showed it already; held back while a replay runs.
   * Callable from any thread.
   */
  void deliver(String messageId, JsonObject frame) {
    context.runOnContext(v -> {
      if (closed) {
        return;
      }
      if (replaying) {
        held.add(Map.entry(messageId, frame));
        return;
      }
      deliverNow(messageId, frame);
    });
  }

  /** Pushes any other frame. Callable from any thread. */
  void push(JsonObject frame) {
    context.runOnContext(v -> {
      if (!closed) {
        write(frame);
      }
    });
  }

  /** Closes the socket with a code and reason. Callable from any thread. */
  void close(short code, String reason) {
    context.runOnContext(v -> closeNow(code, reason));
  }

  private void closeNow(short code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    ws.close(code, reason);
  }

  /** The socket closed (either side). */
  void closed() {
    closed = true;
    if (session != null) {
      session.detach(this);
    }
  }

  private boolean deliverNow(String messageId, JsonObject frame) {
    if (sent.contains(messageId)) {
      return false;
    }
    remember(messageId);
    write(frame);
    return true;
  }

  private void remember(String messageId) {
    sent.add(messageId);
    if (sent.size() > MAX_REMEMBERED) {
      Iterator<String> it = sent.iterator();
      it.next();
      it.remove();
    }
  }

  private void write(JsonObject frame) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(frame.encode());
    }
  }

  /** A refused frame: an error, and after too many within the window, the connection is closed. */
  private void strike(ErrorCode code, String message, JsonObject extra) {
    JsonObject err = Frames.error(code, message);
    if (extra != null) {
      err.mergeIn(extra);
    }
    write(err);
    if (!strikes.tryAcquire()) {
      boolean big = code == ErrorCode.FRAME_TOO_LARGE;
      String reason = switch (code) {
        case FRAME_TOO_LARGE -> "too many oversized frames";
        case INVALID_RESUME_TOKEN -> "too many failed resumes";
        default -> "too many frames too fast";
      };
      log.atWarn().addKeyValue("address", address).addKeyValue("sessionId", session == null ? null : session.id())
          .log("chat socket closed for abuse: " + reason);
      closeNow(big ? CLOSE_TOO_BIG : CLOSE_POLICY, reason);
    }
  }

  private ChatSession requireSession() {
    if (session == null) {
      throw new FrameError(ErrorCode.NO_SESSION, null, "send 'start' or 'resume' first");
    }
    return session;
  }

  private static void version(JsonObject f) {
    Object v = f.getValue("v");
    if (v != null && !(v instanceof Number n && n.intValue() == Frames.PROTOCOL && n.doubleValue() == Frames.PROTOCOL)) {
      throw new FrameError(ErrorCode.UNSUPPORTED_VERSION, "v", "this server speaks protocol version " + Frames.PROTOCOL);
    }
  }

  private static String text(JsonObject f, String field, int max, boolean required) {
    Object v = f.getValue(field);
    if (v == null || (v instanceof String s && s.isBlank())) {
      if (required) {
        throw new FrameError(ErrorCode.MISSING_FIELD, field, "'" + field + "' is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw new FrameError(ErrorCode.INVALID_FIELD, field, "'" + field + "' must be a string");
    }
    if (s.length() > max) {
      throw new FrameError(ErrorCode.INVALID_FIELD, field, "'" + field + "' is longer than " + max + " characters");
    }
    return s;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  static String queryParam(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String part : query.split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).equals(name)) {
        return java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** A client error in a frame: becomes an {@code error} frame. */
  private static final class FrameError extends RuntimeException {
    final ErrorCode code;
    final String field;

    FrameError(ErrorCode code, String field, String message) {
      super(message, null, false, false);
      this.code = code;
      this.field = field;
    }
  }
}
