package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Searching past and present conversations (interactions) by customer, text, agent, channel and date, newest
 * first. Text matches what the customer and agents wrote (message text, media captions, email subjects), never
 * private notes; customer matches the display name or any identity (email, phone, handle). Matching is a
 * case-insensitive substring match (ILIKE with the wildcards of the input escaped). The caller applies the
 * visibility rule through {@link Query#onlyAgent}.
 */
public final class ConversationSearchStore {
  private static final String TEXT = "coalesce(m.content->>'text', m.content->>'caption', '') || ' ' || coalesce(m.subject, '')";
  private static final String SEARCH =
      "SELECT i.id, i.channel, i.state, i.queue_id, i.agent_id, a.display_name AS agent_name, i.customer_id,"
          + " c.display_name AS customer_name, i.subject, i.created_at, i.ended_at,"
          + " (SELECT " + TEXT + " FROM messages m WHERE m.interaction_id = i.id AND NOT m.private"
          + "   AND ($2::text IS NULL OR " + TEXT + " ILIKE $2 ESCAPE '\\') ORDER BY m.created_at LIMIT 1) AS snippet"
          + " FROM interactions i JOIN customers c ON c.id = i.customer_id LEFT JOIN agents a ON a.id = i.agent_id"
          + " WHERE ($1::text IS NULL OR c.display_name ILIKE $1 ESCAPE '\\'"
          + "   OR EXISTS (SELECT 1 FROM customer_identities ci WHERE ci.customer_id = c.id AND ci.value ILIKE $1 ESCAPE '\\'))"
          + " AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.interaction_id = i.id AND NOT m.private"
          + "   AND " + TEXT + " ILIKE $2 ESCAPE '\\'))"
          + " AND ($3::uuid IS NULL OR i.agent_id = $3)"
          + " AND ($4::text IS NULL OR i.channel = $4)"
          + " AND ($5::timestamptz IS NULL OR i.created_at >= $5)"
          + " AND ($6::timestamptz IS NULL OR i.created_at < $6)"
          + " AND ($7::uuid IS NULL OR i.agent_id = $7)"
          + " ORDER BY i.created_at DESC, i.id DESC LIMIT $8";

  /**
   * What to look for; null fields do not filter.
   *
   * @param customer part of the customer's name or of one of their identities
   * @param text part of a message's text (notes excluded)
   * @param agentId the agent who worked it
   * @param from created at or after; {@code to}: created before
   * @param onlyAgent the visibility rule: only interactions this agent worked (null: all, for supervisors)
   */
  public record Query(String customer, String text, UUID agentId, String channel, Instant from, Instant to,
      UUID onlyAgent, int limit) {}

  /** One conversation found, with the first message that matched (or its first message). */
  public record Hit(UUID interactionId, String channel, String state, String queueId, UUID agentId, String agentName,
      UUID customerId, String customerName, String subject, Instant createdAt, Instant endedAt, String snippet) {}

  public Future<List<Hit>> search(SqlClient sql, Query q) {
    return sql.preparedQuery(SEARCH).execute(Tuple.from(new Object[] {
        like(q.customer()), like(q.text()), q.agentId(), q.channel(),
        q.from() == null ? null : Rows.odt(q.from()), q.to() == null ? null : Rows.odt(q.to()), q.onlyAgent(), q.limit()
    })).map(rows -> {
      List<Hit> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Hit(r.getUUID("id"), r.getString("channel"), r.getString("state"), r.getString("queue_id"),
            r.getUUID("agent_id"), r.getString("agent_name"), r.getUUID("customer_id"), r.getString("customer_name"),
            r.getString("subject"), Rows.instant(r, "created_at"), Rows.instant(r, "ended_at"), r.getString("snippet")));
      }
      return out;
    });
  }

  /** A substring pattern for ILIKE, with the input's own wildcards taken literally; null for blank. */
  static String like(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    return "%" + s.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }
}
