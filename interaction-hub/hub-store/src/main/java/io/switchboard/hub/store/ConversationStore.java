package io.switchboard.hub.store;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Conversation;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Conversations: threads with one customer on one channel. */
public final class ConversationStore {
  private static final String COLUMNS =
      "id, customer_id, channel, thread_key, subject, status, created_at, last_activity_at";

  private static final String INSERT =
      "INSERT INTO conversations (id, customer_id, channel, thread_key, subject, created_at, last_activity_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING " + COLUMNS;
  private static final String FIND_OPEN_BY_THREAD =
      "SELECT " + COLUMNS + " FROM conversations WHERE channel = $1 AND thread_key = $2 AND status = 'open'";
  private static final String FIND_BY_MESSAGE_REFS =
      "SELECT c.id, c.customer_id, c.channel, c.thread_key, c.subject, c.status, c.created_at, c.last_activity_at"
          + " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
          + " WHERE m.channel = $1 AND m.external_id = ANY($2) AND c.status = 'open'"
          + " ORDER BY m.created_at DESC LIMIT 1";
  // Email threading: the conversation of the newest message among these Message-IDs, whether the customer's
  // (external id) or a reply the hub sent (provider id), open or closed.
  private static final String FIND_BY_EMAIL_REFS =
      "SELECT c.id, c.customer_id, c.channel, c.thread_key, c.subject, c.status, c.created_at, c.last_activity_at"
          + " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
          + " WHERE m.channel = $1 AND (m.external_id = ANY($2) OR m.provider_message_id = ANY($2))"
          + " ORDER BY m.created_at DESC LIMIT 1";
  private static final String FIND_BY_TOKEN =
      "SELECT " + COLUMNS + " FROM conversations WHERE channel = $1 AND id BETWEEN $2 AND $3"
          + " ORDER BY last_activity_at DESC LIMIT 1";
  private static final String REOPEN =
      "UPDATE conversations SET status = 'open', closed_at = NULL WHERE id = $1 AND status = 'closed'";
  private static final String TOUCH =
      "UPDATE conversations SET last_activity_at = greatest(last_activity_at, $2) WHERE id = $1";
  private static final String OF_CUSTOMERS =
      "SELECT " + COLUMNS + " FROM conversations WHERE customer_id = ANY($1) ORDER BY last_activity_at DESC LIMIT $2";

  public Future<Conversation> insert(SqlClient sql, Conversation c) {
    return sql.preparedQuery(INSERT)
        .execute(
            Tuple.of(
                c.id().value(),
                c.customerId().value(),
                c.channel().wireName(),
                c.threadKey(),
                c.subject(),
                Rows.odt(c.createdAt() == null ? Instant.now() : c.createdAt())))
        .map(rows -> conversation(rows.iterator().next()));
  }

  /** The open conversation of this provider thread, if any. */
  public Future<Optional<Conversation>> findOpenByThread(SqlClient sql, Channel channel, String threadKey) {
    return sql.preparedQuery(FIND_OPEN_BY_THREAD)
        .execute(Tuple.of(channel.wireName(), threadKey))
        .map(ConversationStore::first);
  }

  /** The open conversation holding the newest of the messages with these external ids (email threading). */
  public Future<Optional<Conversation>> findOpenByMessageRefs(SqlClient sql, Channel channel, List<String> refs) {
    if (refs.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return sql.preparedQuery(FIND_BY_MESSAGE_REFS)
        // addArrayOfString, not Tuple.of(String, String[]): varargs would spread the array into parameters.
        .execute(Tuple.tuple().addString(channel.wireName()).addArrayOfString(refs.toArray(String[]::new)))
        .map(ConversationStore::first);
  }

  /**
   * The conversation, open or closed, holding the newest message whose Message-ID is among {@code refs} (an inbound
   * email's external id, or the id a sent reply went out with).
   */
  public Future<Optional<Conversation>> findByEmailRefs(SqlClient sql, Channel channel, List<String> refs) {
    if (refs.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return sql.preparedQuery(FIND_BY_EMAIL_REFS)
        .execute(Tuple.tuple().addString(channel.wireName()).addArrayOfString(refs.toArray(String[]::new)))
        .map(ConversationStore::first);
  }

  /** The conversation of this channel whose id lies in {@code range} (a subject token), if any. */
  public Future<Optional<Conversation>> findByToken(SqlClient sql, Channel channel, io.switchboard.hub.api.ConversationToken.Range range) {
    return sql.preparedQuery(FIND_BY_TOKEN).execute(Tuple.of(channel.wireName(), range.first(), range.last()))
        .map(ConversationStore::first);
  }

  /** Opens a closed conversation again (a customer wrote in it); does nothing to an open one. */
  public Future<Void> reopen(SqlClient sql, ConversationId id) {
    return sql.preparedQuery(REOPEN).execute(Tuple.of(id.value())).mapEmpty();
  }

  public Future<Optional<Conversation>> find(SqlClient sql, ConversationId id) {
    return sql.preparedQuery("SELECT " + COLUMNS + " FROM conversations WHERE id = $1").execute(Tuple.of(id.value()))
        .map(ConversationStore::first);
  }

  public Future<Void> touch(SqlClient sql, ConversationId id, Instant at) {
    return sql.preparedQuery(TOUCH).execute(Tuple.of(id.value(), Rows.odt(at))).mapEmpty();
  }

  /** Conversations of these customers, most recently active first. */
  public Future<List<Conversation>> ofCustomers(SqlClient sql, List<CustomerId> customers, int limit) {
    UUID[] ids = customers.stream().map(CustomerId::value).toArray(UUID[]::new);
    return sql.preparedQuery(OF_CUSTOMERS)
        .execute(Tuple.of(ids, limit))
        .map(rows -> {
          List<Conversation> out = new ArrayList<>();
          rows.forEach(r -> out.add(conversation(r)));
          return out;
        });
  }

  private static Optional<Conversation> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(conversation(it.next())) : Optional.empty();
  }

  private static Conversation conversation(Row r) {
    return new Conversation(
        new ConversationId(r.getUUID("id")),
        new CustomerId(r.getUUID("customer_id")),
        Channel.fromWire(r.getString("channel")),
        r.getString("thread_key"),
        r.getString("subject"),
        "open".equals(r.getString("status")),
        Rows.instant(r, "created_at"),
        Rows.instant(r, "last_activity_at"));
  }
}
