package io.switchboard.hub.store;

import io.switchboard.hub.api.Queue;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** Queues and their service-level targets. */
public final class QueueStore {
  private static final String UPSERT =
      "INSERT INTO queues (id, name, service_level_percent, service_level_seconds, max_wait_seconds)"
          + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
          + " service_level_percent = excluded.service_level_percent,"
          + " service_level_seconds = excluded.service_level_seconds, max_wait_seconds = excluded.max_wait_seconds,"
          + " updated_at = now()";
  private static final String LIST =
      "SELECT id, name, service_level_percent, service_level_seconds, max_wait_seconds FROM queues ORDER BY id";

  /** Creates or updates a queue, in the transaction that activates the rules defining it. */
  public Future<Void> upsert(StoreTransaction tx, Queue q) {
    return tx.client().preparedQuery(UPSERT)
        .execute(
            Tuple.of(
                q.id(), q.name(), java.math.BigDecimal.valueOf(q.serviceLevelPercent()), q.serviceLevelSeconds(),
                q.maxWaitSeconds()))
        .mapEmpty();
  }

  public Future<List<Queue>> list(SqlClient sql) {
    return sql.query(LIST)
        .execute()
        .map(rows -> {
          List<Queue> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(
                new Queue(
                    r.getString("id"), r.getString("name"), r.getNumeric("service_level_percent").doubleValue(),
                    r.getInteger("service_level_seconds"), r.getInteger("max_wait_seconds")));
          }
          return out;
        });
  }
}
