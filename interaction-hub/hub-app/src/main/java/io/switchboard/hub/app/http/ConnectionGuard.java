package io.switchboard.hub.app.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow or idle clients from holding connections: a connection gets {@code headerTimeout} to deliver a
 * complete request head from when it opened, and {@code keepAliveTimeout} after each answer for the next one
 * (bytes that trickle in do not extend either),
 * each request gets {@code bodyTimeout} to deliver its body, and one client address holds at most
 * {@code maxPerAddress} connections (more are closed as they open). Idle connections (no bytes either way) are closed
 * by the server's idle timeout. WebSocket connections are left to their own protocols once upgraded.
 *
 * <p>Threading: one guard per HTTP verticle instance, used on that instance's event loop only (a connection stays on
 * the loop that accepted it); the connections per address are counted node-wide in {@link Addresses}, shared by the
 * guards of every instance, so the cap holds however the connections of one address are spread over the loops.
 */
final class ConnectionGuard {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  /** Settings. */
  record Limits(Duration headerTimeout, Duration keepAliveTimeout, Duration bodyTimeout, int maxPerAddress) {}

  /** Open connections per client address on this node, over every event loop; thread-safe. */
  static final class Addresses {
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> open = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

    /** Counts a connection opened; returns how many the address holds now, this one included. */
    int opened(String address) {
      return open.merge(address, 1, Integer::sum);
    }

    void closed(String address) {
      open.computeIfPresent(address, (k, c) -> c <= 1 ? null : c - 1);
    }
  }

  private static final class State {
    final String address;
    int inFlight;
    long waitingSince = System.nanoTime();
    long requestSince;
    HttpServerRequest current;
    boolean upgraded;
    boolean served;

    State(String address) {
      this.address = address;
    }
  }

  private final Vertx vertx;
  private final Limits limits;
  private final Map<HttpConnection, State> connections = new IdentityHashMap<>();
  private final Addresses perAddress;
  private long sweeper = -1;
  private long timedOut;

  /** A guard of its own (one instance serving HTTP, tests). */
  ConnectionGuard(Vertx vertx, Limits limits) {
    this(vertx, limits, new Addresses());
  }

  /** A guard of one HTTP verticle instance, counting connections per address with the others in {@code addresses}. */
  ConnectionGuard(Vertx vertx, Limits limits, Addresses addresses) {
    this.vertx = vertx;
    this.limits = limits;
    this.perAddress = addresses;
  }

  /** For {@code HttpServer.connectionHandler}. */
  Handler<HttpConnection> onConnection() {
    return conn -> {
      String address = conn.remoteAddress() == null ? "unknown" : conn.remoteAddress().hostAddress();
      int n = perAddress.opened(address);
      State state = new State(address);
      connections.put(conn, state);
      conn.closeHandler(v -> {
        connections.remove(conn);
        perAddress.closed(address);
      });
      if (n > limits.maxPerAddress()) {
        long refused = perAddress.refused.incrementAndGet();
        if (refused == 1 || refused % 100 == 0) {
          log.atWarn().addKeyValue("address", address).addKeyValue("limit", limits.maxPerAddress())
              .addKeyValue("refusedSoFar", refused).log("connection refused: too many connections from one address");
        }
        conn.close();
        return;
      }
      if (sweeper == -1) {
        long every = Math.max(200, Math.min(1000, limits.headerTimeout().toMillis() / 4));
        sweeper = vertx.setPeriodic(every, id -> sweep());
      }
    };
  }

  /** Wraps the request handler: tracks each request of its connection. */
  Handler<HttpServerRequest> wrap(Handler<HttpServerRequest> next) {
    return request -> {
      State s = connections.get(request.connection());
      if (s != null) {
        s.inFlight++;
        s.served = true;
        s.current = request;
        s.requestSince = System.nanoTime();
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
          s.upgraded = true;
        }
        request.response().closeHandler(v -> done(s, request));
        request.response().endHandler(v -> done(s, request));
      }
      next.handle(request);
    };
  }

  private void done(State s, HttpServerRequest request) {
    if (s.current == request || s.inFlight > 0) {
      s.inFlight = Math.max(0, s.inFlight - 1);
      if (s.current == request) {
        s.current = null;
      }
      s.waitingSince = System.nanoTime();
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (var e : new java.util.ArrayList<>(connections.entrySet())) {
      State s = e.getValue();
      if (s.upgraded) {
        continue;
      }
      Duration wait = s.served ? limits.keepAliveTimeout() : limits.headerTimeout();
      if (s.inFlight == 0 && now - s.waitingSince > wait.toNanos()) {
        close(e.getKey(), s, "no complete request within " + wait.toSeconds() + " s");
      } else if (s.current != null && !s.current.isEnded() && now - s.requestSince > limits.bodyTimeout().toNanos()) {
        close(e.getKey(), s, "request body not complete within " + limits.bodyTimeout().toSeconds() + " s");
      }
    }
  }

  private void close(HttpConnection conn, State s, String why) {
    timedOut++;
    log.atDebug().addKeyValue("address", s.address).log("closing a slow connection: " + why);
    connections.remove(conn);
    // HttpConnection.close() is a graceful shutdown that waits for the request being read, which is exactly what a
    // slow client never finishes: close the channel itself.
    if (conn instanceof io.vertx.core.net.impl.ConnectionBase base) {
      base.channelHandlerContext().channel().close();
    } else {
      conn.close();
    }
  }

  /** Open connections now (for tests and metrics). */
  int open() {
    return connections.size();
  }

  void stop() {
    if (sweeper != -1) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
  }
}
