package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the supervisor dashboard reads from PostgreSQL: per queue and channel, the counts and summed durations
 * of interactions that entered the queue, were answered, were abandoned or ended in two periods (today and
 * a recent window), in one query for all queues; and the directory entries of the agents routing knows.
 *
 * <p>Periods are closed intervals {@code [from, now]}. Durations are summed (not averaged) so the caller can
 * add channels up into queue figures exactly.
 */
public final class DashboardStore {

  // One pass over the rows of every queue that moved in either period; FILTER picks each period's figures.
  // $1 queue ids, $2 their service-level thresholds in seconds, $3 start of today, $4 start of the window, $5 now.
  private static final String QUEUE_PERIODS = aggregate("least($3, $4)", "<= $5", period("d", "$3") + ",\n        " + period("w", "$4"))
      .replace("$3", "$3::timestamptz").replace("$4", "$4::timestamptz").replace("$5", "$5::timestamptz");

  // The same figures over one half-open span [$3, $4) that lies wholly in the past: its figures only change
  // when an interaction is moved to another queue afterwards, so the dashboard reads it rarely (ClosedPeriods).
  private static final String QUEUE_SPAN = aggregate("$3", "< $4", period("s", "$3", "< $4"))
      .replace("$3", "$3::timestamptz").replace("$4", "$4::timestamptz");

  /**
   * The per queue and channel aggregation of the interactions of queues $1 (thresholds $2) that entered, were
   * answered or ended from {@code from} on, within {@code end}; {@code figures} are the selected aggregates.
   */
  private static String aggregate(String from, String end, String figures) {
    return """
        WITH q AS (SELECT * FROM unnest($1::text[], $2::int[]) AS t(queue_id, target_s)),
        i AS (
          SELECT i.queue_id, i.channel, i.state, i.queued_at, i.answered_at, i.wrap_up_at, i.ended_at,
                 make_interval(secs => q.target_s) AS target
          FROM interactions i JOIN q ON q.queue_id = i.queue_id
          WHERE i.queue_id = ANY($1::text[])
            AND ((i.queued_at >= %1$s AND i.queued_at %2$s)
              OR (i.answered_at >= %1$s AND i.answered_at %2$s)
              OR (i.ended_at >= %1$s AND i.ended_at %2$s)))
        SELECT queue_id, channel,
          %3$s
        FROM i GROUP BY queue_id, channel ORDER BY queue_id, channel""".formatted(from, end, figures);
  }

  private static String period(String p, String from) {
    return period(p, from, "<= $5");
  }

  /** One period's aggregates: {@code from} is the start (inclusive), {@code end} the comparison with its end. */
  private static String period(String p, String from, String end) {
    String entered = "queued_at >= " + from + " AND queued_at " + end;
    String answered = "answered_at >= " + from + " AND answered_at " + end;
    String abandoned = "state = 'abandoned' AND ended_at >= " + from + " AND ended_at " + end;
    String handled = "state = 'ended' AND answered_at IS NOT NULL AND ended_at >= " + from + " AND ended_at " + end;
    return String.join(",\n        ",
        "count(*) FILTER (WHERE " + entered + ") AS " + p + "_offered",
        "count(*) FILTER (WHERE " + answered + ") AS " + p + "_answered",
        "count(*) FILTER (WHERE " + answered + " AND answered_at - queued_at <= target) AS " + p + "_answered_in_target",
        "count(*) FILTER (WHERE " + abandoned + ") AS " + p + "_abandoned",
        "count(*) FILTER (WHERE " + abandoned + " AND ended_at - queued_at > target) AS " + p + "_abandoned_late",
        "coalesce(sum(extract(epoch FROM answered_at - queued_at)::float8 * 1000) FILTER (WHERE " + answered + "), 0) AS "
            + p + "_wait_ms",
        "count(*) FILTER (WHERE " + handled + ") AS " + p + "_handled",
        "coalesce(sum(extract(epoch FROM ended_at - answered_at)::float8 * 1000) FILTER (WHERE " + handled + "), 0) AS "
            + p + "_handle_ms",
        "coalesce(sum(extract(epoch FROM coalesce(wrap_up_at, ended_at) - answered_at)::float8 * 1000) FILTER (WHERE "
            + handled + "), 0) AS " + p + "_talk_ms");
  }

  private static final String AGENTS =
      "SELECT a.id, a.username, a.display_name, a.role,"
          + " (SELECT count(*) FROM interactions i WHERE i.agent_id = a.id AND i.state IN ('assigned', 'wrap_up')) AS working"
          + " FROM agents a WHERE a.id = ANY($1)";

