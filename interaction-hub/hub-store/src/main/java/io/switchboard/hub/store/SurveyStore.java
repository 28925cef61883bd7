package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Customer satisfaction surveys ({@code csat_surveys}, docs/reports.md "CSAT"): at most one per interaction (its
 * primary key), created when it is put to the customer, answered once. Every change records its transaction
 * ({@code tx}), so the report job folds answers into the report of the interaction's end.
 */
public final class SurveyStore {
  private static final String COLUMNS = "s.interaction_id, s.customer_id, s.channel, s.queue_id, s.agent_id, s.via, s.thread_key,"
      + " s.status, s.attempts, s.created_at, s.sent_at, s.expires_at, s.rating, s.comment, s.answered_at,"
      + " (SELECT i.conversation_id FROM interactions i WHERE i.id = s.interaction_id) AS conversation_id";

  private static final String INTERACTION = "SELECT i.id, i.customer_id, i.channel, i.queue_id, i.agent_id, i.state,"
      + " c.thread_key FROM interactions i JOIN conversations c ON c.id = i.conversation_id WHERE i.id = $1";

  // $1 interaction, $2 via, $3 status ('sent' when put at once, 'pending' when a sender still has to send it),
  // $4 validity in seconds, $5 thread key.
  private static final String CREATE = """
      INSERT INTO csat_surveys (interaction_id, customer_id, channel, queue_id, agent_id, via, status, sent_at, expires_at, thread_key)
      SELECT i.id, i.customer_id, i.channel, i.queue_id, i.agent_id, $2, $3,
             CASE WHEN $3 = 'sent' THEN now() END, now() + make_interval(secs => $4), $5
        FROM interactions i WHERE i.id = $1
      ON CONFLICT (interaction_id) DO NOTHING""";

  private static final String FIND = "SELECT " + COLUMNS + " FROM csat_surveys s WHERE s.interaction_id = $1";

  // $1 interaction, $2 rating, $3 comment. Only an open survey (sent, not expired) takes an answer.
  private static final String ANSWER = "UPDATE csat_surveys s SET rating = $2, comment = $3, answered_at = now(), status = 'answered',"
      + " tx = pg_current_xact_id() WHERE s.interaction_id = $1 AND s.status = 'sent' AND s.expires_at > now()"
      + " RETURNING " + COLUMNS;

  // Ended interactions of the given queues on the given channel that have no survey yet, ended within the last $3
  // seconds (an old backlog is never surveyed after the feature is switched on), oldest first.
  private static final String TO_CREATE = """
      SELECT i.id FROM interactions i
       WHERE i.state = 'ended' AND i.answered_at IS NOT NULL AND i.channel = $1 AND i.queue_id = ANY($2::text[])
         AND i.ended_at > now() - make_interval(secs => $3) AND i.queue_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM csat_surveys s WHERE s.interaction_id = i.id)
       ORDER BY i.ended_at LIMIT $4""";

  // Surveys a sender has to send, leased for $3 seconds to one node (attempt counted), oldest first.
  private static final String CLAIM = "UPDATE csat_surveys s SET attempts = s.attempts + 1, next_attempt_at = now() + make_interval(secs => $3)"
      + " WHERE s.interaction_id IN (SELECT p.interaction_id FROM csat_surveys p WHERE p.status = 'pending' AND p.channel = $1"
      + " AND p.next_attempt_at <= now() ORDER BY p.next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS;
  private static final String SENT = "UPDATE csat_surveys SET status = 'sent', sent_at = now(), last_error = NULL,"
      + " tx = pg_current_xact_id() WHERE interaction_id = $1 AND status = 'pending'";
  private static final String SEND_FAILED = "UPDATE csat_surveys SET last_error = $2,"
      + " status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END WHERE interaction_id = $1 AND status = 'pending'";

  // The newest survey of a social thread that is waiting to be sent, open, or answered (a re-delivered answer is
  // recognised).
  private static final String LATEST_ON_THREAD = "SELECT " + COLUMNS + " FROM csat_surveys s WHERE s.channel = $1 AND s.thread_key = $2"
      + " AND ((s.status IN ('pending', 'sent') AND s.expires_at > now()) OR s.status = 'answered')"
      + " ORDER BY s.created_at DESC LIMIT 1";
  private static final String CLOSE = "UPDATE csat_surveys SET status = 'closed', tx = pg_current_xact_id()"
      + " WHERE interaction_id = $1 AND status IN ('pending', 'sent')";

  private static final String LAST_ANSWER = """
      WITH RECURSIVE family AS (
        SELECT id FROM customers WHERE id = $1
        UNION SELECT c.id FROM customers c JOIN family f ON c.merged_into = f.id)
      SELECT %s FROM csat_surveys s WHERE s.customer_id IN (SELECT id FROM family) AND s.answered_at IS NOT NULL
       ORDER BY s.answered_at DESC LIMIT 1""".formatted(COLUMNS);

  /** The interaction a survey is about, as far as surveys need it; {@code threadKey} is its conversation's. */
  public record Subject(UUID interactionId, UUID customerId, String channel, String queueId, UUID agentId, String state,
      String threadKey) {}

  /** One survey. */
  public record Survey(UUID interactionId, UUID customerId, String channel, String queueId, UUID agentId, String via,
      String threadKey, String status, int attempts, Instant createdAt, Instant sentAt, Instant expiresAt, Integer rating,
      String comment, Instant answeredAt, UUID conversationId) {}

