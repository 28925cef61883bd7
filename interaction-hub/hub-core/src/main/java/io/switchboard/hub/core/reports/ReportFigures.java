package io.switchboard.hub.core.reports;

import io.switchboard.hub.store.ReportStore.Dimension;
import io.switchboard.hub.store.ReportStore.ReportRow;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A report row as named figures, in the order of its CSV columns (docs/reports.md defines each). Averages and
 * percentages of nothing are null, never 0 or NaN.
 */
public final class ReportFigures {
  private ReportFigures() {}

  /** The column names of a dimension's rows. */
  public static List<String> columns(Dimension d) {
    return List.copyOf(figures(d, new ReportRow(java.time.Instant.EPOCH, "", "", new java.util.UUID(0, 0), "", "",
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), ZoneId.of("UTC")).keySet());
  }

  /** The row's figures; {@code periodStart} as an ISO-8601 time with the zone's offset. */
  public static Map<String, Object> figures(Dimension d, ReportRow r, ZoneId zone) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("periodStart", r.periodStart().atZone(zone).toOffsetDateTime().toString());
    switch (d) {
      case QUEUES -> m.put("queue", r.queueId());
      case CHANNELS -> m.put("channel", r.channel());
      case AGENTS -> {
        m.put("agentId", r.agentId().toString());
        m.put("username", r.username());
        m.put("displayName", r.displayName());
      }
    }
    if (d != Dimension.AGENTS) {
      m.put("offered", r.offered());
    }
    m.put("answered", r.answered());
    if (d != Dimension.AGENTS) {
      m.put("answeredInTarget", r.answeredInTarget());
      m.put("abandoned", r.abandoned());
      m.put("abandonedAfterTarget", r.abandonedAfterTarget());
      m.put("serviceLevel", pct(r.answeredInTarget(), r.answered() + r.abandonedAfterTarget()));
      m.put("asaMs", avg(r.waitMs(), r.answered()));
      m.put("abandonRate", pct(r.abandoned(), r.answered() + r.abandoned()));
    }
    m.put("handled", r.handled());
    m.put("ahtMs", avg(r.handleMs(), r.handled()));
    m.put("talkMs", avg(r.talkMs(), r.handled()));
    m.put("handleTimeMs", r.handleMs());
    m.put("talkTimeMs", r.talkMs());
    m.put("transfers", r.transfers());
    if (d != Dimension.AGENTS) {
      m.put("fcrResolved", r.fcrResolved());
      m.put("fcrRate", pct(r.fcrResolved(), r.handled()));
    } else {
      long staffed = r.availableMs() + r.busyMs() + r.afterCallWorkMs();
      long loggedIn = staffed + r.breakMs();
      m.put("availableMs", r.availableMs());
      m.put("busyMs", r.busyMs());
      m.put("afterCallWorkMs", r.afterCallWorkMs());
      m.put("breakMs", r.breakMs());
      m.put("loggedInMs", loggedIn);
      m.put("occupancy", pct(r.handleMs(), staffed));
      m.put("utilisation", pct(staffed, loggedIn));
    }
    m.put("surveys", r.csatSent());
    m.put("csatResponses", r.csatAnswered());
    m.put("csatAverage", r.csatAnswered() == 0 ? null : (double) r.csatSum() / r.csatAnswered());
    m.put("csatResponseRate", pct(r.csatAnswered(), r.csatSent()));
    return m;
  }

  private static Double pct(long part, long whole) {
    return whole == 0 ? null : 100.0 * part / whole;
  }

  private static Long avg(long sum, long n) {
    return n == 0 ? null : Math.round((double) sum / n);
  }
}
