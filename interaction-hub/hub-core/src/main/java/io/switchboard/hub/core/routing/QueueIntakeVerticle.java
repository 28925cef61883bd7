package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.event.HubEvents;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues each new interaction ({@link HubEvents#INTERACTION_CREATED}) on a worker context of its own, apart from the
 * matching passes of {@link RoutingVerticle}: a burst of new contacts (their reads, classification and queueing writes)
 * does not wait behind passes, and passes do not wait behind it. Deployed by {@link RoutingVerticle}, which it asks for a
 * pass after each interaction it queued.
 *
 * <p>Queueing a new interaction that fails (PostgreSQL or Redis away) is retried with growing pauses (1 s doubling to
 * 30 s) until it succeeds, and the reconciler is asked for a round soon; the reconciler and the sweep of interactions
 * stuck in {@code created} catch whatever a retry cannot (a node that stopped meanwhile).
 */
final class QueueIntakeVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(QueueIntakeVerticle.class);
  private static final long FIRST_RETRY_MS = 1_000;
  private static final long MAX_RETRY_MS = 30_000;

  private final RoutingService routing;
  private final Runnable passSoon;
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

  /** Queues a new interaction; a failure is retried after {@code retryMs} (doubling up to 30 s), never dropped. */
  private void enqueue(String id, long retryMs) {
    routing.enqueue(InteractionId.parse(id)).onComplete(ar -> {
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
