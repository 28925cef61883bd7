package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** API keys for integrations. Only a SHA-256 hash of each key is stored. */
public final class ApiKeyStore {
  /** The unique constraint that detects a taken key name. */
  public static final String NAME_CONSTRAINT = "api_keys_name_key";

  private static final String COLUMNS = "id, name, scopes, created_by, created_at, revoked_at, last_used_at";
  private static final String INSERT =
      "INSERT INTO api_keys (id, name, key_hash, scopes, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING " + COLUMNS;
  private static final String FIND_LIVE =
      "SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL";
  // Written at most once per interval, so a busy key does not lock its row on every request (#12.3).
  private static final String TOUCH = "UPDATE api_keys SET last_used_at = now() WHERE id = $1"
      + " AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))";
  private static final String LIST = "SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at";
  private static final String REVOKE =
      "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING " + COLUMNS;

  /** A key's public facts. */
  public record ApiKey(
      UUID id, String name, Set<String> scopes, String createdBy, Instant createdAt, Instant revokedAt,
      Instant lastUsedAt) {}

  public Future<ApiKey> insert(SqlClient sql, UUID id, String name, String keyHash, Set<String> scopes, String createdBy) {
    return sql.preparedQuery(INSERT)
        .execute(Tuple.of(id, name, keyHash, scopes.toArray(String[]::new), createdBy))
        .map(rows -> key(rows.iterator().next()));
  }

  /** The live key with this hash; reads only. */
  public Future<Optional<ApiKey>> findActive(SqlClient sql, String keyHash) {
    return sql.preparedQuery(FIND_LIVE).execute(Tuple.of(keyHash)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(key(it.next())) : Optional.empty();
    });
  }

  /** Notes that key {@code id} was used, unless that was noted less than {@code every} ago. */
  public Future<Void> touch(SqlClient sql, UUID id, java.time.Duration every) {
    return sql.preparedQuery(TOUCH).execute(Tuple.of(id, (double) every.toSeconds())).mapEmpty();
  }

  public Future<List<ApiKey>> list(SqlClient sql) {
    return sql.query(LIST).execute().map(rows -> {
      List<ApiKey> out = new ArrayList<>();
      rows.forEach(r -> out.add(key(r)));
      return out;
    });
  }

  public Future<Optional<ApiKey>> revoke(SqlClient sql, UUID id) {
    return sql.preparedQuery(REVOKE).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(key(it.next())) : Optional.empty();
    });
  }

  private static ApiKey key(Row r) {
    return new ApiKey(
        r.getUUID("id"), r.getString("name"), Set.of(r.getArrayOfStrings("scopes")), r.getString("created_by"),
        Rows.instant(r, "created_at"), Rows.instant(r, "revoked_at"), Rows.instant(r, "last_used_at"));
  }
}
