package io.switchboard.hub.store;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Attachment;
import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.MessageId;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
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
 * Files staff upload to attach to replies, bytes included. An attachment is unused until a message claims
 * it ({@link #claim}); it can be claimed once. Unused ones are swept after a while.
 */
public final class AttachmentStore {
  private static final String META = "a.id, a.file_name, a.media_type, a.size_bytes, a.sha256";
  private static final String INSERT =
      "INSERT INTO attachments (id, uploaded_by, media_type, file_name, size_bytes, sha256, bytes, created_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
  private static final String INSERT_INBOUND =
      "INSERT INTO attachments (id, uploaded_by, media_type, file_name, size_bytes, sha256, bytes, created_at, message_id,"
          + " content_id, inline) VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
  private static final String FIND =
      "SELECT " + META + ", a.uploaded_by, a.message_id, a.created_at, i.id AS interaction_id, i.agent_id AS interaction_agent"
          + " FROM attachments a LEFT JOIN messages m ON m.id = a.message_id LEFT JOIN interactions i ON i.id = m.interaction_id"
          + " WHERE a.id = ANY($1)";
  private static final String BYTES = "SELECT bytes FROM attachments WHERE id = $1";
  private static final String CLAIM =
      "UPDATE attachments SET message_id = $1 WHERE id = ANY($2) AND uploaded_by = $3 AND message_id IS NULL";
  private static final String OF_MESSAGE_WITH_BYTES =
      "SELECT " + META + ", a.bytes FROM attachments a WHERE a.message_id = $1 ORDER BY a.created_at, a.id";
  private static final String SWEEP =
      "DELETE FROM attachments WHERE id IN (SELECT id FROM attachments WHERE message_id IS NULL AND created_at < $1"
          + " ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)";

  /**
   * An attachment with who may see it.
   *
   * @param uploadedBy the staff member who uploaded it; null for a file that came with an inbound message
   * @param messageId the message that uses it, or null while unused
   * @param interactionAgent the agent working the interaction of that message, if any
   */
  public record Stored(
      Attachment attachment, AgentId uploadedBy, MessageId messageId, UUID interactionId, AgentId interactionAgent,
      Instant createdAt) {}

  /** An attachment with its bytes. */
  public record WithBytes(Attachment attachment, Buffer bytes) {}

  public Future<Void> insert(SqlClient sql, Attachment a, AgentId uploadedBy, Buffer bytes, Instant at) {
    return sql.preparedQuery(INSERT)
        .execute(Tuple.from(new Object[] {
            a.id().value(), uploadedBy.value(), a.mediaType(), a.fileName(), a.sizeBytes(), a.sha256(), bytes, Rows.odt(at)}))
        .mapEmpty();
  }

  /**
   * Stores a file that came with an inbound message (no uploader; used by that message from the start), in the
   * transaction that stores the message.
   */
  public Future<Void> insertInbound(StoreTransaction tx, Attachment a, Buffer bytes, MessageId message, String contentId,
      boolean inline, Instant at) {
    return tx.client().preparedQuery(INSERT_INBOUND)
        .execute(Tuple.from(new Object[] {
            a.id().value(), a.mediaType(), a.fileName(), a.sizeBytes(), a.sha256(), bytes, Rows.odt(at), message.value(),
            contentId, inline}))
        .mapEmpty();
  }

  /** Bytes of uploads not yet used by a message: {@code [of this uploader, of all uploaders]} (for quotas). */
  public Future<long[]> unusedBytes(SqlClient sql, AgentId uploader) {
    return sql.preparedQuery("SELECT coalesce(sum(size_bytes) FILTER (WHERE uploaded_by = $1), 0) AS mine,"
            + " coalesce(sum(size_bytes), 0) AS total FROM attachments WHERE message_id IS NULL AND uploaded_by IS NOT NULL")
        .execute(io.vertx.sqlclient.Tuple.of(uploader.value()))
        .map(rows -> {
          var r = rows.iterator().next();
          return new long[] {r.getLong("mine"), r.getLong("total")};
        });
  }

  public Future<Optional<Stored>> find(SqlClient sql, AttachmentId id) {
    return find(sql, List.of(id)).map(all -> all.stream().findFirst());
  }

  /** The attachments of these ids that exist (in no particular order), in {@code scope}. */
  public Future<List<Stored>> find(StoreScope scope, List<AttachmentId> ids) {
    return find(scope.client(), ids);
  }

  public Future<List<Stored>> find(SqlClient sql, List<AttachmentId> ids) {
    UUID[] uuids = ids.stream().map(AttachmentId::value).toArray(UUID[]::new);
    return sql.preparedQuery(FIND).execute(Tuple.of(uuids)).map(rows -> {
      List<Stored> out = new ArrayList<>();
      for (Row r : rows) {
        UUID message = r.getUUID("message_id");
        UUID agent = r.getUUID("interaction_agent");
        UUID uploader = r.getUUID("uploaded_by");
        out.add(new Stored(attachment(r), uploader == null ? null : new AgentId(uploader), message == null ? null : new MessageId(message),
            r.getUUID("interaction_id"), agent == null ? null : new AgentId(agent), Rows.instant(r, "created_at")));
      }
      return out;
    });
  }

  /** The bytes of an attachment, if it (still) exists. */
  public Future<Optional<Buffer>> bytes(SqlClient sql, AttachmentId id) {
    return sql.preparedQuery(BYTES).execute(Tuple.of(id.value())).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(it.next().getBuffer("bytes")) : Optional.empty();
    });
  }

  /**
   * Marks unused attachments of {@code uploader} as used by {@code message}.
   *
   * @return how many were claimed; fewer than asked means another message (or uploader) holds some
   */
  /** As {@link #claim(SqlClient, List, AgentId, MessageId)}, in the transaction storing the message. */
  public Future<Integer> claim(StoreTransaction tx, List<AttachmentId> ids, AgentId uploader, MessageId message) {
    return claim(tx.client(), ids, uploader, message);
  }

  public Future<Integer> claim(SqlClient sql, List<AttachmentId> ids, AgentId uploader, MessageId message) {
    UUID[] uuids = ids.stream().map(AttachmentId::value).toArray(UUID[]::new);
    return sql.preparedQuery(CLAIM).execute(Tuple.of(message.value(), uuids, uploader.value())).map(r -> r.rowCount());
  }

  /** The files of a message with their bytes, in upload order (for delivery). */
  public Future<List<WithBytes>> ofMessage(SqlClient sql, MessageId message) {
    return sql.preparedQuery(OF_MESSAGE_WITH_BYTES).execute(Tuple.of(message.value())).map(rows -> {
      List<WithBytes> out = new ArrayList<>();
      rows.forEach(r -> out.add(new WithBytes(attachment(r), r.getBuffer("bytes"))));
      return out;
    });
  }

  /** Deletes at most {@code limit} attachments never used and older than {@code age}; returns how many. */
  public Future<Integer> deleteUnused(SqlClient sql, Duration age, int limit) {
    return sql.preparedQuery(SWEEP).execute(Tuple.of(Rows.odt(Instant.now().minus(age)), limit)).map(r -> r.rowCount());
  }

  private static Attachment attachment(Row r) {
    return new Attachment(new AttachmentId(r.getUUID("id")), r.getString("file_name"), r.getString("media_type"),
        r.getLong("size_bytes"), r.getString("sha256"));
  }
}
