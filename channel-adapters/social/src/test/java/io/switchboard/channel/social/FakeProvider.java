package io.switchboard.channel.social;

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
 * The providers' send APIs on a free local port: records every call and answers as the provider would —
 * WhatsApp Cloud API ({@code POST /<phone number id>/messages}), Messenger Send API ({@code POST /me/messages})
 * and Telegram ({@code POST /bot<token>/sendMessage}) — with ids on success, or with the answer a test
 * scripted for the next call (400 invalid recipient, 500, 429, a held answer, or an answer that stops halfway).
 */
final class FakeProvider implements AutoCloseable {
  /** One recorded call. */
  record Call(String method, String path, MultiMap headers, JsonObject body) {}

  private record Script(int status, JsonObject body, CompletableFuture<Void> hold, java.util.Map<String, String> headers) {
    Script(int status, JsonObject body, CompletableFuture<Void> hold) {
      this(status, body, hold, java.util.Map.of());
    }
  }

  /** The status of a script that starts a successful answer and never finishes it. */
  private static final int STALL = -1;

  private final HttpServer server;
  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  private final List<Call> all = new CopyOnWriteArrayList<>();
  private final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong(1000);

  private FakeProvider(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(this::handle);
    TestChannelContext.await(server.listen(0, "127.0.0.1"));
  }

  static FakeProvider start(Vertx vertx) {
    return new FakeProvider(vertx);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The next call gets this answer. */
  FakeProvider answerNext(int status, JsonObject body) {
    scripts.add(new Script(status, body, null));
    return this;
  }

  /** The next call gets this answer with this header. */
  FakeProvider answerNextWithHeader(int status, JsonObject body, String header, String value) {
    scripts.add(new Script(status, body, null, java.util.Map.of(header, value)));
    return this;
  }

  /** The next call is recorded but not answered until the returned future completes; then it succeeds. */
  CompletableFuture<Void> holdNext() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    scripts.add(new Script(0, null, gate));
    return gate;
  }

  /** The next call gets the head of a successful answer and the start of its body, then nothing more. */
  FakeProvider stallNext() {
    scripts.add(new Script(STALL, null, null));
    return this;
  }

  /** Waits for the next call not yet taken. */
  Call awaitCall() {
    try {
      Call c = calls.poll(20, TimeUnit.SECONDS);
      if (c == null) {
        throw new AssertionError("the provider was not called within 20 s");
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

  /** A Graph API error as WhatsApp and Messenger send it. */
  static JsonObject graphError(long code, String message, Long subcode, String details) {
    JsonObject error = new JsonObject().put("message", message).put("type", "OAuthException").put("code", code)
        .put("fbtrace_id", "AbCdEfGhIjK");
    if (subcode != null) {
      error.put("error_subcode", subcode);
    }
    if (details != null) {
      error.put("error_data", new JsonObject().put("messaging_product", "whatsapp").put("details", details));
    }
    return new JsonObject().put("error", error);
  }

  /** A Bot API error. */
  static JsonObject telegramError(int code, String description) {
    JsonObject e = new JsonObject().put("ok", false).put("error_code", code).put("description", description);
    if (code == 429) {
      e.put("parameters", new JsonObject().put("retry_after", 3));
    }
    return e;
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
      if (script != null && script.hold() != null) {
        JsonObject b = body;
        script.hold().whenComplete((v, e) -> req.response().setStatusCode(200)
            .putHeader("Content-Type", "application/json").end(success(req.path(), b).encode()));
        return;
      }
      if (script != null && script.status() == STALL) {
        req.response().setStatusCode(200).putHeader("Content-Type", "application/json").setChunked(true)
            .write("{\"message_id\": ");
        return;
      }
      int status = script == null ? 200 : script.status();
      JsonObject answer = script == null ? success(req.path(), body) : script.body();
      var response = req.response().setStatusCode(status).putHeader("Content-Type", "application/json");
      if (status == 429) {
        response.putHeader("Retry-After", "3");
      }
      if (script != null) {
        script.headers().forEach(response::putHeader);
      }
      response.end(answer.encode());
    });
  }

  private JsonObject success(String path, JsonObject request) {
    long n = ids.incrementAndGet();
    if (path.startsWith("/bot")) {
      return new JsonObject().put("ok", true).put("result", new JsonObject().put("message_id", n)
          .put("from", new JsonObject().put("id", 5550001).put("is_bot", true).put("first_name", "Switchboard"))
          .put("chat", new JsonObject().put("id", request.getValue("chat_id")).put("type", "private"))
          .put("date", System.currentTimeMillis() / 1000).put("text", request.getString("text")));
    }
    if (path.equals("/me/messages") || request.containsKey("recipient")) {
      JsonObject recipient = request.getJsonObject("recipient", new JsonObject());
      return new JsonObject().put("recipient_id", recipient.getString("id")).put("message_id", "m_fake" + n);
    }
    String to = request.getString("to");
    return new JsonObject().put("messaging_product", "whatsapp")
        .put("contacts", new JsonArray().add(new JsonObject().put("input", to).put("wa_id", to)))
        .put("messages", new JsonArray().add(new JsonObject().put("id", "wamid.FAKE" + n)));
  }

  @Override
  public void close() {
    TestChannelContext.await(server.close());
  }
}
