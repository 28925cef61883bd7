package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A customer's contact figures for the customer 360 (docs/reports.md): contacts per channel since a time, how
 * many of them repeated an earlier contact in the same queue, the latest contact. Interactions of customers merged
 * into this one count as its own.
 */
public final class CustomerKpiStore {
  // $1 customer, $2 since, $3 repeat window in days.
  private static final String KPIS = """
      WITH RECURSIVE family AS (
        SELECT id FROM customers WHERE id = $1
        UNION SELECT c.id FROM customers c JOIN family f ON c.merged_into = f.id),
      i AS (
        SELECT i.id, i.channel, i.queue_id, i.created_at FROM interactions i
         WHERE i.customer_id IN (SELECT id FROM family) AND i.created_at >= $2)
      SELECT i.channel, count(*) AS contacts, max(i.created_at) AS last_at,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM interactions p WHERE p.customer_id IN (SELECT id FROM family) AND p.id <> i.id
                  AND p.queue_id IS NOT DISTINCT FROM i.queue_id AND p.created_at < i.created_at
                  AND p.created_at >= i.created_at - make_interval(days => $3))) AS repeats
        FROM i GROUP BY i.channel ORDER BY i.channel""";

  /** The figures; {@code byChannel} in channel order, {@code lastAt} per channel. */
  public record Kpis(Map<String, Long> byChannel, Map<String, Instant> lastAt, long repeats) {}

  /** Empty when there is no such customer. */
  public Future<Optional<Kpis>> kpis(SqlClient sql, UUID customer, Instant since, int repeatDays) {
    return sql.preparedQuery("SELECT 1 FROM customers WHERE id = $1").execute(Tuple.of(customer)).compose(found -> {
      if (found.size() == 0) {
        return Future.succeededFuture(Optional.empty());
      }
      return sql.preparedQuery(KPIS).execute(Tuple.of(customer, Rows.odt(since), repeatDays)).map(rows -> {
        Map<String, Long> by = new LinkedHashMap<>();
        Map<String, Instant> last = new LinkedHashMap<>();
        long repeats = 0;
        for (Row r : rows) {
          by.put(r.getString("channel"), r.getLong("contacts"));
          last.put(r.getString("channel"), Rows.instant(r, "last_at"));
          repeats += r.getLong("repeats");
        }
        return Optional.of(new Kpis(by, last, repeats));
      });
    });
  }
}
