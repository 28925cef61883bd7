package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.event.HubEvents;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.switchboard.hub.core.scheduling.GroupCommit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues each new interaction ({@link HubEvents#INTERACTION_CREATED}) on a worker context of its own, apart from the
 * matching passes of {@link RoutingVerticle}: a burst of new contacts (their reads, classification and queueing writes)
 * does not wait behind passes, and passes do not wait behind it. Deployed by {@link RoutingVerticle}, which it asks for a
 * pass after each interaction it queued.
 *
 * <p>New interactions that arrive while a batch is being queued wait and go together as the next batch (at most
 * {@value #MAX_BATCH}: {@link GroupCommit}); one arriving with nothing in flight goes at once, alone. A batch is queued
 * in PostgreSQL with one statement (one commit), so a burst of contacts costs one commit per batch, not per contact.
 *
 * <p>Queueing a new interaction that fails (PostgreSQL or Redis away) is retried with growing pauses (1 s doubling to
 * 30 s) until it succeeds, and the reconciler is asked for a round soon; the reconciler and the sweep of interactions
 * stuck in {@code created} catch whatever a retry cannot (a node that stopped meanwhile).
 */
final class QueueIntakeVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(QueueIntakeVerticle.class);
  private static final long FIRST_RETRY_MS = 1_000;
  private static final long MAX_RETRY_MS = 30_000;
  static final int MAX_BATCH = 64;
  /** How long a new interaction may wait for its batch before it is retried (a batch stuck on PostgreSQL). */
  private static final Duration MAX_WAIT = Duration.ofSeconds(10);

  private final RoutingService routing;
  private final Runnable passSoon;
  private final GroupCommit<InteractionId, Void> batches = new GroupCommit<>(MAX_BATCH, 1, MAX_WAIT, this::queue);
  private volatile boolean stopped;

  /** @param passSoon asks the routing verticle for a pass; callable from any thread */
  QueueIntakeVerticle(RoutingService routing, Runnable passSoon) {
    this.routing = routing;
    this.passSoon = passSoon;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>localConsumer(HubEvents.INTERACTION_CREATED,
        m -> enqueue(m.body().getString("interactionId"), FIRST_RETRY_MS)).completion();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return Future.succeededFuture();
  }

  /** One batch queued together; every item gets the batch's outcome. */
  private void queue(List<GroupCommit.Item<InteractionId, Void>> batch) {
    List<InteractionId> ids = new ArrayList<>();
    batch.forEach(item -> ids.add(item.value));
    Future<Void> done;
    try {
      done = routing.enqueueAll(ids);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onComplete(ar -> batch.forEach(item -> item.complete(ar)));
  }

  /** Queues a new interaction; a failure is retried after {@code retryMs} (doubling up to 30 s), never dropped. */
  private void enqueue(String id, long retryMs) {
    InteractionId parsed;
    try {
      parsed = InteractionId.parse(id);
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("interactionId", id).log("interaction.created without a usable interaction id; ignored");
      return;
    }
    batches.submit(parsed, Set.of(id)).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).addKeyValue("interactionId", id).addKeyValue("retryInMs", retryMs)
            .log("could not queue interaction; trying again");
        vertx.eventBus().send(RoutingVerticle.RECONCILE_ADDRESS, null);
        if (!stopped) {
          vertx.setTimer(retryMs, t -> enqueue(id, Math.min(MAX_RETRY_MS, retryMs * 2)));
        }
      }
      passSoon.run();
    });
  }
}
