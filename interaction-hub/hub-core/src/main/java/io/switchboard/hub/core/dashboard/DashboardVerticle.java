package io.switchboard.hub.core.dashboard;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's supervisor dashboard current: recomputes it every {@code tick}, samples the chart history
 * every {@link #SAMPLE_INTERVAL} for the last {@link #HISTORY_SPAN}, and publishes each result on the local
 * event bus at {@link #TICK_ADDRESS} (the snapshot without history; with {@code historySample} when this tick
 * was sampled). {@link #CURRENT_ADDRESS} answers a request with the latest snapshot including the history.
 *
 * <p>Ticks are numbered ({@code tick}, from 1 per node start). The agents list is sent whole only on the
 * ticks that take a history sample (every {@link #SAMPLE_INTERVAL}) and on the first; the others carry
 * {@code agentsDelta: true}, only the agents whose row changed since the previous tick (time in state aside,
 * which a console derives from {@code since}) in {@code agents}, and the ids gone in {@code agentsRemoved}.
 * With hundreds of agents that keeps a tick a few KiB instead of a few hundred. A console that missed a tick
 * (its number is not the previous one's + 1) waits for the next whole list. The snapshot answered at
 * {@link #CURRENT_ADDRESS} names the tick it was computed for.
 *
 * <p>Ticks never overlap: a tick due while the previous one still reads is skipped. A tick that fails
 * (PostgreSQL or Redis down) is logged and publishes nothing; the next one tries again.
 *
 * <p>Computed on demand (#12.5): every {@code tick} only while someone watches — a request on
 * {@link #CURRENT_ADDRESS} (the HTTP route, a console subscribing) or a message on {@link #WATCHING_ADDRESS} (the
 * socket gateway sends one with every tick it forwards to a subscribed console) within the last {@code watchGrace}.
 * Nobody watching, it is computed only every {@code idleEvery} ({@link #SAMPLE_INTERVAL} in the hub), which keeps the
 * chart history, the metrics and the web chat's wait estimates going at a fifth of the cost; a request that finds the
 * latest snapshot older than two ticks gets a fresh one: the computation in flight when there is one, else one computed
 * for it that requests arriving meanwhile share and that serves later requests as the latest snapshot.
 */
public final class DashboardVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(DashboardVerticle.class);

  /** Local event bus address of the per-second snapshots (a JsonObject, without history). */
  public static final String TICK_ADDRESS = "dashboard.tick";
  /** Local event bus address answering any request with the latest snapshot, history included. */
  public static final String CURRENT_ADDRESS = "dashboard.current";
  /** How often a chart point is taken. */
  public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
  /** Local event bus address that says someone watches the dashboard (any body); see the class comment. */
  public static final String WATCHING_ADDRESS = "dashboard.watching";
  /** How long a request or a watching message keeps the dashboard computed every tick. */
  public static final Duration WATCH_GRACE = Duration.ofSeconds(30);
  /** How far back the chart history reaches. */
  public static final Duration HISTORY_SPAN = Duration.ofMinutes(60);

  private final DashboardService dashboard;
  private final Duration tick;
  private final DashboardHistory history = new DashboardHistory(SAMPLE_INTERVAL, HISTORY_SPAN);
  private DashboardSnapshot latest;
  /** How many ticks were published; the number of the one {@code latest} is for. */
  private long ticks;
  private final AgentDeltas agentDeltas = new AgentDeltas();
  private boolean computing;
  /** The tick's computation in flight, or null. */
  private Future<DashboardSnapshot> ticking;
  /** The computation a request started and the requests meanwhile share, or null. */
  private Future<DashboardSnapshot> requested;
  private long timer = -1;
  private final Duration idleEvery;
  private final Duration watchGrace;
  /** Until when (System.nanoTime) someone counts as watching; in the past at start. */
  private long watchedUntil;
  /** When the latest computation started (System.nanoTime); meaningful once {@code computations > 0}. */
  private long computedAt;
  private volatile long computations;
  private volatile long requestComputations;
  private volatile long idleTicks;

  /** Every {@code tick} while watched, every {@link #SAMPLE_INTERVAL} otherwise, watched for {@link #WATCH_GRACE}. */
  public DashboardVerticle(DashboardService dashboard, Duration tick) {
    this(dashboard, tick, SAMPLE_INTERVAL, WATCH_GRACE);
  }

  /**
   * @param tick how often the dashboard is computed while someone watches
   * @param idleEvery how often it is computed while nobody watches
   * @param watchGrace how long a request or a watching message counts as someone watching
   */
  public DashboardVerticle(DashboardService dashboard, Duration tick, Duration idleEvery, Duration watchGrace) {
    this.dashboard = dashboard;
    this.tick = tick;
    this.idleEvery = idleEvery;
    this.watchGrace = watchGrace;
  }

  @Override
  public Future<?> start() {
    watchedUntil = System.nanoTime() - 1;
    timer = vertx.setPeriodic(tick.toMillis(), id -> tick());
    return Future.all(
        vertx.eventBus().<Object>localConsumer(CURRENT_ADDRESS, this::current).completion(),
        vertx.eventBus().<Object>localConsumer(WATCHING_ADDRESS, m -> watched()).completion());
  }

  /** How many times the dashboard was computed for a tick (metrics, tests). Read on the verticle's context. */
  public long computations() {
    return computations;
  }

  /**
   * How many times a request found no fresh snapshot and the dashboard was computed for it (metrics, tests); requests
   * that arrive meanwhile share that computation.
   */
  public long requestComputations() {
    return requestComputations;
  }

  /** How many ticks found nobody watching and skipped the computation (metrics, tests). */
  public long idleTicks() {
    return idleTicks;
  }

  private void watched() {
    watchedUntil = System.nanoTime() + watchGrace.toNanos();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void tick() {
    if (computing) {
      return;
    }
    long now = System.nanoTime();
    if (now - watchedUntil > 0 && computations > 0 && now - computedAt < idleEvery.toNanos()) {
      idleTicks++;
      return;
    }
    computing = true;
    computedAt = now;
    computations++;
    ticking = dashboard.compute();
    ticking.onComplete(ar -> {
      computing = false;
      ticking = null;
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).log("could not compute the dashboard; the next tick tries again");
        return;
      }
      DashboardSnapshot s = ar.result();
      latest = s;
      JsonObject body = s.toJson().put("tick", ++ticks);
      boolean sampled = history.offer(s);
      if (sampled) {
        JsonObject sample = new JsonObject();
        s.queues().forEach(q -> sample.put(q.id(), new JsonObject().put("waiting", q.waiting())
            .put("serviceLevel30m", q.window().serviceLevel())));
        body.put("historySample", new JsonObject().put("at", history.lastPointAt().toString()).put("queues", sample));
      }
      agentDeltas.apply(body, sampled);
      vertx.eventBus().publish(TICK_ADDRESS, body);
    });
  }

  /**
   * The snapshot for a request that found none fresh: the computation in flight (a tick's, or another request's) when
   * there is one, else a new one, which then serves as the latest snapshot. However many requests arrive together, the
   * dashboard is computed once for them.
   */
  private Future<DashboardSnapshot> computeForRequest() {
    if (ticking != null) {
      return ticking;
    }
    if (requested != null) {
      return requested;
    }
    requestComputations++;
    long started = System.nanoTime();
    Future<DashboardSnapshot> f = dashboard.compute();
    requested = f;
    f.onComplete(ar -> {
      requested = null;
      if (ar.succeeded() && (latest == null || started - computedAt > 0)) {
        latest = ar.result();
        computedAt = started;
      }
    });
    return f;
  }

  private void current(Message<Object> request) {
    watched();
    long tickOfLatest = ticks;
    boolean fresh = latest != null && System.nanoTime() - computedAt < 2 * tick.toNanos();
    Future<DashboardSnapshot> now = fresh ? Future.succeededFuture(latest) : computeForRequest();
    now.onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().setCause(ar.cause()).log("could not compute the dashboard for a request");
        request.fail(503, "the dashboard could not be computed now: " + ar.cause().getMessage());
      } else {
        request.reply(ar.result().withHistory(history.view()).toJson().put("tick", tickOfLatest));
      }
    });
  }
}
