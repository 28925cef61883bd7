package io.switchboard.hub.store;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Messages of conversations. Inbound messages are unique per (channel, external id): that is intake's dedupe. */
public final class MessageStore {
  /** The unique index that detects a re-delivered inbound message. */
  public static final String EXTERNAL_ID_INDEX = "messages_channel_external";

  private static final String COLUMNS =
      "id, conversation_id, interaction_id, channel, external_id, direction, sender_address, sender_name, agent_id,"
          + " subject, content_type, content, private, status, status_reason, created_at";

  private static final String INSERT =
      "INSERT INTO messages (id, conversation_id, interaction_id, channel, external_id, direction, sender_address,"
          + " sender_name, agent_id, subject, content_type, content, private, status, status_reason, created_at,"
          + " status_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)";
  private static final String FIND_DELIVERY =
      "SELECT m.id, m.interaction_id, i.conversation_id, i.customer_id FROM messages m"
          + " JOIN interactions i ON i.id = m.interaction_id WHERE m.channel = $1 AND m.external_id = $2";
  private static final String OF_INTERACTIONS =
      "SELECT " + COLUMNS + " FROM messages WHERE interaction_id = ANY($1) ORDER BY created_at, id";

  /** Where an earlier delivery of the same external id was stored. */
  public record Delivery(MessageId messageId, InteractionId interactionId, ConversationId conversationId, CustomerId customerId) {}

  public Future<Void> insert(SqlClient sql, Message m) {
    return sql.preparedQuery(INSERT)
        .execute(
            Tuple.from(
                new Object[] {
                  m.id().value(),
                  m.conversationId().value(),
                  m.interactionId() == null ? null : m.interactionId().value(),
                  m.channel().wireName(),
                  m.externalId(),
                  m.direction().wireName(),
                  m.senderAddress(),
                  m.senderName(),
                  m.agentId() == null ? null : m.agentId().value(),
                  m.subject(),
                  contentType(m.content()),
                  contentJson(m.content()),
                  m.privateNote(),
                  m.status().wireName(),
                  m.statusReason(),
                  Rows.odt(m.createdAt() == null ? Instant.now() : m.createdAt())
                }))
        .mapEmpty();
  }

  /** The earlier delivery of this (channel, external id), if any. */
  public Future<Optional<Delivery>> findDelivery(SqlClient sql, Channel channel, String externalId) {
    return sql.preparedQuery(FIND_DELIVERY)
        .execute(Tuple.of(channel.wireName(), externalId))
        .map(rows -> {
          var it = rows.iterator();
          if (!it.hasNext()) {
            return Optional.empty();
          }
          Row r = it.next();
          return Optional.of(
              new Delivery(
                  new MessageId(r.getUUID("id")),
                  new InteractionId(r.getUUID("interaction_id")),
                  new ConversationId(r.getUUID("conversation_id")),
                  new CustomerId(r.getUUID("customer_id"))));
        });
  }

  /** Messages of these interactions, oldest first. */
  public Future<List<Message>> ofInteractions(SqlClient sql, List<InteractionId> interactions) {
    UUID[] ids = interactions.stream().map(InteractionId::value).toArray(UUID[]::new);
    return sql.preparedQuery(OF_INTERACTIONS)
        .execute(Tuple.of(ids))
        .map(rows -> {
          List<Message> out = new ArrayList<>();
          rows.forEach(r -> out.add(message(r)));
          return out;
        });
  }

  static String contentType(MessageContent c) {
    return switch (c) {
      case MessageContent.Text t -> "text";
      case MessageContent.Media m -> "media";
      case MessageContent.Location l -> "location";
      case MessageContent.Unsupported u -> "unsupported";
    };
  }

  static JsonObject contentJson(MessageContent c) {
    return switch (c) {
      case MessageContent.Text t -> new JsonObject().put("text", t.body());
      case MessageContent.Media m ->
          new JsonObject()
              .put("mediaType", m.mediaType())
              .put("fileName", m.fileName())
              .put("sizeBytes", m.sizeBytes())
              .put("providerRef", m.providerRef())
              .put("caption", m.caption());
      case MessageContent.Location l ->
          new JsonObject().put("latitude", l.latitude()).put("longitude", l.longitude()).put("label", l.label());
      case MessageContent.Unsupported u -> new JsonObject().put("providerType", u.providerType());
    };
  }

  static MessageContent content(String type, JsonObject json) {
    return switch (type) {
      case "text" -> new MessageContent.Text(json.getString("text"));
      case "media" ->
          new MessageContent.Media(
              json.getString("mediaType"),
              json.getString("fileName"),
              json.getLong("sizeBytes", 0L),
              json.getString("providerRef"),
              json.getString("caption"));
      case "location" ->
          new MessageContent.Location(json.getDouble("latitude"), json.getDouble("longitude"), json.getString("label"));
      default -> new MessageContent.Unsupported(json.getString("providerType", type));
    };
  }

  private static Message message(Row r) {
    UUID interaction = r.getUUID("interaction_id");
    UUID agent = r.getUUID("agent_id");
    return new Message(
        new MessageId(r.getUUID("id")),
        new ConversationId(r.getUUID("conversation_id")),
        interaction == null ? null : new InteractionId(interaction),
        Channel.fromWire(r.getString("channel")),
        r.getString("external_id"),
        Message.Direction.valueOf(r.getString("direction").toUpperCase(Locale.ROOT)),
        r.getString("sender_address"),
        r.getString("sender_name"),
        agent == null ? null : new AgentId(agent),
        r.getString("subject"),
        content(r.getString("content_type"), r.getJsonObject("content")),
        r.getBoolean("private"),
        Message.Status.valueOf(r.getString("status").toUpperCase(Locale.ROOT)),
        r.getString("status_reason"),
        Rows.instant(r, "created_at"));
  }
}
