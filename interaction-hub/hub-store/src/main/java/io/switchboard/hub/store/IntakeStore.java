package io.switchboard.hub.store;

import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.SenderAddress;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The intake's SQL in two statements (issue 12: one intake used to cost ~15 statements and two commits before the
 * router even saw it): {@link #look} reads everything intake decides on in one round trip — an earlier delivery of
 * the same message, the golden record of the first identity that matches, the open conversation of the provider
 * thread and its open interaction — and {@link #write} stores everything intake decided in one statement of
 * data-modifying CTEs — a new customer with its identities and audit entry, a new conversation (or the existing one
 * touched), a new interaction with its first transition, the message and the outbox entry of the event.
 *
 * <p>Races are left to the unique indexes: a concurrent writer of the same message, thread, interaction or identity
 * makes {@link #write} fail with a unique violation, the caller's transaction (or the write alone) rolls back and runs
 * again, and then {@link #look} finds what the winner stored. {@link #write} is one statement, atomic by itself: a
 * contact that needs nothing else (no files, no threading by references) is stored by {@link #autocommit} without a
 * transaction around the two statements — two round trips instead of four (BEGIN and COMMIT), and no connection held
 * idle in a transaction while the hub decides between them.
 */
public final class IntakeStore {
  private final ConversationStore conversations = new ConversationStore();
  private final InteractionStore interactions = new InteractionStore();

  private static final String LOOK =
      "WITH RECURSIVE dup AS ("
          + " SELECT m.id, m.interaction_id, i.conversation_id, i.customer_id FROM messages m"
          + " JOIN interactions i ON i.id = m.interaction_id WHERE m.channel = $1 AND m.external_id = $2 LIMIT 1),"
          + " owner AS ("
          + " SELECT ci.customer_id FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS k(kind, provider, value, n)"
          + " JOIN customer_identities ci ON ci.kind = k.kind AND ci.provider = k.provider AND ci.value = k.value"
          + " ORDER BY k.n LIMIT 1),"
          + " chain(id, merged_into, depth) AS ("
          + " SELECT c.id, c.merged_into, 0 FROM customers c JOIN owner ON c.id = owner.customer_id"
          + " UNION ALL SELECT c.id, c.merged_into, chain.depth + 1 FROM customers c JOIN chain ON c.id = chain.merged_into"
          + " WHERE chain.depth < 64),"
          + " conv AS ("
          + " SELECT id, customer_id FROM conversations WHERE $6::text IS NOT NULL AND channel = $1 AND thread_key = $6"
          + " AND status = 'open'),"
          + " open AS ("
          + " SELECT i.id, i.customer_id, i.conversation_id FROM interactions i JOIN conv ON i.conversation_id = conv.id"
          + " WHERE i.state IN ('created', 'queued', 'offered', 'assigned') ORDER BY i.created_at DESC LIMIT 1)"
          + " SELECT (SELECT id FROM dup) AS dup_message, (SELECT interaction_id FROM dup) AS dup_interaction,"
          + " (SELECT conversation_id FROM dup) AS dup_conversation, (SELECT customer_id FROM dup) AS dup_customer,"
          + " (SELECT id FROM chain WHERE merged_into IS NULL LIMIT 1) AS golden,"
          + " (SELECT id FROM conv) AS conversation, (SELECT customer_id FROM conv) AS conversation_customer,"
          + " (SELECT id FROM open) AS open_interaction, (SELECT customer_id FROM open) AS open_customer";

  private static final String WRITE =
      "WITH new_customer AS ("
          + " INSERT INTO customers (id, display_name, language, created_at, updated_at)"
          + " SELECT $1, $2, $3, $4, $4 WHERE $1::uuid IS NOT NULL RETURNING id),"
          + " new_identities AS ("
          + " INSERT INTO customer_identities (id, customer_id, kind, provider, value, created_at)"
          + " SELECT k.id, nc.id, k.kind, k.provider, k.value, $4 FROM new_customer nc,"
          + " unnest($5::uuid[], $6::text[], $7::text[], $8::text[]) AS k(id, kind, provider, value)"
          // No ON CONFLICT: an identity a concurrent intake took first fails the whole statement (a unique violation,
          // retried by the caller), so a write outside a transaction never leaves a customer without its identities.
          + " RETURNING id),"
          + " customer_audit AS ("
          + " INSERT INTO audit_log (actor, action, entity_type, entity_id, details)"
          + " SELECT 'system:intake', 'customer.created', 'customer', nc.id::text, $9 FROM new_customer nc),"
          + " new_conversation AS ("
          + " INSERT INTO conversations (id, customer_id, channel, thread_key, subject, created_at, last_activity_at)"
          + " SELECT $10, $11, $12, $13, $14, $4, $4 WHERE $15 RETURNING id),"
          + " touched AS ("
          + " UPDATE conversations SET last_activity_at = greatest(last_activity_at, $4) WHERE id = $10 AND NOT $15),"
          + " new_interaction AS ("
          + " INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, subject, attributes,"
          + " created_at, ended_at, end_reason, version)"
          + " SELECT $16, $10, $17, $12, $18, $19, $14, $20, $4, $21, $22, $23 WHERE $16::uuid IS NOT NULL RETURNING id),"
          // Its first transition; an interaction ended at once (not routed) also records why, as a second one.
          + " first_transitions AS ("
          + " INSERT INTO interaction_transitions (interaction_id, from_state, to_state, reason, at)"
          + " SELECT ni.id, t.from_state, t.to_state, t.reason, $4 FROM new_interaction ni,"
          + " (VALUES (1, NULL, 'created', 'created'), (2, 'created', 'ended', 'not routed: ' || $22::text))"
          + " AS t(n, from_state, to_state, reason) WHERE t.n = 1 OR $22::text IS NOT NULL ORDER BY t.n),"
          + " new_message AS ("
          + " INSERT INTO messages (id, conversation_id, interaction_id, channel, external_id, direction, sender_address,"
          + " sender_name, subject, content_type, content, private, status, created_at, status_at, sender_kind,"
          + " sender_provider, email, sent_at)"
          + " VALUES ($24, $10, $25, $12, $18, 'inbound', $26, $27, $14, $28, $29, false, 'received', $4, $4, $30, $31,"
          + " $32, $33)),"
          + " event AS ("
          + " INSERT INTO outbox (topic, payload, next_attempt_at) VALUES ($34, $35, $4::timestamptz + make_interval(secs => $36))"
          + " RETURNING id)"
          + " SELECT (SELECT count(*) FROM new_identities) AS identities, (SELECT id FROM event) AS event_id";

  /**
   * {@link #LOOK} for several contacts at once (a batch of concurrent intakes, issue 12): one row per contact, in the
   * order given ({@code n}). Keys are tied to their contact by its position.
   */
  private static final String LOOK_ALL =
      "WITH RECURSIVE c AS ("
          + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS c(channel, external_id, thread_key, n)),"
          + " k AS ("
          + " SELECT * FROM unnest($4::int8[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS k(n, kind, provider, value, o)),"
          + " owner AS ("
          + " SELECT DISTINCT ON (k.n) k.n, ci.customer_id FROM k"
          + " JOIN customer_identities ci ON ci.kind = k.kind AND ci.provider = k.provider AND ci.value = k.value"
          + " ORDER BY k.n, k.o),"
          + " chain(n, id, merged_into, depth) AS ("
          + " SELECT owner.n, cu.id, cu.merged_into, 0 FROM customers cu JOIN owner ON cu.id = owner.customer_id"
          + " UNION ALL SELECT chain.n, cu.id, cu.merged_into, chain.depth + 1 FROM customers cu"
          + " JOIN chain ON cu.id = chain.merged_into WHERE chain.depth < 64)"
          + " SELECT c.n, dup.id AS dup_message, dup.interaction_id AS dup_interaction,"
          + " dup.conversation_id AS dup_conversation, dup.customer_id AS dup_customer,"
          + " (SELECT ch.id FROM chain ch WHERE ch.n = c.n AND ch.merged_into IS NULL LIMIT 1) AS golden,"
          + " conv.id AS conversation, conv.customer_id AS conversation_customer,"
          + " open.id AS open_interaction, open.customer_id AS open_customer"
          + " FROM c"
          + " LEFT JOIN LATERAL (SELECT m.id, m.interaction_id, i.conversation_id, i.customer_id FROM messages m"
          + " JOIN interactions i ON i.id = m.interaction_id WHERE m.channel = c.channel AND m.external_id = c.external_id"
          + " LIMIT 1) dup ON true"
          + " LEFT JOIN LATERAL (SELECT v.id, v.customer_id FROM conversations v WHERE c.thread_key IS NOT NULL"
          + " AND v.channel = c.channel AND v.thread_key = c.thread_key AND v.status = 'open' LIMIT 1) conv ON true"
          + " LEFT JOIN LATERAL (SELECT i.id, i.customer_id FROM interactions i WHERE i.conversation_id = conv.id"
          + " AND i.state IN ('created', 'queued', 'offered', 'assigned') ORDER BY i.created_at DESC LIMIT 1) open ON true"
          + " ORDER BY c.n";

  /**
   * {@link #WRITE} for several contacts at once: the same rows, each column an array with one element per contact (the
   * identities of new customers apart, tied to theirs by id). One statement, so atomic: a unique violation (a message,
   * an identity or an open thread a concurrent writer stored first) or any refused row stores nothing of any contact.
   * Returns each contact's outbox entry with its event's id.
   */
  private static final String WRITE_ALL =
      "WITH c AS ("
          + " SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::uuid[],"
          + " $7::uuid[], $8::text[], $9::text[], $10::text[], $11::bool[], $12::uuid[], $13::uuid[], $14::text[],"
          + " $15::text[], $16::text[], $17::timestamptz[], $18::text[], $19::int4[], $20::uuid[], $21::uuid[],"
          + " $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[], $28::text[],"
          + " $29::timestamptz[], $30::text[], $31::text[], $32::float8[]) WITH ORDINALITY AS c(customer_id, customer_name,"
          + " customer_language, now, customer_audit, conv_id, conv_customer, channel, thread_key, subject, conv_create,"
          + " interaction_id, interaction_customer, external_id, state, attributes, ended_at, end_reason, version,"
          + " message_id, message_interaction, sender_address, sender_name, content_type, content, sender_kind,"
          + " sender_provider, email, sent_at, topic, payload, grace, n)),"
          + " new_customer AS ("
          + " INSERT INTO customers (id, display_name, language, created_at, updated_at)"
          + " SELECT customer_id, customer_name, customer_language, now, now FROM c WHERE customer_id IS NOT NULL"
          + " ORDER BY n RETURNING id, created_at),"
          + " new_identities AS ("
          + " INSERT INTO customer_identities (id, customer_id, kind, provider, value, created_at)"
          + " SELECT k.id, nc.id, k.kind, k.provider, k.value, nc.created_at FROM new_customer nc"
          + " JOIN unnest($33::uuid[], $34::uuid[], $35::text[], $36::text[], $37::text[])"
          + " AS k(customer_id, id, kind, provider, value) ON k.customer_id = nc.id),"
          + " customer_audit AS ("
          + " INSERT INTO audit_log (actor, action, entity_type, entity_id, details)"
          + " SELECT 'system:intake', 'customer.created', 'customer', customer_id::text, customer_audit::jsonb FROM c"
          + " WHERE customer_id IS NOT NULL ORDER BY n),"
          + " new_conversation AS ("
          + " INSERT INTO conversations (id, customer_id, channel, thread_key, subject, created_at, last_activity_at)"
          + " SELECT conv_id, conv_customer, channel, thread_key, subject, now, now FROM c WHERE conv_create ORDER BY n),"
          + " touched AS ("
          + " UPDATE conversations v SET last_activity_at = greatest(v.last_activity_at, c.now) FROM c"
          + " WHERE v.id = c.conv_id AND NOT c.conv_create),"
          + " new_interaction AS ("
          + " INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, subject, attributes,"
          + " created_at, ended_at, end_reason, version)"
          + " SELECT interaction_id, conv_id, interaction_customer, channel, external_id, state, subject, attributes::jsonb,"
          + " now, ended_at, end_reason, version FROM c WHERE interaction_id IS NOT NULL ORDER BY n"
          + " RETURNING id, created_at, end_reason),"
          + " first_transitions AS ("
          + " INSERT INTO interaction_transitions (interaction_id, from_state, to_state, reason, at)"
          + " SELECT ni.id, t.from_state, t.to_state, coalesce(t.reason, 'not routed: ' || ni.end_reason), ni.created_at"
          + " FROM new_interaction ni, (VALUES (1, NULL, 'created', 'created'), (2, 'created', 'ended', NULL))"
          + " AS t(n, from_state, to_state, reason) WHERE t.n = 1 OR ni.end_reason IS NOT NULL ORDER BY ni.id, t.n),"
          + " new_message AS ("
          + " INSERT INTO messages (id, conversation_id, interaction_id, channel, external_id, direction, sender_address,"
          + " sender_name, subject, content_type, content, private, status, created_at, status_at, sender_kind,"
          + " sender_provider, email, sent_at)"
          + " SELECT message_id, conv_id, message_interaction, channel, external_id, 'inbound', sender_address, sender_name,"
          + " subject, content_type, content::jsonb, false, 'received', now, now, sender_kind, sender_provider,"
          + " email::jsonb, sent_at FROM c ORDER BY n)"
          + " INSERT INTO outbox (topic, payload, next_attempt_at)"
          + " SELECT topic, payload::jsonb, now + make_interval(secs => grace) FROM c ORDER BY n"
          + " RETURNING id, payload->>'eventId' AS event_id";

  /** What {@link #look} found; null fields were not found. */
  public record Found(
      Duplicate duplicate, CustomerId golden, ConversationId conversation, CustomerId conversationCustomer,
      InteractionId openInteraction, CustomerId openCustomer) {}

  /** An earlier delivery of the same (channel, external id). */
  public record Duplicate(MessageId messageId, InteractionId interactionId, ConversationId conversationId,
      CustomerId customerId) {}

  /** One identity of a sender, normalised. */
  public record Key(String kind, String provider, String value) {}

  /** A customer to create, owning {@code keys} (all of them, or the write reports the identities it lost). */
  public record NewCustomer(CustomerId id, String name, String language, List<Key> keys, JsonObject audit) {}

  /**
   * A conversation: {@code create} says whether to insert it (else its last activity is moved forward).
   * {@code customer} is whose it is.
   */
  public record ConversationPart(ConversationId id, boolean create, CustomerId customer, String threadKey) {}

  /**
   * An interaction to create, in state {@code created}; or, when {@code endReason} is set, ended at once (automated
   * mail nobody is offered).
   */
  public record NewInteraction(InteractionId id, CustomerId customer, JsonObject attributes, String endReason) {}

  /** The event to append to the outbox, due for the relay only after {@code grace} (it is published directly). */
  public record Event(String topic, JsonObject payload, Duration grace) {}

  /**
   * What {@link #write} stored.
   *
   * @param identitiesLost a concurrent intake owns one of the new customer's identities: roll back and start over
   * @param eventId the outbox entry of the event
   */
  public record Written(boolean identitiesLost, long eventId) {}

  /** One contact of {@link #lookAll}: what {@link #look} takes. */
  public record Lookup(String channel, String externalId, List<Key> keys, String threadKey) {}

  /**
   * One contact of {@link #writeAll}: what {@link #write} takes. Its event's payload carries a unique
   * {@code eventId} (each contact's outbox entry is found by it).
   */
  public record Write(NewCustomer customer, ConversationPart conversation, NewInteraction interaction, Message message,
      SenderAddress sender, String subject, Event event, Instant now) {}

  /**
   * Everything intake decides on, in one statement.
   *
   * @param keys the sender's identities, the preferred first
   * @param threadKey the provider's thread, or null (the conversation is then left to the caller)
   */
  public Future<Found> look(SqlClient sql, String channel, String externalId, List<Key> keys, String threadKey) {
    return sql.preparedQuery(LOOK)
        .execute(Tuple.of(channel, externalId,
            keys.stream().map(Key::kind).toArray(String[]::new),
            keys.stream().map(Key::provider).toArray(String[]::new),
            keys.stream().map(Key::value).toArray(String[]::new),
            threadKey))
        .map(rows -> found(rows.iterator().next()));
  }

  private static Found found(Row r) {
    Duplicate dup = r.getUUID("dup_message") == null ? null
        : new Duplicate(new MessageId(r.getUUID("dup_message")), new InteractionId(r.getUUID("dup_interaction")),
            new ConversationId(r.getUUID("dup_conversation")), new CustomerId(r.getUUID("dup_customer")));
    return new Found(dup, customer(r.getUUID("golden")), conversation(r.getUUID("conversation")),
        customer(r.getUUID("conversation_customer")),
        r.getUUID("open_interaction") == null ? null : new InteractionId(r.getUUID("open_interaction")),
        customer(r.getUUID("open_customer")));
  }

  /**
   * Stores an inbound message with whatever intake decided to create, in one statement.
   *
   * @param customer a customer to create, or null
   * @param interaction an interaction to create (the message belongs to it), or null (the message belongs to
   *     {@code message.interactionId()}, an open interaction)
   */
  public Future<Written> write(SqlClient sql, NewCustomer customer, ConversationPart conversation,
      NewInteraction interaction, Message message, SenderAddress sender, String subject, Event event, Instant now) {
    Write w = new Write(customer, conversation, interaction, message, sender, subject, event, now);
    List<Key> keys = customer == null ? List.of() : customer.keys();
    Object[] row = row(w);
    Object[] params = new Object[row.length + 4];
    System.arraycopy(row, 0, params, 0, 4);
    params[4] = keys.stream().map(k -> UUID.randomUUID()).toArray(UUID[]::new);
    params[5] = keys.stream().map(Key::kind).toArray(String[]::new);
    params[6] = keys.stream().map(Key::provider).toArray(String[]::new);
    params[7] = keys.stream().map(Key::value).toArray(String[]::new);
    System.arraycopy(row, 4, params, 8, row.length - 4);
    return sql.preparedQuery(WRITE).execute(Tuple.from(params)).map(rows -> {
      Row r = rows.iterator().next();
      return new Written(r.getLong("identities") < keys.size(), r.getLong("event_id"));
    });
  }

  /**
   * The types of {@link #row}'s values, in its order: {@link JsonObject} values are sent as text (cast to jsonb by the
   * statement) when in an array.
   */
  private static final Class<?>[] ROW_TYPES = {
    UUID.class, String.class, String.class, java.time.OffsetDateTime.class, JsonObject.class, UUID.class, UUID.class,
    String.class, String.class, String.class, Boolean.class, UUID.class, UUID.class, String.class, String.class,
    JsonObject.class, java.time.OffsetDateTime.class, String.class, Integer.class, UUID.class, UUID.class, String.class,
    String.class, String.class, JsonObject.class, String.class, String.class, JsonObject.class,
    java.time.OffsetDateTime.class, String.class, JsonObject.class, Double.class
  };

  /** One contact's values for {@link #WRITE} (its identities apart) and, as one element of each array, {@link #WRITE_ALL}. */
  private static Object[] row(Write w) {
    NewCustomer customer = w.customer();
    NewInteraction interaction = w.interaction();
    ConversationPart conversation = w.conversation();
    Message message = w.message();
    SenderAddress sender = w.sender();
    return new Object[] {
      customer == null ? null : customer.id().value(),
      customer == null ? null : customer.name(),
      customer == null ? null : customer.language(),
      Rows.odt(w.now()),
      customer == null ? new JsonObject() : customer.audit(),
      conversation.id().value(),
      conversation.customer().value(),
      message.channel().wireName(),
      conversation.threadKey(),
      w.subject(),
      conversation.create(),
      interaction == null ? null : interaction.id().value(),
      interaction == null ? null : interaction.customer().value(),
      message.externalId(),
      interaction == null || interaction.endReason() == null ? "created" : "ended",
      interaction == null ? new JsonObject() : interaction.attributes(),
      interaction == null || interaction.endReason() == null ? null : Rows.odt(w.now()),
      interaction == null ? null : interaction.endReason(),
      interaction == null || interaction.endReason() == null ? 1 : 2,
      message.id().value(),
      message.interactionId().value(),
      message.senderAddress(),
      message.senderName(),
      MessageStore.contentType(message.content()),
      MessageStore.contentJson(message.content()),
      sender == null ? null : sender.kind().wireName(),
      sender == null || sender.provider().isEmpty() ? null : sender.provider(),
      MessageStore.emailJson(message.email()),
      message.sentAt() == null ? null : Rows.odt(message.sentAt()),
      w.event().topic(),
      w.event().payload(),
      (double) w.event().grace().toMillis() / 1000.0
    };
  }

  /** {@link #look} for several contacts in one statement: what was found for each, in their order. */
  public Future<List<Found>> lookAll(SqlClient sql, List<Lookup> contacts) {
    List<Long> keyOwners = new java.util.ArrayList<>();
    List<Key> keys = new java.util.ArrayList<>();
    for (int i = 0; i < contacts.size(); i++) {
      for (Key k : contacts.get(i).keys()) {
        keyOwners.add(i + 1L);
        keys.add(k);
      }
    }
    return sql.preparedQuery(LOOK_ALL)
        .execute(Tuple.of(
            contacts.stream().map(Lookup::channel).toArray(String[]::new),
            contacts.stream().map(Lookup::externalId).toArray(String[]::new),
            contacts.stream().map(Lookup::threadKey).toArray(String[]::new),
            keyOwners.toArray(Long[]::new),
            keys.stream().map(Key::kind).toArray(String[]::new),
            keys.stream().map(Key::provider).toArray(String[]::new),
            keys.stream().map(Key::value).toArray(String[]::new)))
        .map(rows -> {
          List<Found> out = new java.util.ArrayList<>(contacts.size());
          for (Row r : rows) {
            out.add(found(r));
          }
          if (out.size() != contacts.size()) {
            throw new IllegalStateException("looked up " + contacts.size() + " contacts, found " + out.size() + " rows");
          }
          return out;
        });
  }

  /**
   * {@link #write} for several contacts in one statement (atomic: all are stored, or none). Their customers to create
   * must own every key given (there is no partial outcome: a key a concurrent writer took fails the statement with a
   * unique violation).
   *
   * @return each contact's outbox entry, in their order
   */
  public Future<List<Long>> writeAll(SqlClient sql, List<Write> writes) {
    int n = writes.size();
    Object[][] columns = new Object[ROW_TYPES.length][];
    for (int j = 0; j < ROW_TYPES.length; j++) {
      columns[j] = (Object[]) java.lang.reflect.Array.newInstance(
          ROW_TYPES[j] == JsonObject.class ? String.class : ROW_TYPES[j], n);
    }
    List<UUID> keyCustomers = new java.util.ArrayList<>();
    List<Key> keys = new java.util.ArrayList<>();
    List<String> eventIds = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Write w = writes.get(i);
      Object[] row = row(w);
      for (int j = 0; j < row.length; j++) {
        columns[j][i] = row[j] instanceof JsonObject json ? json.encode() : row[j];
      }
      if (w.customer() != null) {
        for (Key k : w.customer().keys()) {
          keyCustomers.add(w.customer().id().value());
          keys.add(k);
        }
      }
      eventIds.add(w.event().payload().getString("eventId"));
    }
    Object[] params = new Object[ROW_TYPES.length + 5];
    System.arraycopy(columns, 0, params, 0, ROW_TYPES.length);
    params[ROW_TYPES.length] = keyCustomers.toArray(UUID[]::new);
    params[ROW_TYPES.length + 1] = keys.stream().map(k -> UUID.randomUUID()).toArray(UUID[]::new);
    params[ROW_TYPES.length + 2] = keys.stream().map(Key::kind).toArray(String[]::new);
    params[ROW_TYPES.length + 3] = keys.stream().map(Key::provider).toArray(String[]::new);
    params[ROW_TYPES.length + 4] = keys.stream().map(Key::value).toArray(String[]::new);
    return sql.preparedQuery(WRITE_ALL).execute(Tuple.from(params)).map(rows -> {
      java.util.Map<String, Long> entries = new java.util.HashMap<>();
      for (Row r : rows) {
        entries.put(r.getString("event_id"), r.getLong("id"));
      }
      List<Long> out = new java.util.ArrayList<>(n);
      for (String id : eventIds) {
        Long entry = entries.get(id);
        if (entry == null) {
          throw new IllegalStateException("no outbox entry written for event " + id);
        }
        out.add(entry);
      }
      return out;
    });
  }

  /** The conversation a contact threads into and its open interaction, if any (null fields: none). */
  public record Threaded(ConversationId conversation, CustomerId conversationCustomer, InteractionId openInteraction,
      CustomerId openCustomer) {}

  /**
   * The conversation of a contact without a provider thread: for email, the conversation of a message it answers
   * (In-Reply-To/References, also a reply the hub sent, also a closed conversation, which opens again), then the
   * conversation token in its subject; for other channels the open conversation of a message it references. Null when
   * none: a new conversation. A statement per step taken.
   */
  public Future<Threaded> threadByReferences(SqlClient sql, io.switchboard.hub.api.Channel channel,
      List<String> references, String subject) {
    Future<java.util.Optional<io.switchboard.hub.api.Conversation>> existing;
    if (channel == io.switchboard.hub.api.Channel.EMAIL) {
      existing = conversations.findByEmailRefs(sql, channel, references)
          .compose(byRefs -> byRefs.isPresent() ? Future.succeededFuture(byRefs)
              : io.switchboard.hub.api.ConversationToken.find(subject)
                  .map(range -> conversations.findByToken(sql, channel, range))
                  .orElse(Future.succeededFuture(java.util.Optional.empty())))
          .compose(found -> found.isPresent() && !found.get().open()
              ? conversations.reopen(sql, found.get().id()).map(found)
              : Future.succeededFuture(found));
    } else {
      existing = conversations.findOpenByMessageRefs(sql, channel, references);
    }
    return existing.compose(found -> found.isEmpty() ? Future.succeededFuture((Threaded) null)
        : interactions.openInConversation(sql, found.get().id()).map(open -> new Threaded(found.get().id(),
            found.get().customerId(), open.map(io.switchboard.hub.api.Interaction::id).orElse(null),
            open.map(io.switchboard.hub.api.Interaction::customerId).orElse(null))));
  }

  /**
   * This store over the pool, each statement on its own and committed by itself: for a contact stored by {@link #look}
   * and {@link #write} alone (the write is atomic; what the look read may change before it, as inside a transaction at
   * READ COMMITTED, and the unique indexes catch the races).
   */
  public Session autocommit(Database db) {
    return new Session(db.pool());
  }

  /** This store inside a transaction ({@link Database#transaction}): hub-core holds the handle, never a SQL client. */
  public Session on(StoreTransaction tx) {
    return new Session(tx.client());
  }

  /** {@link IntakeStore}'s statements bound to one connection. */
  public final class Session {
    private final SqlClient sql;

    private Session(SqlClient sql) {
      this.sql = sql;
    }

    /** {@link IntakeStore#look}. */
    public Future<Found> look(String channel, String externalId, List<Key> keys, String threadKey) {
      return IntakeStore.this.look(sql, channel, externalId, keys, threadKey);
    }

    /** {@link IntakeStore#threadByReferences}. */
    public Future<Threaded> threadByReferences(io.switchboard.hub.api.Channel channel, List<String> references,
        String subject) {
      return IntakeStore.this.threadByReferences(sql, channel, references, subject);
    }

    /** {@link IntakeStore#lookAll}. */
    public Future<List<Found>> lookAll(List<Lookup> contacts) {
      return IntakeStore.this.lookAll(sql, contacts);
    }

    /** {@link IntakeStore#writeAll}. */
    public Future<List<Long>> writeAll(List<Write> writes) {
      return IntakeStore.this.writeAll(sql, writes);
    }

    /** {@link IntakeStore#write}. */
    public Future<Written> write(NewCustomer customer, ConversationPart conversation, NewInteraction interaction,
        Message message, SenderAddress sender, String subject, Event event, Instant now) {
      return IntakeStore.this.write(sql, customer, conversation, interaction, message, sender, subject, event, now);
    }
  }

  private static CustomerId customer(UUID id) {
    return id == null ? null : new CustomerId(id);
  }

  private static ConversationId conversation(UUID id) {
    return id == null ? null : new ConversationId(id);
  }
}
