package io.switchboard.hub.app.channels;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A customer's browser on the hub's chat socket ({@code /channels/webchat/socket}, docs/webchat.md): a real
 * Vert.x WebSocket client that records the server's frames and waits for the ones a test expects.
 */
public final class WebChatCustomer implements AutoCloseable {
  private final WebSocketClient client;
  private final ClientWebSocket ws;
  private final List<JsonObject> frames = new ArrayList<>();
  private final List<JsonObject> unread = new ArrayList<>();
  final CompletableFuture<Short> closed = new CompletableFuture<>();

  public WebChatCustomer(Vertx vertx, int port) {
    this(vertx, port, new WebSocketClientOptions());
  }

  /**
   * A customer whose client sends each message as ONE WebSocket frame up to {@code maxFrameBytes} (as browsers do);
   * the default client splits messages into 64 KiB frames.
   */
  static WebChatCustomer sendingSingleFramesUpTo(Vertx vertx, int port, int maxFrameBytes) {
    return new WebChatCustomer(vertx, port, new WebSocketClientOptions().setMaxFrameSize(maxFrameBytes)
        .setMaxMessageSize(maxFrameBytes));
  }

  private WebChatCustomer(Vertx vertx, int port, WebSocketClientOptions options) {
    // Held in a field: Vert.x closes a WebSocketClient that is garbage-collected.
    client = vertx.createWebSocketClient(options);
    ws = client.webSocket();
    ws.textMessageHandler(text -> {
      synchronized (this) {
        JsonObject f = new JsonObject(text);
        frames.add(f);
        unread.add(f);
        notifyAll();
      }
    });
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/channels/webchat/socket?v=1").addHeader("Accept-Language", "en-GB,en;q=0.8")));
  }

  public WebChatCustomer send(JsonObject frame) {
    await(ws.writeTextMessage(frame.encode()));
    return this;
  }

  /**
   * Sends text as it is (not necessarily JSON) without waiting for the write: the hub may close the socket while a
   * large frame is still being written, and what it answers is what the test looks at.
   */
  WebChatCustomer sendRaw(String text) {
    ws.writeTextMessage(text);
    return this;
  }

  /** The close code the hub sent, waiting for it; -1 when the connection ended without a close frame. */
  short awaitClose() {
    try {
      Short code = closed.get(20, TimeUnit.SECONDS);
      return code == null ? -1 : code;
    } catch (Exception e) {
      throw new AssertionError("the hub did not close the socket", e);
    }
  }

  public synchronized JsonObject await(String type, Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
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

  public JsonObject await(String type) {
    return await(type, f -> true);
  }

  /** A ping answered: every frame the server sent before has arrived. */
  WebChatCustomer sync() {
    send(new JsonObject().put("type", "ping"));
    await("pong");
    return this;
  }

  synchronized List<JsonObject> all(String type) {
    return frames.stream().filter(f -> type.equals(f.getString("type"))).toList();
  }

  public JsonObject say(String clientId, String text) {
    send(new JsonObject().put("type", "message").put("clientId", clientId).put("text", text));
    return await("ack", a -> clientId.equals(a.getString("clientId")));
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      await(ws.close());
    }
    await(client.close());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
