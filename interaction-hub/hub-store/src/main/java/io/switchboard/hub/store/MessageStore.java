package io.switchboard.hub.store;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Attachment;
import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.EmailAddress;
import io.switchboard.hub.api.EmailEnvelope;
import io.switchboard.hub.api.InboundEmail;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Conversation;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
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

  static final String COLUMNS =
      "id, conversation_id, interaction_id, channel, external_id, direction, sender_address, sender_name, agent_id,"
          + " subject, content_type, content, private, status, status_reason, created_at, email, provider_message_id, sent_at,"
          + " (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'fileName', a.file_name, 'mediaType', a.media_type,"
          + " 'sizeBytes', a.size_bytes, 'sha256', a.sha256) ORDER BY a.created_at, a.id), '[]'::jsonb)"
          + " FROM attachments a WHERE a.message_id = messages.id) AS attachment_list";

  private static final String INSERT =
      "INSERT INTO messages (id, conversation_id, interaction_id, channel, external_id, direction, sender_address,"
          + " sender_name, agent_id, subject, content_type, content, private, status, status_reason, created_at,"
          + " status_at, sender_kind, sender_provider, email, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
          + " $12, $13, $14, $15, $16, $16, $17, $18, $19, $20)";
  private static final String FIND = "SELECT " + COLUMNS + " FROM messages WHERE id = $1";
  private static final String REPLY_ADDRESS =
      "SELECT sender_kind, sender_provider, sender_address FROM messages WHERE conversation_id = $1"
          + " AND direction = 'inbound' AND sender_kind IS NOT NULL ORDER BY created_at DESC LIMIT 1";
  private static final String INBOUND_REFS =
      "SELECT external_id FROM messages WHERE conversation_id = $1 AND direction = 'inbound' AND external_id IS NOT NULL"
          + " ORDER BY created_at DESC LIMIT 20";
  private static final String OF_CONVERSATION =
      "SELECT " + COLUMNS + " FROM messages WHERE conversation_id = $1 AND NOT private"
          + " AND ($2::timestamptz IS NULL OR created_at > $2) ORDER BY created_at, id LIMIT $3";
  // Delivery status only moves forward: queued < sent < delivered < read; failed ends it unless it was delivered.
  private static final String SENT =
      "UPDATE messages SET status = 'sent', provider_message_id = $2, status_reason = NULL, status_at = now(),"
          + " attempts = attempts + 1 WHERE id = $1 AND status IN ('queued', 'failed')";
  private static final String ATTEMPT_FAILED =
      "UPDATE messages SET status = $2, status_reason = $3, status_at = now(), attempts = attempts + 1"
          + " WHERE id = $1 AND status IN ('queued', 'failed')";
  private static final String STATUS_BY_PROVIDER_ID =
      "UPDATE messages SET status = $3, status_reason = $4, status_at = now() WHERE channel = $1 AND provider_message_id = $2"
          + " AND (CASE status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 1 END)"
          + " < (CASE $3 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'failed' THEN 2 ELSE 0 END)"
          + " RETURNING id";
  private static final String FIND_DELIVERY =
      "SELECT m.id, m.interaction_id, i.conversation_id, i.customer_id FROM messages m"
          + " JOIN interactions i ON i.id = m.interaction_id WHERE m.channel = $1 AND m.external_id = $2";
  private static final String OF_INTERACTIONS =
      "SELECT " + COLUMNS + " FROM messages WHERE interaction_id = ANY($1) ORDER BY created_at, id";

  // Everything writing in an interaction checks, in one statement: the interaction, whether the customer left it, its
  // conversation, where replies go (how the customer last wrote) and the writer's display name.
  private static final String REPLY_CONTEXT =
      "SELECT " + InteractionStore.columns("i") + ", i.customer_left_at, i.customer_left_reason,"
          + " c.id AS conv_id, c.customer_id AS conv_customer_id, c.channel AS conv_channel, c.thread_key AS conv_thread_key,"
          + " c.subject AS conv_subject, c.status AS conv_status, c.created_at AS conv_created_at,"
          + " c.last_activity_at AS conv_last_activity_at,"
          + " r.sender_kind AS reply_kind, r.sender_provider AS reply_provider, r.sender_address AS reply_address,"
          + " (SELECT a.display_name FROM agents a WHERE a.id = $2) AS writer_name"
          + " FROM interactions i LEFT JOIN conversations c ON c.id = i.conversation_id"
          + " LEFT JOIN LATERAL (SELECT x.sender_kind, x.sender_provider, x.sender_address FROM messages x"
          + " WHERE x.conversation_id = i.conversation_id AND x.direction = 'inbound' AND x.sender_kind IS NOT NULL"
          + " ORDER BY x.created_at DESC LIMIT 1) r ON true"
          + " WHERE i.id = $1";
  // A message written in an interaction with its outbox entries, in one autocommitted statement, only while the
  // interaction is still the writer's ($21: any agent's) and, for a reply ($22), still worked with the customer there.
  // FOR SHARE: a state change committing meanwhile is waited for and its outcome checked, never written past.
  // The entries are appended in the order given (ids ascending).
  private static final String INSERT_IN_INTERACTION =
      "WITH i AS (SELECT id FROM interactions WHERE id = $3 AND ($21::boolean OR agent_id = $9::uuid)"
          + " AND (NOT $22::boolean OR (state = 'assigned' AND customer_left_at IS NULL)) FOR SHARE),"
          + " m AS (INSERT INTO messages (id, conversation_id, interaction_id, channel, external_id, direction,"
          + " sender_address, sender_name, agent_id, subject, content_type, content, private, status, status_reason,"
          + " created_at, status_at, sender_kind, sender_provider, email, sent_at)"
          + " SELECT $1::uuid, $2::uuid, i.id, $4::text, $5::text, $6::text, $7::text, $8::text, $9::uuid, $10::text,"
          + " $11::text, $12::jsonb, $13::boolean, $14::text, $15::text, $16::timestamptz, $16::timestamptz, $17::text,"
          + " $18::text, $19::jsonb, $20::timestamptz FROM i RETURNING id),"
          + " o AS (INSERT INTO outbox (topic, payload, next_attempt_at)"
          + " SELECT t.topic, t.payload::jsonb, now() + make_interval(secs => t.due) FROM m,"
          + " unnest($23::text[], $24::text[], $25::float8[]) WITH ORDINALITY AS t(topic, payload, due, n) ORDER BY t.n"
          + " RETURNING id)"
          + " SELECT count(*) AS inserted, (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o) AS outbox_ids FROM m";
  // What delivering a message needs, in one statement: the message, its interaction's attributes, its conversation's
  // thread key, where replies go and the external ids of the customer's latest messages (newest first).
  private static final String DELIVERY_CONTEXT =
      "SELECT m.*, i.attributes AS interaction_attributes, c.thread_key AS conv_thread_key,"
          + " r.sender_kind AS reply_kind, r.sender_provider AS reply_provider, r.sender_address AS reply_address,"
          + " (SELECT coalesce(array_agg(y.external_id ORDER BY y.created_at DESC), '{}') FROM (SELECT x.external_id,"
          + " x.created_at FROM messages x WHERE x.conversation_id = m.conversation_id AND x.direction = 'inbound'"
          + " AND x.external_id IS NOT NULL ORDER BY x.created_at DESC LIMIT 20) y) AS inbound_refs"
          + " FROM (" + FIND + ") m LEFT JOIN interactions i ON i.id = m.interaction_id"
          + " LEFT JOIN conversations c ON c.id = m.conversation_id"
          + " LEFT JOIN LATERAL (SELECT x.sender_kind, x.sender_provider, x.sender_address FROM messages x"
          + " WHERE x.conversation_id = m.conversation_id AND x.direction = 'inbound' AND x.sender_kind IS NOT NULL"
          + " ORDER BY x.created_at DESC LIMIT 1) r ON true";
  // The provider accepted a message (as SENT) and its leased outbox entry is done, in one autocommitted statement.
  private static final String SENT_AND_COMPLETE =
      "WITH s AS (UPDATE messages SET status = 'sent', provider_message_id = $2, status_reason = NULL, status_at = now(),"
          + " attempts = attempts + 1 WHERE id = $1 AND status IN ('queued', 'failed') RETURNING id),"
          + " c AS (UPDATE outbox SET published_at = now() WHERE id = $3 AND published_at IS NULL RETURNING id)"
          + " SELECT (SELECT count(*) FROM s) AS sent";
  private static final String WITH_WORKER =
      "SELECT m.*, i.agent_id AS interaction_agent_id, i.state AS interaction_state FROM (" + FIND + ") m"
          + " JOIN interactions i ON i.id = m.interaction_id";

  /**
   * What writing a message in an interaction checks, read together: the interaction, the customer's departure (empty
   * when they did not leave), its conversation, where replies go and the display name of the staff member writing
   * (null when unknown).
   */
  public record ReplyContext(Interaction interaction, Optional<InteractionStore.Departure> departure,
      Optional<Conversation> conversation, Optional<SenderAddress> replyAddress, String writerName) {}

  /**
   * One outbox entry to append with a message ({@link #insertInInteraction}), due for its relay after {@code dueAfter}:
   * zero for an entry the relay handles, a grace for an event the writer publishes itself once committed.
   */
  public record OutboxEntry(String topic, JsonObject payload, java.time.Duration dueAfter) {
    /** An entry due at once. */
    public OutboxEntry(String topic, JsonObject payload) {
      this(topic, payload, java.time.Duration.ZERO);
    }
  }

  /**
   * What delivering an outbound message needs: the message, its interaction's attributes (empty without one), its
   * conversation's thread key (null without one), where replies go and the external ids of the customer's latest
   * messages, newest first (at most 20).
   */
  public record DeliveryContext(Message message, java.util.Map<String, String> attributes, String threadKey,
      Optional<SenderAddress> replyAddress, List<String> inboundRefs) {}

  /** A message with the state of its interaction and the agent on it (null when none). */
  public record WithInteraction(Message message, InteractionState interactionState, AgentId interactionAgent) {}

  /** The {@link ReplyContext} of interaction {@code id}, written by {@code writer}; empty when there is no such interaction. */
  public Future<Optional<ReplyContext>> replyContext(StoreScope scope, InteractionId id, AgentId writer) {
    return scope.client().preparedQuery(REPLY_CONTEXT).execute(Tuple.of(id.value(), writer == null ? null : writer.value()))
        .map(rows -> {
          var it = rows.iterator();
          if (!it.hasNext()) {
            return Optional.empty();
          }
          Row r = it.next();
          Optional<InteractionStore.Departure> departure = r.getValue("customer_left_at") == null ? Optional.empty()
              : Optional.of(new InteractionStore.Departure(Rows.instant(r, "customer_left_at"), r.getString("customer_left_reason")));
          Optional<Conversation> conversation = r.getUUID("conv_id") == null ? Optional.empty() : Optional.of(new Conversation(
              new ConversationId(r.getUUID("conv_id")), new CustomerId(r.getUUID("conv_customer_id")),
              Channel.fromWire(r.getString("conv_channel")), r.getString("conv_thread_key"), r.getString("conv_subject"),
              "open".equals(r.getString("conv_status")), Rows.instant(r, "conv_created_at"),
              Rows.instant(r, "conv_last_activity_at")));
          return Optional.of(new ReplyContext(InteractionStore.interaction(r), departure, conversation, replyAddress(r),
              r.getString("writer_name")));
        });
  }

  /**
   * Stores a message written by staff in its interaction ({@code m.interactionId()}) with {@code outbox} appended after
   * it, in one statement: only while the interaction is still the writer's ({@code m.agentId()}; any agent's with
   * {@code anyAgent}) and, for an outbound message, still assigned with the customer there. Nothing is written
   * otherwise.
   *
   * @return the ids of the outbox entries written, in the order given; empty when nothing was stored
   */
  public Future<Optional<List<Long>>> insertInInteraction(StoreScope scope, Message m, boolean anyAgent, List<OutboxEntry> outbox) {
    return insertInInteraction(scope.client(), m, anyAgent, outbox);
  }

  public Future<Optional<List<Long>>> insertInInteraction(SqlClient sql, Message m, boolean anyAgent, List<OutboxEntry> outbox) {
    return sql.preparedQuery(INSERT_IN_INTERACTION)
        .execute(
            Tuple.from(values(m, null, anyAgent, m.direction() == Message.Direction.OUTBOUND,
                outbox.stream().map(OutboxEntry::topic).toArray(String[]::new),
                outbox.stream().map(e -> e.payload().encode()).toArray(String[]::new),
                outbox.stream().map(e -> e.dueAfter().toMillis() / 1000.0).toArray(Double[]::new))))
        .map(rows -> {
          Row r = rows.iterator().next();
          return r.getLong("inserted") == 1L ? Optional.of(List.of(r.getArrayOfLongs("outbox_ids"))) : Optional.empty();
        });
  }

  /** The {@link DeliveryContext} of message {@code id}; empty when there is no such message. */
  public Future<Optional<DeliveryContext>> deliveryContext(StoreScope scope, MessageId id) {
    return deliveryContext(scope.client(), id);
  }

  public Future<Optional<DeliveryContext>> deliveryContext(SqlClient sql, MessageId id) {
    return sql.preparedQuery(DELIVERY_CONTEXT).execute(Tuple.of(id.value())).map(rows -> Rows.first(rows, r -> {
      String[] refs = r.getArrayOfStrings("inbound_refs");
      return new DeliveryContext(message(r), Rows.stringMap(r.getJsonObject("interaction_attributes")),
          r.getString("conv_thread_key"), replyAddress(r), refs == null ? List.of() : List.of(refs));
    }));
  }

  /**
   * The provider accepted outbound message {@code id} ({@link #markSent}) and its leased outbox entry {@code outboxId}
   * is done ({@link OutboxStore#complete}), in one statement: both or neither.
   *
   * @return whether the message was marked sent (false: it was no longer queued or failed)
   */
  public Future<Boolean> markSentAndComplete(StoreScope scope, MessageId id, String providerMessageId, long outboxId) {
    return markSentAndComplete(scope.client(), id, providerMessageId, outboxId);
  }

  public Future<Boolean> markSentAndComplete(SqlClient sql, MessageId id, String providerMessageId, long outboxId) {
    return sql.preparedQuery(SENT_AND_COMPLETE).execute(Tuple.of(id.value(), providerMessageId, outboxId))
        .map(rows -> rows.iterator().next().getLong("sent") == 1L);
  }

  /** Message {@code id} with its interaction's state and agent; empty for no such message or one outside interactions. */
  public Future<Optional<WithInteraction>> findWithInteraction(StoreScope scope, MessageId id) {
    return findWithInteraction(scope.client(), id);
  }

  public Future<Optional<WithInteraction>> findWithInteraction(SqlClient sql, MessageId id) {
    return sql.preparedQuery(WITH_WORKER).execute(Tuple.of(id.value())).map(rows -> Rows.first(rows, r -> {
      UUID agent = r.getUUID("interaction_agent_id");
      return new WithInteraction(message(r), InteractionState.fromWire(r.getString("interaction_state")),
          agent == null ? null : new AgentId(agent));
    }));
  }

  /** The reply address of a row with {@code reply_kind, reply_provider, reply_address}; empty when null. */
  private static Optional<SenderAddress> replyAddress(Row r) {
    String kind = r.getString("reply_kind");
    return kind == null ? Optional.empty() : Optional.of(new SenderAddress(io.switchboard.hub.api.IdentityKind.fromWire(kind),
        r.getString("reply_provider"), r.getString("reply_address")));
  }

  /** Where an earlier delivery of the same external id was stored. */
  public record Delivery(MessageId messageId, InteractionId interactionId, ConversationId conversationId, CustomerId customerId) {}

  /**
   * The parameters $1..$20 of {@link #INSERT} and {@link #INSERT_IN_INTERACTION}: the message's columns, with the
   * address kind and provider to reply to from {@code sender} (null: none), followed by {@code more}.
   */
  private static java.util.List<Object> values(Message m, io.switchboard.hub.api.SenderAddress sender, Object... more) {
    java.util.List<Object> v = new java.util.ArrayList<>(java.util.Arrays.asList(
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
        Rows.odt(m.createdAt() == null ? Instant.now() : m.createdAt()),
        sender == null ? null : sender.kind().wireName(),
        sender == null || sender.provider().isEmpty() ? null : sender.provider(),
        emailJson(m.email()),
        m.sentAt() == null ? null : Rows.odt(m.sentAt())));
    v.addAll(java.util.Arrays.asList(more));
    return v;
  }

  public Future<Void> insert(SqlClient sql, Message m) {
    return insert(sql, m, null);
  }

  /** Stores a message; for inbound ones, {@code sender} keeps the address kind and provider to reply to. */
  public Future<Void> insert(SqlClient sql, Message m, io.switchboard.hub.api.SenderAddress sender) {
    return sql.preparedQuery(INSERT)
        .execute(
            Tuple.from(values(m, sender)))
        .mapEmpty();
  }

  /** A message by id, in {@code scope}. */
  public Future<Optional<Message>> find(StoreScope scope, MessageId id) {
    return find(scope.client(), id);
  }

  public Future<Optional<Message>> find(SqlClient sql, MessageId id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id.value())).map(rows -> Rows.first(rows, MessageStore::message));
  }

  /** How the customer last wrote in this conversation (kind, provider, address): where replies go. */
  public Future<Optional<io.switchboard.hub.api.SenderAddress>> replyAddress(StoreScope scope, ConversationId conversation) {
    return replyAddress(scope.client(), conversation);
  }

  public Future<Optional<io.switchboard.hub.api.SenderAddress>> replyAddress(SqlClient sql, ConversationId conversation) {
    return sql.preparedQuery(REPLY_ADDRESS).execute(Tuple.of(conversation.value())).map(rows -> Rows.first(rows, r -> new io.switchboard.hub.api.SenderAddress(
        io.switchboard.hub.api.IdentityKind.fromWire(r.getString("sender_kind")), r.getString("sender_provider"),
        r.getString("sender_address"))));
  }

  /** External ids of the customer's latest messages (newest first), for email In-Reply-To/References. */
  public Future<List<String>> inboundRefs(SqlClient sql, ConversationId conversation) {
    return sql.preparedQuery(INBOUND_REFS).execute(Tuple.of(conversation.value())).map(rows -> {
      List<String> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getString("external_id")));
      return out;
    });
  }

  /** Messages a customer may see (no internal notes), oldest first, created after {@code after}. */
  public Future<List<Message>> ofConversation(SqlClient sql, ConversationId conversation, Instant after, int limit) {
    return sql.preparedQuery(OF_CONVERSATION).execute(Tuple.of(conversation.value(), Rows.odt(after), limit)).map(rows -> {
      List<Message> out = new ArrayList<>();
      rows.forEach(r -> out.add(message(r)));
      return out;
    });
  }

  /** The provider accepted an outbound message. */
  public Future<Boolean> markSent(SqlClient sql, MessageId id, String providerMessageId) {
    return sql.preparedQuery(SENT).execute(Tuple.of(id.value(), providerMessageId)).map(r -> r.rowCount() == 1);
  }

  /** A delivery attempt failed: {@code status} stays queued (will retry) or becomes failed (final). */
  public Future<Boolean> markAttemptFailed(SqlClient sql, MessageId id, Message.Status status, String reason) {
    return sql.preparedQuery(ATTEMPT_FAILED).execute(Tuple.of(id.value(), status.wireName(), reason)).map(r -> r.rowCount() == 1);
  }

  /** A provider's status callback; only moves forward. Returns the message updated, if any. */
  public Future<Optional<MessageId>> updateStatus(SqlClient sql, Channel channel, String providerMessageId, Message.Status status, String reason) {
    return sql.preparedQuery(STATUS_BY_PROVIDER_ID)
        .execute(Tuple.of(channel.wireName(), providerMessageId, status.wireName(), reason))
        .map(rows -> {
          var it = rows.iterator();
          return it.hasNext() ? Optional.of(new MessageId(it.next().getUUID("id"))) : Optional.<MessageId>empty();
        });
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
  public Future<List<Message>> ofInteractions(StoreScope scope, List<InteractionId> interactions) {
    return ofInteractions(scope.client(), interactions);
  }

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
      case MessageContent.Contact k -> "contact";
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
      case MessageContent.Contact k -> new JsonObject().put("name", k.name())
          .put("phones", new io.vertx.core.json.JsonArray(new java.util.ArrayList<>(k.phones())))
          .put("emails", new io.vertx.core.json.JsonArray(new java.util.ArrayList<>(k.emails())));
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
      case "contact" -> new MessageContent.Contact(json.getString("name"), strings(json.getJsonArray("phones")),
          strings(json.getJsonArray("emails")));
      default -> new MessageContent.Unsupported(json.getString("providerType", type));
    };
  }

  static Message message(Row r) {
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
        Rows.instant(r, "created_at"),
        email(r),
        attachments(r.getJsonArray("attachment_list")),
        Rows.instant(r, "sent_at"),
        "outbound".equals(r.getString("direction")) ? r.getString("provider_message_id") : null);
  }

  /** The stored email headers; the Message-ID comes from the row (external id inbound, provider id outbound). */
  private static EmailEnvelope email(Row r) {
    JsonObject json = r.getJsonObject("email");
    if (json == null) {
      return null;
    }
    String messageId = "inbound".equals(r.getString("direction")) ? r.getString("external_id") : r.getString("provider_message_id");
    String inReplyTo = json.getString("inReplyTo");
    List<InboundEmail.OmittedPart> omitted = new ArrayList<>();
    JsonArray o = json.getJsonArray("omitted");
    if (o != null) {
      for (int i = 0; i < o.size(); i++) {
        JsonObject p = o.getJsonObject(i);
        omitted.add(new InboundEmail.OmittedPart(p.getString("fileName"), p.getString("mediaType"), p.getLong("sizeBytes", 0L),
            p.getString("reason")));
      }
    }
    return new EmailEnvelope(messageId, addresses(json.getJsonArray("to")), addresses(json.getJsonArray("cc")),
        inReplyTo == null ? null : MessageId.parse(inReplyTo), strings(json.getJsonArray("references")),
        json.getString("quoted"), omitted, addresses(json.getJsonArray("bcc")));
  }

  static JsonObject emailJson(EmailEnvelope e) {
    if (e == null) {
      return null;
    }
    JsonObject out = new JsonObject().put("to", addressesJson(e.to())).put("cc", addressesJson(e.cc()))
        .put("references", new JsonArray(new ArrayList<>(e.references())));
    if (e.inReplyTo() != null) {
      out.put("inReplyTo", e.inReplyTo().toString());
    }
    if (!e.bcc().isEmpty()) {
      out.put("bcc", addressesJson(e.bcc()));
    }
    if (e.quoted() != null) {
      out.put("quoted", e.quoted());
    }
    if (!e.omitted().isEmpty()) {
      JsonArray omitted = new JsonArray();
      e.omitted().forEach(p -> omitted.add(new JsonObject().put("fileName", p.fileName()).put("mediaType", p.mediaType())
          .put("sizeBytes", p.sizeBytes()).put("reason", p.reason())));
      out.put("omitted", omitted);
    }
    return out;
  }

  private static JsonArray addressesJson(List<EmailAddress> list) {
    JsonArray out = new JsonArray();
    list.forEach(a -> out.add(new JsonObject().put("address", a.address()).put("name", a.name())));
    return out;
  }

  private static List<EmailAddress> addresses(JsonArray json) {
    List<EmailAddress> out = new ArrayList<>();
    if (json != null) {
      for (int i = 0; i < json.size(); i++) {
        JsonObject a = json.getJsonObject(i);
        out.add(new EmailAddress(a.getString("address"), a.getString("name")));
      }
    }
    return out;
  }

  private static List<String> strings(JsonArray json) {
    List<String> out = new ArrayList<>();
    if (json != null) {
      json.forEach(v -> out.add(String.valueOf(v)));
    }
    return out;
  }

  private static List<Attachment> attachments(JsonArray json) {
    List<Attachment> out = new ArrayList<>();
    if (json != null) {
      for (int i = 0; i < json.size(); i++) {
        JsonObject a = json.getJsonObject(i);
        out.add(new Attachment(AttachmentId.parse(a.getString("id")), a.getString("fileName"), a.getString("mediaType"),
            a.getLong("sizeBytes"), a.getString("sha256")));
      }
    }
    return out;
  }
}