  public Future<Optional<Subject>> subject(SqlClient sql, UUID interaction) {
    return sql.preparedQuery(INTERACTION).execute(Tuple.of(interaction)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row r = rows.iterator().next();
      return Optional.of(new Subject(r.getUUID("id"), r.getUUID("customer_id"), r.getString("channel"), r.getString("queue_id"),
          r.getUUID("agent_id"), r.getString("state"), r.getString("thread_key")));
    });
  }

  /**
   * The interaction's survey, created when it has none ({@code sent}: put to the customer now; else {@code pending}
   * for a sender). Never a second one: the existing survey is returned as it is.
   */
  public Future<Optional<Survey>> create(SqlClient sql, UUID interaction, String via, boolean sentNow, Duration valid,
      String threadKey) {
    return sql.preparedQuery(CREATE).execute(Tuple.of(interaction, via, sentNow ? "sent" : "pending", valid.toSeconds(), threadKey))
        .compose(x -> find(sql, interaction));
  }

  public Future<Optional<Survey>> find(SqlClient sql, UUID interaction) {
    return sql.preparedQuery(FIND).execute(Tuple.of(interaction)).map(SurveyStore::first);
  }

  /** Records the answer of an open survey; empty when there is no open one (none, answered, closed or expired). */
  public Future<Optional<Survey>> answer(SqlClient sql, UUID interaction, int rating, String comment) {
    return sql.preparedQuery(ANSWER).execute(Tuple.of(interaction, rating, comment)).map(SurveyStore::first);
  }

  /** Ended interactions on {@code channel} of {@code queues} without a survey, ended within {@code within}. */
  public Future<List<UUID>> toCreate(SqlClient sql, String channel, List<String> queues, Duration within, int limit) {
    return sql.preparedQuery(TO_CREATE).execute(Tuple.of(channel, queues.toArray(String[]::new), within.toSeconds(), limit))
        .map(rows -> {
          List<UUID> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getUUID(0)));
          return out;
        });
  }

  /**
   * Leases up to {@code limit} surveys of {@code channel} waiting to be sent: each attempt is counted and the survey
   * is not handed out again for {@code lease} (a node that dies while sending leaves it to be tried again then).
   */
  public Future<List<Survey>> claim(SqlClient sql, String channel, int limit, Duration lease) {
    return sql.preparedQuery(CLAIM).execute(Tuple.of(channel, limit, lease.toSeconds())).map(rows -> {
      List<Survey> out = new ArrayList<>();
      rows.forEach(r -> out.add(survey(r)));
      return out;
    });
  }

  public Future<Void> sent(SqlClient sql, UUID interaction) {
    return sql.preparedQuery(SENT).execute(Tuple.of(interaction)).mapEmpty();
  }

  /** A failed sending attempt; after {@code maxAttempts} attempts the survey is {@code failed} and never sent. */
  public Future<Void> sendFailed(SqlClient sql, UUID interaction, String error, int maxAttempts) {
    String e = error == null ? "unknown" : error.length() > 500 ? error.substring(0, 500) : error;
    return sql.preparedQuery(SEND_FAILED).execute(Tuple.of(interaction, e, maxAttempts)).mapEmpty();
  }

  /** The first email address of the customer (or of one merged into it), for an email survey; empty without one. */
  public Future<Optional<String>> emailOf(SqlClient sql, UUID customer) {
    return sql.preparedQuery("""
        WITH RECURSIVE family AS (
          SELECT id FROM customers WHERE id = $1
          UNION SELECT c.id FROM customers c JOIN family f ON c.merged_into = f.id)
        SELECT value FROM customer_identities WHERE customer_id IN (SELECT id FROM family) AND kind = 'email'
         ORDER BY customer_id = $1 DESC, value LIMIT 1""").execute(Tuple.of(customer))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  /** The newest survey of a thread of a channel that is waiting to be sent, open or answered. */
  public Future<Optional<Survey>> latestOnThread(SqlClient sql, String channel, String threadKey) {
    return sql.preparedQuery(LATEST_ON_THREAD).execute(Tuple.of(channel, threadKey)).map(SurveyStore::first);
  }

  /** Closes a survey that is waiting or open, unanswered (the customer wrote something else). */
  public Future<Void> close(SqlClient sql, UUID interaction) {
    return sql.preparedQuery(CLOSE).execute(Tuple.of(interaction)).mapEmpty();
  }

  /** The customer's latest answer (also of customers merged into it). */
  public Future<Optional<Survey>> lastAnswer(SqlClient sql, UUID customer) {
    return sql.preparedQuery(LAST_ANSWER).execute(Tuple.of(customer)).map(SurveyStore::first);
  }

  private static Optional<Survey> first(io.vertx.sqlclient.RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(survey(rows.iterator().next()));
  }

  private static Survey survey(Row r) {
    Short rating = r.getShort("rating");
    return new Survey(r.getUUID("interaction_id"), r.getUUID("customer_id"), r.getString("channel"), r.getString("queue_id"),
        r.getUUID("agent_id"), r.getString("via"), r.getString("thread_key"), r.getString("status"), r.getInteger("attempts"),
        Rows.instant(r, "created_at"), Rows.instant(r, "sent_at"), Rows.instant(r, "expires_at"),
        rating == null ? null : rating.intValue(), r.getString("comment"), Rows.instant(r, "answered_at"), r.getUUID("conversation_id"));
  }
}
