package io.switchboard.hub.store;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
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

/** Interactions and the record of their state changes. */
public final class InteractionStore {
  static final String COLUMNS =
      "id, conversation_id, customer_id, channel, external_id, state, queue_id, priority, agent_id, subject,"
          + " attributes, disposition, created_at, queued_at, offered_at, answered_at, wrap_up_at, ended_at, version";

  private static final String INSERT =
      "INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, subject, attributes,"
          + " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM interactions WHERE id = $1";
  private static final String OPEN_IN_CONVERSATION =
      "SELECT " + COLUMNS + " FROM interactions WHERE conversation_id = $1"
          + " AND state IN ('created', 'queued', 'offered', 'assigned') ORDER BY created_at DESC LIMIT 1";
  private static final String END_UNROUTED =
      "UPDATE interactions SET state = 'ended', ended_at = $3, end_reason = $2, version = version + 1"
          + " WHERE id = $1 AND state = 'created'";
  private static final String INSERT_TRANSITION =
      "INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, reason, at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7)";
  private static final String TRANSITIONS =
      "SELECT from_state, to_state, queue_id, agent_id, reason, at FROM interaction_transitions"
          + " WHERE interaction_id = $1 ORDER BY id";
  private static final String CUSTOMER_LEFT =
      "UPDATE interactions SET customer_left_at = $2, customer_left_reason = $3"
          + " WHERE id = $1 AND customer_left_at IS NULL AND state IN ('assigned', 'wrap_up')"
          + " RETURNING state, agent_id, queue_id";
  // Attributes only: the version (which state changes check) is left alone, so this never races a routing step.
  private static final String MERGE_ATTRIBUTES =
      "UPDATE interactions SET attributes = attributes || $2::jsonb"
          + " WHERE id = $1 AND state NOT IN ('ended', 'abandoned') RETURNING state, agent_id, queue_id";
  private static final String DEPARTURE =
      "SELECT customer_left_at, customer_left_reason FROM interactions WHERE id = $1 AND customer_left_at IS NOT NULL";
  // Keyset paging on (created_at, id): stable while new interactions arrive.
  private static final String LIST =
      "SELECT " + COLUMNS + " FROM interactions"
          + " WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR queue_id = $2)"
          + " AND ($3::uuid IS NULL OR agent_id = $3)"
          + " AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))"
          + " ORDER BY created_at DESC, id DESC LIMIT $6";
  // A customer's history, newest first after the cursor: for each member of the golden record one range of the index
  // interactions_customer_history (customer_id, created_at, id) read backwards, at most a page each, then the
  // members' pages merged. No OFFSET, no sort of anybody's whole history; no "cursor IS NULL OR" either, which a
  // generic plan could not turn into an index bound (no cursor: before infinity).
  static final String OF_CUSTOMERS =
      "SELECT " + COLUMNS + " FROM unnest($1::uuid[]) AS m(member) CROSS JOIN LATERAL ("
          + "SELECT * FROM interactions WHERE customer_id = m.member"
          + " AND (created_at, id) < (coalesce($2::timestamptz, 'infinity'::timestamptz),"
          + " coalesce($3::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))"
          + " ORDER BY created_at DESC, id DESC LIMIT $4) AS page"
          + " ORDER BY created_at DESC, id DESC LIMIT $4";

  /** One state change, as recorded. */
  public record Transition(
      String fromState, String toState, String queueId, UUID agentId, String reason, Instant at) {}

  /** The customer ended the contact while an agent worked it: when, and the reason the channel gave. */
  public record Departure(Instant at, String reason) {}

  /** What {@link #markCustomerLeft} changed: the interaction's state then and the agent working it. */
  public record Left(InteractionState state, AgentId agentId, String queueId, Instant at) {}

  /** Filters for {@link #list}; null fields do not filter. */
  public record Filter(InteractionState state, String queueId, AgentId agentId) {}

  /** A keyset cursor: the (created_at, id) of the last row of the previous page. */
  public record Cursor(Instant createdAt, UUID id) {}

  /** Stores a new interaction in {@code state} and records its first transition. */
  public Future<Interaction> insert(SqlClient sql, Interaction i) {
    Instant at = i.createdAt() == null ? Instant.now() : i.createdAt();
    return sql.preparedQuery(INSERT)
        .execute(
            Tuple.from(
                new Object[] {
                  i.id().value(), i.conversationId().value(), i.customerId().value(), i.channel().wireName(),
                  i.externalId(), i.state().wireName(), i.subject(), Rows.json(i.attributes()), Rows.odt(at)
                }))
        .map(rows -> interaction(rows.iterator().next()))
        .compose(stored ->
            recordTransition(sql, stored.id(), null, stored.state(), null, null, "created", at).map(stored));
  }

