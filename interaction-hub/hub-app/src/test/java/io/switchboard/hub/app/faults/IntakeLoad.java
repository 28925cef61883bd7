package io.switchboard.hub.app.faults;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded intake load, as an integration would send it: {@code total} new chat contacts at about {@code perSecond},
 * each re-sent after a 503 (as the Retry-After asks, sooner in tests) until it is acknowledged. It records every
 * answer, so a test can check that each was 201, 200 or 503 with Retry-After, and what was acknowledged. Stops by
 * itself after {@code deadline} whatever happens.
 */
final class IntakeLoad implements AutoCloseable {
  /** One answer: the status, whether Retry-After came with it, and any transport error. */
  record Answer(String externalId, int status, boolean retryAfter, String error) {
    boolean acceptable() {
      return error == null && (status == 200 || status == 201 || (status == 503 && retryAfter));
    }
  }

  private final List<String> nodes;
  private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();
  private int node;
  private final String run;
  private final int total;
  private final long pauseMs;
  private final Duration deadline;
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger sent = new AtomicInteger();
  private final Thread thread;
  private volatile boolean stop;

  private IntakeLoad(List<String> nodes, String run, int total, int perSecond, Duration deadline) {
    this.nodes = List.copyOf(nodes);
    this.run = run;
    this.total = total;
    this.pauseMs = 1000L / perSecond;
    this.deadline = deadline;
    this.thread = new Thread(this::send, "intake-load-" + run);
    this.thread.setDaemon(true);
  }

  static IntakeLoad start(TestHub hub, String run, int total, int perSecond, Duration deadline) {
    return start(List.of(hub.baseUrl()), run, total, perSecond, deadline);
  }

  /**
   * A load spread over several hub nodes (base URLs), as a load balancer would: round robin, and a request that
   * cannot reach a node (connection refused or cut) goes to the next node at once.
   */
  static IntakeLoad start(List<String> nodes, String run, int total, int perSecond, Duration deadline) {
    IntakeLoad load = new IntakeLoad(nodes, run, total, perSecond, deadline);
    load.thread.start();
    return load;
  }

  private void send() {
    long end = System.nanoTime() + deadline.toNanos();
    Deque<String> retry = new ArrayDeque<>();
    int next = 0;
    while (!stop && System.nanoTime() < end && (next < total || !retry.isEmpty())) {
      String id = !retry.isEmpty() && (next >= total || next % 2 == 0) ? retry.poll() : run + "-" + next++;
      Answer a = post(id);
      answers.add(a);
      sent.incrementAndGet();
      if (a.status() == 200 || a.status() == 201) {
        acknowledged.put(id, new JsonObject(lastBody.get()).getString("interactionId"));
      } else {
        retry.add(id);
      }
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private final ThreadLocal<String> lastBody = new ThreadLocal<>();

  private Answer post(String externalId) {
    String body = new JsonObject().put("channel", "chat").put("externalId", externalId)
        .put("sender", new JsonObject().put("kind", "email").put("value", externalId + "@load.example.com"))
        .put("threadKey", "thread-" + externalId)
        .put("content", new JsonObject().put("type", "text").put("text", "contact " + externalId))
        .put("metadata", new JsonObject().put("topic", "billing")).encode();
    String error = null;
    for (int tries = 0; tries < nodes.size(); tries++) {
      String base = nodes.get(node++ % nodes.size());
      try {
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/v1/inbound"))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
            .header("Authorization", TestHub.apiKey(TestHub.DEMO_API_KEY))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        lastBody.set(r.body());
        return new Answer(externalId, r.statusCode(), r.headers().firstValue("Retry-After").isPresent(), null);
      } catch (java.io.IOException e) {
        error = base + ": " + e; // this node cannot be reached: the next one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Answer(externalId, 0, false, "interrupted");
      }
    }
    return new Answer(externalId, 0, false, error);
  }

  /** Answers received so far. */
  int answered() {
    return sent.get();
  }

  /** Waits until every contact was acknowledged (or the deadline passed) and stops. */
  void finish() throws InterruptedException {
    thread.join(deadline.toMillis() + 30_000);
    stop = true;
  }

  /** External id → interaction id of every acknowledged contact. */
  Map<String, String> acknowledged() {
    return Map.copyOf(acknowledged);
  }

  List<Answer> answers() {
    synchronized (answers) {
      return List.copyOf(answers);
    }
  }

  int total() {
    return total;
  }

  String run() {
    return run;
  }

  @Override
  public void close() {
    stop = true;
    thread.interrupt();
  }
}
