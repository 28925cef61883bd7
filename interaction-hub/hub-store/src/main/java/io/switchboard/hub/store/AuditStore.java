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

  /** One audit entry. */
  public record Entry(
      long id, Instant at, String actor, String action, String entityType, String entityId, JsonObject details) {}

  /** Appends an entry in {@code scope}: pass the change's transaction so the entry commits (or not) with it. */
  public Future<Void> append(
      StoreScope scope, String actor, String action, String entityType, String entityId, JsonObject details) {
    return append(scope.client(), actor, action, entityType, entityId, details);
  }

  public Future<Void> append(
      SqlClient sql, String actor, String action, String entityType, String entityId, JsonObject details) {
    return sql.preparedQuery(APPEND)
        .execute(Tuple.of(actor, action, entityType, entityId, details == null ? new JsonObject() : details))
        .mapEmpty();
  }

  private static final String FILTERED =
      "SELECT id, at, actor, action, entity_type, entity_id, details FROM audit_log"
          + " WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)"
          + " AND ($3::text IS NULL OR strpos(lower(actor), lower($3)) > 0)"
          + " AND ($4::text IS NULL OR action = $4 OR (right($4, 1) = '.' AND starts_with(action, $4)))"
          + " AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)"
          + " AND ($7::bigint IS NULL OR id < $7) ORDER BY id DESC LIMIT $8";

  /**
   * What to find in the audit log; null fields do not filter.
   *
   * @param actor a part of the actor's name, any case ({@code ada} finds {@code agent:ada})
   * @param action an action ({@code agent.disabled}), or every action that starts with a prefix ending in '.'
   *     ({@code agent.})
   * @param from entries at or after; {@code to} entries before
   */
  public record Filter(String entityType, String entityId, String actor, String action, Instant from, Instant to) {}

  /** Newest first; {@code beforeId} pages backwards. */
  public Future<List<Entry>> list(SqlClient sql, String entityType, String entityId, Long beforeId, int limit) {
    return list(sql, new Filter(entityType, entityId, null, null, null, null), beforeId, limit);
  }

  /** Newest first, filtered; {@code beforeId} pages backwards. */
  public Future<List<Entry>> list(SqlClient sql, Filter f, Long beforeId, int limit) {
    return sql.preparedQuery(FILTERED)
        .execute(Tuple.from(new Object[] {f.entityType(), f.entityId(), f.actor(), f.action(), Rows.odt(f.from()),
            Rows.odt(f.to()), beforeId, limit}))
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