  /**
   * Of {@code ids}, those {@code agent} worked: named by a recorded state change (offered, assigned, transferred)
   * or the author of a message or note in it. For the visibility rule (hub-core {@code access/WorkVisibility}).
   */
  public Future<java.util.Set<InteractionId>> workedBy(SqlClient sql, AgentId agent, List<InteractionId> ids) {
    UUID[] arr = ids.stream().map(InteractionId::value).toArray(UUID[]::new);
    return sql.preparedQuery(
            "SELECT DISTINCT interaction_id FROM interaction_transitions WHERE agent_id = $1 AND interaction_id = ANY($2)"
                + " UNION SELECT DISTINCT interaction_id FROM messages WHERE agent_id = $1 AND interaction_id = ANY($2)")
        .execute(Tuple.tuple().addUUID(agent.value()).addArrayOfUUID(arr))
        .map(rows -> {
          java.util.Set<InteractionId> out = new java.util.HashSet<>();
          rows.forEach(r -> out.add(new InteractionId(r.getUUID("interaction_id"))));
          return out;
        });
  }

  /** Interactions of a channel that are not finished (not ended or abandoned), oldest first, at most {@code limit}. */
  public Future<java.util.List<Interaction>> openOfChannel(SqlClient sql, io.switchboard.hub.api.Channel channel, int limit) {
    return sql.preparedQuery("SELECT " + COLUMNS + " FROM interactions WHERE channel = $1 AND state NOT IN ('ended', 'abandoned')"
            + " ORDER BY created_at LIMIT $2")
        .execute(Tuple.of(channel.wireName(), limit))
        .map(rows -> {
          java.util.List<Interaction> out = new java.util.ArrayList<>();
          rows.forEach(r -> out.add(interaction(r)));
          return out;
        });
  }

