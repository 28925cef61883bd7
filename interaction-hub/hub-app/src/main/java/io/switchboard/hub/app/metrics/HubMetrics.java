package io.switchboard.hub.app.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.messaging.DeliveryRelay;
import io.switchboard.hub.core.routing.ConditionFailures;
import io.switchboard.hub.core.routing.RoutingReconciler;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RedisStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub's own metrics (every one also labelled {@code node} by the registry): intake, offers by outcome, routing
 * passes, deliveries by channel and outcome, failing routing conditions, PostgreSQL and Redis reachability and the
 * requests answered 503 because of them, the outbox backlog, and the contact-centre figures of
 * {@link ContactCentreMetrics}. docs/operations.md lists them with what to watch.
 */
public final class HubMetrics {
  /** Local event published when a request was answered 503 because a backing service did not answer. */
  public static final String BACKEND_UNAVAILABLE = "metrics.backend_unavailable";
  private static final long DEPENDENCY_CHECK_MS = 5_000;

  private HubMetrics() {}

  public static void register(Vertx vertx, MeterRegistry registry, Stores stores, RedisStore redis) {
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.INTERACTION_CREATED, m ->
        Counter.builder("switchboard.intake.interactions").description("Interactions created by intake")
            .tag("channel", m.body().getString("channel", "unknown")).register(registry).increment());
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.MESSAGE_RECEIVED, m ->
        Counter.builder("switchboard.intake.appended.messages").description("Inbound messages joining open interactions")
            .tag("channel", m.body().getString("channel", "unknown")).register(registry).increment());
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.CUSTOMER_MERGED, m ->
        Counter.builder("switchboard.customer.merges").register(registry).increment());
    offers(vertx, registry);
    Timer passTime = Timer.builder("switchboard.routing.pass.duration")
        .description("Matching passes on this node: from reading live state to the last offer made").register(registry);
    Timer decisionTime = Timer.builder("switchboard.routing.decision.duration")
        .description("Time the matcher took to decide within a pass (CPU work, no I/O)").register(registry);
    vertx.eventBus().<JsonObject>localConsumer(RoutingService.PASS_DONE, m -> {
      Counter.builder("switchboard.routing.passes").description("Routing passes run on this node").register(registry).increment();
      passTime.record(m.body().getLong("durationNanos", 0L), TimeUnit.NANOSECONDS);
      decisionTime.record(m.body().getLong("decisionNanos", 0L), TimeUnit.NANOSECONDS);
    });
    vertx.eventBus().<JsonObject>localConsumer(RoutingReconciler.REPAIRED, m ->
        Counter.builder("switchboard.routing.reconciler.repairs")
            .description("Repairs the routing reconciler made to live state so it agrees with PostgreSQL")
            .tag("kind", m.body().getString("kind", "unknown")).register(registry).increment());
    vertx.eventBus().<JsonObject>localConsumer(ConditionFailures.ADDRESS, m ->
        Counter.builder("switchboard.routing.condition.failures").description("Routing conditions that failed or ran past their budget")
            .tag("rule", m.body().getString("rule", "unknown")).tag("reason", m.body().getString("reason", "error"))
            .register(registry).increment());
    vertx.eventBus().<JsonObject>localConsumer(DeliveryRelay.DELIVERY_ATTEMPTED, m ->
        Counter.builder("switchboard.deliveries").description("Delivery attempts of replies by channel and outcome")
            .tag("channel", m.body().getString("channel", "unknown")).tag("outcome", m.body().getString("outcome", "unknown"))
            .register(registry).increment());
    vertx.eventBus().<String>localConsumer(BACKEND_UNAVAILABLE, m ->
        Counter.builder("switchboard.backend.unavailable.answers").description("Requests answered 503 because PostgreSQL or Redis did not answer")
            .tag("backend", m.body()).register(registry).increment());
    AtomicLong backlog = new AtomicLong();
    Gauge.builder("switchboard.outbox.pending", backlog, AtomicLong::get)
        .description("Outbox entries not yet relayed").register(registry);
    vertx.setPeriodic(5_000, id -> stores.outbox().pendingCount(stores.db().pool()).onSuccess(backlog::set));
    dependencies(vertx, registry, stores, redis);
    ContactCentreMetrics.register(vertx, registry);
  }

  /** Offers by outcome: offered, accepted, declined, timed_out, withdrawn (console gone, transfer, move, forced state). */
  private static void offers(Vertx vertx, MeterRegistry registry) {
    vertx.eventBus().<JsonObject>localConsumer(RoutingService.OFFER_CREATED, m -> offer(registry, "offered"));
    vertx.eventBus().<JsonObject>localConsumer(RoutingService.OFFER_ACCEPTED, m -> offer(registry, "accepted"));
    vertx.eventBus().<JsonObject>localConsumer(RoutingService.OFFER_WITHDRAWN, m -> {
      String reason = m.body().getString("reason", "");
      offer(registry, reason.equals("declined") ? "declined" : reason.contains("timed out") ? "timed_out" : "withdrawn");
    });
  }

  private static void offer(MeterRegistry registry, String outcome) {
    Counter.builder("switchboard.offers").description("Offers to agents by outcome").tag("outcome", outcome)
        .register(registry).increment();
  }

  /** 1 while PostgreSQL (Redis) answers a ping, 0 when not; errors counted. Checked every 5 s. */
  private static void dependencies(Vertx vertx, MeterRegistry registry, Stores stores, RedisStore redis) {
    AtomicLong pgUp = new AtomicLong(1);
    AtomicLong redisUp = new AtomicLong(1);
    Gauge.builder("switchboard.dependency.up", pgUp, AtomicLong::get).tag("dependency", "postgres")
        .description("1 while the dependency answers, 0 when it does not").register(registry);
    Gauge.builder("switchboard.dependency.up", redisUp, AtomicLong::get).tag("dependency", "redis")
        .description("1 while the dependency answers, 0 when it does not").register(registry);
    vertx.setPeriodic(DEPENDENCY_CHECK_MS, id -> {
      check(registry, "postgres", pgUp, stores.db().ping());
      check(registry, "redis", redisUp, redis.ping());
    });
  }

  private static void check(MeterRegistry registry, String dependency, AtomicLong up, Future<Void> ping) {
    ping.timeout(2, TimeUnit.SECONDS).onComplete(ar -> {
      up.set(ar.succeeded() ? 1 : 0);
      if (ar.failed()) {
        Counter.builder("switchboard.dependency.errors").description("Failed checks of a dependency")
            .tag("dependency", dependency).register(registry).increment();
      }
    });
  }
}
