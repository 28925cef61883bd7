package io.switchboard.hub.store;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.switchboard.hub.api.error.UnavailableException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.util.Optional;
import java.util.Set;

/**
 * Tells a failure of PostgreSQL or Redis being unreachable (down, restarting, refusing connections, timing out) from
 * every other failure, so the HTTP edge can answer 503 {@code unavailable} (worth retrying) instead of 500. The one
 * place that knows the drivers' exception types.
 */
public final class BackendFailures {
  /**
   * SQLSTATEs that mean "not now": connection exceptions (class 08), too many connections, the server shutting down or
   * starting, and a standby that cannot take writes.
   */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("53300", "57P01", "57P02", "57P03", "25006");

  private BackendFailures() {}

  /**
   * The failure as an {@link UnavailableException} when it (or one of its causes) means PostgreSQL or Redis does not
   * answer; empty for anything else (a bug, a constraint, a script error).
   */
  public static Optional<UnavailableException> unavailable(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t instanceof UnavailableException u) {
        return Optional.of(u);
      }
      String which = which(t);
      if (which != null) {
        return Optional.of(new UnavailableException(which + " does not answer: " + t.getMessage(), failure));
      }
    }
    return Optional.empty();
  }

  /**
   * vertx-sql-client's pool gave up waiting for a free connection ({@code PoolOptions.connectionTimeout}, the hub's
   * {@code postgres.poolWait}): a plain {@code VertxException} whose only mark is its message. The pool is full, not
   * broken; the caller should come back.
   */
  private static boolean poolWait(Throwable t) {
    return t instanceof io.vertx.core.VertxException && "Timeout waiting for connection".equals(t.getMessage());
  }

  /**
   * vertx-sql-client refusing a statement because its connection was closed under it (the server ended it: a backend
   * crashed and PostgreSQL ended every connection to recover, or an administrator terminated it): plain
   * {@code VertxException}s known by their messages. The statement was never sent, so nothing of it was written.
   */
  private static boolean closedBeforeSent(Throwable t) {
    String m = t.getMessage();
    return t instanceof io.vertx.core.VertxException && m != null
        && (m.startsWith("Connection is not active now") || m.startsWith("Pending requests failed to be sent"));
  }

  private static String which(Throwable t) {
    if (t instanceof PgException pg) {
      String state = pg.getSqlState();
      return state != null && (state.startsWith("08") || UNAVAILABLE_STATES.contains(state)) ? "PostgreSQL" : null;
    }
    if (t instanceof ClosedConnectionException) {
      return "PostgreSQL";
    }
    if (closedBeforeSent(t)) {
      return "PostgreSQL (its connection was closed)";
    }
    if (poolWait(t)) {
      return "PostgreSQL (every pooled connection stayed busy)";
    }
    if (t instanceof RedisCommandExecutionException e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      return m.startsWith("LOADING") || m.startsWith("MASTERDOWN") || m.startsWith("READONLY") || m.startsWith("BUSY")
          ? "Redis" : null;
    }
    if (t instanceof RedisException) {
      return "Redis"; // not connected, connection lost, command timed out
    }
    if (t instanceof java.net.ConnectException || t instanceof java.net.SocketException
        || t instanceof java.nio.channels.ClosedChannelException || t instanceof java.util.concurrent.TimeoutException
        || t instanceof io.netty.channel.ConnectTimeoutException) {
      return "a backing service";
    }
    String m = t.getMessage();
    if (t instanceof IllegalStateException && m != null && m.contains("Pool closed")) {
      return "PostgreSQL";
    }
    if (t.getClass().getName().equals("io.vertx.core.impl.NoStackTraceTimeoutException") || (m != null && m.contains("Timeout while waiting for a connection"))) {
      return "PostgreSQL";
    }
    return null;
  }
}
