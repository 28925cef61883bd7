package io.switchboard.hub.core.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DashboardHistoryTest {
  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  static DashboardSnapshot at(Instant t, int waiting, Double sl) {
    DashboardSnapshot.PeriodFigures p = new DashboardSnapshot.PeriodFigures(0, 0, 0, 0, 0, 0, sl, null, null, null, null);
    DashboardSnapshot.QueueFigures q = new DashboardSnapshot.QueueFigures("billing", "Billing", 80, 30, 900, waiting, 0, null,
        p, p, Map.of(), new DashboardSnapshot.Staffing(30, 0, 300, "default", 0, 0, 1.0, 0, 0, 0, 0));
    return new DashboardSnapshot(t, ZoneOffset.UTC, T0, 30, List.of(q), List.of(),
        new DashboardSnapshot.Totals(0, Map.of(), 0, waiting), null);
  }

  @Test
  @DisplayName("A point is taken every 5 s, and only the last 60 minutes are kept")
  void samplesEveryIntervalAndKeepsTheSpan() {
    DashboardHistory h = new DashboardHistory(Duration.ofSeconds(5), Duration.ofMinutes(60));
    assertThat(h.offer(at(T0, 1, null))).isTrue();
    assertThat(h.offer(at(T0.plusSeconds(1), 2, null))).isFalse();
    assertThat(h.offer(at(T0.plusSeconds(5), 3, 50.0))).isTrue();
    assertThat(h.view().points().get("billing")).extracting(DashboardSnapshot.HistoryPoint::waiting).containsExactly(1, 3);
    for (int i = 2; i <= 800; i++) {
      h.offer(at(T0.plusSeconds(5L * i), i, 80.0));
    }
    List<DashboardSnapshot.HistoryPoint> points = h.view().points().get("billing");
    assertThat(points).hasSize(720);
    assertThat(points.get(points.size() - 1).at()).isEqualTo(T0.plusSeconds(4000));
    assertThat(points.get(0).at()).isAfterOrEqualTo(T0.plusSeconds(4000).minus(Duration.ofMinutes(60)));
    assertThat(h.view().intervalSeconds()).isEqualTo(5);
    assertThat(h.view().minutes()).isEqualTo(60);
  }

  @Test
  @DisplayName("#9.6 On ticks that jitter (1.00–1.15 s apart) points still fall on a fixed 5 s grid: one per 5 s, stamped on it")
  void jitteryTicksStillGiveOnePointEveryFiveSecondsOnTheGrid() {
    DashboardHistory h = new DashboardHistory(Duration.ofSeconds(5), Duration.ofMinutes(60));
    java.util.Random jitter = new java.util.Random(96);
    Instant t = T0.plusMillis(300);
    Instant end = T0.plus(Duration.ofMinutes(10));
    while (t.isBefore(end)) {
      h.offer(at(t, 1, null));
      t = t.plusMillis(1000 + jitter.nextInt(150));
    }
    List<DashboardSnapshot.HistoryPoint> points = h.view().points().get("billing");
    assertThat(points).as("ten minutes give 120 points").hasSize(120);
    for (int i = 0; i < points.size(); i++) {
      assertThat(points.get(i).at().toEpochMilli() % 5000).as("point %d on the grid", i).isZero();
      if (i > 0) {
        assertThat(Duration.between(points.get(i - 1).at(), points.get(i).at())).isEqualTo(Duration.ofSeconds(5));
      }
    }
  }
}
