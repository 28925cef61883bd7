package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The interval report tables (docs/reports.md): computing 15-minute intervals from interactions, transitions and
 * agent state changes, tracking what changed since the last run, and reading the rows back summed into hours,
 * days or weeks of the business calendar's zone.
 *
 * <p>An interval is identified by its start, a multiple of 15 minutes since 2001-01-01T00:00Z ({@code date_bin}).
 * Every computation replaces the whole interval (delete, then insert from the source tables), so running it twice
 * gives the same rows.
 *
 * <p>Size (over 400 lines, #15): about half of it is the SQL text of the interval computation (which intervals a
 * commit touched, and one statement per family of measures), kept beside the reads that sum the same columns so that
 * a measure and its reading change in one place; the Java around them is small.
 */
public final class ReportStore {
  private static final String BIN = "date_bin('15 minutes', %s, TIMESTAMPTZ '2001-01-01 00:00:00+00')";
  private static final String Q = "interval '15 minutes'";
  static final String WATERMARK = "intervals";

  /** Serialises report jobs of all hub nodes (a transaction-scoped advisory lock). */
  private static final String LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('switchboard.reports')) AS locked";

  private static final String WAIT_LOCK = "SELECT pg_advisory_xact_lock(hashtext('switchboard.reports'))";

  private static final String SNAPSHOT =
      "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, w.horizon::text AS prev_xmin, w.until AS prev_until"
          + " FROM (SELECT 1) one LEFT JOIN report_watermark w ON w.name = '" + WATERMARK + "'";

  // The intervals touched by what committed in transactions [$1, $2): every time of every interaction a new
  // transition belongs to (its transitions, when it was queued, answered, ended), the ended interactions of the
  // same customer and queue whose first-contact resolution a new one may change ($3 days), and for a new agent
  // state change the intervals from it to that agent's next change; the end interval of an interaction whose survey
  // was put or answered; plus the intervals from the last run ($4) to
  // now ($5), where agents' current states keep adding time.
  private static final String MARK_DIRTY = ("""
      WITH touched AS (
        SELECT DISTINCT interaction_id FROM interaction_transitions WHERE tx >= $1::text::xid8 AND tx < $2::text::xid8),
      ts AS (
        SELECT t.at AS ts FROM interaction_transitions t JOIN touched USING (interaction_id)
        UNION ALL
        SELECT unnest(ARRAY[i.queued_at, i.answered_at, i.ended_at]) FROM interactions i JOIN touched ON touched.interaction_id = i.id
        UNION ALL
        SELECT p.ended_at FROM interactions i JOIN touched ON touched.interaction_id = i.id
          JOIN interactions p ON p.customer_id = i.customer_id AND p.queue_id = i.queue_id AND p.id <> i.id
           AND p.created_at < i.created_at AND p.ended_at >= i.created_at - make_interval(days => $3)
        UNION ALL
        SELECT generate_series(%1$s, greatest(c.at, coalesce(
                 (SELECT min(n.at) FROM agent_state_changes n WHERE n.agent_id = c.agent_id AND n.at > c.at), $5::timestamptz)), %2$s)
          FROM agent_state_changes c WHERE c.tx >= $1::text::xid8 AND c.tx < $2::text::xid8
        UNION ALL
        SELECT i.ended_at FROM csat_surveys s JOIN interactions i ON i.id = s.interaction_id
         WHERE s.tx >= $1::text::xid8 AND s.tx < $2::text::xid8
        UNION ALL
        SELECT generate_series(%3$s, $5::timestamptz, %2$s) WHERE $4::timestamptz IS NOT NULL)
      INSERT INTO report_dirty (interval_start)
      SELECT DISTINCT %4$s FROM ts WHERE ts IS NOT NULL
      ON CONFLICT DO NOTHING""").formatted(BIN.formatted("c.at"), Q, BIN.formatted("$4::timestamptz"), BIN.formatted("ts"));

  private static final String SAVE_WATERMARK =
      "INSERT INTO report_watermark (name, horizon, until, updated_at) VALUES ('" + WATERMARK + "', $1::text::xid8, $2, now())"
          + " ON CONFLICT (name) DO UPDATE SET horizon = excluded.horizon, until = excluded.until, updated_at = now()";

  private static final String MARK_RANGE = ("INSERT INTO report_dirty (interval_start)"
      + " SELECT generate_series(%s, $2::timestamptz - interval '1 microsecond', " + Q + ") ON CONFLICT DO NOTHING")
      .formatted(BIN.formatted("$1::timestamptz"));

  private static final String NEXT_DIRTY =
      "SELECT interval_start FROM report_dirty ORDER BY interval_start LIMIT $1 FOR UPDATE SKIP LOCKED";
  private static final String CLEAR_DIRTY = "DELETE FROM report_dirty WHERE interval_start = ANY($1::timestamptz[])";
  private static final String DIRTY_COUNT = "SELECT count(*) FROM report_dirty";

  private static final String DELETE_QUEUE = "DELETE FROM report_queue_intervals WHERE interval_start = ANY($1::timestamptz[])";
  private static final String DELETE_AGENT = "DELETE FROM report_agent_intervals WHERE interval_start = ANY($1::timestamptz[])";
  private static final String DELETE_STATES = "DELETE FROM report_agent_states WHERE interval_start = ANY($1::timestamptz[])";

  // ------------------------------------------------------------------ daily roll-ups of the agent rows (V74)

  /** The business day (midnight in zone {@code zone}) an instant belongs to. */
  private static String day(String instant, String zone) {
    return "(date_trunc('day', " + instant + " AT TIME ZONE " + zone + ") AT TIME ZONE " + zone + ")";
  }

  private static final String AGENT_SUMS = "sum(answered), sum(handled), sum(handle_ms), sum(talk_ms), sum(transfers),"
      + " sum(csat_sent), sum(csat_answered), sum(csat_sum)";
  private static final String AGENT_DAY_COLUMNS = "day_start, agent_id, channel, answered, handled, handle_ms, talk_ms, transfers,"
      + " csat_sent, csat_answered, csat_sum";

  private static final String ROLLUP_ZONE = "SELECT zone FROM report_rollup_zone WHERE name = 'days'";
  private static final String SAVE_ROLLUP_ZONE = "INSERT INTO report_rollup_zone (name, zone) VALUES ('days', $1)"
      + " ON CONFLICT (name) DO UPDATE SET zone = excluded.zone";
  // $1 the zone: every day roll-up built again from the interval rows.
  private static final String REBUILD_AGENT_DAYS = "INSERT INTO report_agent_days (" + AGENT_DAY_COLUMNS + ") SELECT "
      + day("interval_start", "$1::text") + ", agent_id, channel, " + AGENT_SUMS + " FROM report_agent_intervals GROUP BY 1, 2, 3";
  private static final String REBUILD_STATE_DAYS = "INSERT INTO report_agent_state_days (day_start, agent_id, state, ms) SELECT "
      + day("interval_start", "$1::text") + ", agent_id, state, sum(ms) FROM report_agent_states GROUP BY 1, 2, 3";

  // $1 the intervals just computed, $2 the zone: the business days they belong to, summed again whole.
  private static final String DAYS_OF = "SELECT DISTINCT " + day("s", "$2::text") + " AS day FROM unnest($1::timestamptz[]) s";
  private static final String DELETE_AGENT_DAYS = "DELETE FROM report_agent_days WHERE day_start IN (" + DAYS_OF + ")";
  private static final String DELETE_STATE_DAYS = "DELETE FROM report_agent_state_days WHERE day_start IN (" + DAYS_OF + ")";
  private static final String NEXT_DAY = "((d.day AT TIME ZONE $2::text) + interval '1 day') AT TIME ZONE $2::text";
  private static final String ROLL_AGENT_DAYS = "WITH d AS (" + DAYS_OF + ") INSERT INTO report_agent_days (" + AGENT_DAY_COLUMNS
      + ") SELECT d.day, r.agent_id, r.channel, " + AGENT_SUMS + " FROM d JOIN report_agent_intervals r"
      + " ON r.interval_start >= d.day AND r.interval_start < " + NEXT_DAY + " GROUP BY 1, 2, 3";
  private static final String ROLL_STATE_DAYS = "WITH d AS (" + DAYS_OF + ") INSERT INTO report_agent_state_days"
      + " (day_start, agent_id, state, ms) SELECT d.day, r.agent_id, r.state, sum(ms) FROM d JOIN report_agent_states r"
      + " ON r.interval_start >= d.day AND r.interval_start < " + NEXT_DAY + " GROUP BY 1, 2, 3";

  private static String inBucket(String column) {
    return column + " >= b.s AND " + column + " < b.s + " + Q;
  }

  // $1 the intervals, $2 first-contact resolution days.
  private static final String COMPUTE_QUEUE = """
      WITH b AS (SELECT unnest($1::timestamptz[]) AS s),
      ev AS (
        SELECT b.s, i.queue_id, i.channel, 1 AS offered, 0 AS answered, 0 AS ait, 0 AS abandoned, 0 AS abl,
               0::float8 AS wait, 0 AS handled, 0::float8 AS handle, 0::float8 AS talk, 0 AS transfers, 0 AS fcr,
               0 AS cs, 0 AS ca, 0 AS csum
          FROM b JOIN interactions i ON %1$s AND i.queue_id IS NOT NULL
        UNION ALL
        SELECT b.s, i.queue_id, i.channel, 0, 1, (i.answered_at - i.queued_at <= make_interval(secs => q.service_level_seconds))::int,
               0, 0, extract(epoch FROM i.answered_at - i.queued_at)::float8 * 1000, 0, 0, 0, 0, 0, 0, 0, 0
          FROM b JOIN interactions i ON %2$s AND i.queue_id IS NOT NULL JOIN queues q ON q.id = i.queue_id
        UNION ALL
        SELECT b.s, i.queue_id, i.channel, 0, 0, 0, 1, (i.ended_at - i.queued_at > make_interval(secs => q.service_level_seconds))::int,
               0, 0, 0, 0, 0, 0, 0, 0, 0
          FROM b JOIN interactions i ON %3$s AND i.queue_id IS NOT NULL AND i.state = 'abandoned' JOIN queues q ON q.id = i.queue_id
        UNION ALL
        SELECT b.s, i.queue_id, i.channel, 0, 0, 0, 0, 0, 0, 1,
               extract(epoch FROM i.ended_at - i.answered_at)::float8 * 1000,
               extract(epoch FROM coalesce(i.wrap_up_at, i.ended_at) - i.answered_at)::float8 * 1000, 0,
               (NOT EXISTS (SELECT 1 FROM interactions n WHERE n.customer_id = i.customer_id AND n.queue_id = i.queue_id
                  AND n.id <> i.id AND n.created_at > i.created_at AND n.created_at <= i.ended_at + make_interval(days => $2)))::int,
               0, 0, 0
          FROM b JOIN interactions i ON %3$s AND i.queue_id IS NOT NULL AND i.state = 'ended' AND i.answered_at IS NOT NULL
        UNION ALL
        SELECT b.s, fq.queue_id, i.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0
          FROM b JOIN interaction_transitions t ON %4$s AND t.reason LIKE 'transferred by %%'
          JOIN interactions i ON i.id = t.interaction_id
          CROSS JOIN LATERAL (SELECT p.queue_id FROM interaction_transitions p WHERE p.interaction_id = t.interaction_id
                                AND p.id < t.id AND p.queue_id IS NOT NULL ORDER BY p.id DESC LIMIT 1) fq
        UNION ALL
        SELECT b.s, i.queue_id, i.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               1, (c.rating IS NOT NULL)::int, coalesce(c.rating, 0)
          FROM b JOIN interactions i ON %3$s AND i.queue_id IS NOT NULL
          JOIN csat_surveys c ON c.interaction_id = i.id AND c.status IN ('sent', 'answered', 'closed'))
      INSERT INTO report_queue_intervals (interval_start, queue_id, channel, offered, answered, answered_in_target, abandoned,
          abandoned_after_target, wait_ms, handled, handle_ms, talk_ms, transfers, fcr_resolved, csat_sent, csat_answered, csat_sum)
      SELECT s, queue_id, channel, sum(offered), sum(answered), sum(ait), sum(abandoned), sum(abl), round(sum(wait))::bigint,
             sum(handled), round(sum(handle))::bigint, round(sum(talk))::bigint, sum(transfers), sum(fcr), sum(cs), sum(ca), sum(csum)
        FROM ev GROUP BY s, queue_id, channel""".formatted(inBucket("i.queued_at"), inBucket("i.answered_at"),
      inBucket("i.ended_at"), inBucket("t.at"));

  // $1 the intervals. Answers are counted for the agent that accepted; handling for the agent that ended it;
  // transfers for the agent that handed the interaction on.
  private static final String COMPUTE_AGENT = """
      WITH b AS (SELECT unnest($1::timestamptz[]) AS s),
      ev AS (
        SELECT b.s, t.agent_id, i.channel, 1 AS answered, 0 AS handled, 0::float8 AS handle, 0::float8 AS talk, 0 AS transfers,
               0 AS cs, 0 AS ca, 0 AS csum
          FROM b JOIN interaction_transitions t ON %1$s AND t.to_state = 'assigned' AND t.agent_id IS NOT NULL
          JOIN interactions i ON i.id = t.interaction_id
        UNION ALL
        SELECT b.s, i.agent_id, i.channel, 0, 1, extract(epoch FROM i.ended_at - i.answered_at)::float8 * 1000,
               extract(epoch FROM coalesce(i.wrap_up_at, i.ended_at) - i.answered_at)::float8 * 1000, 0, 0, 0, 0
          FROM b JOIN interactions i ON %2$s AND i.queue_id IS NOT NULL AND i.state = 'ended' AND i.answered_at IS NOT NULL
           AND i.agent_id IS NOT NULL
        UNION ALL
        SELECT b.s, t.agent_id, i.channel, 0, 0, 0, 0, 1, 0, 0, 0
          FROM b JOIN interaction_transitions t ON %1$s AND t.reason LIKE 'transferred by %%' AND t.agent_id IS NOT NULL
          JOIN interactions i ON i.id = t.interaction_id
        UNION ALL
        SELECT b.s, i.agent_id, i.channel, 0, 0, 0, 0, 0, 1, (c.rating IS NOT NULL)::int, coalesce(c.rating, 0)
          FROM b JOIN interactions i ON %2$s AND i.agent_id IS NOT NULL
          JOIN csat_surveys c ON c.interaction_id = i.id AND c.status IN ('sent', 'answered', 'closed'))
      INSERT INTO report_agent_intervals (interval_start, agent_id, channel, answered, handled, handle_ms, talk_ms, transfers,
          csat_sent, csat_answered, csat_sum)
      SELECT s, agent_id, channel, sum(answered), sum(handled), round(sum(handle))::bigint, round(sum(talk))::bigint, sum(transfers),
             sum(cs), sum(ca), sum(csum)
        FROM ev GROUP BY s, agent_id, channel""".formatted(inBucket("t.at"), inBucket("i.ended_at"));

  // $1 the intervals, $2 now (an agent's current state counts up to now). Each interval starts in the state the
  // agent was in at its start; every change within it starts a new segment.
  private static final String COMPUTE_STATES = """
      WITH b AS (SELECT unnest($1::timestamptz[]) AS s),
      pts AS (
        SELECT b.s, a.id AS agent_id, c.state, b.s AS p, 0::bigint AS ord
          FROM b CROSS JOIN agents a
          CROSS JOIN LATERAL (SELECT c.state FROM agent_state_changes c WHERE c.agent_id = a.id AND c.at <= b.s
                                ORDER BY c.at DESC, c.id DESC LIMIT 1) c
        UNION ALL
        SELECT b.s, c.agent_id, c.state, c.at, c.id FROM b JOIN agent_state_changes c ON c.at > b.s AND c.at < b.s + %1$s),
      seg AS (
        SELECT s, agent_id, state, p,
               coalesce(lead(p) OVER (PARTITION BY s, agent_id ORDER BY p, ord), least(s + %1$s, $2::timestamptz)) AS e
          FROM pts)
      INSERT INTO report_agent_states (interval_start, agent_id, state, ms)
      SELECT s, agent_id, state, round(sum(extract(epoch FROM e - p) * 1000))::bigint
        FROM seg WHERE state <> 'offline' AND e > p GROUP BY s, agent_id, state""".formatted(Q);

  /** What one {@link #markChanged} call found. */
  public record Marked(boolean locked, long dirty) {}

  /**
   * In one transaction: takes the report lock (another node holding it: nothing done, {@code locked} false),
   * marks the intervals touched by what committed since the last call, and moves the watermark on.
   *
   * @param fcrDays how many days a new contact of the customer in the queue undoes a first-contact resolution
   * @param now the time agents' current states count up to
   * @param zone the business calendar's zone: when the day roll-ups were built for another one (or not yet), they
   *     are built again from the interval rows first
   */
  public Future<Marked> markChanged(Database db, int fcrDays, Instant now, String zone) {
    return db.inTransaction(tx -> tx.query(LOCK).execute().compose(l -> {
      if (!l.iterator().next().getBoolean("locked")) {
        return Future.succeededFuture(new Marked(false, 0));
      }
      return syncDays(tx, zone).compose(z -> tx.query(SNAPSHOT).execute()).compose(rows -> {
        Row r = rows.iterator().next();
        String xmin = r.getString("xmin");
        String prev = r.getString("prev_xmin");
        Instant prevUntil = Rows.instant(r, "prev_until");
        return tx.preparedQuery(MARK_DIRTY).execute(Tuple.of(prev == null ? "0" : prev, xmin, fcrDays,
                prevUntil == null ? null : Rows.odt(prevUntil), Rows.odt(now)))
            .compose(x -> tx.preparedQuery(SAVE_WATERMARK).execute(Tuple.of(xmin, Rows.odt(now))))
            .compose(x -> tx.query(DIRTY_COUNT).execute())
            .map(c -> new Marked(true, c.iterator().next().getLong(0)));
      });
    }));
  }

  /**
   * Marks every 15-minute interval that starts in {@code [from, to)} for computing again; returns how many were
   * newly marked. Waits for a running job step (the same lock), so marks never race the job's own.
   */
  public Future<Long> markRange(Database db, Instant from, Instant to) {
    return db.inTransaction(tx -> tx.query(WAIT_LOCK).execute()
        .compose(l -> tx.preparedQuery(MARK_RANGE).execute(Tuple.of(Rows.odt(from), Rows.odt(to))))
        .map(r -> (long) r.rowCount()));
  }

  /**
   * Computes up to {@code limit} marked intervals (oldest first) again in one transaction, sums the business days
   * (in {@code zone}) they belong to again into the day roll-ups, and unmarks them; returns how many intervals it
   * computed (0: nothing was marked, or another node holds the lock).
   */
  public Future<Integer> computeNext(Database db, int limit, int fcrDays, Instant now, String zone) {
    return db.inTransaction(tx -> tx.query(LOCK).execute().compose(l -> {
      if (!l.iterator().next().getBoolean("locked")) {
        return Future.succeededFuture(0);
      }
      return syncDays(tx, zone).compose(z -> tx.preparedQuery(NEXT_DIRTY).execute(Tuple.of(limit))).compose(rows -> {
        List<java.time.OffsetDateTime> starts = new ArrayList<>();
        for (Row r : rows) {
          starts.add(r.getOffsetDateTime("interval_start"));
        }
        if (starts.isEmpty()) {
          return Future.succeededFuture(0);
        }
        Tuple buckets = Tuple.of(starts.toArray(java.time.OffsetDateTime[]::new));
        return compute(tx, buckets, fcrDays, now)
            .compose(x -> rollDays(tx, buckets.getValue(0), zone))
            .compose(x -> tx.preparedQuery(CLEAR_DIRTY).execute(buckets))
            .map(x -> starts.size());
      });
    }));
  }

  /**
   * Makes the day roll-ups match {@code zone}: when they were built for another zone (or never), all of them are
   * summed again from the interval rows and the zone recorded, in the caller's transaction (which holds the lock).
   */
  private static Future<Void> syncDays(SqlConnection tx, String zone) {
    return tx.query(ROLLUP_ZONE).execute().compose(rows -> {
      if (rows.size() > 0 && zone.equals(rows.iterator().next().getString(0))) {
        return Future.succeededFuture();
      }
      Tuple z = Tuple.of(zone);
      return tx.query("DELETE FROM report_agent_days").execute()
          .compose(x -> tx.query("DELETE FROM report_agent_state_days").execute())
          .compose(x -> tx.preparedQuery(REBUILD_AGENT_DAYS).execute(z))
          .compose(x -> tx.preparedQuery(REBUILD_STATE_DAYS).execute(z))
          .compose(x -> tx.preparedQuery(SAVE_ROLLUP_ZONE).execute(z))
          .mapEmpty();
    });
  }

  /** Sums the business days of the intervals {@code starts} (an array) again from their interval rows. */
  private static Future<Void> rollDays(SqlConnection tx, Object starts, String zone) {
    Tuple p = Tuple.of(starts, zone);
    return tx.preparedQuery(DELETE_AGENT_DAYS).execute(p)
        .compose(x -> tx.preparedQuery(DELETE_STATE_DAYS).execute(p))
        .compose(x -> tx.preparedQuery(ROLL_AGENT_DAYS).execute(p))
        .compose(x -> tx.preparedQuery(ROLL_STATE_DAYS).execute(p))
        .mapEmpty();
  }

  /**
   * Builds the day roll-ups for {@code zone} from the interval rows when they are not built for it yet (what the job
   * does at its next run; for filling the tables outside the job, as the report benchmark does).
   */
  public Future<Void> syncDays(Database db, String zone) {
    return db.inTransaction(tx -> tx.query(WAIT_LOCK).execute().compose(l -> syncDays(tx, zone)));
  }

  private Future<Void> compute(SqlConnection tx, Tuple buckets, int fcrDays, Instant now) {
    Object arr = buckets.getValue(0);
    return tx.preparedQuery(DELETE_QUEUE).execute(buckets)
        .compose(x -> tx.preparedQuery(DELETE_AGENT).execute(buckets))
        .compose(x -> tx.preparedQuery(DELETE_STATES).execute(buckets))
        .compose(x -> tx.preparedQuery(COMPUTE_QUEUE).execute(Tuple.of(arr, fcrDays)))
        .compose(x -> tx.preparedQuery(COMPUTE_AGENT).execute(Tuple.of(arr)))
        .compose(x -> tx.preparedQuery(COMPUTE_STATES).execute(Tuple.of(arr, Rows.odt(now))))
        .mapEmpty();
  }

  // ---------------------------------------------------------------------------------------------- reading

  /** How intervals are summed when read. */
  public enum Unit {
    MINUTES_15(null), HOUR("hour"), DAY("day"), WEEK("week");

    private final String trunc;

    Unit(String trunc) {
      this.trunc = trunc;
    }

    /** The start of the period an interval belongs to, in the zone given as parameter {@code zoneParam}. */
    String period(String zoneParam) {
      return trunc == null ? "interval_start"
          : "(date_trunc('" + trunc + "', interval_start AT TIME ZONE " + zoneParam + "::text) AT TIME ZONE " + zoneParam + "::text)";
    }
  }

  /** The dimension a report is broken down by. */
  public enum Dimension { QUEUES, AGENTS, CHANNELS }

  /**
   * What to read: periods of {@code unit} of the intervals starting in {@code [from, to)}, in {@code zone};
   * null filters mean all.
   */
  public record Query(Dimension dimension, Unit unit, Instant from, Instant to, String zone, List<String> queues,
      List<UUID> agents, List<String> channels) {}

  /**
   * Summed figures of one period and one queue, agent or channel. The agent's state times are zero for the
   * queue and channel dimensions; {@code queueId}, {@code agentId}/{@code username}/{@code displayName} and
   * {@code channel} are set as the dimension has them.
   */
  public record ReportRow(Instant periodStart, String queueId, String channel, UUID agentId, String username,
      String displayName, long offered, long answered, long answeredInTarget, long abandoned, long abandonedAfterTarget,
      long waitMs, long handled, long handleMs, long talkMs, long transfers, long fcrResolved,
      long availableMs, long busyMs, long afterCallWorkMs, long breakMs, long csatSent, long csatAnswered, long csatSum) {}

  // "$3::text <> ''" names the zone's type also when the period does not use it (15 minutes): a statement prepared
  // for a cursor must know every parameter's type.
  private static final String FILTERS = " WHERE interval_start >= $1 AND interval_start < $2 AND $3::text <> ''"
      + " AND ($4::text[] IS NULL OR %s = ANY($4::text[])) AND ($5::text[] IS NULL OR channel = ANY($5::text[]))";

  private static final String QUEUE_SUMS = "sum(offered) AS offered, sum(answered) AS answered,"
      + " sum(answered_in_target) AS answered_in_target, sum(abandoned) AS abandoned,"
      + " sum(abandoned_after_target) AS abandoned_after_target, sum(wait_ms) AS wait_ms, sum(handled) AS handled,"
      + " sum(handle_ms) AS handle_ms, sum(talk_ms) AS talk_ms, sum(transfers) AS transfers, sum(fcr_resolved) AS fcr_resolved,"
      + " sum(csat_sent) AS csat_sent, sum(csat_answered) AS csat_answered, sum(csat_sum) AS csat_sum";

  static String sql(Dimension d, Unit u) {
    String period = u.period("$3");
    return switch (d) {
      case QUEUES -> "SELECT " + period + " AS period_start, queue_id, " + QUEUE_SUMS + " FROM report_queue_intervals"
          + FILTERS.formatted("queue_id") + " GROUP BY 1, 2 ORDER BY 1, 2";
      case CHANNELS -> "SELECT " + period + " AS period_start, channel, " + QUEUE_SUMS + " FROM report_queue_intervals"
          + FILTERS.formatted("queue_id") + " GROUP BY 1, 2 ORDER BY 1, 2";
      case AGENTS -> """
          WITH ok AS (SELECT EXISTS (SELECT 1 FROM report_rollup_zone WHERE zone = $3::text) AS ok),
          wr AS (%2$s),
          w AS (
            SELECT %1$s AS p, agent_id, sum(answered) AS answered, sum(handled) AS handled, sum(handle_ms) AS handle_ms,
                   sum(talk_ms) AS talk_ms, sum(transfers) AS transfers, sum(csat_sent) AS csat_sent,
                   sum(csat_answered) AS csat_answered, sum(csat_sum) AS csat_sum
              FROM wr GROUP BY 1, 2),
          sr AS (%3$s),
          st AS (
            SELECT %1$s AS p, agent_id,
                   coalesce(sum(ms) FILTER (WHERE state = 'available'), 0) AS available_ms,
                   coalesce(sum(ms) FILTER (WHERE state = 'busy'), 0) AS busy_ms,
                   coalesce(sum(ms) FILTER (WHERE state = 'after_call_work'), 0) AS acw_ms,
                   coalesce(sum(ms) FILTER (WHERE state = 'break'), 0) AS break_ms
              FROM sr GROUP BY 1, 2)
          SELECT coalesce(w.p, st.p) AS period_start, a.id AS agent_id, a.username, a.display_name,
                 coalesce(w.answered, 0) AS answered, coalesce(w.handled, 0) AS handled, coalesce(w.handle_ms, 0) AS handle_ms,
                 coalesce(w.talk_ms, 0) AS talk_ms, coalesce(w.transfers, 0) AS transfers,
                 coalesce(st.available_ms, 0) AS available_ms, coalesce(st.busy_ms, 0) AS busy_ms,
                 coalesce(st.acw_ms, 0) AS acw_ms, coalesce(st.break_ms, 0) AS break_ms,
                 coalesce(w.csat_sent, 0) AS csat_sent, coalesce(w.csat_answered, 0) AS csat_answered,
                 coalesce(w.csat_sum, 0) AS csat_sum
            FROM w FULL JOIN st ON st.p = w.p AND st.agent_id = w.agent_id
            JOIN agents a ON a.id = coalesce(w.agent_id, st.agent_id)
           ORDER BY 1, a.username""".formatted(period,
          pieces("report_agent_intervals", "report_agent_days", "agent_id, channel, answered, handled, handle_ms, talk_ms,"
              + " transfers, csat_sent, csat_answered, csat_sum", true),
          pieces("report_agent_states", "report_agent_state_days", "agent_id, state, ms", false));
    };
  }

  /**
   * The agent rows of a report as four pieces: interval rows before the first whole business day of the range
   * ({@code [$1, $6)}) and after the last ({@code [$7, $2)}), and the whole days {@code [$6, $7)} from the day
   * roll-ups when they are built for the report's zone ({@code ok}), else from the interval rows. Each piece is a
   * range scan of its table's primary key; the unused one is skipped at once (a one-time filter).
   */
  private static String pieces(String intervals, String days, String columns, boolean byChannel) {
    String filter = " AND ($4::uuid[] IS NULL OR agent_id = ANY($4::uuid[]))"
        + (byChannel ? " AND ($5::text[] IS NULL OR channel = ANY($5::text[]))" : "");
    String from = " FROM " + intervals + " WHERE interval_start >= ";
    return "SELECT interval_start, " + columns + from + "$1 AND interval_start < $6::timestamptz" + filter
        + " UNION ALL SELECT interval_start, " + columns + from + "$7::timestamptz AND interval_start < $2" + filter
        + " UNION ALL SELECT interval_start, " + columns + from + "$6 AND interval_start < $7 AND NOT (SELECT ok FROM ok)" + filter
        + " UNION ALL SELECT day_start, " + columns + " FROM " + days
        + " WHERE day_start >= $6 AND day_start < $7 AND (SELECT ok FROM ok)" + filter;
  }

  /**
   * The whole business days of an agents report by day or week, {@code [first midnight at or after from, last
   * midnight at or before to)} in the report's zone; for any other report, or a range without a whole day, the empty
   * range {@code [to, to)} (everything read from the interval rows).
   */
  static Instant[] wholeDays(Query q) {
    Instant[] none = {q.to(), q.to()};
    if (q.dimension() != Dimension.AGENTS || (q.unit() != Unit.DAY && q.unit() != Unit.WEEK)) {
      return none;
    }
    java.time.ZoneId z = java.time.ZoneId.of(q.zone());
    java.time.LocalDate first = q.from().atZone(z).toLocalDate();
    Instant start = first.atStartOfDay(z).toInstant();
    if (start.isBefore(q.from())) {
      start = first.plusDays(1).atStartOfDay(z).toInstant();
    }
    Instant end = q.to().atZone(z).toLocalDate().atStartOfDay(z).toInstant();
    return start.isBefore(end) ? new Instant[] {start, end} : none;
  }

  static Tuple params(Query q) {
    Object dimFilter = switch (q.dimension()) {
      case AGENTS -> q.agents() == null ? null : q.agents().toArray(UUID[]::new);
      default -> q.queues() == null ? null : q.queues().toArray(String[]::new);
    };
    Tuple t = Tuple.of(Rows.odt(q.from()), Rows.odt(q.to()), q.zone(), dimFilter,
        q.channels() == null ? null : q.channels().toArray(String[]::new));
    if (q.dimension() == Dimension.AGENTS) {
      Instant[] days = wholeDays(q);
      t.addValue(Rows.odt(days[0])).addValue(Rows.odt(days[1]));
    }
    return t;
  }

  static ReportRow row(Dimension d, Row r) {
    Instant at = r.getOffsetDateTime("period_start").toInstant();
    return switch (d) {
      case QUEUES, CHANNELS -> new ReportRow(at, d == Dimension.QUEUES ? r.getString("queue_id") : null,
          d == Dimension.CHANNELS ? r.getString("channel") : null, null, null, null,
          r.getLong("offered"), r.getLong("answered"), r.getLong("answered_in_target"), r.getLong("abandoned"),
          r.getLong("abandoned_after_target"), r.getLong("wait_ms"), r.getLong("handled"), r.getLong("handle_ms"),
          r.getLong("talk_ms"), r.getLong("transfers"), r.getLong("fcr_resolved"), 0, 0, 0, 0,
          r.getLong("csat_sent"), r.getLong("csat_answered"), r.getLong("csat_sum"));
      case AGENTS -> new ReportRow(at, null, null, r.getUUID("agent_id"), r.getString("username"), r.getString("display_name"),
          0, r.getLong("answered"), 0, 0, 0, 0, r.getLong("handled"), r.getLong("handle_ms"), r.getLong("talk_ms"),
          r.getLong("transfers"), 0, r.getLong("available_ms"), r.getLong("busy_ms"), r.getLong("acw_ms"), r.getLong("break_ms"),
          r.getLong("csat_sent"), r.getLong("csat_answered"), r.getLong("csat_sum"));
    };
  }

  /** Rows a streamed report fetches from its cursor at a time (the API's; the report benchmark's). */
  public static final int STREAM_FETCH = 200;

  /** Where a streamed report's rows go; {@link #full} asks the stream to pause until {@code onDrain}'s callback. */
  public interface RowSink {
    void write(ReportRow row);

    boolean full();

    void onDrain(Runnable resume);
  }

  /**
   * Streams the report's rows into {@code sink} through a cursor ({@code fetch} rows at a time, pausing while the
   * sink is full), so a long range never sits in memory; completes with the number of rows when all were written.
   */
  public Future<Long> stream(Database db, Query q, int fetch, RowSink sink) {
    return db.inTransaction(tx -> tx.prepare(sql(q.dimension(), q.unit())).compose(ps -> {
      Promise<Long> done = Promise.promise();
      long[] count = {0};
      var stream = ps.createStream(fetch, params(q));
      stream.exceptionHandler(done::tryFail);
      stream.endHandler(v -> done.tryComplete(count[0]));
      stream.handler(r -> {
        sink.write(row(q.dimension(), r));
        count[0]++;
        if (sink.full()) {
          stream.pause();
          sink.onDrain(stream::resume);
        }
      });
      return done.future().eventually(() -> stream.close());
    }));
  }

  /** The report's rows, all in memory (for tests and small ranges). */
  public Future<List<ReportRow>> read(SqlClient sql, Query q) {
    return sql.preparedQuery(sql(q.dimension(), q.unit())).execute(params(q)).map(rows -> {
      List<ReportRow> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(row(q.dimension(), r));
      }
      return out;
    });
  }

  /** The given queue ids that the {@code queues} table does not know. */
  public Future<List<String>> unknownQueues(SqlClient sql, List<String> ids) {
    return sql.preparedQuery("SELECT x FROM unnest($1::text[]) x WHERE NOT EXISTS (SELECT 1 FROM queues q WHERE q.id = x)")
        .execute(Tuple.of(ids.toArray(String[]::new))).map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getString(0)));
          return out;
        });
  }

  /** The given agent ids that the {@code agents} table does not know. */
  public Future<List<UUID>> unknownAgents(SqlClient sql, List<UUID> ids) {
    return sql.preparedQuery("SELECT x FROM unnest($1::uuid[]) x WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = x)")
        .execute(Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
          List<UUID> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getUUID(0)));
          return out;
        });
  }
}
