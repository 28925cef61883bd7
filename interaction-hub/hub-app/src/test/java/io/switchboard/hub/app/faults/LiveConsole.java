package io.switchboard.hub.app.faults;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent console kept connected through faults, as the browser console does: it authenticates with its token,
 * answers nothing, and reconnects (every second) whenever the socket closes. Counts the frames and reconnects.
 */
final class LiveConsole implements AutoCloseable {
  private final Vertx vertx;
  private final WebSocketClient client;
  private final int port;
  private final String token;
  final AtomicInteger frames = new AtomicInteger();
  final AtomicInteger connections = new AtomicInteger();
  private volatile boolean closed;
  private volatile WebSocket ws;

  LiveConsole(Vertx vertx, int port, String token) {
    this.vertx = vertx;
    this.client = vertx.createWebSocketClient();
    this.port = port;
    this.token = token;
  }

  LiveConsole connect() throws Exception {
    open().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return this;
  }

  private io.vertx.core.Future<WebSocket> open() {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/agent")
        .setAllowOriginHeader(true).putHeader("Origin", "http://127.0.0.1:" + port);
    return client.connect(o).onSuccess(socket -> {
      ws = socket;
      connections.incrementAndGet();
      socket.textMessageHandler(t -> frames.incrementAndGet());
      socket.closeHandler(v -> reconnectLater());
      socket.writeTextMessage(new JsonObject().put("type", "auth").put("token", token).put("v", 1).encode());
    }).onFailure(e -> reconnectLater());
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
  }
}
