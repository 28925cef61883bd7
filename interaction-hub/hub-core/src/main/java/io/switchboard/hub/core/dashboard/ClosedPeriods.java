package io.switchboard.hub.core.dashboard;

import io.switchboard.hub.store.DashboardStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The part of "today" that lies before a recent boundary, read from PostgreSQL once and reused: the
 * dashboard's per-second query then covers only the rows of the last half hour or so, however busy the day
 * was. The boundary is the recent window's start floored to {@link #STEP}, never before the day's start, so
 * it moves on every five minutes; the closed part is read again then, at midnight, when the queues change,
 * and at least every {@link #MAX_AGE}, since moving an interaction to another queue changes the past figures
 * of both queues.
 *
 * <p>Calls come from the dashboard verticle's context; the methods are synchronized all the same.
 */
public final class ClosedPeriods {
  /** How far apart boundaries are. */
  static final Duration STEP = Duration.ofMinutes(5);
  /** The longest a closed part is reused at the same boundary. */
  static final Duration MAX_AGE = Duration.ofMinutes(1);

  private record Key(List<String> queues, List<Integer> targets, Instant from, Instant to) {}

  private Key key;
  private Instant readAt;
  private Future<List<DashboardStore.QueueChannelSpan>> figures;

  /** Where the closed part ends: {@code windowStart} floored to {@link #STEP}, not before {@code dayStart}. */
  public static Instant boundary(Instant dayStart, Instant windowStart) {
    long step = STEP.toMillis();
    Instant floored = Instant.ofEpochMilli(Math.floorDiv(windowStart.toEpochMilli(), step) * step);
    return floored.isBefore(dayStart) ? dayStart : floored;
  }

  /**
   * The figures of {@code [from, to)} per queue and channel, from the last read when it is for the same
   * queues and span and younger than {@link #MAX_AGE}. A failed read is not kept.
   */
  synchronized Future<List<DashboardStore.QueueChannelSpan>> read(Stores stores, List<String> queues, List<Integer> targets,
      Instant from, Instant to, Instant now) {
    Key wanted = new Key(List.copyOf(queues), List.copyOf(targets), from, to);
    if (figures != null && wanted.equals(key) && Duration.between(readAt, now).compareTo(MAX_AGE) < 0) {
      return figures;
    }
    key = wanted;
    readAt = now;
    Future<List<DashboardStore.QueueChannelSpan>> read = stores.dashboard().queueSpan(stores.db().pool(), queues, targets, from, to);
    figures = read;
    read.onFailure(e -> forget(read));
    return read;
  }

  private synchronized void forget(Future<?> failed) {
    if (figures == failed) {
      figures = null;
      key = null;
    }
  }
}