  /**
   * One period's figures of one queue and channel.
   *
   * @param offered entered the queue ({@code queued_at}) in the period
   * @param answered answered ({@code answered_at}) in the period
   * @param answeredInTarget of those, answered at most the queue's threshold after {@code queued_at}
   * @param abandoned abandoned ({@code ended_at} of an abandoned interaction) in the period
   * @param abandonedLate of those, abandoned more than the threshold after {@code queued_at}
   * @param waitMs summed {@code answered_at − queued_at} of the answered ones
   * @param handled answered interactions that ended ({@code ended_at}, after wrap-up) in the period
   * @param handleMs summed {@code ended_at − answered_at} of the handled ones
   * @param talkMs summed {@code wrap_up_at − answered_at} (or {@code ended_at} without a wrap-up) of the handled ones
   */
  public record Period(long offered, long answered, long answeredInTarget, long abandoned, long abandonedLate,
      double waitMs, long handled, double handleMs, double talkMs) {
    public static final Period EMPTY = new Period(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The sum of two periods' figures. */
    public Period plus(Period o) {
      return new Period(offered + o.offered, answered + o.answered, answeredInTarget + o.answeredInTarget,
          abandoned + o.abandoned, abandonedLate + o.abandonedLate, waitMs + o.waitMs, handled + o.handled,
          handleMs + o.handleMs, talkMs + o.talkMs);
    }
  }

  /** A queue's figures on one channel, today and in the window. */
  public record QueueChannelRow(String queueId, String channel, Period today, Period window) {}

  /** An agent as the dashboard names it, with how many interactions it works (assigned or in wrap-up). */
  public record AgentRow(UUID id, String username, String displayName, String role, long working) {}

  /**
   * The figures of {@code queueIds} per channel; a queue or channel without any interaction in either period
   * has no row.
   *
   * @param targetSeconds each queue's service-level threshold, in the order of {@code queueIds}
   */
  public Future<List<QueueChannelRow>> queuePeriods(SqlClient sql, List<String> queueIds, List<Integer> targetSeconds,
      Instant dayStart, Instant windowStart, Instant now) {
    if (queueIds.size() != targetSeconds.size()) {
      throw new IllegalArgumentException("one threshold per queue");
    }
    if (queueIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return sql.preparedQuery(QUEUE_PERIODS).execute(Tuple.of(queueIds.toArray(String[]::new),
            targetSeconds.toArray(Integer[]::new), Rows.odt(dayStart), Rows.odt(windowStart), Rows.odt(now)))
        .map(rows -> {
          List<QueueChannelRow> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new QueueChannelRow(r.getString("queue_id"), r.getString("channel"), period(r, "d"), period(r, "w")));
          }
          return out;
        });
  }

  private static Period period(Row r, String p) {
    return new Period(r.getLong(p + "_offered"), r.getLong(p + "_answered"), r.getLong(p + "_answered_in_target"),
        r.getLong(p + "_abandoned"), r.getLong(p + "_abandoned_late"), r.getDouble(p + "_wait_ms"), r.getLong(p + "_handled"),
        r.getDouble(p + "_handle_ms"), r.getDouble(p + "_talk_ms"));
  }

  /** A queue's figures on one channel over one span. */
  public record QueueChannelSpan(String queueId, String channel, Period figures) {}

  /**
   * The figures of {@code queueIds} per channel over the half-open span {@code [from, to)}; a queue or channel
   * without any interaction in it has no row. Added to {@link #queuePeriods}' today figures started at
   * {@code to}, it gives exactly the figures of a today started at {@code from}.
   *
   * @param targetSeconds each queue's service-level threshold, in the order of {@code queueIds}
   */
  public Future<List<QueueChannelSpan>> queueSpan(SqlClient sql, List<String> queueIds, List<Integer> targetSeconds,
      Instant from, Instant to) {
    if (queueIds.size() != targetSeconds.size()) {
      throw new IllegalArgumentException("one threshold per queue");
    }
    if (queueIds.isEmpty() || !from.isBefore(to)) {
      return Future.succeededFuture(List.of());
    }
    return sql.preparedQuery(QUEUE_SPAN).execute(Tuple.of(queueIds.toArray(String[]::new),
            targetSeconds.toArray(Integer[]::new), Rows.odt(from), Rows.odt(to)))
        .map(rows -> {
          List<QueueChannelSpan> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new QueueChannelSpan(r.getString("queue_id"), r.getString("channel"), period(r, "s")));
          }
          return out;
        });
  }

  /** The directory entries of these agents (unknown ids are left out). */
  public Future<List<AgentRow>> agents(SqlClient sql, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return sql.preparedQuery(AGENTS).execute(Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
      List<AgentRow> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new AgentRow(r.getUUID("id"), r.getString("username"), r.getString("display_name"), r.getString("role"),
            r.getLong("working")));
      }
      return out;
    });
  }
}
