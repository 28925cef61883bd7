package io.switchboard.hub.api.spi;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

/**
 * HTTP endpoints an adapter serves on the hub's own port, under {@code /channels/<adapter name>}: provider
 * webhooks, a widget's script, a customer WebSocket. The hub routes each request to the handler registered
 * for its path (exact match, after the prefix) and applies its body size limit; everything else (reading
 * the body, answering, authenticating the caller — a webhook signature, a chat session token) is the
 * adapter's.
 *
 * <p>Register during {@link ChannelAdapter#start}. Handlers run on the hub's event loop: never block.
 */
public interface ChannelHttp {

  /** Handles one request whose body the hub has read already (at most its body size limit, else 413). */
  @FunctionalInterface
  interface RequestHandler {
    /**
     * @param body the raw body bytes (empty for none): exactly what the provider sent, for signature checks
     */
    void handle(HttpServerRequest request, Buffer body);
  }

  /**
   * Serves {@code /channels/<adapter name><path>} for every method; the handler must end the response.
   *
   * @param path starts with "/", for example "/webhook"
   */
  void route(String path, RequestHandler handler);

  /** Accepts WebSocket upgrades on {@code /channels/<adapter name><path>}. */
  void webSocket(String path, Handler<ServerWebSocket> handler);

  /** The public base URL of this adapter's endpoints, such as {@code http://localhost:8080/channels/webchat}. */
  String baseUrl();
}
