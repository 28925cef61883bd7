package io.switchboard.hub.app.ws;

import io.switchboard.hub.api.error.AuthenticationException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication of one agent socket: the {@code auth} frame (protocol version, login token), and the checks of the
 * login session while the socket is open (every {@code sessionCheck}, and at once when the account changed on some
 * node). A session that ended closes the socket (4401); a role change is taken over. Used on the socket's event loop
 * only.
 */
final class SocketAuth {
  private static final Logger log = LoggerFactory.getLogger(SocketAuth.class);
  static final int MAX_TOKEN_CHARS = 200;

  private final AgentConnection connection;
  private final AgentSocketGateway gateway;
  private final ConsoleWriter out;
  private final Duration sessionCheck;
  private String token;
  private long lastSessionCheck = System.nanoTime();

  SocketAuth(AgentConnection connection, AgentSocketGateway gateway, ConsoleWriter out, Duration sessionCheck) {
    this.connection = connection;
    this.gateway = gateway;
    this.out = out;
    this.sessionCheck = sessionCheck;
  }

  /** The {@code auth} frame: checks the version and the token, then opens the connection or closes it. */
  void auth(JsonObject frame, Object ref) {
    if (!connection.awaitingAuth()) {
      out.sendEssential(Frames.error(Frames.ALREADY_AUTHENTICATED, "this socket is already authenticated", ref));
      return;
    }
    Object v = frame.getValue("v");
    if (v != null) {
      if (!(v instanceof Integer || v instanceof Long)) {
        out.sendEssential(Frames.invalidField("v", "must be an integer (the protocol's major version)", ref));
        return;
      }
      if (((Number) v).longValue() != Frames.VERSION) {
        out.sendEssential(Frames.error(Frames.UNSUPPORTED_VERSION,
            "this hub speaks version " + Frames.VERSION + " of the agent protocol, not " + v, ref).put("supported", Frames.VERSION));
        connection.terminate(Frames.CLOSE_UNSUPPORTED_VERSION, "unsupported protocol version");
        return;
      }
    }
    if (!(frame.getValue("token") instanceof String t) || t.isEmpty() || t.length() > MAX_TOKEN_CHARS) {
      out.sendEssential(Frames.invalidField("token", frame.containsKey("token")
          ? "must be the login token (a string of 1 to " + MAX_TOKEN_CHARS + " characters)" : "is required", ref));
      return;
    }
    connection.authenticating();
    gateway.auth().authenticate(t).onComplete(ar -> {
      if (connection.closed()) {
        return;
      }
      if (ar.failed()) {
        if (ar.cause() instanceof AuthenticationException e) {
          out.sendEssential(Frames.error(e.code(), e.getMessage(), ref));
          connection.terminate(Frames.CLOSE_UNAUTHENTICATED, "authentication failed");
        } else {
          log.atWarn().setCause(ar.cause()).addKeyValue("remote", connection.remote()).log("could not check an agent socket's token");
          out.sendEssential(Frames.error(Frames.UNAVAILABLE, "the token could not be checked now; reconnect in a moment", ref));
          connection.terminate(Frames.CLOSE_TRY_AGAIN_LATER, "try again later");
        }
        return;
      }
      token = t;
      connection.opened(ar.result(), ref);
    });
  }

  /** On a heartbeat tick: checks the session again when {@code sessionCheck} has passed since the last check. */
  void checkWhenDue(long nowNanos) {
    if (nowNanos - lastSessionCheck <= sessionCheck.toNanos()) {
      return;
    }
    lastSessionCheck = nowNanos;
    gateway.auth().authenticate(token).onFailure(e -> {
      if (e instanceof AuthenticationException && connection.open()) {
        out.sendEssential(Frames.error(Frames.UNAUTHENTICATED, "the session ended (logged out or expired); log in again", null));
        connection.terminate(Frames.CLOSE_UNAUTHENTICATED, "session ended");
      }
    });
  }

  /**
   * Checks the login session again now (its account changed on some node: logout, revocation, disable, password or
   * role change): closes the socket when the session ended, takes the account's current role otherwise.
   */
  void recheck() {
    if (!connection.open()) {
      return;
    }
    // Not from the cache: this node may hear of the change before the cache does.
    gateway.auth().recheck(token).onComplete(ar -> {
      if (!connection.open()) {
        return;
      }
      if (ar.succeeded()) {
        connection.staff(ar.result());
      } else if (ar.cause() instanceof AuthenticationException) {
        out.sendEssential(Frames.error(Frames.UNAUTHENTICATED, "the session ended (logged out, revoked or disabled); log in again", null));
        connection.terminate(Frames.CLOSE_UNAUTHENTICATED, "session ended");
      }
    });
  }
}
