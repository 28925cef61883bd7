package io.switchboard.hub.app.faults;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent console kept connected through faults, as the browser console does: it authenticates with its token and
 * reconnects (every second) whenever the socket closes; when the hub no longer knows its session (Redis lost its
 * data) it logs in again. Counts the frames and reconnects.
 *
 * <p>A {@linkplain #working working} console also does an agent's work: on every connection it goes available, accepts
 * each offer, and ends each interaction assigned to it (over HTTP, trying again while the hub answers 503, logging in again after a 401), so a test
 * can check that every contact reached an agent.
 */
final class LiveConsole implements AutoCloseable {
  private final Vertx vertx;
  private final WebSocketClient client;
  private final HttpClient http;
  private final int port;
  private final Callable<String> login;
  private final boolean working;
  final AtomicInteger frames = new AtomicInteger();
  final AtomicInteger connections = new AtomicInteger();
  /** Interactions offered to this console and ended by it. */
  final Set<String> offered = ConcurrentHashMap.newKeySet();
  final Set<String> ended = ConcurrentHashMap.newKeySet();
  private volatile String token;
  private volatile boolean closed;
  private volatile WebSocket ws;
  /** An HTTP call was refused with 401 (the hub lost the session, e.g. Redis came back empty): log in again. */
  private volatile boolean sessionLost;

  LiveConsole(Vertx vertx, int port, String token) {
    this(vertx, port, token, null, false);
  }

  private LiveConsole(Vertx vertx, int port, String token, Callable<String> login, boolean working) {
    this.vertx = vertx;
    this.client = vertx.createWebSocketClient();
    this.http = vertx.createHttpClient();
    this.port = port;
    this.token = token;
    this.login = login;
    this.working = working;
  }

  /** A console that works (see the class comment); {@code login} returns a fresh token (it may block). */
  static LiveConsole working(Vertx vertx, int port, Callable<String> login) throws Exception {
    return new LiveConsole(vertx, port, login.call(), login, true);
  }

  LiveConsole connect() throws Exception {
    open().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return this;
  }

  private Future<WebSocket> open() {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/agent")
        .setAllowOriginHeader(true).putHeader("Origin", "http://127.0.0.1:" + port);
    return client.connect(o).onSuccess(socket -> {
      ws = socket;
      connections.incrementAndGet();
      socket.textMessageHandler(t -> {
        frames.incrementAndGet();
        onFrame(socket, new JsonObject(t));
      });
      socket.closeHandler(v -> {
        Short code = socket.closeStatusCode();
        if (login != null && (sessionLost || (code != null && code == 4401))) {
          sessionLost = false;
          relogin();
        } else {
          reconnectLater();
        }
      });
      socket.writeTextMessage(new JsonObject().put("type", "auth").put("token", token).put("v", 1).encode());
    }).onFailure(e -> reconnectLater());
  }

  private void onFrame(WebSocket socket, JsonObject f) {
    if (!working) {
      return;
    }
    switch (f.getString("type", "")) {
      case "hello" -> socket.writeTextMessage(new JsonObject().put("type", "state").put("state", "available").encode());
      case "snapshot" -> {
        JsonArray offers = f.getJsonArray("offers", new JsonArray());
        offers.forEach(x -> accept(socket, ((JsonObject) x).getString("interactionId")));
        JsonArray assigned = f.getJsonArray("assigned", new JsonArray());
        assigned.forEach(x -> end(((JsonObject) x).getString("interactionId")));
      }
      case "offer" -> accept(socket, f.getString("interactionId"));
      case "assigned" -> end(f.getString("interactionId"));
      default -> { }
    }
  }

  private void accept(WebSocket socket, String interactionId) {
    offered.add(interactionId);
    socket.writeTextMessage(new JsonObject().put("type", "accept").put("interactionId", interactionId).encode());
  }

  /** Ends an assigned interaction; tried again every second while the hub cannot answer. */
  private void end(String interactionId) {
    if (closed || ended.contains(interactionId)) {
      return;
    }
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/api/v1/interactions/" + interactionId + "/end").putHeader("Authorization", "Bearer " + token))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          int status = ar.succeeded() ? ar.result() : 0;
          if (status / 100 == 2) {
            ended.add(interactionId);
          } else if (status == 401 && login != null && !closed) {
            // As the console does: a refused session means logging in again; the new socket's snapshot lists
            // this interaction as assigned again, and it is ended then.
            sessionLost = true;
            WebSocket s = ws;
            if (s != null && !s.isClosed()) {
              s.close();
            }
          } else if (status != 404 && status != 409 && !closed) {
            vertx.setTimer(1000, t -> end(interactionId));
          }
        });
  }

  /** The hub forgot the session: log in again (off the event loop), then reconnect. */
  private void relogin() {
    if (closed) {
      return;
    }
    vertx.<String>executeBlocking(() -> {
      while (!closed) {
        try {
          return login.call();
        } catch (Throwable e) {
          Thread.sleep(1000);
        }
      }
      return null;
    }).onComplete(ar -> {
      if (ar.succeeded() && ar.result() != null) {
        token = ar.result();
      }
      reconnectLater();
    });
  }

  private void reconnectLater() {
    if (!closed) {
      vertx.setTimer(1000, id -> {
        if (!closed) {
          open();
        }
      });
    }
  }

  boolean connected() {
    WebSocket s = ws;
    return s != null && !s.isClosed();
  }

  @Override
  public void close() {
    closed = true;
    WebSocket s = ws;
    if (s != null) {
      s.close();
    }
    client.close();
    http.close();
  }
}
