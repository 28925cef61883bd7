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
 *
 * <p>Hot paths (intake) publish their event themselves right after the commit ({@link #publishedDirectly}) and write
 * its entry due only after {@link #DIRECT_GRACE}: the relay marks such entries published in batches (one statement for
 * every entry told within {@code MARK_DELAY}) and relays one only when it was never marked (the node died between the
 * commit and the publish, or before the batch was written) — at least once, as relayed events always were.
 *
 * <p>Entries published (relayed, delivered or given up) more than {@code retention} ago are deleted every
 * {@code purgeEvery} (config {@code outbox.retention}), so the outbox holds what is pending plus a short history.
 */
public final class OutboxRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  /** Send anything here to have the relay look at the outbox now. */
  public static final String WAKE_ADDRESS = "switchboard.outbox.wake";

  /** Outbox topics for events start with this; the event bus address is the rest. */
  public static final String EVENT_PREFIX = "event.";

  /** Send the id of an outbox entry whose event was published directly here, to have it marked published. */
  public static final String PUBLISHED_ADDRESS = "switchboard.outbox.published";

  /** How long an entry published directly waits for its mark before the relay publishes it (again). */
  public static final Duration DIRECT_GRACE = Duration.ofSeconds(30);

  private static final int BATCH = 200;
  private static final long MARK_DELAY_MS = 250;
  private static final int MARK_BATCH = 1_000;

  /** How long published entries are kept by default before they are purged. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

  private static final int PURGE_BATCH = 5_000;

  private final Stores stores;
  private final Duration pollInterval;
  private final Duration retention;
  private final Duration purgeEvery;
  private long purgeTimer;
  private boolean purging;
  private final PassRunner runner = new PassRunner(this::pass, n -> n == BATCH,
      e -> log.atWarn().setCause(e).log("outbox relay pass failed; will retry"));
  private long timer;
  private List<Long> toMark = new ArrayList<>();
  private long markTimer = -1;
  private boolean marking;

  /** A relay that purges published entries after {@link #DEFAULT_RETENTION}, looking every minute. */
  public OutboxRelay(Stores stores, Duration pollInterval) {
    this(stores, pollInterval, DEFAULT_RETENTION, Duration.ofMinutes(1));
  }

  /**
   * @param retention how long an entry is kept after it was published (relayed, delivered, given up) before it is
   *     deleted; pending entries are never purged
   * @param purgeEvery how often this node looks for entries to purge (each look deletes in batches until done)
   */
  public OutboxRelay(Stores stores, Duration pollInterval, Duration retention, Duration purgeEvery) {
    this.stores = stores;
    this.pollInterval = pollInterval;
    this.retention = retention;
    this.purgeEvery = purgeEvery;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().localConsumer(WAKE_ADDRESS, m -> runner.request());
    vertx.eventBus().<Long>localConsumer(PUBLISHED_ADDRESS, m -> published(m.body()));
    timer = vertx.setPeriodic(pollInterval.toMillis(), id -> runner.request());
    purgeTimer = vertx.setPeriodic(purgeEvery.toMillis(), id -> purge());
    runner.request();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(purgeTimer);
    if (markTimer != -1) {
      vertx.cancelTimer(markTimer);
    }
    // Marks still unwritten: their entries are relayed again after the grace (at least once).
    return Future.succeededFuture();
  }

  /** Deletes published entries past the retention, a batch at a time, until a batch comes back short. */
  private void purge() {
    if (purging) {
      return;
    }
    purging = true;
    purgeBatch(0);
  }

  private void purgeBatch(long sofar) {
    stores.outbox().purgePublished(stores.db().pool(), retention, PURGE_BATCH).onComplete(ar -> {
      if (ar.failed()) {
        purging = false;
        log.atWarn().setCause(ar.cause()).log("outbox purge failed; the next round retries");
      } else if (ar.result() == PURGE_BATCH) {
        purgeBatch(sofar + ar.result());
      } else {
        purging = false;
        if (sofar + ar.result() > 0) {
          log.atInfo().addKeyValue("deleted", sofar + ar.result()).addKeyValue("retention", retention)
              .log("published outbox entries purged");
        }
      }
    });
  }

  private void published(Long id) {
    if (id == null) {
      return;
    }
    toMark.add(id);
    if (toMark.size() >= MARK_BATCH) {
      markNow();
    } else if (markTimer == -1) {
      markTimer = vertx.setTimer(MARK_DELAY_MS, t -> {
        markTimer = -1;
        markNow();
      });
    }
  }

  /** One statement marks every entry told so far; a failure keeps them for the next batch. */
  private void markNow() {
    if (marking || toMark.isEmpty()) {
      return;
    }
    List<Long> batch = toMark;
    toMark = new ArrayList<>();
    marking = true;
    stores.outbox().markPublished(stores.db().pool(), batch).onComplete(ar -> {
      marking = false;
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("entries", batch.size())
            .log("could not mark directly published outbox entries; trying again");
        batch.addAll(toMark);
        toMark = batch;
      }
      if (!toMark.isEmpty() && markTimer == -1) {
        markTimer = vertx.setTimer(MARK_DELAY_MS, t -> {
          markTimer = -1;
          markNow();
        });
      }
    });
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

  /**
   * Publishes a committed event on this node's event bus now and has its outbox entry (written due after
   * {@link #DIRECT_GRACE}) marked published by the relay.
   */
  public static void publishedDirectly(io.vertx.core.Vertx vertx, JsonObject event, long entryId) {
    vertx.eventBus().publish(event.getString("type"), event);
    vertx.eventBus().send(PUBLISHED_ADDRESS, entryId);
  }

  /** Asks a running relay for a pass now (after a commit that appended events). */
  public static void wake(io.vertx.core.Vertx vertx) {
    vertx.eventBus().send(WAKE_ADDRESS, null);
  }

}
