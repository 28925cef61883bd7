package io.switchboard.hub.core.reports;

import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.ReportStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the report tables up to date (docs/reports.md). Every {@code refresh} (and when told on
 * {@link #WAKE_ADDRESS}) it marks the 15-minute intervals touched by what committed since its last run, then
 * computes the marked intervals again, {@value #BATCH} per transaction, oldest first, with the per-agent day
 * roll-ups of the business days they fall in (days of the business calendar's zone; all rebuilt when that zone
 * changes). Incremental (only touched
 * intervals), idempotent (an interval is always computed whole from the source tables) and safe on several nodes
 * (a PostgreSQL advisory lock: one node works at a time, the others skip). A run that fails is logged and
 * tried again at the next tick; nothing is lost, since the marks and the watermark move in the same transactions
 * as the work.
 */
public final class ReportJob extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ReportJob.class);
  /** A message here starts a run now (after a rebuild request). */
  public static final String WAKE_ADDRESS = "reports.wake";
  /** Intervals computed per transaction (a day's worth). */
  static final int BATCH = 96;

  private final Database db;
  private final ReportStore store;
  private final AnalyticsSettings settings;
  private final Supplier<ZoneId> zone;
  private final Clock clock;
  private long timer = -1;
  private Future<Integer> running;

  /** @param zone the business calendar's zone (asked at every run: the day roll-ups follow it) */
  public ReportJob(Database db, ReportStore store, AnalyticsSettings settings, Supplier<ZoneId> zone, Clock clock) {
    this.db = db;
    this.store = store;
    this.settings = settings;
    this.zone = zone;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(1_000, settings.refresh().toMillis(), id -> tick());
    vertx.eventBus().localConsumer(WAKE_ADDRESS, m -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return running == null ? Future.succeededFuture() : running.otherwiseEmpty();
  }

  private void tick() {
    if (running != null && !running.isComplete()) {
      return;
    }
    running = runOnce(db, store, settings.fcrDays(), zone.get().getId(), clock.instant()).onFailure(e ->
        log.atWarn().setCause(e).log("report job run failed; trying again at the next tick"));
  }

  /**
   * One run: marks what changed, then computes every marked interval and its business day's roll-ups in
   * {@code zone}. Completes with the number of intervals computed (0 when another node holds the lock).
   */
  public static Future<Integer> runOnce(Database db, ReportStore store, int fcrDays, String zone, Instant now) {
    return store.markChanged(db, fcrDays, now, zone).compose(m -> m.locked() ? drain(db, store, fcrDays, zone, now, 0)
        : Future.succeededFuture(0));
  }

  private static Future<Integer> drain(Database db, ReportStore store, int fcrDays, String zone, Instant now, int done) {
    return store.computeNext(db, BATCH, fcrDays, now, zone).compose(n -> n == 0 ? Future.succeededFuture(done)
        : drain(db, store, fcrDays, zone, now, done + n));
  }
}
