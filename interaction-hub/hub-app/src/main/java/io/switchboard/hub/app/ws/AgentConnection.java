package io.switchboard.hub.app.ws;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.switchboard.hub.app.http.HttpApiVerticle;
import io.switchboard.hub.core.auth.Principal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent console socket: its lifecycle (awaiting auth, authenticating, open, closed) and the events of its agent,
 * written in order. Everything runs on the context of the HTTP verticle instance that accepted the socket (one event
 * loop, {@link #context()}), so no field needs a lock: the gateway calls the event methods on that context
 * ({@link AgentSocketGateway#onEach}), and futures of other contexts are brought onto it before their results are
 * used ({@link #here}). The
 * socket's other jobs are parts of their own, each used only through this connection:
 * <ul>
 *   <li>{@link FrameAssembly} puts fragmented client messages together (size limit, binary refused);
 *   <li>{@link FrameRateLimit} is the client's frame rate limit (over it: 4429);
 *   <li>{@link SocketAuth} reads the {@code auth} frame and checks the login session while the socket is open;
 *   <li>{@link AgentCommands} parses and carries out the console's commands;
 *   <li>{@link SupervisorFeed} is the dashboard subscription and the watched interactions of supervisors;
 *   <li>{@link ConsoleWriter} numbers frames, keeps events in order and handles back-pressure;
 *   <li>{@link ConsoleLiveness} pings, closes silent consoles and keeps the agent present for routing.
 * </ul>
 *
 * <p>Outgoing events go through one chain of futures ({@link ConsoleWriter#enqueue}), so an offer whose customer
 * context is still being read is never overtaken by its withdrawal, and a snapshot and the events around it keep
 * their order. When the socket's write queue is full the connection stops writing events, remembers that the console
 * needs a snapshot, and sends one when the queue drains; a queue that stays full longer than
 * {@link AgentSocketGateway.Limits#backPressureGrace} closes the socket (4408).
 *
 * <p>Size (about 400 lines, #15): what is left after the split above is the socket's lifecycle and the thirteen event
 * kinds it writes, each a few lines over the same ordered chain and the same offer and message memory.
 */
final class AgentConnection {
  private static final Logger log = LoggerFactory.getLogger(AgentConnection.class);
  private static final int REMEMBERED_MESSAGES = 256;
  /**
   * How long the hub may take to check a token that arrived within the auth timeout, beyond that timeout: a socket is
   * never closed for the hub's own slowness while the check runs (a ramp of thousands of consoles), only when the check
   * takes this much longer (then 1013, try again later).
   */
  static final java.time.Duration AUTH_CHECK_PATIENCE = java.time.Duration.ofSeconds(30);

  private enum Phase { AWAITING_AUTH, AUTHENTICATING, OPEN, CLOSED }

  private final AgentSocketGateway gateway;
  private final ServerWebSocket ws;
  /**
   * The event loop context the socket was accepted on (the instance's own, not the request's duplicate of it, so all
   * sockets of one loop share it): every method runs on its thread.
   */
  private final Context context;
  private final AgentSocketGateway.Limits limits;
  private final String remote;
  private final FrameAssembly assembly;
  private final FrameRateLimit rate;
  private final ConsoleWriter out;
  private final SocketAuth auth;
  private final SupervisorFeed feed;
  private final ConsoleLiveness liveness;
  private final AgentCommands commands;
  private Phase phase = Phase.AWAITING_AUTH;
  private Principal.Staff staff;

  /** Offers this console has been told about (and not yet told the end of). */
  private final Set<String> offers = new HashSet<>();
  /** Recent message ids written, so an event relayed twice (the outbox is at least once) is written once. */
  private final LinkedHashSet<String> messagesSent = new LinkedHashSet<>();
  private long authTimer = -1;
  private long tickTimer = -1;

  AgentConnection(AgentSocketGateway gateway, ServerWebSocket ws, AgentSocketGateway.Limits limits) {
    this.gateway = gateway;
    this.ws = ws;
    this.context = AgentSocketGateway.eventLoopOf(io.vertx.core.Vertx.currentContext() != null
        ? io.vertx.core.Vertx.currentContext() : gateway.vertx().getOrCreateContext());
    this.limits = limits;
    this.remote = String.valueOf(ws.remoteAddress());
    this.assembly = new FrameAssembly(limits.maxFrameBytes());
    this.rate = new FrameRateLimit(limits.framesPerSecond(), limits.frameBurst());
    this.out = new ConsoleWriter(this, ws, gateway.vertx(), limits.backPressureGrace());
    this.auth = new SocketAuth(this, gateway, out, limits.sessionCheck());
    this.feed = new SupervisorFeed(this, gateway, out);
    this.liveness = new ConsoleLiveness(this, gateway, out, auth, limits.idleTimeout());
    this.commands = new AgentCommands(this, gateway, out, auth, feed, liveness);
  }

  void start() {
    ws.frameHandler(this::onFrame);
    ws.closeHandler(v -> closed(true));
    ws.exceptionHandler(this::onError);
    ws.shutdownHandler(v -> {
      // The hub is stopping: close without requeuing, so a console that reconnects to another node at once
      // keeps its offers (presence lapses after 4 s if it does not come back).
      phase = Phase.CLOSED;
      cleanup(false);
      ws.close(Frames.CLOSE_GOING_AWAY, "hub shutting down");
    });
    ws.drainHandler(v -> out.drained());
    authTimer = gateway.vertx().setTimer(limits.authTimeout().toMillis(), t -> {
      authTimer = -1;
      if (phase == Phase.AWAITING_AUTH) {
        out.sendEssential(Frames.error(Frames.UNAUTHENTICATED,
            "no auth frame within " + limits.authTimeout().toMillis() + " ms; send {\"type\":\"auth\",\"token\":\"sbt_...\"} first", null));
        terminate(Frames.CLOSE_UNAUTHENTICATED, "authentication timeout");
      } else if (phase == Phase.AUTHENTICATING) {
        // The console sent its token in time; the hub is still checking it (a ramp of connections, a slow store). That
        // is not the console's fault: the check gets AUTH_CHECK_PATIENCE more before the console is asked to come back.
        authTimer = gateway.vertx().setTimer(AUTH_CHECK_PATIENCE.toMillis(), t2 -> {
          authTimer = -1;
          if (phase == Phase.AUTHENTICATING) {
            out.sendEssential(Frames.error(Frames.UNAVAILABLE, "the token could not be checked in time; reconnect in a moment", null));
            terminate(Frames.CLOSE_TRY_AGAIN_LATER, "try again later");
          }
        });
      }
    });
  }

  // ------------------------------------------------------------------ state, for the parts

  /** The context (event loop) this socket runs on. */
  Context context() {
    return context;
  }

  /**
   * {@code f} as a future whose callbacks run on this socket's context: a future made on another context (the
   * gateway's lookups) would run them there, on another thread than the socket's state lives on.
   */
  <T> Future<T> here(Future<T> f) {
    Promise<T> local = Promise.promise();
    f.onComplete(ar -> {
      if (AgentSocketGateway.eventLoopOf(io.vertx.core.Vertx.currentContext()) == context) {
        local.handle(ar);
      } else {
        context.runOnContext(v -> local.handle(ar));
      }
    });
    return local.future();
  }

  String agentId() {
    return staff == null ? null : staff.agentId().toString();
  }

  Principal.Staff staff() {
    return staff;
  }

  /** The session was checked again: the account's current role. */
  void staff(Principal.Staff who) {
    staff = who;
  }

  String remote() {
    return remote;
  }

  boolean open() {
    return phase == Phase.OPEN;
  }

  boolean closed() {
    return phase == Phase.CLOSED;
  }

  boolean awaitingAuth() {
    return phase == Phase.AWAITING_AUTH;
  }

  /** The token is being checked. */
  void authenticating() {
    phase = Phase.AUTHENTICATING;
  }

  // ------------------------------------------------------------------ reading

  private void onFrame(WebSocketFrame frame) {
    if (phase == Phase.CLOSED) {
      return;
    }
    liveness.heard();
    switch (frame.type()) {
      case PONG -> {
        liveness.refreshPresence(false);
        return;
      }
      case CLOSE -> {
        return;
      }
      default -> { }
    }
    if (!rate.take()) {
      out.sendEssential(Frames.error(Frames.RATE_LIMITED, "more than " + limits.framesPerSecond() + " frames per second", null));
      terminate(Frames.CLOSE_TOO_MANY_FRAMES, "too many frames");
      return;
    }
    FrameAssembly.Outcome outcome = switch (frame.type()) {
      case PING -> {
        liveness.refreshPresence(false); // Vert.x answers with a pong itself
        yield new FrameAssembly.Outcome.Incomplete();
      }
      case BINARY -> assembly.binary(frame.isFinal());
      case TEXT -> assembly.text(frame.binaryData(), frame.isFinal());
      case CONTINUATION -> assembly.continuation(frame.binaryData(), frame.isFinal());
      default -> new FrameAssembly.Outcome.Incomplete();
    };
    switch (outcome) {
      case FrameAssembly.Outcome.Text t -> commands.command(t.text());
      case FrameAssembly.Outcome.TooLarge x ->
          out.sendEssential(Frames.error(Frames.FRAME_TOO_LARGE, "frames are limited to " + limits.maxFrameBytes() + " bytes", null));
      case FrameAssembly.Outcome.Binary x -> out.sendEssential(Frames.error(Frames.BINARY_NOT_SUPPORTED,
          "binary frames are not part of the protocol; send JSON text frames", null));
      case FrameAssembly.Outcome.Incomplete x -> { }
    }
  }

  /** The token was good: the socket is open for the agent, greets the console and sends the first snapshot. */
  void opened(Principal.Staff who, Object ref) {
    if (authTimer != -1) {
      gateway.vertx().cancelTimer(authTimer);
      authTimer = -1;
    }
    staff = who;
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
    out.sendEssential(hello);
    liveness.refreshPresence(true);
    requestSnapshot("auth", null);
    tickTimer = gateway.vertx().setPeriodic(limits.heartbeat().toMillis(), t -> liveness.tick(ws));
  }

  /** The account changed on some node: the session is checked again at once. */
  void recheckSession() {
    auth.recheck();
  }

  /** A dashboard tick for a subscribed supervisor socket. */
  void dashboardTick(JsonObject body) {
    feed.dashboardTick(body);
  }

  /** The interactions this socket watches. */
  java.util.List<String> watched() {
    return feed.watched();
  }

  // ------------------------------------------------------------------ events (called by the gateway)

  void offerCreated(String interactionId, Future<JsonObject> lookup) {
    Future<JsonObject> view = here(lookup);
    out.enqueue(() -> {
      if (offers.contains(interactionId)) {
        return Future.succeededFuture();
      }
      return view.map(body -> {
        JsonObject frame = Frames.of("offer").mergeIn(body);
        if (out.sendEvent(frame)) {
          offers.add(interactionId);
        }
        return null;
      });
    });
  }

  void offerWithdrawn(String interactionId, String reason) {
    out.enqueue(() -> {
      if (offers.remove(interactionId)) {
        out.sendEvent(Frames.of("offer_withdrawn").put("interactionId", interactionId).put("reason", reason));
      }
      return Future.succeededFuture();
    });
  }

  void assigned(String interactionId) {
    out.enqueue(() -> {
      offers.remove(interactionId);
      out.sendEvent(Frames.of("assigned").put("interactionId", interactionId));
      return Future.succeededFuture();
    });
  }

  /** The interaction left this agent (transferred by the agent or a supervisor): the console closes its tab. */
  void unassigned(String interactionId, String reason) {
    out.enqueue(() -> {
      offers.remove(interactionId);
      out.sendEvent(Frames.of(Frames.UNASSIGNED).put("interactionId", interactionId).put("reason", reason));
      return Future.succeededFuture();
    });
  }

  void stateChanged(String state, String reason) {
    push(Frames.of("state").put("state", state).put("reason", reason));
  }

  /** The agent's load changed (an offer made or ended, work finished): the console's state bar shows it live. */
  void loadChanged(JsonObject load, JsonObject capacity) {
    push(Frames.of("load").put("load", load).put("capacity", capacity));
  }

  void message(JsonObject frame) {
    out.enqueue(() -> {
      String id = frame.getString("messageId");
      if (!messagesSent.contains(id) && out.sendEvent(frame.copy())) {
        messagesSent.add(id);
        if (messagesSent.size() > REMEMBERED_MESSAGES) {
          messagesSent.remove(messagesSent.iterator().next());
        }
      }
      return Future.succeededFuture();
    });
  }

  /** The customer ended the contact of an interaction this socket's agent works or watches. */
  void customerLeft(JsonObject event) {
    push(Frames.of(Frames.CUSTOMER_LEFT).put("interactionId", event.getString("interactionId"))
        .put("at", event.getString("at")).put("reason", event.getString("reason"))
        .put("abandoned", Boolean.TRUE.equals(event.getValue("abandoned"))));
  }

  /** A call this socket's agent is on, or a supervisor watches, changed state (ringing, talking, on_hold, ended). */
  void callState(JsonObject event) {
    push(Frames.of(Frames.CALL_STATE).put("interactionId", event.getString("interactionId"))
        .put("state", event.getString("state")).put("since", event.getString("since"))
        .put("talkingSince", event.getString("talkingSince")).put("agentId", event.getString("agentId"))
        .put("recording", event.getString("recording")));
  }

  void customerTyping(String interactionId, boolean on) {
    push(Frames.of("typing").put("interactionId", interactionId).put("from", "customer").put("on", on));
  }

  /**
   * This node's console settings were reloaded: the console fetches them again. Like other events it is
   * dropped when the console is not reading; the snapshot that follows (cause {@code overflow}) tells the
   * console to fetch them then.
   */
  void settingsChanged(JsonObject event) {
    push(Frames.of(Frames.SETTINGS_CHANGED).put("sha256", event.getString("sha256")).put("loadedAt", event.getString("loadedAt")));
  }

  void messageStatus(JsonObject frame) {
    push(frame.copy());
  }

  /** Writes an event frame after everything queued before it (dropped while the console is not reading). */
  private void push(JsonObject frame) {
    out.enqueue(() -> {
      out.sendEvent(frame);
      return Future.succeededFuture();
    });
  }

  // ------------------------------------------------------------------ snapshots

  /** Queues a snapshot after the events before it; {@code ref} (a resync command) is answered with ok. */
  void requestSnapshot(String cause, Object ref) {
    out.snapshotQueued(true);
    out.enqueue(() -> snapshot(cause, ref));
  }

  /**
   * Reads and writes a snapshot, then answers {@code ref} (a resync command) with ok. When the console is
   * not reading, the snapshot waits for the queue to drain; when the stores cannot be read, the console
   * gets an error and the next heartbeat tick tries again.
   */
  private Future<Void> snapshot(String cause, Object ref) {
    return readAndWriteSnapshot(cause, ref).eventually(() -> {
      out.snapshotQueued(false);
      return Future.succeededFuture();
    });
  }

  private Future<Void> readAndWriteSnapshot(String cause, Object ref) {
    if (out.full()) {
      out.owe(cause);
      if (ref != null) {
        out.sendEssential(Frames.ok(ref));
      }
      return Future.succeededFuture();
    }
    return gateway.views().snapshot(staff.agentId()).transform(ar -> {
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("agentId", agentId()).log("could not read an agent console's snapshot");
        out.owe(cause);
        out.sendEssential(Frames.error(Frames.UNAVAILABLE, "your state could not be read now; the hub tries again shortly", ref));
        return Future.succeededFuture();
      }
      JsonObject body = ar.result();
      offers.clear();
      body.getJsonArray("offers").forEach(o -> offers.add(((JsonObject) o).getString("interactionId")));
      out.resynced();
      out.sendEssential(Frames.of("snapshot").put("cause", cause).mergeIn(body).put("serverTime", Instant.now().toString()));
      if (ref != null) {
        out.sendEssential(Frames.ok(ref));
      }
      return Future.succeededFuture();
    });
  }

  // ------------------------------------------------------------------ closing

  /**
   * A socket error. One frame over the server's frame limit ({@code HttpApiVerticle.WEBSOCKET_FRAME_LIMIT}) ends the
   * connection (the decoder cannot find the next frame): the console is told why and the socket closed with 1009,
   * rather than cut without a word.
   */
  private void onError(Throwable e) {
    if (e instanceof CorruptedWebSocketFrameException corrupt
        && corrupt.closeStatus().code() == Frames.CLOSE_TOO_BIG && phase != Phase.CLOSED) {
      log.atWarn().addKeyValue("remote", remote).log("agent socket closed: " + e.getMessage());
      out.sendEssential(Frames.error(Frames.FRAME_TOO_LARGE, "a frame may have at most "
          + HttpApiVerticle.WEBSOCKET_FRAME_LIMIT + " bytes; the connection is closed", null));
      terminate(Frames.CLOSE_TOO_BIG, "frame over the limit");
      return;
    }
    log.atDebug().setCause(e).addKeyValue("remote", remote).log("agent socket error");
  }

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
    for (long timer : new long[] {authTimer, tickTimer}) {
      if (timer != -1) {
        gateway.vertx().cancelTimer(timer);
      }
    }
    authTimer = tickTimer = -1;
    out.cancelGrace();
    if (staff != null) {
      gateway.unregister(this, requeue);
    }
  }
}
