package io.switchboard.channel.webchat;

import io.switchboard.channel.testkit.SocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A customer's browser, as far as the web chat protocol goes: the kit's {@link SocketClient} with the protocol's
 * steps (start a session, say a line, sync with a ping).
 */
final class ChatClient extends SocketClient {
  private ChatClient(Vertx vertx, int port, String uri, Map<String, String> headers) {
    super(vertx, port, uri, headers);
  }

  static ChatClient connect(Vertx vertx, int port, Map<String, String> headers) {
    return connect(vertx, port, "/channels/webchat/socket?v=1", headers);
  }

  public static ChatClient connect(Vertx vertx, int port, String uri, Map<String, String> headers) {
    return new ChatClient(vertx, port, uri, headers);
  }

  @Override
  public ChatClient send(JsonObject frame) {
    super.send(frame);
    return this;
  }

  /** Sends a ping and waits for its pong: every frame the server sent before it has then arrived. */
  ChatClient sync() {
    send(new JsonObject().put("type", "ping"));
    await("pong");
    return this;
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
}
