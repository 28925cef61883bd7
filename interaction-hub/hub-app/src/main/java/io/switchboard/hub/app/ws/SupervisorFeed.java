package io.switchboard.hub.app.ws;

import io.switchboard.hub.api.InteractionId;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a supervisor's or admin's socket follows besides its own work: the live dashboard (a full snapshot, then the
 * per-second ticks) and the interactions it watches read-only (at most {@link Frames#MAX_WATCHES}). The connection
 * checks the role before calling the commands. Used on the socket's event loop only.
 */
final class SupervisorFeed {
  private static final Logger log = LoggerFactory.getLogger(SupervisorFeed.class);

  private final AgentConnection connection;
  private final AgentSocketGateway gateway;
  private final ConsoleWriter out;
  /** Subscribed to the dashboard; ticks are written once the full snapshot has been ({@link #dashboardPrimed}). */
  private boolean dashboardWanted;
  private boolean dashboardPrimed;
  /** Interactions this socket watches. */
  private final Set<String> watching = new LinkedHashSet<>();

  SupervisorFeed(AgentConnection connection, AgentSocketGateway gateway, ConsoleWriter out) {
    this.connection = connection;
    this.gateway = gateway;
    this.out = out;
  }

  /**
   * Answers ok and writes the full dashboard (with history), then lets the per-second ticks through. When
   * the dashboard cannot be read, the console gets {@code unavailable} and is not subscribed.
   */
  void subscribeDashboard(Object ref) {
    gateway.currentDashboard().onComplete(ar -> {
      if (!connection.open()) {
        return;
      }
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("agentId", connection.agentId()).log("could not read the dashboard for a console");
        out.sendEssential(Frames.error(Frames.UNAVAILABLE, "the dashboard could not be read now; subscribe again in a moment", ref));
        return;
      }
      dashboardWanted = true;
      gateway.subscribeDashboard(connection);
      out.sendEssential(Frames.ok(ref));
      out.sendEssential(Frames.of(Frames.DASHBOARD).put("full", true).mergeIn(ar.result()));
      dashboardPrimed = true;
    });
  }

  void unsubscribeDashboard(Object ref) {
    dashboardWanted = false;
    dashboardPrimed = false;
    gateway.unsubscribeDashboard(connection);
    out.sendEssential(Frames.ok(ref));
  }

  /**
   * A dashboard tick: written when the full snapshot went out before it and the socket keeps up; a full
   * write queue skips the tick (the next one carries current values anyway). Never waits.
   */
  void dashboardTick(JsonObject body) {
    if (!connection.open() || !dashboardWanted || !dashboardPrimed || out.full()) {
      return;
    }
    out.write(Frames.of(Frames.DASHBOARD).put("full", false).mergeIn(body));
  }

  void watch(JsonObject frame, Object ref) {
    InteractionId id = AgentCommands.interactionId(frame, ref, out);
    if (id == null) {
      return;
    }
    String key = id.toString();
    if (watching.contains(key)) {
      out.sendEssential(Frames.ok(ref));
      return;
    }
    if (watching.size() >= Frames.MAX_WATCHES) {
      tooMany(ref);
      return;
    }
    gateway.views().interactionExists(id).onComplete(ar -> {
      if (!connection.open()) {
        return;
      }
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("interactionId", key).log("could not look up an interaction to watch");
        out.sendEssential(Frames.error(Frames.UNAVAILABLE, "the interaction could not be looked up now; try again", ref));
      } else if (!ar.result()) {
        out.sendEssential(Frames.error("not-found", "no interaction " + key, ref));
      } else if (watching.size() >= Frames.MAX_WATCHES && !watching.contains(key)) {
        tooMany(ref);
      } else {
        watching.add(key);
        gateway.watch(connection, key);
        out.sendEssential(Frames.ok(ref));
      }
    });
  }

  private void tooMany(Object ref) {
    out.sendEssential(Frames.error("validation-failed", "a console may watch at most " + Frames.MAX_WATCHES
        + " interactions at once; unwatch one first", ref).put("field", "interactionId"));
  }

  void unwatch(JsonObject frame, Object ref) {
    InteractionId id = AgentCommands.interactionId(frame, ref, out);
    if (id == null) {
      return;
    }
    if (watching.remove(id.toString())) {
      gateway.unwatch(connection, id.toString());
    }
    out.sendEssential(Frames.ok(ref));
  }

  /** The interactions this socket watches. */
  List<String> watched() {
    return List.copyOf(watching);
  }
}
