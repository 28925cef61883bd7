package io.switchboard.channel.webchat;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A customer's browser, as far as the protocol goes: a real Vert.x WebSocket client that records every
 * frame the server sends, and waits for the ones a test expects (never sleeping).
 */
final class ChatClient implements AutoCloseable {
  private final WebSocketClient client;
  private final ClientWebSocket ws;
  private final List<JsonObject> frames = new ArrayList<>();
  private final List<JsonObject> unread = new ArrayList<>();
  final CompletableFuture<Short> closed = new CompletableFuture<>();
  String closeReason;

  private ChatClient(WebSocketClient client) {
    this.client = client;
    this.ws = client.webSocket();
    // Handlers before the handshake: the server greets at once.
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
  }

  static ChatClient connect(Vertx vertx, int port, Map<String, String> headers) {
    return connect(vertx, port, "/channels/webchat/socket?v=1", headers);
  }

  static ChatClient connect(Vertx vertx, int port, String uri, Map<String, String> headers) {
    // Held by the ChatClient: Vert.x closes a WebSocketClient that is garbage-collected.
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::addHeader);
    ChatClient c = new ChatClient(client);
    RecordingChannelContext.await(c.ws.connect(options));
    return c;
  }

  ChatClient send(JsonObject frame) {
    return sendRaw(frame.encode());
  }

  ChatClient sendRaw(String text) {
    RecordingChannelContext.await(ws.writeTextMessage(text));
    return this;
  }

  /** The next unread frame of this type that matches, waiting up to 10 s; earlier frames of other kinds stay unread. */
  synchronized JsonObject await(String type, Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
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

  JsonObject await(String type) {
    return await(type, f -> true);
  }

  /** Sends a ping and waits for its pong: every frame the server sent before it has then arrived. */
  ChatClient sync() {
    send(new JsonObject().put("type", "ping"));
    await("pong");
    return this;
  }

  /** Every frame received so far of a type (read or not). */
  synchronized List<JsonObject> all(String type) {
    return frames.stream().filter(f -> type.equals(f.getString("type"))).toList();
  }

  /** Starts a session and returns the session frame. */
  JsonObject start(String name, String email, String topic) {
    JsonObject f = new JsonObject().put("type", "start").put("name", name).put("topic", topic);
    if (email != null) {
      f.put("email", email);
    }
    send(f);
    return await("session");
  }

  /** Sends a chat line and returns its ack. */
  JsonObject say(String clientId, String text) {
    send(new JsonObject().put("type", "message").put("clientId", clientId).put("text", text));
    return await("ack", a -> clientId.equals(a.getString("clientId")));
  }

  short awaitClose() {
    try {
      return closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the socket was not closed", e);
    }
  }

  boolean isClosed() {
    return ws.isClosed();
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      RecordingChannelContext.await(ws.close());
    }
    RecordingChannelContext.await(client.close());
  }
}
