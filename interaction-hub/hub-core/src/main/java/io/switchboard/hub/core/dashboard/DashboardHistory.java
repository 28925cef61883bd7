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
 * service level) every {@code interval}, for the last {@code span}. Points sit on a fixed grid (multiples of
 * {@code interval} since the epoch): the first snapshot in each grid slot gives that slot's point, stamped with the
 * slot's start, so ticks that jitter (1.0–1.1 s apart) never stretch the spacing; a slot with no snapshot (a stalled
 * node) is a gap. A node that starts has no history yet;
 * points of a queue that left the rules are dropped with it. Not thread-safe: used on one verticle's context.
 */
public final class DashboardHistory {
  private final Duration interval;
  private final Duration span;
  private final int capacity;
  private final Map<String, ArrayDeque<DashboardSnapshot.HistoryPoint>> points = new LinkedHashMap<>();
  private long lastSlot = Long.MIN_VALUE;

  public DashboardHistory(Duration interval, Duration span) {
    this.interval = interval;
    this.span = span;
    this.capacity = (int) (span.toMillis() / interval.toMillis());
  }

  /**
   * Records the snapshot's queues when it is the first of a new grid slot; returns whether it did.
   */
  public boolean offer(DashboardSnapshot s) {
    long slot = Math.floorDiv(s.at().toEpochMilli(), interval.toMillis());
    if (slot <= lastSlot) {
      return false;
    }
    lastSlot = slot;
    Instant at = Instant.ofEpochMilli(slot * interval.toMillis());
    Map<String, ArrayDeque<DashboardSnapshot.HistoryPoint>> kept = new LinkedHashMap<>();
    for (DashboardSnapshot.QueueFigures q : s.queues()) {
      ArrayDeque<DashboardSnapshot.HistoryPoint> ring = points.getOrDefault(q.id(), new ArrayDeque<>());
      ring.addLast(new DashboardSnapshot.HistoryPoint(at, q.waiting(), q.window().serviceLevel()));
      while (ring.size() > capacity || ring.peekFirst().at().isBefore(at.minus(span))) {
        ring.removeFirst();
      }
      kept.put(q.id(), ring);
    }
    points.clear();
    points.putAll(kept);
    return true;
  }

  /** The grid time of the latest point (null before the first). */
  public Instant lastPointAt() {
    return lastSlot == Long.MIN_VALUE ? null : Instant.ofEpochMilli(lastSlot * interval.toMillis());
  }

  /** The history as it stands, oldest point first. */
  public DashboardSnapshot.History view() {
    Map<String, List<DashboardSnapshot.HistoryPoint>> copy = new LinkedHashMap<>();
    points.forEach((q, ring) -> copy.put(q, List.copyOf(new ArrayList<>(ring))));
    return new DashboardSnapshot.History((int) interval.toSeconds(), (int) span.toMinutes(), copy);
  }
}
