package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.scheduling.PassRunner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives routing: queues each new interaction, runs a matching pass whenever something changes (a new
 * interaction, an agent state change, an offer ended) and on a short timer (relaxation steps coming due,
 * work from other nodes), sweeps expired offers and lost consoles, and notices rule changes.
 *
 * <p>Passes never overlap on one node; a trigger that arrives during a pass runs one more pass after it.
 * Across nodes, a Redis lease lets one pass run at a time, and the reservation script keeps even overlapping
 * passes safe.
 */
public final class RoutingVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RoutingVerticle.class);

  /** Send anything here to ask for a matching pass. */
  public static final String PASS_ADDRESS = "switchboard.routing.pass";

  private final RoutingService routing;
  private final Duration tick;
  private final PassRunner passes;
  private boolean sweeping;
  private long tickTimer;
  private long rulesTimer;

  public RoutingVerticle(RoutingService routing, Duration tick) {
    this.routing = routing;
    this.tick = tick;
    this.passes = new PassRunner(routing::pass, offers -> offers > 0,
        e -> log.atWarn().setCause(e).log("matching pass failed; the next tick retries"));
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>localConsumer(HubEvents.INTERACTION_CREATED, m -> {
      String id = m.body().getString("interactionId");
      routing.enqueue(InteractionId.parse(id))
          .onFailure(e -> log.atError().setCause(e).addKeyValue("interactionId", id).log("could not queue interaction"))
          .onComplete(x -> requestPass());
    });
    vertx.eventBus().localConsumer(PASS_ADDRESS, m -> requestPass());
    vertx.eventBus().localConsumer(RoutingService.AGENT_STATE_CHANGED, m -> requestPass());
    vertx.eventBus().localConsumer(RoutingService.OFFER_WITHDRAWN, m -> requestPass());
    tickTimer = vertx.setPeriodic(tick.toMillis(), id -> {
      sweep();
      requestPass();
    });
    rulesTimer = vertx.setPeriodic(2_000, id -> routing.rules().poll());
    return routing.rebuild(false).onComplete(x -> requestPass());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(tickTimer);
    vertx.cancelTimer(rulesTimer);
    return Future.succeededFuture();
  }

  private void requestPass() {
    passes.request();
  }

  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    routing.sweep().onComplete(ar -> {
      sweeping = false;
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).log("offer sweep failed; the next tick retries");
      }
    });
  }
}
