package io.switchboard.hub.core.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's chart history kept in memory on this node: per queue, one point (waiting, 30-minute
 * service level) every {@code interval}, for the last {@code span}. A node that starts has no history yet;
 * points of a queue that left the rules are dropped with it. Not thread-safe: used on one verticle's context.
 */
public final class DashboardHistory {
  private final Duration interval;
  private final Duration span;
  private final int capacity;
  private final Map<String, ArrayDeque<DashboardSnapshot.HistoryPoint>> points = new LinkedHashMap<>();
  private Instant lastSample;

  public DashboardHistory(Duration interval, Duration span) {
    this.interval = interval;
    this.span = span;
    this.capacity = (int) (span.toMillis() / interval.toMillis());
  }

  /**
   * Records the snapshot's queues when a sample is due ({@code interval} since the last one); returns whether
   * it did.
   */
  public boolean offer(DashboardSnapshot s) {
    if (lastSample != null && s.at().isBefore(lastSample.plus(interval))) {
      return false;
    }
    lastSample = s.at();
    Map<String, ArrayDeque<DashboardSnapshot.HistoryPoint>> kept = new LinkedHashMap<>();
    for (DashboardSnapshot.QueueFigures q : s.queues()) {
      ArrayDeque<DashboardSnapshot.HistoryPoint> ring = points.getOrDefault(q.id(), new ArrayDeque<>());
      ring.addLast(new DashboardSnapshot.HistoryPoint(s.at(), q.waiting(), q.window().serviceLevel()));
      while (ring.size() > capacity || ring.peekFirst().at().isBefore(s.at().minus(span))) {
        ring.removeFirst();
      }
      kept.put(q.id(), ring);
    }
    points.clear();
    points.putAll(kept);
    return true;
  }

  /** The history as it stands, oldest point first. */
  public DashboardSnapshot.History view() {
    Map<String, List<DashboardSnapshot.HistoryPoint>> copy = new LinkedHashMap<>();
    points.forEach((q, ring) -> copy.put(q, List.copyOf(new ArrayList<>(ring))));
    return new DashboardSnapshot.History((int) interval.toSeconds(), (int) span.toMinutes(), copy);
  }
}
