package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** One-time jobs already done on this database, such as the demo seed. */
public final class MarkerStore {
  private static final String MARK =
      "INSERT INTO system_markers (name) VALUES ($1) ON CONFLICT (name) DO NOTHING";

  private static final String SEEN = "SELECT 1 FROM system_markers WHERE name = $1";

  /** True when {@code name} was recorded before. */
  public Future<Boolean> seen(SqlClient sql, String name) {
    return sql.preparedQuery(SEEN).execute(Tuple.of(name)).map(rows -> rows.size() > 0);
  }

  /** Records {@code name}; true when this call was the first to do so. */
  public Future<Boolean> markOnce(SqlClient sql, String name) {
    return sql.preparedQuery(MARK).execute(Tuple.of(name)).map(rows -> rows.rowCount() == 1);
  }
}
