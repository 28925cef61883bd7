package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The transactional outbox: an entry is appended in the same transaction as the change it reports and
 * relayed afterwards. Claims and leases use {@code FOR UPDATE SKIP LOCKED}, so several hubs relay without doubles.
 */
public final class OutboxStore {
  private static final String APPEND = "INSERT INTO outbox (topic, payload) VALUES ($1, $2) RETURNING id";
  // $1 the family (the topic up to its first '.'), $2 the topic pattern, $3 the batch: through outbox_pending_family
  // (V90), the claim reads its own family's due entries only.
  static final String CLAIM =
      "SELECT id, topic, payload, attempts FROM outbox WHERE published_at IS NULL AND split_part(topic, '.', 1) = $1"
          + " AND next_attempt_at <= now() AND topic LIKE $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED";
  private static final String MARK_PUBLISHED =
      "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1)";
  private static final String COMPLETE = "UPDATE outbox SET published_at = now() WHERE id = $1 AND published_at IS NULL";
  private static final String MARK_FAILED =
      "UPDATE outbox SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1";
  private static final String EXTEND_LEASE =
      "UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $2) WHERE id = ANY($1) AND published_at IS NULL";
  // $1 the family (the topic up to its first '.'), $2 the topic pattern, $3 the batch, $4 the lease in seconds. The
  // family is what outbox_pending_family (V90) is keyed by, so the poll reads its own family's due entries only.
  static final String LEASE =
      "UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $4), attempts = attempts + 1 WHERE id IN ("
          + " SELECT id FROM outbox WHERE published_at IS NULL AND split_part(topic, '.', 1) = $1"
          + " AND next_attempt_at <= now() AND topic LIKE $2"
          + " ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING id, topic, payload, attempts";
  // Published entries past their retention, oldest first, in batches; rows another node is deleting are skipped.
  private static final String PURGE =
      "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at IS NOT NULL"
          + " AND published_at < now() - make_interval(secs => $1) ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED)";
  private static final String PENDING = "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL";

  /** One entry waiting to be relayed. */
  public record Entry(long id, String topic, JsonObject payload, int attempts) {}

  /** Appends an entry in the transaction of the change it reports; returns its id. */
  public Future<Long> append(StoreTransaction tx, String topic, JsonObject payload) {
    return append(tx.client(), topic, payload);
  }

  public Future<Long> append(SqlClient sql, String topic, JsonObject payload) {
    return sql.preparedQuery(APPEND).execute(Tuple.of(topic, payload)).map(rows -> rows.iterator().next().getLong("id"));
  }

  /**
   * Locks up to {@code limit} due entries until the transaction ends, oldest first; reads the due entries of the
   * pattern's family only (see {@link #lease}).
   *
   * @param topicPattern a SQL LIKE pattern naming one family, such as {@code event.%}
   * @throws IllegalArgumentException if the pattern does not name one family
   */
  public Future<List<Entry>> claim(SqlClient sql, String topicPattern, int limit) {
    return sql.preparedQuery(CLAIM)
        .execute(claimArgs(topicPattern, limit))
        .map(rows -> {
          List<Entry> out = new ArrayList<>();
          rows.forEach(r ->
              out.add(new Entry(r.getLong("id"), r.getString("topic"), r.getJsonObject("payload"), r.getInteger("attempts"))));
          return out;
        });
  }

  /** The parameters of {@link #CLAIM}. */
  static Tuple claimArgs(String topicPattern, int limit) {
    return Tuple.of(family(topicPattern), topicPattern, limit);
  }

  /**
   * Takes up to {@code limit} due entries for {@code lease} without holding a transaction open: they are not
   * due again until the lease ends, so the caller can do slow work (a provider call) and then {@linkplain #complete
   * complete} them or {@linkplain #markFailed retry them later}. An entry whose caller died becomes due again when its
   * lease runs out. Every lease counts as an attempt: the entries come back with {@code attempts} already counting
   * this one, so an entry whose outcome never gets recorded still runs out of attempts.
   *
   * <p>The poll reads the due entries of the pattern's family only (the topic up to its first {@code .}, which the
   * pending entries are indexed by), then takes the oldest {@code limit} of them by id.
   *
   * @param topicPattern a SQL LIKE pattern naming one family, such as {@code delivery.%} or {@code webhook.deliver}: a
   *     family without wildcards, a dot, then anything
   * @throws IllegalArgumentException if the pattern does not name one family
   */
  public Future<List<Entry>> lease(SqlClient sql, String topicPattern, int limit, Duration lease) {
    return sql.preparedQuery(LEASE)
        .execute(leaseArgs(topicPattern, limit, lease))
        .map(rows -> {
          List<Entry> out = new ArrayList<>();
          rows.forEach(r ->
              out.add(new Entry(r.getLong("id"), r.getString("topic"), r.getJsonObject("payload"), r.getInteger("attempts"))));
          return out;
        });
  }

  /** The parameters of {@link #LEASE}. */
  static Tuple leaseArgs(String topicPattern, int limit, Duration lease) {
    return Tuple.of(family(topicPattern), topicPattern, limit, (double) lease.toMillis() / 1000.0);
  }

  /** The family a topic pattern names: what comes before its first dot, which must hold no LIKE wildcard. */
  static String family(String topicPattern) {
    int dot = topicPattern == null ? -1 : topicPattern.indexOf('.');
    if (dot <= 0 || topicPattern.substring(0, dot).chars().anyMatch(c -> c == '%' || c == '_' || c == '\\')) {
      throw new IllegalArgumentException("not a pattern of one outbox topic family (family.rest): " + topicPattern);
    }
    return topicPattern.substring(0, dot);
  }

  public Future<Void> markPublished(SqlClient sql, List<Long> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return sql.preparedQuery(MARK_PUBLISHED).execute(Tuple.of(ids.toArray(Long[]::new))).mapEmpty();
  }

  /** A leased entry is done (its attempts were counted when it was leased). */
  public Future<Void> complete(SqlClient sql, long id) {
    return sql.preparedQuery(COMPLETE).execute(Tuple.of(id)).mapEmpty();
  }

  /** Keeps leased entries from other takers for another {@code lease} (while their outcome is being written). */
  public Future<Void> extendLease(SqlClient sql, List<Long> ids, Duration lease) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return sql.preparedQuery(EXTEND_LEASE).execute(Tuple.of(ids.toArray(Long[]::new), (double) lease.toMillis() / 1000.0)).mapEmpty();
  }

  /** A leased entry failed: due again in {@code retryIn}, with the error kept (its attempt was counted at lease). */
  public Future<Void> markFailed(SqlClient sql, long id, String error, Duration retryIn) {
    return sql.preparedQuery(MARK_FAILED)
        .execute(Tuple.of(id, error, (double) retryIn.toMillis() / 1000.0))
        .mapEmpty();
  }

  /**
   * Deletes up to {@code limit} entries published more than {@code retention} ago (never one still pending).
   *
   * @return how many were deleted (fewer than {@code limit}: nothing more to purge now)
   */
  public Future<Integer> purgePublished(SqlClient sql, Duration retention, int limit) {
    return sql.preparedQuery(PURGE)
        .execute(Tuple.of((double) retention.toMillis() / 1000.0, limit))
        .map(rows -> rows.rowCount());
  }

  public Future<Long> pendingCount(SqlClient sql) {
    return sql.query(PENDING).execute().map(rows -> rows.iterator().next().getLong("n"));
  }
}
