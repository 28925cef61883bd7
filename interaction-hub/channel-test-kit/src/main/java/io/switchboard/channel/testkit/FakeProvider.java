package io.switchboard.channel.testkit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider's HTTP API on a free loopback port, for an adapter's outbound tests: it records every call (method,
 * path, headers, JSON body) and answers with the success the adapter's provider would give (built by the
 * {@link SuccessAnswer} the test passes), unless a test scripted the next answer: an error status and body
 * ({@code 429} answers also carry {@code Retry-After: 3}), an answer held until the test releases it, or one that
 * starts and never finishes. Scripts are used in order, one per call.
 */
public final class FakeProvider implements AutoCloseable {
  /** One recorded call; a body that is not JSON is kept as {@code {"unparsed": "..."}}. */
  public record Call(String method, String path, MultiMap headers, JsonObject body) {}

  /** What the provider answers a successful call with. */
  @FunctionalInterface
  public interface SuccessAnswer {
    /**
     * @param path the request path
     * @param request the request's JSON body
     * @param sequence a number counting up from 1001, for provider message ids
     */
    JsonObject answer(String path, JsonObject request, long sequence);
  }

  private record Script(int status, JsonObject body, CompletableFuture<Void> hold, Map<String, String> headers) {}

  /** The status of a script that starts a successful answer and never finishes it. */
  private static final int STALL = -1;

  private final HttpServer server;
  private final SuccessAnswer success;
  private final BlockingQueue<Call> unread = new LinkedBlockingQueue<>();
  private final List<Call> all = new CopyOnWriteArrayList<>();
  private final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong(1000);

  private FakeProvider(Vertx vertx, SuccessAnswer success) {
    this.success = success;
    server = vertx.createHttpServer().requestHandler(this::handle);
    InMemoryChannelContext.await(server.listen(0, "127.0.0.1"));
  }

  /** A provider on {@code vertx} (closed with {@link #close}) answering successes with {@code success}. */
  public static FakeProvider start(Vertx vertx, SuccessAnswer success) {
    return new FakeProvider(vertx, success);
  }

  /** {@code http://127.0.0.1:<port>}, the API base URL to give the adapter. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The next call gets this answer. */
  public FakeProvider answerNext(int status, JsonObject body) {
    scripts.add(new Script(status, body, null, Map.of()));
    return this;
  }

  /** The next call gets this answer with this header. */
  public FakeProvider answerNextWithHeader(int status, JsonObject body, String header, String value) {
    scripts.add(new Script(status, body, null, Map.of(header, value)));
    return this;
  }

  /** The next call is recorded but not answered until the returned future completes; then it succeeds. */
  public CompletableFuture<Void> holdNext() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    scripts.add(new Script(0, null, gate, Map.of()));
    return gate;
  }

  /** The next call gets the head of a successful answer and the start of its body, then nothing more. */
  public FakeProvider stallNext() {
    scripts.add(new Script(STALL, null, null, Map.of()));
    return this;
  }

  /** Waits up to 20 s for the next call not yet taken. */
  public Call awaitCall() {
    try {
      Call c = unread.poll(20, TimeUnit.SECONDS);
      if (c == null) {
        throw new AssertionError("the provider was not called within 20 s");
      }
      return c;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Every call so far, in order. */
  public List<Call> calls() {
    return List.copyOf(all);
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
      unread.add(call);
      Script script = scripts.poll();
      if (script != null && script.hold() != null) {
        JsonObject b = body;
        script.hold().whenComplete((v, e) -> req.response().setStatusCode(200)
            .putHeader("Content-Type", "application/json").end(success.answer(req.path(), b, ids.incrementAndGet()).encode()));
        return;
      }
      if (script != null && script.status() == STALL) {
        req.response().setStatusCode(200).putHeader("Content-Type", "application/json").setChunked(true)
            .write("{\"message_id\": ");
        return;
      }
      int status = script == null ? 200 : script.status();
      JsonObject answer = script == null ? success.answer(req.path(), body, ids.incrementAndGet()) : script.body();
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

  @Override
  public void close() {
    InMemoryChannelContext.await(server.close());
  }
}
