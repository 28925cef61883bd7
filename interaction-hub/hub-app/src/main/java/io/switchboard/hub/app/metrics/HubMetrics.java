package io.switchboard.hub.app.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub's own metrics, from its events: interactions created per channel, messages received, customer
 * merges, and the outbox backlog (how far event relay lags).
 */
public final class HubMetrics {
  private HubMetrics() {}

  public static void register(Vertx vertx, MeterRegistry registry, Stores stores) {
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.INTERACTION_CREATED, m ->
        Counter.builder("switchboard.intake.interactions").description("Interactions created by intake")
            .tag("channel", m.body().getString("channel", "unknown")).register(registry).increment());
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.MESSAGE_RECEIVED, m ->
        Counter.builder("switchboard.intake.appended.messages").description("Inbound messages joining open interactions")
            .tag("channel", m.body().getString("channel", "unknown")).register(registry).increment());
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.CUSTOMER_MERGED, m ->
        Counter.builder("switchboard.customer.merges").register(registry).increment());
    AtomicLong backlog = new AtomicLong();
    Gauge.builder("switchboard.outbox.pending", backlog, AtomicLong::get)
        .description("Outbox entries not yet relayed").register(registry);
    vertx.setPeriodic(5_000, id -> stores.outbox().pendingCount(stores.db().pool()).onSuccess(backlog::set));
  }
}
