package io.switchboard.hub.app.ws;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.SwitchboardException;
import io.switchboard.hub.core.routing.AgentState;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands a console sends, one whole text message at a time: checks the frame's shape ({@code type},
 * {@code ref}), lets only {@code auth} through before the socket is open, and carries out each command, answering
 * {@code ok} or an error with the command's {@code ref}. Supervisor commands (dashboard, watch) are refused with
 * {@code forbidden} for agents. Used on the socket's event loop only.
 */
final class AgentCommands {
  private static final Logger log = LoggerFactory.getLogger(AgentCommands.class);
  private static final int MAX_REF_CHARS = 64;
  /** The frame types a client may send. */
  static final Set<String> CLIENT_TYPES = new TreeSet<>(Set.of("auth", "ping", "state", "accept", "decline", "resync",
      "typing", Frames.DASHBOARD_SUBSCRIBE, Frames.DASHBOARD_UNSUBSCRIBE, Frames.WATCH, Frames.UNWATCH));

  private final AgentConnection connection;
  private final AgentSocketGateway gateway;
  private final ConsoleWriter out;
  private final SocketAuth auth;
  private final SupervisorFeed feed;
  private final ConsoleLiveness liveness;

  AgentCommands(AgentConnection connection, AgentSocketGateway gateway, ConsoleWriter out, SocketAuth auth,
      SupervisorFeed feed, ConsoleLiveness liveness) {
    this.connection = connection;
    this.gateway = gateway;
    this.out = out;
    this.auth = auth;
    this.feed = feed;
    this.liveness = liveness;
  }

  /** One whole text message from the console. */
  void command(String text) {
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      out.sendEssential(Frames.error(Frames.MALFORMED_JSON, "the frame is not valid JSON", null));
      return;
    }
    if (!(parsed instanceof JsonObject frame)) {
      out.sendEssential(Frames.error(Frames.INVALID_FRAME, "a frame must be a JSON object with a \"type\"", null));
      return;
    }
    Object ref = frame.getValue("ref");
    if (ref != null && !(ref instanceof String s && s.length() <= MAX_REF_CHARS) && !(ref instanceof Number)) {
      out.sendEssential(Frames.invalidField("ref", "must be a string of at most " + MAX_REF_CHARS + " characters or a number", null));
      return;
    }
    if (!(frame.getValue("type") instanceof String type)) {
      out.sendEssential(Frames.invalidField("type", frame.containsKey("type") ? "must be a string" : "is required", ref));
      return;
    }
    if (type.equals("auth")) {
      auth.auth(frame, ref);
      return;
    }
    if (!CLIENT_TYPES.contains(type)) {
      out.sendEssential(Frames.error(Frames.UNKNOWN_TYPE, "unknown frame type '" + clip(type) + "'; expected one of " + CLIENT_TYPES, ref));
      return;
    }
    if (!connection.open()) {
      out.sendEssential(Frames.error(Frames.NOT_AUTHENTICATED, "send an auth frame first", ref));
      return;
    }
    switch (type) {
      case "ping" -> {
        // Coalesced by RoutingService.heartbeat: at most one Redis write per agent per second on this node.
        liveness.refreshPresence(false);
        out.sendEssential(Frames.pong(ref));
      }
      case "state" -> state(frame, ref);
      case "accept" -> withInteraction(frame, ref, id -> gateway.routing().accept(connection.staff(), id));
      case "decline" -> withInteraction(frame, ref, id -> gateway.routing().decline(connection.staff(), id));
      case "resync" -> connection.requestSnapshot("requested", ref);
      case "typing" -> typing(frame, ref);
      case Frames.DASHBOARD_SUBSCRIBE -> supervisor(ref, () -> feed.subscribeDashboard(ref));
      case Frames.DASHBOARD_UNSUBSCRIBE -> supervisor(ref, () -> feed.unsubscribeDashboard(ref));
      case Frames.WATCH -> supervisor(ref, () -> feed.watch(frame, ref));
      case Frames.UNWATCH -> supervisor(ref, () -> feed.unwatch(frame, ref));
      default -> throw new IllegalStateException(type);
    }
  }

  private void state(JsonObject frame, Object ref) {
    AgentState state;
    if (!(frame.getValue("state") instanceof String s)) {
      out.sendEssential(Frames.invalidField("state", frame.containsKey("state") ? "must be a string" : "is required", ref));
      return;
    }
    try {
      state = AgentState.fromWire(s);
    } catch (IllegalArgumentException e) {
      out.sendEssential(Frames.invalidField("state", e.getMessage(), ref));
      return;
    }
    Object reason = frame.getValue("reason");
    if (reason != null && !(reason instanceof String)) {
      out.sendEssential(Frames.invalidField("reason", "must be a string", ref));
      return;
    }
    var staff = connection.staff();
    reply(gateway.routing().setState(staff, staff.agentId(), state, (String) reason), ref);
  }

  private void typing(JsonObject frame, Object ref) {
    if (!(frame.getValue("on") instanceof Boolean on)) {
      out.sendEssential(Frames.invalidField("on", frame.containsKey("on") ? "must be true or false" : "is required", ref));
      return;
    }
    withInteraction(frame, ref, id -> gateway.agentTyping(connection.staff(), id, on));
  }

  private void withInteraction(JsonObject frame, Object ref, Function<InteractionId, Future<Void>> action) {
    InteractionId id = interactionId(frame, ref, out);
    if (id != null) {
      reply(action.apply(id), ref);
    }
  }

  /** The frame's {@code interactionId}, or null after answering with {@code invalid-field}. */
  static InteractionId interactionId(JsonObject frame, Object ref, ConsoleWriter out) {
    if (!(frame.getValue("interactionId") instanceof String s)) {
      out.sendEssential(Frames.invalidField("interactionId", frame.containsKey("interactionId") ? "must be a string" : "is required", ref));
      return null;
    }
    try {
      return InteractionId.parse(s);
    } catch (IllegalArgumentException e) {
      out.sendEssential(Frames.invalidField("interactionId", "is not an interaction id (a UUID)", ref));
      return null;
    }
  }

  /** Runs {@code command} for supervisors and admins; anyone else gets {@code forbidden}. */
  private void supervisor(Object ref, Runnable command) {
    if (!connection.staff().role().atLeast(Role.SUPERVISOR)) {
      out.sendEssential(Frames.error(Frames.FORBIDDEN, "only supervisors and admins may use the dashboard and watch interactions", ref));
      return;
    }
    command.run();
  }

  private void reply(Future<Void> outcome, Object ref) {
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        out.sendEssential(Frames.ok(ref));
      } else if (ar.cause() instanceof SwitchboardException e) {
        out.sendEssential(Frames.error(e.code(), e.getMessage(), ref));
      } else {
        log.atError().setCause(ar.cause()).addKeyValue("agentId", connection.agentId()).log("an agent console command failed");
        out.sendEssential(Frames.error(Frames.INTERNAL_ERROR, "the command failed inside the hub; it is logged", ref));
      }
    });
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
