package io.switchboard.hub.core.outbox;

import io.switchboard.hub.store.OutboxStore;
import io.switchboard.hub.core.scheduling.PassRunner;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays hub events from the outbox to the Vert.x event bus, after the transaction that wrote them has
 * committed. Wakes up when told ({@link #WAKE_ADDRESS}) and on a timer, so entries left behind by a crash
 * are relayed too. Several hubs may run it at once: claims skip rows another hub holds.
 */
public final class OutboxRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  /** Send anything here to have the relay look at the outbox now. */
  public static final String WAKE_ADDRESS = "switchboard.outbox.wake";

  /** Outbox topics for events start with this; the event bus address is the rest. */
  public static final String EVENT_PREFIX = "event.";

  private static final int BATCH = 200;

  private final Stores stores;
  private final Duration pollInterval;
  private final PassRunner runner = new PassRunner(this::pass, n -> n == BATCH,
      e -> log.atWarn().setCause(e).log("outbox relay pass failed; will retry"));
  private long timer;

  public OutboxRelay(Stores stores, Duration pollInterval) {
    this.stores = stores;
    this.pollInterval = pollInterval;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().localConsumer(WAKE_ADDRESS, m -> runner.request());
    timer = vertx.setPeriodic(pollInterval.toMillis(), id -> runner.request());
    runner.request();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private Future<Integer> pass() {
    OutboxStore outbox = stores.outbox();
    return stores.db().inTransaction(tx ->
        outbox.claim(tx, EVENT_PREFIX + "%", BATCH).compose(entries -> {
          List<Long> ids = new ArrayList<>(entries.size());
          for (OutboxStore.Entry e : entries) {
            String address = e.topic().substring(EVENT_PREFIX.length());
            vertx.eventBus().publish(address, e.payload());
            ids.add(e.id());
          }
          return outbox.markPublished(tx, ids).map(entries.size());
        }));
  }

  /** Builds the standard event body. */
  public static JsonObject event(String type, JsonObject fields) {
    return new JsonObject()
        .put("eventId", java.util.UUID.randomUUID().toString())
        .put("type", type)
        .put("occurredAt", java.time.Instant.now().toString())
        .mergeIn(fields);
  }

  /** Asks a running relay for a pass now (after a commit that appended events). */
  public static void wake(io.vertx.core.Vertx vertx) {
    vertx.eventBus().send(WAKE_ADDRESS, null);
  }

}
