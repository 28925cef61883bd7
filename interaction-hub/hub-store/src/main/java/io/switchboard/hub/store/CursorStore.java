package io.switchboard.hub.store;

import io.switchboard.hub.api.spi.ChannelCursors.Cursor;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/**
 * How far each adapter has read its ordered sources (a mailbox's UIDVALIDITY and last UID). Positions only move
 * forward within an epoch, in one statement, so a reader that lost its lease and writes late can never move a
 * cursor back.
 */
public final class CursorStore {
  private static final String GET = "SELECT epoch, position, updated_at FROM channel_cursors WHERE adapter = $1 AND source = $2";
  private static final String ADVANCE =
      "INSERT INTO channel_cursors AS c (adapter, source, epoch, position, updated_at) VALUES ($1, $2, $3, $4, now())"
          + " ON CONFLICT (adapter, source) DO UPDATE SET epoch = excluded.epoch,"
          + " position = CASE WHEN c.epoch = excluded.epoch THEN greatest(c.position, excluded.position) ELSE excluded.position END,"
          + " updated_at = now()"
          + " WHERE c.epoch <> excluded.epoch OR c.position < excluded.position";

  public Future<Optional<Cursor>> get(SqlClient sql, String adapter, String source) {
    return sql.preparedQuery(GET).execute(Tuple.of(adapter, source)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(cursor(it.next())) : Optional.empty();
    });
  }

  /** Moves the cursor forward (or to a new epoch) and returns the cursor in force afterwards. */
  public Future<Cursor> advance(SqlClient sql, String adapter, String source, long epoch, long position) {
    if (position < 0) {
      return Future.failedFuture(new IllegalArgumentException("a position is never negative"));
    }
    return sql.preparedQuery(ADVANCE).execute(Tuple.of(adapter, source, epoch, position))
        .compose(x -> get(sql, adapter, source))
        .map(Optional::orElseThrow);
  }

  private static Cursor cursor(Row r) {
    return new Cursor(r.getLong("epoch"), r.getLong("position"), Rows.instant(r, "updated_at"));
  }
}
