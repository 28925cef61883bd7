package io.switchboard.channel.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The peer of a JSON-over-WebSocket protocol (a customer's browser, an agent's console), as far as the protocol
 * goes: a real Vert.x WebSocket client that records every text frame the server sends and waits for the ones a
 * test expects (never sleeping). Frames are JSON objects with a {@code type}; {@link #await} takes the next unread
 * frame of a type, leaving earlier frames of other types unread.
 */
public class SocketClient implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final WebSocketClient client;
  private final ClientWebSocket ws;
  private final List<JsonObject> frames = new ArrayList<>();
  private final List<JsonObject> unread = new ArrayList<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private volatile String closeReason;

  /** Connects to {@code ws://127.0.0.1:<port><uri>} with these headers, waiting for the handshake. */
  protected SocketClient(Vertx vertx, int port, String uri, Map<String, String> headers) {
    // Held by this object: Vert.x closes a WebSocketClient that is garbage-collected.
    this.client = vertx.createWebSocketClient();
    this.ws = client.webSocket();
    // Handlers before the handshake: servers may greet at once.
    ws.textMessageHandler(text -> {
      synchronized (this) {
        JsonObject f = new JsonObject(text);
        frames.add(f);
        unread.add(f);
        notifyAll();
      }
    });
    ws.closeHandler(v -> {
      closeReason = ws.closeReason();
      closed.complete(ws.closeStatusCode());
    });
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::addHeader);
    InMemoryChannelContext.await(ws.connect(options));
  }

  /** A client connected to {@code ws://127.0.0.1:<port><uri>}. */
  public static SocketClient connect(Vertx vertx, int port, String uri, Map<String, String> headers) {
    return new SocketClient(vertx, port, uri, headers);
  }

  /** Sends a JSON frame. */
  public SocketClient send(JsonObject frame) {
    return sendRaw(frame.encode());
  }

  /** Sends any text as one frame (malformed input for tests). */
  public SocketClient sendRaw(String text) {
    InMemoryChannelContext.await(ws.writeTextMessage(text));
    return this;
  }

  /** The next unread frame of this type that matches, waiting up to 10 s; earlier frames of other kinds stay unread. */
  public synchronized JsonObject await(String type, Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      for (JsonObject f : unread) {
        if (type.equals(f.getString("type")) && match.test(f)) {
          unread.remove(f);
          return f;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no '" + type + "' frame arrived; got " + frames);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The next unread frame of this type. */
  public JsonObject await(String type) {
    return await(type, f -> true);
  }

  /** Every frame received so far of a type (read or not). */
  public synchronized List<JsonObject> all(String type) {
    return frames.stream().filter(f -> type.equals(f.getString("type"))).toList();
  }

  /** Waits up to 10 s for the server to close the socket; its close status code. */
  public short awaitClose() {
    try {
      return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError("the socket was not closed", e);
    }
  }

  /** The close reason the server gave, once closed. */
  public String closeReason() {
    return closeReason;
  }

  /** Whether the socket is closed. */
  public boolean isClosed() {
    return ws.isClosed();
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      InMemoryChannelContext.await(ws.close());
    }
    InMemoryChannelContext.await(client.close());
  }
}
