package io.switchboard.hub.app.ws;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.SwitchboardException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.routing.AgentState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent console socket: authenticates it, answers its commands, and writes the events of its agent in
 * order. Everything runs on the gateway's context (one event loop), so no field needs a lock.
 *
 * <p>Outgoing events go through one chain of futures ({@link #enqueue}), so an offer whose customer context
 * is still being read is never overtaken by its withdrawal, and a snapshot and the events around it keep
 * their order. When the socket's write queue is full the connection stops writing events, remembers that
 * the console needs a snapshot, and sends one when the queue drains; a queue that stays full longer than
 * {@link AgentSocketGateway.Limits#backPressureGrace} closes the socket (4408).
 */
final class AgentConnection {
  private static final Logger log = LoggerFactory.getLogger(AgentConnection.class);
  private static final int REMEMBERED_MESSAGES = 256;
  private static final int MAX_REF_CHARS = 64;
  private static final int MAX_TOKEN_CHARS = 200;
  private static final long PRESENCE_REFRESH_NANOS = 1_000_000_000L;
  /** The frame types a client may send. */
  static final Set<String> CLIENT_TYPES = new java.util.TreeSet<>(Set.of("auth", "ping", "state", "accept", "decline", "resync",
      "typing", Frames.DASHBOARD_SUBSCRIBE, Frames.DASHBOARD_UNSUBSCRIBE, Frames.WATCH, Frames.UNWATCH));

  private enum Phase { AWAITING_AUTH, AUTHENTICATING, OPEN, CLOSED }

  private final AgentSocketGateway gateway;
  private final ServerWebSocket ws;
  private final AgentSocketGateway.Limits limits;
  private final String remote;
  private Phase phase = Phase.AWAITING_AUTH;
  private Principal.Staff staff;
  private String token;
  private long seq;

  /** Offers this console has been told about (and not yet told the end of). */
  private final Set<String> offers = new HashSet<>();
  /** Recent message ids written, so an event relayed twice (the outbox is at least once) is written once. */
  private final LinkedHashSet<String> messagesSent = new LinkedHashSet<>();
  private Future<Void> tail = Future.succeededFuture();
  /** Subscribed to the dashboard; ticks are written once the full snapshot has been ({@link #dashboardPrimed}). */
  private boolean dashboardWanted;
  private boolean dashboardPrimed;
  /** Interactions this (supervisor) socket watches. */
  private final Set<String> watching = new LinkedHashSet<>();
  private boolean needsResync;
  /** Why the next snapshot is owed while {@link #needsResync}: overflow, or a snapshot that could not be read. */
  private String resyncCause;
  /** A snapshot is queued or being read (so the drain handler and the tick do not ask for another). */
  private boolean snapshotQueued;
  private long graceTimer = -1;
  private long authTimer = -1;
  private long tickTimer = -1;
  private long lastHeard = System.nanoTime();
  private long lastPresence;
  private long lastSessionCheck = System.nanoTime();

  // Token bucket of the frame rate limit.
  private double tokens;
  private long refilledAt = System.nanoTime();

  // A text message arriving in several frames.
  private Buffer partial;
  private boolean partialTooLarge;
  private boolean partialBinary;

  AgentConnection(AgentSocketGateway gateway, ServerWebSocket ws, AgentSocketGateway.Limits limits) {
    this.gateway = gateway;
    this.ws = ws;
    this.limits = limits;
    this.tokens = limits.frameBurst();
    this.remote = String.valueOf(ws.remoteAddress());
  }

  void start() {
    ws.frameHandler(this::onFrame);
    ws.closeHandler(v -> closed(true));
    ws.exceptionHandler(e -> log.atDebug().setCause(e).addKeyValue("remote", remote).log("agent socket error"));
    ws.shutdownHandler(v -> {
      // The hub is stopping: close without requeuing, so a console that reconnects to another node at once
      // keeps its offers (presence lapses after 4 s if it does not come back).
      phase = Phase.CLOSED;
      cleanup(false);
      ws.close(Frames.CLOSE_GOING_AWAY, "hub shutting down");
    });
    ws.drainHandler(v -> drained());
    authTimer = gateway.vertx().setTimer(limits.authTimeout().toMillis(), t -> {
      authTimer = -1;
      if (phase == Phase.AWAITING_AUTH || phase == Phase.AUTHENTICATING) {
        sendEssential(Frames.error(Frames.UNAUTHENTICATED,
            "no auth frame within " + limits.authTimeout().toMillis() + " ms; send {\"type\":\"auth\",\"token\":\"sbt_...\"} first", null));
        terminate(Frames.CLOSE_UNAUTHENTICATED, "authentication timeout");
      }
    });
  }

  String agentId() {
    return staff == null ? null : staff.agentId().toString();
  }

  // ------------------------------------------------------------------ reading

  private void onFrame(WebSocketFrame frame) {
    if (phase == Phase.CLOSED) {
      return;
    }
    lastHeard = System.nanoTime();
    switch (frame.type()) {
      case PONG -> {
        refreshPresence(false);
        return;
      }
      case CLOSE -> {
        return;
      }
      default -> { }
    }
    if (!takeToken()) {
      sendEssential(Frames.error(Frames.RATE_LIMITED, "more than " + limits.framesPerSecond() + " frames per second", null));
      terminate(Frames.CLOSE_TOO_MANY_FRAMES, "too many frames");
      return;
    }
    switch (frame.type()) {
      case PING -> refreshPresence(false); // Vert.x answers with a pong itself
      case BINARY -> binary(frame.isFinal());
      case TEXT -> {
        partial = null;
        partialTooLarge = false;
        text(frame.binaryData(), frame.isFinal());
      }
      case CONTINUATION -> {
        if (partialBinary) {
          binary(frame.isFinal());
        } else if (partial != null || partialTooLarge) {
          text(frame.binaryData(), frame.isFinal());
        }
      }
      default -> { }
    }
  }

  private void binary(boolean last) {
    partialBinary = !last;
    if (last) {
      sendEssential(Frames.error(Frames.BINARY_NOT_SUPPORTED, "binary frames are not part of the protocol; send JSON text frames", null));
    }
  }

  private void text(Buffer data, boolean last) {
    if (!partialTooLarge) {
      partial = partial == null ? data.copy() : partial.appendBuffer(data);
      if (partial.length() > limits.maxFrameBytes()) {
        partial = null;
        partialTooLarge = true;
      }
    }
    if (!last) {
      return;
    }
    if (partialTooLarge) {
      partialTooLarge = false;
      sendEssential(Frames.error(Frames.FRAME_TOO_LARGE, "frames are limited to " + limits.maxFrameBytes() + " bytes", null));
      return;
    }
    String text = partial.toString();
    partial = null;
    command(text);
  }

  private void command(String text) {
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      sendEssential(Frames.error(Frames.MALFORMED_JSON, "the frame is not valid JSON", null));
      return;
    }
    if (!(parsed instanceof JsonObject frame)) {
      sendEssential(Frames.error(Frames.INVALID_FRAME, "a frame must be a JSON object with a \"type\"", null));
      return;
    }
    Object ref = frame.getValue("ref");
    if (ref != null && !(ref instanceof String s && s.length() <= MAX_REF_CHARS) && !(ref instanceof Number)) {
      sendEssential(Frames.invalidField("ref", "must be a string of at most " + MAX_REF_CHARS + " characters or a number", null));
      return;
    }
    if (!(frame.getValue("type") instanceof String type)) {
      sendEssential(Frames.invalidField("type", frame.containsKey("type") ? "must be a string" : "is required", ref));
      return;
    }
    if (type.equals("auth")) {
      auth(frame, ref);
      return;
    }
    if (!CLIENT_TYPES.contains(type)) {
      sendEssential(Frames.error(Frames.UNKNOWN_TYPE, "unknown frame type '" + clip(type) + "'; expected one of " + CLIENT_TYPES, ref));
      return;
    }
    if (phase != Phase.OPEN) {
      sendEssential(Frames.error(Frames.NOT_AUTHENTICATED, "send an auth frame first", ref));
      return;
    }
    switch (type) {
      case "ping" -> {
        refreshPresence(true);
        sendEssential(Frames.pong(ref));
      }
      case "state" -> state(frame, ref);
      case "accept" -> withInteraction(frame, ref, id -> gateway.routing().accept(staff, id));
      case "decline" -> withInteraction(frame, ref, id -> gateway.routing().decline(staff, id));
      case "resync" -> requestSnapshot("requested", ref);
      case "typing" -> typing(frame, ref);
      case Frames.DASHBOARD_SUBSCRIBE -> supervisor(ref, () -> dashboardSubscribe(ref));
      case Frames.DASHBOARD_UNSUBSCRIBE -> supervisor(ref, () -> {
        dashboardWanted = false;
        dashboardPrimed = false;
        gateway.unsubscribeDashboard(this);
        sendEssential(Frames.ok(ref));
      });
      case Frames.WATCH -> supervisor(ref, () -> watch(frame, ref));
      case Frames.UNWATCH -> supervisor(ref, () -> unwatch(frame, ref));
      default -> throw new IllegalStateException(type);
    }
  }

  // ------------------------------------------------------------------ commands

  private void auth(JsonObject frame, Object ref) {
    if (phase != Phase.AWAITING_AUTH) {
      sendEssential(Frames.error(Frames.ALREADY_AUTHENTICATED, "this socket is already authenticated", ref));
      return;
    }
    Object v = frame.getValue("v");
    if (v != null) {
      if (!(v instanceof Integer || v instanceof Long)) {
        sendEssential(Frames.invalidField("v", "must be an integer (the protocol's major version)", ref));
        return;
      }
      if (((Number) v).longValue() != Frames.VERSION) {
        sendEssential(Frames.error(Frames.UNSUPPORTED_VERSION,
            "this hub speaks version " + Frames.VERSION + " of the agent protocol, not " + v, ref).put("supported", Frames.VERSION));
        terminate(Frames.CLOSE_UNSUPPORTED_VERSION, "unsupported protocol version");
        return;
      }
    }
    if (!(frame.getValue("token") instanceof String t) || t.isEmpty() || t.length() > MAX_TOKEN_CHARS) {
      sendEssential(Frames.invalidField("token", frame.containsKey("token")
          ? "must be the login token (a string of 1 to " + MAX_TOKEN_CHARS + " characters)" : "is required", ref));
      return;
    }
    phase = Phase.AUTHENTICATING;
    gateway.auth().authenticate(t).onComplete(ar -> {
      if (phase == Phase.CLOSED) {
        return;
      }
      if (ar.failed()) {
        if (ar.cause() instanceof AuthenticationException e) {
          sendEssential(Frames.error(e.code(), e.getMessage(), ref));
          terminate(Frames.CLOSE_UNAUTHENTICATED, "authentication failed");
        } else {
          log.atWarn().setCause(ar.cause()).addKeyValue("remote", remote).log("could not check an agent socket's token");
          sendEssential(Frames.error(Frames.UNAVAILABLE, "the token could not be checked now; reconnect in a moment", ref));
          terminate(Frames.CLOSE_TRY_AGAIN_LATER, "try again later");
        }
        return;
      }
      opened(ar.result(), t, ref);
    });
  }

  private void opened(Principal.Staff who, String withToken, Object ref) {
    if (authTimer != -1) {
      gateway.vertx().cancelTimer(authTimer);
      authTimer = -1;
    }
    staff = who;
    token = withToken;
    phase = Phase.OPEN;
    gateway.register(this);
    log.atInfo().addKeyValue("agentId", who.agentId()).addKeyValue("remote", remote).log("agent console connected");
    JsonObject hello = Frames.of("hello")
        .put("v", Frames.VERSION)
        .put("agent", new JsonObject().put("id", who.agentId().toString()).put("username", who.username())
            .put("role", who.role().wireName()))
        .put("heartbeatSeconds", limits.heartbeat().toSeconds())
        .put("maxFrameBytes", limits.maxFrameBytes())
        .put("serverTime", Instant.now().toString());
    if (ref != null) {
      hello.put("ref", ref);
    }
    sendEssential(hello);
    refreshPresence(true);
    requestSnapshot("auth", null);
    tickTimer = gateway.vertx().setPeriodic(limits.heartbeat().toMillis(), t -> tick());
  }

  private void state(JsonObject frame, Object ref) {
    AgentState state;
    if (!(frame.getValue("state") instanceof String s)) {
      sendEssential(Frames.invalidField("state", frame.containsKey("state") ? "must be a string" : "is required", ref));
      return;
    }
    try {
      state = AgentState.fromWire(s);
    } catch (IllegalArgumentException e) {
      sendEssential(Frames.invalidField("state", e.getMessage(), ref));
      return;
    }
    Object reason = frame.getValue("reason");
    if (reason != null && !(reason instanceof String)) {
      sendEssential(Frames.invalidField("reason", "must be a string", ref));
      return;
    }
    reply(gateway.routing().setState(staff, staff.agentId(), state, (String) reason), ref);
  }

  private void withInteraction(JsonObject frame, Object ref, java.util.function.Function<InteractionId, Future<Void>> action) {
    InteractionId id = interactionId(frame, ref);
    if (id != null) {
      reply(action.apply(id), ref);
    }
  }

  /** The frame's {@code interactionId}, or null after answering with {@code invalid-field}. */
  private InteractionId interactionId(JsonObject frame, Object ref) {
    if (!(frame.getValue("interactionId") instanceof String s)) {
      sendEssential(Frames.invalidField("interactionId", frame.containsKey("interactionId") ? "must be a string" : "is required", ref));
      return null;
    }
    try {
      return InteractionId.parse(s);
    } catch (IllegalArgumentException e) {
      sendEssential(Frames.invalidField("interactionId", "is not an interaction id (a UUID)", ref));
      return null;
    }
  }

  // ------------------------------------------------------------------ supervisor commands

  /** Runs {@code command} for supervisors and admins; anyone else gets {@code forbidden}. */
  private void supervisor(Object ref, Runnable command) {
    if (!staff.role().atLeast(Role.SUPERVISOR)) {
      sendEssential(Frames.error(Frames.FORBIDDEN, "only supervisors and admins may use the dashboard and watch interactions", ref));
      return;
    }
    command.run();
  }

  /**
   * Answers ok and writes the full dashboard (with history), then lets the per-second ticks through. When
   * the dashboard cannot be read, the console gets {@code unavailable} and is not subscribed.
   */
  private void dashboardSubscribe(Object ref) {
    gateway.currentDashboard().onComplete(ar -> {
      if (phase != Phase.OPEN) {
        return;
      }
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("agentId", agentId()).log("could not read the dashboard for a console");
        sendEssential(Frames.error(Frames.UNAVAILABLE, "the dashboard could not be read now; subscribe again in a moment", ref));
        return;
      }
      dashboardWanted = true;
      gateway.subscribeDashboard(this);
      sendEssential(Frames.ok(ref));
      sendEssential(Frames.of(Frames.DASHBOARD).put("full", true).mergeIn(ar.result()));
      dashboardPrimed = true;
    });
  }

  private void watch(JsonObject frame, Object ref) {
    InteractionId id = interactionId(frame, ref);
    if (id == null) {
      return;
    }
    String key = id.toString();
    if (watching.contains(key)) {
      sendEssential(Frames.ok(ref));
      return;
    }
    if (watching.size() >= Frames.MAX_WATCHES) {
      sendEssential(Frames.error("validation-failed", "a console may watch at most " + Frames.MAX_WATCHES
          + " interactions at once; unwatch one first", ref).put("field", "interactionId"));
      return;
    }
    gateway.views().interactionExists(id).onComplete(ar -> {
      if (phase != Phase.OPEN) {
        return;
      }
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("interactionId", key).log("could not look up an interaction to watch");
        sendEssential(Frames.error(Frames.UNAVAILABLE, "the interaction could not be looked up now; try again", ref));
      } else if (!ar.result()) {
        sendEssential(Frames.error("not-found", "no interaction " + key, ref));
      } else if (watching.size() >= Frames.MAX_WATCHES && !watching.contains(key)) {
        sendEssential(Frames.error("validation-failed", "a console may watch at most " + Frames.MAX_WATCHES
            + " interactions at once; unwatch one first", ref).put("field", "interactionId"));
      } else {
        watching.add(key);
        gateway.watch(this, key);
        sendEssential(Frames.ok(ref));
      }
    });
  }

  private void unwatch(JsonObject frame, Object ref) {
    InteractionId id = interactionId(frame, ref);
    if (id == null) {
      return;
    }
    if (watching.remove(id.toString())) {
      gateway.unwatch(this, id.toString());
    }
    sendEssential(Frames.ok(ref));
  }

  /** The interactions this socket watches. */
  java.util.List<String> watched() {
    return java.util.List.copyOf(watching);
  }

  /**
   * A dashboard tick: written when the full snapshot went out before it and the socket keeps up; a full
   * write queue skips the tick (the next one carries current values anyway). Never waits.
   */
  void dashboardTick(JsonObject body) {
    if (phase != Phase.OPEN || !dashboardWanted || !dashboardPrimed || ws.writeQueueFull()) {
      return;
    }
    write(Frames.of(Frames.DASHBOARD).put("full", false).mergeIn(body));
  }

  private void typing(JsonObject frame, Object ref) {
    if (!(frame.getValue("on") instanceof Boolean on)) {
      sendEssential(Frames.invalidField("on", frame.containsKey("on") ? "must be true or false" : "is required", ref));
      return;
    }
    withInteraction(frame, ref, id -> gateway.agentTyping(staff, id, on));
  }

  private void reply(Future<Void> outcome, Object ref) {
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        sendEssential(Frames.ok(ref));
      } else if (ar.cause() instanceof SwitchboardException e) {
        sendEssential(Frames.error(e.code(), e.getMessage(), ref));
      } else {
        log.atError().setCause(ar.cause()).addKeyValue("agentId", agentId()).log("an agent console command failed");
        sendEssential(Frames.error(Frames.INTERNAL_ERROR, "the command failed inside the hub; it is logged", ref));
      }
    });
  }

  // ------------------------------------------------------------------ events (called by the gateway)

  void offerCreated(String interactionId, Future<JsonObject> view) {
    enqueue(() -> {
      if (offers.contains(interactionId)) {
        return Future.succeededFuture();
      }
      return view.map(body -> {
        JsonObject frame = Frames.of("offer").mergeIn(body);
        if (sendEvent(frame)) {
          offers.add(interactionId);
        }
        return null;
      });
    });
  }

  void offerWithdrawn(String interactionId, String reason) {
    enqueue(() -> {
      if (offers.remove(interactionId)) {
        sendEvent(Frames.of("offer_withdrawn").put("interactionId", interactionId).put("reason", reason));
      }
      return Future.succeededFuture();
    });
  }

  void assigned(String interactionId) {
    enqueue(() -> {
      offers.remove(interactionId);
      sendEvent(Frames.of("assigned").put("interactionId", interactionId));
      return Future.succeededFuture();
    });
  }

  /** The interaction left this agent (transferred by the agent or a supervisor): the console closes its tab. */
  void unassigned(String interactionId, String reason) {
    enqueue(() -> {
      offers.remove(interactionId);
      sendEvent(Frames.of(Frames.UNASSIGNED).put("interactionId", interactionId).put("reason", reason));
      return Future.succeededFuture();
    });
  }

  void stateChanged(String state, String reason) {
    enqueue(() -> {
      sendEvent(Frames.of("state").put("state", state).put("reason", reason));
      return Future.succeededFuture();
    });
  }

  /** The agent's load changed (an offer made or ended, work finished): the console's state bar shows it live. */
  void loadChanged(JsonObject load, JsonObject capacity) {
    enqueue(() -> {
      sendEvent(Frames.of("load").put("load", load).put("capacity", capacity));
      return Future.succeededFuture();
    });
  }

  void message(JsonObject frame) {
    enqueue(() -> {
      String id = frame.getString("messageId");
      if (!messagesSent.contains(id) && sendEvent(frame.copy())) {
        messagesSent.add(id);
        if (messagesSent.size() > REMEMBERED_MESSAGES) {
          messagesSent.remove(messagesSent.iterator().next());
        }
      }
      return Future.succeededFuture();
    });
  }

  /** The customer of one of this agent's interactions started or stopped typing (not numbered when dropped). */
  /** The customer ended the contact of an interaction this socket's agent works or watches. */
  void customerLeft(JsonObject event) {
    enqueue(() -> {
      sendEvent(Frames.of(Frames.CUSTOMER_LEFT).put("interactionId", event.getString("interactionId"))
          .put("at", event.getString("at")).put("reason", event.getString("reason"))
          .put("abandoned", Boolean.TRUE.equals(event.getValue("abandoned"))));
      return Future.succeededFuture();
    });
  }

  /** A call this socket's agent is on, or a supervisor watches, changed state (ringing, talking, on_hold, ended). */
  void callState(JsonObject event) {
    enqueue(() -> {
      sendEvent(Frames.of(Frames.CALL_STATE).put("interactionId", event.getString("interactionId"))
          .put("state", event.getString("state")).put("since", event.getString("since"))
          .put("talkingSince", event.getString("talkingSince")).put("agentId", event.getString("agentId"))
          .put("recording", event.getString("recording")));
      return Future.succeededFuture();
    });
  }

  void customerTyping(String interactionId, boolean on) {
    enqueue(() -> {
      sendEvent(Frames.of("typing").put("interactionId", interactionId).put("from", "customer").put("on", on));
      return Future.succeededFuture();
    });
  }

  /**
   * This node's console settings were reloaded: the console fetches them again. Like other events it is
   * dropped when the console is not reading; the snapshot that follows (cause {@code overflow}) tells the
   * console to fetch them then.
   */
  void settingsChanged(JsonObject event) {
    enqueue(() -> {
      sendEvent(Frames.of(Frames.SETTINGS_CHANGED).put("sha256", event.getString("sha256")).put("loadedAt", event.getString("loadedAt")));
      return Future.succeededFuture();
    });
  }

  void messageStatus(JsonObject frame) {
    enqueue(() -> {
      sendEvent(frame.copy());
      return Future.succeededFuture();
    });
  }

  // ------------------------------------------------------------------ writing

  /** Runs {@code step} after everything queued before it; a failed step is logged and the chain goes on. */
  private void enqueue(Supplier<Future<?>> step) {
    tail = tail.transform(ar -> {
      if (phase == Phase.CLOSED) {
        return Future.<Void>succeededFuture();
      }
      Future<?> f;
      try {
        f = step.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      return f.<Void>mapEmpty().recover(e -> {
        log.atWarn().setCause(e).addKeyValue("agentId", agentId()).log("could not push an event to an agent console");
        return Future.succeededFuture();
      });
    });
  }

  private void requestSnapshot(String cause, Object ref) {
    snapshotQueued = true;
    enqueue(() -> snapshot(cause, ref));
  }

  /**
   * Reads and writes a snapshot, then answers {@code ref} (a resync command) with ok. When the console is
   * not reading, the snapshot waits for the queue to drain; when the stores cannot be read, the console
   * gets an error and the next heartbeat tick tries again.
   */
  private Future<Void> snapshot(String cause, Object ref) {
    return readAndWriteSnapshot(cause, ref).eventually(() -> {
      snapshotQueued = false;
      return Future.succeededFuture();
    });
  }

  private Future<Void> readAndWriteSnapshot(String cause, Object ref) {
    if (ws.writeQueueFull()) {
      owe(cause);
      if (ref != null) {
        sendEssential(Frames.ok(ref));
      }
      return Future.succeededFuture();
    }
    return gateway.views().snapshot(staff.agentId()).transform(ar -> {
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("agentId", agentId()).log("could not read an agent console's snapshot");
        owe(cause);
        sendEssential(Frames.error(Frames.UNAVAILABLE, "your state could not be read now; the hub tries again shortly", ref));
        return Future.succeededFuture();
      }
      JsonObject body = ar.result();
      offers.clear();
      body.getJsonArray("offers").forEach(o -> offers.add(((JsonObject) o).getString("interactionId")));
      needsResync = false;
      resyncCause = null;
      sendEssential(Frames.of("snapshot").put("cause", cause).mergeIn(body).put("serverTime", Instant.now().toString()));
      if (ref != null) {
        sendEssential(Frames.ok(ref));
      }
      return Future.succeededFuture();
    });
  }

  /** Events are held back until a snapshot with this cause has been written. */
  private void owe(String cause) {
    if (!needsResync) {
      resyncCause = cause;
    }
    needsResync = true;
    if (ws.writeQueueFull()) {
      armGrace();
    }
  }

  /** Writes an event unless the console is not keeping up; then it is dropped and a snapshot follows. */
  private boolean sendEvent(JsonObject frame) {
    if (phase != Phase.OPEN) {
      return false;
    }
    if (needsResync) {
      return false;
    }
    if (ws.writeQueueFull()) {
      log.atInfo().addKeyValue("agentId", agentId()).log("agent console is not reading; holding events until it catches up");
      owe("overflow");
      return false;
    }
    write(frame);
    return true;
  }

  /** Writes replies, hello and snapshots even when the queue is full: they are few and answer the client. */
  private void sendEssential(JsonObject frame) {
    if (phase == Phase.CLOSED) {
      return;
    }
    write(frame);
  }

  private void write(JsonObject frame) {
    frame.put("seq", ++seq);
    ws.writeTextMessage(frame.encode()).onFailure(e ->
        log.atDebug().setCause(e).addKeyValue("agentId", agentId()).log("could not write to an agent console"));
    if (ws.writeQueueFull()) {
      armGrace();
    }
  }

  private void armGrace() {
    if (graceTimer != -1 || phase == Phase.CLOSED) {
      return;
    }
    graceTimer = gateway.vertx().setTimer(limits.backPressureGrace().toMillis(), t -> {
      graceTimer = -1;
      if (ws.writeQueueFull()) {
        log.atWarn().addKeyValue("agentId", agentId()).addKeyValue("remote", remote)
            .addKeyValue("graceMs", limits.backPressureGrace().toMillis()).log("closing an agent console that stopped reading");
        terminate(Frames.CLOSE_TOO_SLOW, "the console did not read its frames");
      }
    });
  }

  private void drained() {
    if (graceTimer != -1) {
      gateway.vertx().cancelTimer(graceTimer);
      graceTimer = -1;
    }
    if (needsResync && !snapshotQueued && phase == Phase.OPEN) {
      log.atInfo().addKeyValue("agentId", agentId()).log("agent console caught up; sending a snapshot");
      requestSnapshot(resyncCause, null);
    }
  }

  // ------------------------------------------------------------------ liveness

  private void tick() {
    if (phase != Phase.OPEN) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastHeard > limits.idleTimeout().toNanos()) {
      log.atInfo().addKeyValue("agentId", agentId()).log("agent console went silent; closing its socket");
      terminate(Frames.CLOSE_TOO_SLOW, "no frames or pongs for " + limits.idleTimeout().toSeconds() + " s");
      return;
    }
    ws.writePing(Buffer.buffer("hb"));
    if (needsResync && !snapshotQueued && !ws.writeQueueFull()) {
      requestSnapshot(resyncCause, null);
    }
    if (now - lastSessionCheck > limits.sessionCheck().toNanos()) {
      lastSessionCheck = now;
      gateway.auth().authenticate(token).onFailure(e -> {
        if (e instanceof AuthenticationException && phase == Phase.OPEN) {
          sendEssential(Frames.error(Frames.UNAUTHENTICATED, "the session ended (logged out or expired); log in again", null));
          terminate(Frames.CLOSE_UNAUTHENTICATED, "session ended");
        }
      });
    }
  }

  /**
   * Checks the login session again now (its account changed on some node: logout, revocation, disable, password or
   * role change): closes the socket when the session ended, takes the account's current role otherwise.
   */
  void recheckSession() {
    if (phase != Phase.OPEN) {
      return;
    }
    gateway.auth().authenticate(token).onComplete(ar -> {
      if (phase != Phase.OPEN) {
        return;
      }
      if (ar.succeeded()) {
        staff = ar.result();
      } else if (ar.cause() instanceof AuthenticationException) {
        sendEssential(Frames.error(Frames.UNAUTHENTICATED, "the session ended (logged out, revoked or disabled); log in again", null));
        terminate(Frames.CLOSE_UNAUTHENTICATED, "session ended");
      }
    });
  }

  /**
   * Keeps the agent present for routing. Driven by what the console sends (pongs to the hub's pings, its
   * own pings), so a console that stops answering loses presence within {@code RoutingService.PRESENCE_TTL}.
   */
  private void refreshPresence(boolean always) {
    if (phase != Phase.OPEN) {
      return;
    }
    long now = System.nanoTime();
    if (!always && now - lastPresence < PRESENCE_REFRESH_NANOS) {
      return;
    }
    lastPresence = now;
    gateway.routing().heartbeat(staff.agentId()).onFailure(e ->
        log.atWarn().setCause(e).addKeyValue("agentId", agentId()).log("could not record an agent console's heartbeat"));
  }

  private boolean takeToken() {
    long now = System.nanoTime();
    tokens = Math.min(limits.frameBurst(), tokens + (now - refilledAt) / 1e9 * limits.framesPerSecond());
    refilledAt = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  // ------------------------------------------------------------------ closing

  /** The hub closes the socket; the agent's offers go back at once unless another socket of it is open here. */
  void terminate(short code, String reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    closed(true);
    ws.close(code, reason);
  }

  private void closed(boolean requeue) {
    if (phase == Phase.CLOSED) {
      return;
    }
    phase = Phase.CLOSED;
    cleanup(requeue);
  }

  private void cleanup(boolean requeue) {
    for (long timer : new long[] {authTimer, tickTimer, graceTimer}) {
      if (timer != -1) {
        gateway.vertx().cancelTimer(timer);
      }
    }
    authTimer = tickTimer = graceTimer = -1;
    if (staff != null) {
      gateway.unregister(this, requeue);
    }
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
