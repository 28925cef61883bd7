package io.switchboard.hub.core.routing;

import io.switchboard.hub.core.scheduling.PassRunner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives routing: queues each new interaction, runs a matching pass whenever something changes (a new
 * interaction, an agent state change, an offer ended) and on a short timer (relaxation steps coming due,
 * work from other nodes), sweeps expired offers and lost consoles, notices rule changes, and runs the
 * {@link RoutingReconciler} every {@code reconcileEvery} and soon after a Redis error or reconnect.
 *
 * <p>Deployed with {@link #deploymentOptions()}: a worker context of its own, so matching (CPU work) never runs on an
 * event loop that serves HTTP or sockets; the context still runs one task at a time, in order, like an event loop.
 * New interactions are queued by a {@link QueueIntakeVerticle} it deploys on another worker context, so queueing and
 * passes do not wait for each other; it asks for a pass after each interaction queued ({@link #passSoon()}).
 *
 * <p>Passes never overlap on one node while they decide and reserve; a trigger that arrives meanwhile runs one more pass
 * after it. A pass gives its turn up as soon as its reservations are made in Redis, while PostgreSQL records its offers
 * ({@link MatchingPass#start()}). Across nodes, a Redis lease lets one pass decide at a time, and the reservation script
 * keeps even overlapping passes safe.
 */
public final class RoutingVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RoutingVerticle.class);

  /** Send anything here to ask for a matching pass. */
  public static final String PASS_ADDRESS = "switchboard.routing.pass";
  /** Send anything here to ask for a reconciler round soon (after a Redis error, for example). */
  public static final String RECONCILE_ADDRESS = "switchboard.routing.reconcile";

  /** How to deploy this verticle: on a worker context (serial, off every event loop). */
  public static io.vertx.core.DeploymentOptions deploymentOptions() {
    return new io.vertx.core.DeploymentOptions().setThreadingModel(io.vertx.core.ThreadingModel.WORKER);
  }

  private final RoutingService routing;
  private final Duration tick;
  private final Duration reconcileEvery;
  private final Duration rulesPollEvery;
  private final Duration confirmAfter;
  private final PassRunner passes;
  private boolean sweeping;
  private boolean reconciling;
  private long reconcileSoonTimer = -1;
  private long tickTimer;
  private long rulesTimer;
  private long reconcileTimer;
  private boolean stopped;
  private final java.util.concurrent.atomic.AtomicBoolean passAsked = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile io.vertx.core.Context context;

  public RoutingVerticle(RoutingService routing, Duration tick) {
    this(routing, tick, Duration.ofSeconds(5));
  }

  /**
   * @param reconcileEvery how often the reconciler compares live state with PostgreSQL; a difference is repaired
   *     when a second round confirms it, which runs {@code min(1 s, reconcileEvery)} after the first
   */
  public RoutingVerticle(RoutingService routing, Duration tick, Duration reconcileEvery) {
    this(routing, tick, reconcileEvery, Duration.ofSeconds(2));
  }

  /** @param rulesPollEvery how often the rules file and the active rules version are checked for a change */
  public RoutingVerticle(RoutingService routing, Duration tick, Duration reconcileEvery, Duration rulesPollEvery) {
    this.rulesPollEvery = rulesPollEvery;
    this.routing = routing;
    this.tick = tick;
    this.reconcileEvery = reconcileEvery;
    this.confirmAfter = reconcileEvery.compareTo(Duration.ofSeconds(1)) < 0 ? reconcileEvery : Duration.ofSeconds(1);
    this.passes = new PassRunner(() -> routing.startPass().reserved(), reserved -> reserved > 0,
        e -> {
          log.atWarn().setCause(e).log("matching pass failed; the next tick retries");
          reconcileSoon();
        });
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    vertx.eventBus().localConsumer(PASS_ADDRESS, m -> requestPass());
    vertx.eventBus().localConsumer(RECONCILE_ADDRESS, m -> reconcileSoon());
    vertx.eventBus().localConsumer(RoutingService.AGENT_STATE_CHANGED, m -> requestPass());
    vertx.eventBus().localConsumer(RoutingService.OFFER_WITHDRAWN, m -> requestPass());
    vertx.eventBus().localConsumer(RoutingReconciler.REPAIRED, m -> requestPass());
    tickTimer = vertx.setPeriodic(tick.toMillis(), id -> {
      sweep();
      requestPass();
    });
    rulesTimer = vertx.setPeriodic(rulesPollEvery.toMillis(), id -> routing.rules().poll());
    reconcileTimer = vertx.setPeriodic(reconcileEvery.toMillis(), id -> reconcile());
    routing.onRedisReconnected(() -> context.runOnContext(v -> {
      log.info("Redis connection established again; reconciling live routing state");
      reconcileSoon();
    }));
    Future<String> queueing = vertx.deployVerticle(new QueueIntakeVerticle(routing, this::passSoon), deploymentOptions());
    return Future.all(queueing, routing.rebuild(false).onComplete(x -> requestPass()));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(tickTimer);
    vertx.cancelTimer(rulesTimer);
    vertx.cancelTimer(reconcileTimer);
    if (reconcileSoonTimer != -1) {
      vertx.cancelTimer(reconcileSoonTimer);
    }
    return Future.succeededFuture();
  }

  /**
   * Asks for a pass from any thread (the queueing verticle's): one task on this verticle's context however many ask
   * before it runs, no event bus message.
   */
  void passSoon() {
    if (passAsked.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        passAsked.set(false);
        requestPass();
      });
    }
  }

  private void requestPass() {
    passes.request();
  }

  /** A reconciler round in {@code confirmAfter} (one pending at a time). */
  private void reconcileSoon() {
    if (stopped || reconcileSoonTimer != -1) {
      return;
    }
    reconcileSoonTimer = vertx.setTimer(confirmAfter.toMillis(), t -> {
      reconcileSoonTimer = -1;
      reconcile();
    });
  }

  private void reconcile() {
    if (reconciling || stopped) {
      return;
    }
    reconciling = true;
    routing.reconciler().run().onComplete(ar -> {
      reconciling = false;
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).log("routing reconciler round failed; trying again soon");
        reconcileSoon();
      } else if (ar.result().suspected() > 0) {
        reconcileSoon(); // confirm (or dismiss) what this round saw
      }
    });
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
