package io.switchboard.hub.app.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test agent console: a real Vert.x WebSocket client (held in a field, as Vert.x closes clients that are
 * garbage-collected) that records every frame it receives and lets a test wait for the next matching one.
 */
final class Console implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  private final WebSocketClient client;
  private final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final List<JsonObject> received = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private WebSocket ws;

  Console(Vertx vertx) {
    this(vertx, new WebSocketClientOptions());
  }

  Console(Vertx vertx, WebSocketClientOptions options) {
    this.client = vertx.createWebSocketClient(options.setMaxMessageSize(1024 * 1024));
  }

  /** Connects to {@code /ws/agent} on the given port, sending the hub's own origin like a browser would. */
  Console connect(int port) {
    return connect(port, "http://127.0.0.1:" + port);
  }

  /** Connects with this Origin header (null: none). */
  Console connect(int port, String origin) {
    ws = await(tryConnect(options(port, origin)));
    return this;
  }

  /**
   * Handshake options with this Origin header (null: none). Vert.x sends no Origin when it is not allowed,
   * and its own (the target's) when no header is given, so both are set explicitly.
   */
  static WebSocketConnectOptions options(int port, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(AgentSocketGateway.PATH).setAllowOriginHeader(origin != null);
    if (origin != null) {
      options.putHeader("Origin", origin);
    }
    return options;
  }

  /** The connection attempt itself, for tests that expect it to be refused. */
  Future<WebSocket> tryConnect(WebSocketConnectOptions options) {
    return client.connect(options).onSuccess(socket -> {
      socket.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        received.add(frame);
        inbox.add(frame);
      });
      socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
    });
  }

  /** Sends auth and returns hello; the snapshot that follows is left for the test to read. */
  JsonObject authenticate(String token) {
    send(new JsonObject().put("type", "auth").put("token", token).put("v", 1));
    return next("hello");
  }

  /** Authenticates and returns the first snapshot. */
  JsonObject authenticated(String token) {
    authenticate(token);
    return next("snapshot");
  }

  void send(JsonObject frame) {
    await(ws.writeTextMessage(frame.encode()));
  }

  void sendText(String text) {
    await(ws.writeTextMessage(text));
  }

  /** Writes without waiting (for floods that the hub may cut short). */
  void fire(String text) {
    ws.writeTextMessage(text);
  }

  void sendBinary(Buffer data) {
    await(ws.writeBinaryMessage(data));
  }

  /** Sends a command with {@code ref} and returns its reply (ok, error or pong with that ref). */
  JsonObject command(JsonObject frame, String ref) {
    send(frame.copy().put("ref", ref));
    return next(f -> ref.equals(f.getValue("ref")) && List.of("ok", "error", "pong").contains(f.getString("type")));
  }

  /** A ping that must be answered: the connection still works. */
  void assertAlive(String ref) {
    JsonObject pong = command(new JsonObject().put("type", "ping"), ref);
    assertThat(pong.getString("type")).as("reply to ping %s: %s", ref, pong).isEqualTo("pong");
  }

  /** The next frame of this type (frames before it are skipped, but stay in {@link #received}). */
  JsonObject next(String type) {
    return next(f -> type.equals(f.getString("type")));
  }

  JsonObject next(Predicate<JsonObject> match) {
    return next(match, WAIT);
  }

  JsonObject next(Predicate<JsonObject> match, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonObject f = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
        if (f == null) {
          throw new AssertionError("no matching frame within " + within.toMillis() + " ms; received " + received);
        }
        if (match.test(f)) {
          return f;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Every frame received so far, in order. */
  List<JsonObject> received() {
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }

  List<JsonObject> received(String type) {
    return received().stream().filter(f -> type.equals(f.getString("type"))).toList();
  }

  void pause() {
    ws.pause();
  }

  void resume() {
    ws.resume();
  }

  /** Waits for the hub to close the socket and returns the close code. */
  short awaitClose() {
    try {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the socket was not closed; received " + received, e);
    }
  }

  /** Closes from the client side (1000) and waits for the closing handshake to end. */
  @Override
  public void close() {
    if (ws != null && !ws.isClosed()) {
      try {
        ws.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // already gone
      }
    }
    client.close();
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