  public Future<Optional<Interaction>> find(SqlClient sql, InteractionId id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id.value())).map(InteractionStore::first);
  }

  /** The newest interaction of the conversation that is still waiting or being worked, if any. */
  public Future<Optional<Interaction>> openInConversation(SqlClient sql, ConversationId id) {
    return sql.preparedQuery(OPEN_IN_CONVERSATION).execute(Tuple.of(id.value())).map(InteractionStore::first);
  }

  /**
   * Ends a just-created interaction that is stored but not routed (automated mail), with the reason, and records
   * the transition. Returns false when it had left {@code created} already.
   */
  public Future<Boolean> endUnrouted(SqlClient sql, InteractionId id, String reason, Instant at) {
    return sql.preparedQuery(END_UNROUTED).execute(Tuple.of(id.value(), reason, Rows.odt(at))).compose(r -> r.rowCount() == 1
        ? recordTransition(sql, id, InteractionState.CREATED, InteractionState.ENDED, null, null, "not routed: " + reason, at)
            .map(true)
        : Future.succeededFuture(false));
  }

  public Future<Void> recordTransition(
      SqlClient sql,
      InteractionId id,
      InteractionState from,
      InteractionState to,
      String queueId,
      AgentId agentId,
      String reason,
      Instant at) {
    return sql.preparedQuery(INSERT_TRANSITION)
        .execute(
            Tuple.from(
                new Object[] {
                  id.value(), from == null ? null : from.wireName(), to.wireName(), queueId,
                  agentId == null ? null : agentId.value(), reason, Rows.odt(at)
                }))
        .mapEmpty();
  }

  public Future<List<Transition>> transitions(SqlClient sql, InteractionId id) {
    return sql.preparedQuery(TRANSITIONS)
        .execute(Tuple.of(id.value()))
        .map(rows -> {
          List<Transition> out = new ArrayList<>();
          rows.forEach(r ->
              out.add(
                  new Transition(
                      r.getString("from_state"), r.getString("to_state"), r.getString("queue_id"),
                      r.getUUID("agent_id"), r.getString("reason"), Rows.instant(r, "at"))));
          return out;
        });
  }

  /**
   * Records that the customer left an interaction being worked ({@code assigned} or {@code wrap_up}) and adds
   * the transition {@code state → state} ("customer left: reason"). Empty when it was not being worked or the
   * departure was recorded already (idempotent).
   */
  public Future<Optional<Left>> markCustomerLeft(SqlClient sql, InteractionId id, Instant at, String reason) {
    return sql.preparedQuery(CUSTOMER_LEFT).execute(Tuple.of(id.value(), Rows.odt(at), reason)).compose(rows -> {
      if (rows.rowCount() == 0) {
        return Future.succeededFuture(Optional.<Left>empty());
      }
      Row r = rows.iterator().next();
      InteractionState state = InteractionState.fromWire(r.getString("state"));
      AgentId agent = r.getUUID("agent_id") == null ? null : new AgentId(r.getUUID("agent_id"));
      Left left = new Left(state, agent, r.getString("queue_id"), at);
      return recordTransition(sql, id, state, state, left.queueId(), agent, "customer left: " + reason, at).map(Optional.of(left));
    });
  }

  /**
   * Adds or replaces attributes of an unfinished interaction and records {@code reason} as a transition
   * {@code state → state}. Empty when the interaction is finished or unknown.
   */
  public Future<Optional<InteractionState>> mergeAttributes(
      SqlClient sql, InteractionId id, java.util.Map<String, String> attributes, String reason, Instant at) {
    return sql.preparedQuery(MERGE_ATTRIBUTES).execute(Tuple.of(id.value(), Rows.json(attributes))).compose(rows -> {
      if (rows.rowCount() == 0) {
        return Future.succeededFuture(Optional.<InteractionState>empty());
      }
      Row r = rows.iterator().next();
      InteractionState state = InteractionState.fromWire(r.getString("state"));
      AgentId agent = r.getUUID("agent_id") == null ? null : new AgentId(r.getUUID("agent_id"));
      return recordTransition(sql, id, state, state, r.getString("queue_id"), agent, reason, at).map(Optional.of(state));
    });
  }

  /** When and why the customer left the interaction while it was worked; empty when they did not. */
  public Future<Optional<Departure>> departure(SqlClient sql, InteractionId id) {
    return sql.preparedQuery(DEPARTURE).execute(Tuple.of(id.value())).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return Optional.empty();
      }
      Row r = it.next();
      return Optional.of(new Departure(Rows.instant(r, "customer_left_at"), r.getString("customer_left_reason")));
    });
  }

  /** Newest first, at most {@code limit}, after {@code cursor} when given. */
  public Future<List<Interaction>> list(SqlClient sql, Filter filter, Cursor cursor, int limit) {
    return sql.preparedQuery(LIST)
        .execute(
            Tuple.from(
                new Object[] {
                  filter.state() == null ? null : filter.state().wireName(),
                  filter.queueId(),
                  filter.agentId() == null ? null : filter.agentId().value(),
                  cursor == null ? null : Rows.odt(cursor.createdAt()),
                  cursor == null ? null : cursor.id(),
                  limit
                }))
        .map(InteractionStore::all);
  }

  /** Interactions of these customers, newest first. */
  public Future<List<Interaction>> ofCustomers(StoreScope scope, List<CustomerId> customers, Cursor cursor, int limit) {
    return ofCustomers(scope.client(), customers, cursor, limit);
  }

  public Future<List<Interaction>> ofCustomers(SqlClient sql, List<CustomerId> customers, Cursor cursor, int limit) {
    UUID[] ids = customers.stream().map(CustomerId::value).toArray(UUID[]::new);
    return sql.preparedQuery(OF_CUSTOMERS)
        .execute(
            Tuple.of(
                ids,
                cursor == null ? null : Rows.odt(cursor.createdAt()),
                cursor == null ? null : cursor.id(),
                limit))
        .map(InteractionStore::all);
  }

  private static List<Interaction> all(RowSet<Row> rows) {
    List<Interaction> out = new ArrayList<>();
    rows.forEach(r -> out.add(interaction(r)));
    return out;
  }

  private static Optional<Interaction> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(interaction(it.next())) : Optional.empty();
  }

  /** {@link #COLUMNS} of the table named {@code alias} in a join (statements of other stores reading an interaction). */
  static String columns(String alias) {
    return java.util.Arrays.stream(COLUMNS.split(",")).map(c -> alias + "." + c.strip())
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** An interaction from a row with {@link #COLUMNS} under their own names. */
  static Interaction interaction(Row r) {
    return interaction(r, "");
  }

  /** An interaction from the columns {@code p + column} of a row (see {@link Rows#prefixed}). */
  static Interaction interaction(Row r, String p) {
    UUID agent = r.getUUID(p + "agent_id");
    return new Interaction(
        new InteractionId(r.getUUID(p + "id")),
        new ConversationId(r.getUUID(p + "conversation_id")),
        new CustomerId(r.getUUID(p + "customer_id")),
        Channel.fromWire(r.getString(p + "channel")),
        r.getString(p + "external_id"),
        InteractionState.fromWire(r.getString(p + "state")),
        r.getString(p + "queue_id"),
        r.getInteger(p + "priority"),
        agent == null ? null : new AgentId(agent),
        r.getString(p + "subject"),
        Rows.stringMap(r.getJsonObject(p + "attributes")),
        r.getString(p + "disposition"),
        Rows.instant(r, p + "created_at"),
        Rows.instant(r, p + "queued_at"),
        Rows.instant(r, p + "offered_at"),
        Rows.instant(r, p + "answered_at"),
        Rows.instant(r, p + "wrap_up_at"),
        Rows.instant(r, p + "ended_at"),
        r.getInteger(p + "version"));
  }
}
