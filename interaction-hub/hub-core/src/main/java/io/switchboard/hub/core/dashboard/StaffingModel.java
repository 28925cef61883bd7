package io.switchboard.hub.core.dashboard;

import io.switchboard.routing.staffing.ErlangC;
import java.time.Duration;

/**
 * How many agents a queue needs now, by Erlang C: arrivals of the recent window scaled to an hour, the
 * average handle time (of the window, else of today, else {@link #DEFAULT_AHT}), and the queue's
 * service-level target. Erlang C gives the contacts that must be handled at once ("slots"); an agent who
 * holds several chats or emails at a time fills several, so the agents needed are the slots divided by the
 * queue's {@linkplain #concurrency concurrency}, rounded up. Stateless.
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
   * @param concurrency contacts an agent of the queue handles at once on average (1 for voice; see
   *     {@link #concurrency}); below 1 or not a number counts as 1
   */
  public static DashboardSnapshot.Staffing estimate(long arrivals, Duration window, Long windowAhtMs, Long todayAhtMs,
      double targetPercent, Duration threshold, int staffed, int available, double concurrency) {
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
    int slots = arrivals == 0 ? 0 : ErlangC.agentsNeeded(perHour, aht, target, threshold);
    double perAgent = Double.isFinite(concurrency) && concurrency > 1 ? concurrency : 1.0;
    // A small tolerance keeps 4 slots at 2.0000000001 per agent from asking for 3 agents.
    int needed = (int) Math.ceil(slots / perAgent - 1e-9);
    return new DashboardSnapshot.Staffing((int) window.toMinutes(), perHour, ahtSeconds, source, erlangs, slots,
        perAgent, needed, staffed, available, staffed - needed);
  }

  /**
   * How many contacts an agent of the queue handles at once, on average over the queue's work: the
   * workload-weighted harmonic mean of the channels' capacities, Σ w / Σ (w / capacity), where w is a
   * channel's workload (its arrivals × handle time). A channel with no capacity known, or below 1, counts
   * as 1; with no workload at all, 1. Handle times measured while agents held several contacts already
   * include that sharing, which is why dividing the slots by this is fair.
   *
   * @param workload per channel, arrivals × handle time (any unit, the same for all)
   * @param capacity per channel, contacts an agent of the queue may hold at once
   */
  public static double concurrency(java.util.Map<String, Double> workload, java.util.Map<String, Double> capacity) {
    double total = 0;
    double agentShare = 0;
    for (var e : workload.entrySet()) {
      double w = e.getValue() == null ? 0 : e.getValue();
      if (!(w > 0) || !Double.isFinite(w)) {
        continue;
      }
      Double c = capacity.get(e.getKey());
      double cap = c == null || !Double.isFinite(c) || c < 1 ? 1 : c;
      total += w;
      agentShare += w / cap;
    }
    return agentShare == 0 ? 1.0 : total / agentShare;
  }
}
