package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The audit log: who did what to which record, written in the same transaction as the change. */
public final class AuditStore {
  private static final String APPEND =
      "INSERT INTO audit_log (actor, action, entity_type, entity_id, details) VALUES ($1, $2, $3, $4, $5)";
  private static final String LIST =
      "SELECT id, at, actor, action, entity_type, entity_id, details FROM audit_log"
          + " WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)"
          + " AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4";

  /** One audit entry. */
  public record Entry(
      long id, Instant at, String actor, String action, String entityType, String entityId, JsonObject details) {}

  public Future<Void> append(
      SqlClient sql, String actor, String action, String entityType, String entityId, JsonObject details) {
    return sql.preparedQuery(APPEND)
        .execute(Tuple.of(actor, action, entityType, entityId, details == null ? new JsonObject() : details))
        .mapEmpty();
  }

  /** Newest first; {@code beforeId} pages backwards. */
  public Future<List<Entry>> list(SqlClient sql, String entityType, String entityId, Long beforeId, int limit) {
    return sql.preparedQuery(LIST)
        .execute(Tuple.of(entityType, entityId, beforeId, limit))
        .map(rows -> {
          List<Entry> out = new ArrayList<>();
          rows.forEach(r ->
              out.add(
                  new Entry(
                      r.getLong("id"), Rows.instant(r, "at"), r.getString("actor"), r.getString("action"),
                      r.getString("entity_type"), r.getString("entity_id"), r.getJsonObject("details"))));
          return out;
        });
  }
}
