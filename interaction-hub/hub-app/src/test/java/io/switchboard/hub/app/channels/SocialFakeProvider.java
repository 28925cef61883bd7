package io.switchboard.hub.app.channels;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The social providers' send APIs on a free local port, for a hub whose {@code channels.*.apiBaseUrl} point
 * here: records every call and answers as WhatsApp ({@code POST /<phone number id>/messages}), Messenger
 * ({@code POST /me/messages}) or Telegram ({@code POST /bot<token>/sendMessage}) would, or with the answer a
 * test scripted for the next call. (The channel-social module's tests have the same peer.)
 */
final class SocialFakeProvider implements AutoCloseable {
  /** One recorded call. */
  record Call(String method, String path, MultiMap headers, JsonObject body) {}

  private record Script(int status, JsonObject body, CompletableFuture<Void> hold) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  private final List<Call> all = new CopyOnWriteArrayList<>();
  private final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong(1000);

  SocialFakeProvider() {
    server = vertx.createHttpServer().requestHandler(this::handle);
    await(server.listen(0, "127.0.0.1"));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The next call gets this answer. */
  void answerNext(int status, JsonObject body) {
    scripts.add(new Script(status, body, null));
  }

  /** The next call is recorded but answered (with success) only when the returned future completes. */
  CompletableFuture<Void> holdNext() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    scripts.add(new Script(0, null, gate));
    return gate;
  }

  /** Waits for the next call not yet taken. */
  Call awaitCall() {
    try {
      Call c = calls.poll(30, TimeUnit.SECONDS);
      if (c == null) {
        throw new AssertionError("the provider was not called within 30 s");
      }
      return c;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  List<Call> calls() {
    return List.copyOf(all);
  }

  /** WhatsApp's answer to an accepted message. */
  static JsonObject whatsappAccepted(String to, String wamid) {
    return new JsonObject().put("messaging_product", "whatsapp")
        .put("contacts", new JsonArray().add(new JsonObject().put("input", to).put("wa_id", to)))
        .put("messages", new JsonArray().add(new JsonObject().put("id", wamid)));
  }

  /** A Graph API error as WhatsApp and Messenger send it. */
  static JsonObject graphError(long code, String message, String details) {
    JsonObject error = new JsonObject().put("message", message).put("type", "OAuthException").put("code", code)
        .put("fbtrace_id", "AbCdEfGhIjK");
    if (details != null) {
      error.put("error_data", new JsonObject().put("messaging_product", "whatsapp").put("details", details));
    }
    return new JsonObject().put("error", error);
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(buf -> {
      JsonObject body;
      try {
        body = buf.length() == 0 ? new JsonObject() : new JsonObject(buf);
      } catch (RuntimeException e) {
        body = new JsonObject().put("unparsed", buf.toString());
      }
      Call call = new Call(req.method().name(), req.path(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body);
      all.add(call);
      calls.add(call);
      Script script = scripts.poll();
      JsonObject request = body;
      if (script != null && script.hold() != null) {
        script.hold().whenComplete((v, e) -> req.response().setStatusCode(200)
            .putHeader("Content-Type", "application/json").end(success(req.path(), request).encode()));
        return;
      }
      int status = script == null ? 200 : script.status();
      JsonObject answer = script == null ? success(req.path(), request) : script.body();
      req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(answer.encode());
    });
  }

  private JsonObject success(String path, JsonObject request) {
    long n = ids.incrementAndGet();
    if (path.startsWith("/bot")) {
      return new JsonObject().put("ok", true).put("result", new JsonObject().put("message_id", n)
          .put("chat", new JsonObject().put("id", request.getValue("chat_id")).put("type", "private"))
          .put("date", System.currentTimeMillis() / 1000).put("text", request.getString("text")));
    }
    if (path.equals("/me/messages")) {
      return new JsonObject().put("recipient_id", request.getJsonObject("recipient", new JsonObject()).getString("id"))
          .put("message_id", "m_fake" + n);
    }
    return whatsappAccepted(request.getString("to"), "wamid.FAKE" + n);
  }

  private static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(server.close());
    await(vertx.close());
  }
}
