package io.switchboard.hub.app.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.hub.core.dashboard.DashboardVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The figures a contact centre is run on, per queue and for the agents, taken from this node's dashboard (computed
 * every second from PostgreSQL and Redis, so every node reports the same values; the {@code node} label tells them
 * apart): waiting and longest wait per queue, today's offered/answered/answered-in-target/abandoned per queue, agents
 * by state, agents present. A queue removed from the rules keeps its last values until the hub restarts.
 */
final class ContactCentreMetrics {
  private static final String[] TODAY = {"offered", "answered", "answeredInTarget", "abandoned"};
  private static final Map<String, String> OUTCOME = Map.of("offered", "offered", "answered", "answered",
      "answeredInTarget", "answered_in_target", "abandoned", "abandoned");

  private final MeterRegistry registry;
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

  private ContactCentreMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  static void register(Vertx vertx, MeterRegistry registry) {
    ContactCentreMetrics m = new ContactCentreMetrics(registry);
    vertx.eventBus().<JsonObject>localConsumer(DashboardVerticle.TICK_ADDRESS, msg -> m.update(msg.body()));
  }

  private void update(JsonObject tick) {
    JsonArray queues = tick.getJsonArray("queues", new JsonArray());
    for (int i = 0; i < queues.size(); i++) {
      JsonObject q = queues.getJsonObject(i);
      String id = q.getString("id");
      gauge("switchboard.queue.waiting", "Interactions waiting for an offer", "queue", id, null, null).set(q.getInteger("waiting", 0));
      gauge("switchboard.queue.longest.wait.seconds", "How long the interaction waiting longest has waited", "queue", id, null, null)
          .set(q.getLong("longestWaitMs", 0L) / 1000);
      JsonObject today = q.getJsonObject("today", new JsonObject());
      for (String field : TODAY) {
        gauge("switchboard.queue.contacts.today", "Contacts of the queue today (since midnight in the contact centre's zone)",
            "queue", id, "outcome", OUTCOME.get(field)).set(today.getLong(field, 0L));
      }
    }
    JsonObject totals = tick.getJsonObject("totals");
    if (totals != null) {
      JsonObject byState = totals.getJsonObject("byState", new JsonObject());
      // Every state seen so far is set each tick: one that emptied goes back to 0.
      values.keySet().stream().filter(k -> k.startsWith("switchboard.agents|state|"))
          .forEach(k -> values.get(k).set(0));
      byState.forEach(e -> gauge("switchboard.agents", "Agents by routing state", "state", e.getKey(), null, null)
          .set(((Number) e.getValue()).longValue()));
      gauge("switchboard.agents.present", "Agents whose console is connected", null, null, null, null).set(totals.getInteger("present", 0));
    }
  }

  private AtomicLong gauge(String name, String description, String k1, String v1, String k2, String v2) {
    String key = name + "|" + k1 + "|" + v1 + "|" + k2 + "|" + v2;
    return values.computeIfAbsent(key, x -> {
      AtomicLong value = new AtomicLong();
      Gauge.Builder<AtomicLong> b = Gauge.builder(name, value, AtomicLong::get).description(description);
      if (k1 != null) {
        b.tag(k1, v1);
      }
      if (k2 != null) {
        b.tag(k2, v2);
      }
      b.register(registry);
      return value;
    });
  }
}
