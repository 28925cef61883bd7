package io.switchboard.hub.core.dashboard;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long a waiting customer may still wait, from the queue's live handling rate: the staffing the dashboard
 * computes every second ({@link DashboardVerticle#TICK_ADDRESS}, docs/dashboard.md "Staffing"). A queue with
 * {@code staffed} agents who each hold {@code concurrency} contacts at once frees a place every
 * {@code AHT / (staffed × concurrency)} on average (the handle time measured over the last 30 minutes, else
 * today's, else the default), so the customer at position {@code k} is answered after about {@code k} of those.
 * No estimate when nobody staffs the queue (nothing is being handled: no rate to go by) or before the first tick.
 *
 * <p>The figure is deliberately rough; customers are told it in words ("a few minutes"), not to the minute.
 *
 * <p>Threading: the tick listener runs on the event loop that registered it; {@link #estimate} may be called
 * from any thread (the figures are kept in a concurrent map, replaced whole per queue).
 */
public final class WaitEstimates {
  /** The figures of one queue the estimate needs. */
  record Rate(double ahtSeconds, int staffed, double concurrency) {}

  private final Map<String, Rate> byQueue = new ConcurrentHashMap<>();
  private final MessageConsumer<Object> consumer;

  /** Listens to this node's dashboard ticks. */
  public WaitEstimates(Vertx vertx) {
    this.consumer = vertx.eventBus().localConsumer(DashboardVerticle.TICK_ADDRESS, m -> {
      if (m.body() instanceof JsonObject tick) {
        take(tick);
      }
    });
  }

  /** Keeps each queue's handle time and staffing from a dashboard tick. */
  void take(JsonObject tick) {
    JsonArray queues = tick.getJsonArray("queues");
    if (queues == null) {
      return;
    }
    for (int i = 0; i < queues.size(); i++) {
      JsonObject q = queues.getJsonObject(i);
      JsonObject st = q.getJsonObject("staffing");
      if (q.getString("id") == null || st == null) {
        continue;
      }
      byQueue.put(q.getString("id"), new Rate(num(st, "ahtSeconds", 300), (int) num(st, "staffed", 0), num(st, "concurrency", 1)));
    }
  }

  private static double num(JsonObject o, String key, double fallback) {
    return o.getValue(key) instanceof Number n ? n.doubleValue() : fallback;
  }

  /** The expected wait of the customer at {@code position} (1 = next) in {@code queue}; null when unknown. */
  public Duration estimate(String queue, int position) {
    Rate r = queue == null ? null : byQueue.get(queue);
    return r == null ? null : estimate(r, position);
  }

  static Duration estimate(Rate r, int position) {
    double slots = r.staffed() * Math.max(1.0, r.concurrency());
    if (slots <= 0 || r.ahtSeconds() <= 0 || position < 1) {
      return null;
    }
    return Duration.ofMillis(Math.round(1000 * r.ahtSeconds() * position / slots));
  }

  /** Stops listening. */
  public void close() {
    consumer.unregister();
  }
}
