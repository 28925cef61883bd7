package io.switchboard.hub.core.dashboard;

import io.switchboard.routing.staffing.ErlangC;
import java.time.Duration;

/**
 * How many agents a queue needs now, by Erlang C: arrivals of the recent window scaled to an hour, the
 * average handle time (of the window, else of today, else {@link #DEFAULT_AHT}), and the queue's
 * service-level target. Stateless.
 */
public final class StaffingModel {
  /** The handle time assumed when neither the window nor today has a handled interaction. */
  public static final Duration DEFAULT_AHT = Duration.ofMinutes(5);
  /** Erlang C cannot meet a 100 % target; such a target is read as this share. */
  static final double HIGHEST_TARGET = 0.999;

  private StaffingModel() {}

  /**
   * The staffing estimate.
   *
   * @param arrivals interactions that entered the queue in the window
   * @param window the window's length
   * @param windowAhtMs average handle time of the window, or null when nothing was handled in it
   * @param todayAhtMs average handle time of today, or null
   * @param targetPercent the queue's service-level target (percent answered within {@code threshold})
   * @param staffed agents serving the queue, present and not offline
   * @param available of those, the ones available
   */
  public static DashboardSnapshot.Staffing estimate(long arrivals, Duration window, Long windowAhtMs, Long todayAhtMs,
      double targetPercent, Duration threshold, int staffed, int available) {
    String source;
    Duration aht;
    if (windowAhtMs != null && windowAhtMs > 0) {
      source = "window";
      aht = Duration.ofMillis(windowAhtMs);
    } else if (todayAhtMs != null && todayAhtMs > 0) {
      source = "today";
      aht = Duration.ofMillis(todayAhtMs);
    } else {
      source = "default";
      aht = DEFAULT_AHT;
    }
    double perHour = arrivals * 3_600_000.0 / window.toMillis();
    double ahtSeconds = aht.toMillis() / 1000.0;
    double erlangs = perHour * ahtSeconds / 3600.0;
    double target = Math.min(HIGHEST_TARGET, Math.max(0, targetPercent / 100.0));
    int needed = arrivals == 0 ? 0 : ErlangC.agentsNeeded(perHour, aht, target, threshold);
    return new DashboardSnapshot.Staffing((int) window.toMinutes(), perHour, ahtSeconds, source, erlangs, needed,
        staffed, available, staffed - needed);
  }
}
