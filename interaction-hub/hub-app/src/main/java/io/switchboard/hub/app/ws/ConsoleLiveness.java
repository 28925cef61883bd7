package io.switchboard.hub.app.ws;

import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an agent console is still there, and the agent's presence for routing. The hub pings every heartbeat; a
 * console that sends nothing (not even pongs) for {@code idleTimeout} is closed. Presence is driven by what the
 * console sends (pongs to the hub's pings, its own pings), at most once a second, so a console that stops answering
 * loses presence within {@code RoutingService.PRESENCE_TTL}. Each heartbeat tick also sends an owed snapshot and has
 * the session checked when due. Used on the socket's event loop only.
 */
final class ConsoleLiveness {
  private static final Logger log = LoggerFactory.getLogger(ConsoleLiveness.class);
  private static final long PRESENCE_REFRESH_NANOS = 1_000_000_000L;

  private final AgentConnection connection;
  private final AgentSocketGateway gateway;
  private final ConsoleWriter out;
  private final SocketAuth auth;
  private final Duration idleTimeout;
  private long lastHeard = System.nanoTime();
  private long lastPresence;

  ConsoleLiveness(AgentConnection connection, AgentSocketGateway gateway, ConsoleWriter out, SocketAuth auth,
      Duration idleTimeout) {
    this.connection = connection;
    this.gateway = gateway;
    this.out = out;
    this.auth = auth;
    this.idleTimeout = idleTimeout;
  }

  /** Any frame arrived. */
  void heard() {
    lastHeard = System.nanoTime();
  }

  /** A heartbeat tick: closes a silent console, pings, sends an owed snapshot, checks the session when due. */
  void tick(io.vertx.core.http.ServerWebSocket ws) {
    if (!connection.open()) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastHeard > idleTimeout.toNanos()) {
      log.atInfo().addKeyValue("agentId", connection.agentId()).log("agent console went silent; closing its socket");
      connection.terminate(Frames.CLOSE_TOO_SLOW, "no frames or pongs for " + idleTimeout.toSeconds() + " s");
      return;
    }
    ws.writePing(Buffer.buffer("hb"));
    if (out.owesSnapshot() && !out.full()) {
      connection.requestSnapshot(out.resyncCause(), null);
    }
    auth.checkWhenDue(now);
  }

  /**
   * Keeps the agent present for routing: at once when {@code always}, else at most once a second.
   */
  void refreshPresence(boolean always) {
    if (!connection.open()) {
      return;
    }
    long now = System.nanoTime();
    if (!always && now - lastPresence < PRESENCE_REFRESH_NANOS) {
      return;
    }
    lastPresence = now;
    gateway.routing().heartbeat(connection.staff().agentId(), always).onFailure(e ->
        log.atWarn().setCause(e).addKeyValue("agentId", connection.agentId()).log("could not record an agent console's heartbeat"));
  }
}
