package io.switchboard.hub.store;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.spi.Quarantine;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Messages adapters set aside (raw, with the reason) for supervisors: unique per (channel, reference). */
public final class QuarantineStore {
  private static final String META =
      "id, channel, source, reference, reason, media_type, size_bytes, facts, received_at, stored_at, dismissed_at, dismissed_by";
  private static final String INSERT =
      "INSERT INTO quarantine (id, channel, source, reference, reason, media_type, raw, size_bytes, facts, received_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (channel, reference) DO NOTHING";
  private static final String LIST =
      "SELECT " + META + " FROM quarantine WHERE ($1 OR dismissed_at IS NULL)"
          + " AND ($2::timestamptz IS NULL OR (stored_at, id) < ($2, $3::uuid))"
          + " ORDER BY stored_at DESC, id DESC LIMIT $4";
  private static final String FIND = "SELECT " + META + " FROM quarantine WHERE id = $1";
  private static final String RAW = "SELECT raw, media_type FROM quarantine WHERE id = $1";
  private static final String DISMISS =
      "UPDATE quarantine SET dismissed_at = now(), dismissed_by = $2 WHERE id = $1 AND dismissed_at IS NULL";
  private static final String OPEN_COUNT = "SELECT count(*) AS n FROM quarantine WHERE dismissed_at IS NULL";

  /** A stored item without its bytes. */
  public record Entry(UUID id, Channel channel, String source, String reference, String reason, String mediaType,
      long sizeBytes, JsonObject facts, Instant receivedAt, Instant storedAt, Instant dismissedAt, String dismissedBy) {}

  /** The raw bytes and their media type. */
  public record Raw(Buffer bytes, String mediaType) {}

  /** Stores an item; false when the same (channel, reference) is there already. */
  public Future<Boolean> insert(SqlClient sql, Quarantine.Item item) {
    JsonObject facts = new JsonObject();
    item.facts().forEach(facts::put);
    return sql.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
        UUID.randomUUID(), item.channel().wireName(), item.source(), item.reference(), item.reason(), item.mediaType(),
        item.raw(), (long) item.raw().length(), facts, Rows.odt(item.receivedAt())})).map(r -> r.rowCount() == 1);
  }

  /** Newest first; dismissed ones only when asked. */
  public Future<List<Entry>> list(SqlClient sql, boolean includeDismissed, Instant beforeAt, UUID beforeId, int limit) {
    return sql.preparedQuery(LIST).execute(Tuple.of(includeDismissed, Rows.odt(beforeAt), beforeId, limit)).map(rows -> {
      List<Entry> out = new ArrayList<>();
      rows.forEach(r -> out.add(entry(r)));
      return out;
    });
  }

  public Future<Optional<Entry>> find(SqlClient sql, UUID id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(entry(it.next())) : Optional.empty();
    });
  }

  public Future<Optional<Raw>> raw(SqlClient sql, UUID id) {
    return sql.preparedQuery(RAW).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return Optional.empty();
      }
      Row r = it.next();
      return Optional.of(new Raw(r.getBuffer("raw"), r.getString("media_type")));
    });
  }

  /** Marks an item handled; false when it was unknown or dismissed already. */
  public Future<Boolean> dismiss(SqlClient sql, UUID id, String by) {
    return sql.preparedQuery(DISMISS).execute(Tuple.of(id, by)).map(r -> r.rowCount() == 1);
  }

  /** How many items wait for a supervisor. */
  public Future<Long> openCount(SqlClient sql) {
    return sql.preparedQuery(OPEN_COUNT).execute().map(rows -> rows.iterator().next().getLong("n"));
  }

  private static Entry entry(Row r) {
    return new Entry(r.getUUID("id"), Channel.fromWire(r.getString("channel")), r.getString("source"), r.getString("reference"),
        r.getString("reason"), r.getString("media_type"), r.getLong("size_bytes"), r.getJsonObject("facts"),
        Rows.instant(r, "received_at"), Rows.instant(r, "stored_at"), Rows.instant(r, "dismissed_at"), r.getString("dismissed_by"));
  }
}
