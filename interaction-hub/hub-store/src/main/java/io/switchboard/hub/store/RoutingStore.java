package io.switchboard.hub.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The routing record in PostgreSQL: interaction state changes made by routing (queued, offered, assigned,
 * wrap-up, ended) with their transitions, live offers, routing decisions with their explanations, agent
 * state changes, and the versions of the routing rules. Each state change is guarded by the state it
 * expects, so a late or repeated call changes nothing (the method returns false).
 *
 * <p>Size (just over 400 lines, #15): one statement per routing step (offer, accept, end, wrap-up, decline, transfer,
 * abandon) plus the reads that rebuild live state from them; each step is one guarded statement of data-modifying
 * CTEs, so the class is mostly SQL text whose guards must agree with each other.
 */
public final class RoutingStore {

  /**
   * queued ← created/queued and its transition, in one autocommitted statement: one round trip and one commit where a
   * transaction of two statements took four (issue 12). The transition is inserted only when the update happened.
   */
  /**
   * The agent who last answered one of the customers {@code members} (a CTE of {@link CustomerStore#goldenAndMembers})
   * since {@code since}, one of conversation {@code conversation} first (a reply to an email thread goes back to whoever
   * handled it); SQL expressions all three.
   */
  private static String lastAgent(String since, String conversation) {
    // The members gathered into an array first, a condition of the scan: PostgreSQL reads their interactions through
    // interactions_customer_history. With IN (SELECT ...) the generic plan (what a prepared statement runs after five
    // executions on a connection) joined the recursive CTE, guessed at 51 rows, to a sequential scan of every interaction
    // up to some 12,000-20,000 rows (session 9, QueueContextPlanTest): 2.5 ms at 4,000 and growing with the table.
    return "SELECT agent_id FROM interactions WHERE customer_id = ANY (ARRAY(SELECT id FROM members)) AND agent_id IS NOT NULL"
        + " AND answered_at IS NOT NULL AND answered_at >= " + since
        + " ORDER BY (conversation_id IS NOT DISTINCT FROM " + conversation + ") DESC, answered_at DESC LIMIT 1";
  }

  /**
   * The sticky agent of a customer in one statement: the golden record the customer resolves to (itself when not
   * merged), every customer merged into that one, and the agent who last answered one of them since $2 (one of
   * conversation $3 first). Was three statements one after the other (resolve, members, last agent).
   */
  static final String STICKY_AGENT =
      "WITH RECURSIVE " + CustomerStore.goldenAndMembers("$1::uuid") + " " + lastAgent("$2", "$3::uuid");
  /**
   * What queueing an interaction reads, in one statement (issue 12: three, two of them one after the other): the
   * interaction ({@code i_} columns), its customer ({@code c_} columns, null when the row is missing) and its sticky
   * agent as {@link #STICKY_AGENT} finds it since $2.
   */
  static final String QUEUE_CONTEXT =
      "WITH RECURSIVE i AS (SELECT " + InteractionStore.COLUMNS + " FROM interactions WHERE id = $1),"
          + " " + CustomerStore.goldenAndMembers("(SELECT customer_id FROM i)")
          + " SELECT " + Rows.prefixed(InteractionStore.COLUMNS, "i", "i_") + ", " + Rows.prefixed(CustomerStore.COLUMNS, "c", "c_")
          + ", (" + lastAgent("$2", "i.conversation_id") + ") AS sticky_agent"
          + " FROM i LEFT JOIN customers c ON c.id = i.customer_id";
  /**
   * An offer in one statement: the interaction offered (guarded by its state), the offer row, the decision and the
   * transition, each inserted only when the update happened; autocommitted, so one round trip and one commit.
   */
  private static final String OFFER_ONE =
      "WITH upd AS (UPDATE interactions SET state = 'offered', offered_at = $3, agent_id = $2, version = version + 1"
          + " WHERE id = $1 AND state = 'queued' RETURNING id),"
          + " o AS (INSERT INTO offers (interaction_id, agent_id, offered_at, expires_at) SELECT id, $2::uuid, $3::timestamptz,"
          + " $4::timestamptz FROM upd),"
          + " d AS (INSERT INTO routing_decisions (id, interaction_id, decided_at, rules_version, queue_id, chosen_agent_id,"
          + " relaxation_step, explanation) SELECT $5::uuid, id, $3::timestamptz, $6::int, $7::text, $2::uuid, $8::int, $9::jsonb FROM upd),"
          + " t AS (INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, reason, at)"
          + " SELECT id, 'queued', 'offered', $7::text, $2::uuid, 'matched', $3::timestamptz FROM upd)"
          + " SELECT count(*) AS n FROM upd";
  /** An accept in one statement: assigned (guarded by state and agent), the offer row gone, the transition. */
  private static final String ACCEPT_ONE =
      "WITH upd AS (UPDATE interactions SET state = 'assigned', answered_at = $3, version = version + 1"
          + " WHERE id = $1 AND state = 'offered' AND agent_id = $2 RETURNING id),"
          + " del AS (DELETE FROM offers WHERE interaction_id IN (SELECT id FROM upd)),"
          + " t AS (INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, reason, at)"
          + " SELECT id, 'offered', 'assigned', NULL, $2::uuid, 'accepted', $3::timestamptz FROM upd)"
          + " SELECT count(*) AS n FROM upd";
  /**
   * The agent ends the customer side and wrap-up follows, in one statement: the row is read and locked ({@code cur}, the
   * state before, for the transition and for the caller to tell "not yours" from "not being worked"), updated when it
   * is assigned to the agent, and the transition inserted.
   */
  private static final String TO_WRAP_UP_ONE =
      "WITH cur AS (SELECT id, state, agent_id, channel, queue_id FROM interactions WHERE id = $1 FOR UPDATE),"
          + " upd AS (UPDATE interactions i SET state = 'wrap_up', wrap_up_at = $3, version = i.version + 1 FROM cur"
          + " WHERE i.id = cur.id AND cur.agent_id = $2 AND cur.state = 'assigned' RETURNING i.id),"
          + " t AS (INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, reason, at)"
          + " SELECT upd.id, cur.state, 'wrap_up', cur.queue_id, $2::uuid, $4::text, $3::timestamptz FROM upd, cur)"
          + " SELECT cur.state, cur.agent_id, cur.channel, cur.queue_id, (SELECT count(*) FROM upd) AS n FROM cur";
  /**
   * The interaction ends (ended by the agent without wrap-up, or wrapped up with a disposition) in one statement: as
   * {@link #TO_WRAP_UP_ONE}, plus, when given, the audit entry of the wrap-up's notes ({@code $8}) and the agent's
   * after-call work ({@code $9}: the state change's reason).
   */
  private static final String TO_ENDED_ONE =
      "WITH cur AS (SELECT id, state, agent_id, channel, queue_id FROM interactions WHERE id = $1 FOR UPDATE),"
          + " upd AS (UPDATE interactions i SET state = 'ended', ended_at = $3, disposition = coalesce($4, i.disposition),"
          + " end_reason = $5, version = i.version + 1 FROM cur"
          + " WHERE i.id = cur.id AND cur.agent_id = $2 AND cur.state IN ('assigned', 'wrap_up') RETURNING i.id),"
          + " t AS (INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, reason, at)"
          + " SELECT upd.id, cur.state, 'ended', cur.queue_id, $2::uuid, $6::text, $3::timestamptz FROM upd, cur),"
          + " a AS (INSERT INTO audit_log (actor, action, entity_type, entity_id, details)"
          + " SELECT $7::text, 'interaction.wrapped_up', 'interaction', upd.id::text, $8::jsonb FROM upd WHERE $8::jsonb IS NOT NULL),"
          + " s AS (INSERT INTO agent_state_changes (agent_id, state, reason, at)"
          + " SELECT $2::uuid, 'after_call_work', $9::text, $3::timestamptz FROM upd WHERE $9::text IS NOT NULL)"
          + " SELECT cur.state, cur.agent_id, cur.channel, cur.queue_id, (SELECT count(*) FROM upd) AS n FROM cur";
  private static final String UNOFFER =
      "UPDATE interactions SET state = 'queued', agent_id = NULL, version = version + 1,"
          + " excluded_agents = CASE WHEN $3 THEN array_append(excluded_agents, $2) ELSE excluded_agents END"
          + " WHERE id = $1 AND state = 'offered' AND agent_id = $2";
  private static final String DELETE_OFFER = "DELETE FROM offers WHERE interaction_id = $1";
  private static final String ABANDON =
      "UPDATE interactions SET state = 'abandoned', ended_at = $2, end_reason = $3, agent_id = NULL, version = version + 1"
          + " WHERE id = $1 AND state IN ('created', 'queued', 'offered')";
  private static final String TRANSFER =
      "UPDATE interactions SET state = 'queued', agent_id = NULL, queue_id = $3, priority = $4, routing = $5,"
          + " excluded_agents = array_append(excluded_agents, $2), version = version + 1"
          + " WHERE id = $1 AND state = 'assigned' AND agent_id = $2";
  private static final String MOVE =
      "UPDATE interactions SET queue_id = $2, priority = $3, routing = $4, version = version + 1"
          + " WHERE id = $1 AND state = 'queued'";
  private static final String ROUTING_OF =
      "SELECT routing, excluded_agents FROM interactions WHERE id = $1";
  private static final String TRANSITION =
      "INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, reason, at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7)";
  private static final String AGENT_STATE =
      "INSERT INTO agent_state_changes (agent_id, state, reason, at) VALUES ($1, $2, $3, $4)";
  private static final String LATEST_AGENT_STATES =
      "SELECT DISTINCT ON (agent_id) agent_id, state, reason, at FROM agent_state_changes ORDER BY agent_id, at DESC, id DESC";
  private static final String LATEST_AGENT_STATES_OF =
      "SELECT DISTINCT ON (agent_id) agent_id, state, reason, at FROM agent_state_changes WHERE agent_id = ANY($1)"
          + " ORDER BY agent_id, at DESC, id DESC";
  static final String WAITING =
      "SELECT id, channel, routing, waiting_since, excluded_agents FROM interactions"
          + " WHERE state = 'queued' AND routing IS NOT NULL ORDER BY waiting_since, id";
  /** {@link #WAITING} without the classification: what a comparison of both sides needs (ids and places). */
  private static final String WAITING_PLACES =
      "SELECT id, waiting_since FROM interactions WHERE state = 'queued' AND routing IS NOT NULL";
  private static final String WAITING_ONE =
      "SELECT id, channel, routing, waiting_since, excluded_agents FROM interactions"
          + " WHERE id = $1 AND state = 'queued' AND routing IS NOT NULL";
  private static final String OFFERS =
      "SELECT o.interaction_id, o.agent_id, o.offered_at, o.expires_at, i.channel FROM offers o"
          + " JOIN interactions i ON i.id = o.interaction_id WHERE i.state = 'offered'";
  static final String WORKING =
      "SELECT id, agent_id, channel, state FROM interactions WHERE state IN ('assigned', 'wrap_up') AND agent_id IS NOT NULL";
  // The conversation's own last agent first (a reply to an email thread goes back to whoever handled it), then
  // the customer's last agent in any conversation.
  static final String STUCK_CREATED =
      "SELECT id FROM interactions WHERE state = 'created' AND created_at < $1 ORDER BY created_at LIMIT 200";
  private static final String STATES_OF =
      "SELECT id, state, agent_id FROM interactions WHERE id = ANY($1)";
  private static final String DECISIONS =
      "SELECT id, decided_at, rules_version, queue_id, chosen_agent_id, relaxation_step, explanation"
          + " FROM routing_decisions WHERE interaction_id = $1 ORDER BY decided_at, id";
  private static final String INSERT_VERSION =
      "INSERT INTO routing_rule_versions (version, source_text, sha256, origin, created_by)"
          + " VALUES ((SELECT coalesce(max(version), 0) + 1 FROM routing_rule_versions), $1, $2, $3, $4) RETURNING version";
  private static final String DEACTIVATE = "UPDATE routing_rule_versions SET active = false WHERE active";
  private static final String ACTIVATE = "UPDATE routing_rule_versions SET active = true WHERE version = $1";
  private static final String ACTIVE_VERSION =
      "SELECT version, source_text, sha256, origin, created_by, created_at, active FROM routing_rule_versions WHERE active";
  private static final String VERSION =
      "SELECT version, source_text, sha256, origin, created_by, created_at, active FROM routing_rule_versions WHERE version = $1";
  private static final String VERSIONS =
      "SELECT version, NULL AS source_text, sha256, origin, created_by, created_at, active FROM routing_rule_versions"
          + " ORDER BY version DESC LIMIT $1";

  /** A stored version of the rules ({@code sourceText} is null in listings). */
  public record RulesVersion(int version, String sourceText, String sha256, String origin, String createdBy, Instant createdAt, boolean active) {}

  /** An interaction waiting in PostgreSQL's record. */
  public record WaitingRow(UUID interactionId, String channel, JsonObject routing, Instant waitingSince, List<UUID> excluded) {}

  /** A live offer in PostgreSQL's record. */
  public record OfferRow(UUID interactionId, UUID agentId, String channel, Instant offeredAt, Instant expiresAt) {}

  /** An accepted interaction an agent is working on or wrapping up. */
  public record WorkingRow(UUID interactionId, UUID agentId, String channel, String state) {}

  /** The last state an agent chose or was given. */
  public record AgentStateRow(UUID agentId, String state, String reason, Instant at) {}

  /** A stored routing decision. */
  public record DecisionRow(UUID id, Instant decidedAt, Integer rulesVersion, String queueId, UUID chosenAgentId, Integer step, JsonObject explanation) {}


  /**
   * What queueing reads of an interaction ({@link #queueContext}).
   *
   * @param customer its customer as stored (not resolved through merges: the rules see the customer the contact came
   *     from); null when the row is missing
   * @param stickyAgent the agent who last answered its customer or anyone merged with it since the window began, one of
   *     its conversation first; null when none
   */
  public record QueueContext(io.switchboard.hub.api.Interaction interaction, io.switchboard.hub.api.Customer customer,
      UUID stickyAgent) {}

  /**
   * The interaction {@code id}, its customer and its sticky agent answered since {@code stickySince}, in one statement;
   * empty when there is no such interaction.
   */
  public Future<Optional<QueueContext>> queueContext(SqlClient sql, io.switchboard.hub.api.InteractionId id, Instant stickySince) {
    return sql.preparedQuery(QUEUE_CONTEXT).execute(Tuple.of(id.value(), Rows.odt(stickySince))).map(rows -> {
      if (rows.size() == 0) {
        return Optional.<QueueContext>empty();
      }
      Row r = rows.iterator().next();
      return Optional.of(new QueueContext(InteractionStore.interaction(r, "i_"),
          r.getUUID("c_id") == null ? null : CustomerStore.customer(r, "c_"), r.getUUID("sticky_agent")));
    });
  }


  /**
   * offered ← queued, with the offer row, the decision that made it and the transition ({@code matched}), in one
   * autocommitted statement; false (nothing written) when the interaction is no longer queued.
   */
  public Future<Boolean> offerOne(SqlClient sql, UUID id, UUID agent, Instant at, Instant expires, UUID decisionId,
      Integer rulesVersion, String queue, Integer step, JsonObject explanation) {
    return sql.preparedQuery(OFFER_ONE).execute(Tuple.from(new Object[] {id, agent, Rows.odt(at), Rows.odt(expires),
        decisionId, rulesVersion, queue, step, explanation})).map(rows -> rows.iterator().next().getLong("n") == 1);
  }

  /**
   * assigned ← offered to that agent, the offer row deleted and the transition ({@code accepted}) inserted, in one
   * autocommitted statement; false (nothing written) when it is not offered to that agent.
   */
  public Future<Boolean> acceptOne(SqlClient sql, UUID id, UUID agent, Instant at) {
    return sql.preparedQuery(ACCEPT_ONE).execute(Tuple.of(id, agent, Rows.odt(at))).map(rows -> rows.iterator().next().getLong("n") == 1);
  }

  /**
   * What a step of the agent's found: the interaction's state, agent, channel and queue before the step (all null when
   * there is no such interaction) and whether the step changed it.
   */
  public record StepRow(String stateBefore, UUID agentBefore, String channel, String queueId, boolean changed) {
    /** No such interaction. */
    static final StepRow NONE = new StepRow(null, null, null, null, false);
  }

  private static StepRow stepRow(io.vertx.sqlclient.RowSet<Row> rows) {
    if (rows.size() == 0) {
      return StepRow.NONE;
    }
    Row r = rows.iterator().next();
    return new StepRow(r.getString("state"), r.getUUID("agent_id"), r.getString("channel"), r.getString("queue_id"),
        r.getLong("n") == 1);
  }

  /**
   * wrap_up ← assigned to {@code agent}, with its transition, in one autocommitted statement; the row tells what it
   * found (see {@link StepRow}).
   */
  public Future<StepRow> toWrapUpOne(SqlClient sql, UUID id, UUID agent, Instant at, String transitionReason) {
    return sql.preparedQuery(TO_WRAP_UP_ONE).execute(Tuple.of(id, agent, Rows.odt(at), transitionReason)).map(RoutingStore::stepRow);
  }

  /**
   * ended ← assigned or wrap_up of {@code agent}, with its transition, in one autocommitted statement; with
   * {@code auditDetails} also the audit entry {@code interaction.wrapped_up} by {@code auditActor}, and with
   * {@code afterCallWorkReason} the agent's change to after-call work. The row tells what it found ({@link StepRow}).
   */
  public Future<StepRow> toEndedOne(SqlClient sql, UUID id, UUID agent, Instant at, String disposition, String endReason,
      String transitionReason, String auditActor, JsonObject auditDetails, String afterCallWorkReason) {
    return sql.preparedQuery(TO_ENDED_ONE).execute(Tuple.from(new Object[] {id, agent, Rows.odt(at), disposition, endReason,
        transitionReason, auditActor, auditDetails, afterCallWorkReason})).map(RoutingStore::stepRow);
  }

  /** queued ← offered (declined, timed out, console gone); {@code exclude} keeps it away from that agent. */
  public Future<Boolean> unoffer(SqlClient sql, UUID id, UUID agent, boolean exclude) {
    return sql.preparedQuery(UNOFFER).execute(Tuple.of(id, agent, exclude))
        .compose(r -> sql.preparedQuery(DELETE_OFFER).execute(Tuple.of(id)).map(r.rowCount() == 1));
  }

  /** queued ← assigned by that agent (a transfer): the agent is excluded from it from now on. */
  public Future<Boolean> transfer(SqlClient sql, UUID id, UUID fromAgent, String queue, int priority, JsonObject routing) {
    return sql.preparedQuery(TRANSFER).execute(Tuple.of(id, fromAgent, queue, priority, routing)).map(r -> r.rowCount() == 1);
  }

  /** queued → queued in another queue (a supervisor's move); false when it is no longer queued. */
  public Future<Boolean> move(SqlClient sql, UUID id, String queue, int priority, JsonObject routing) {
    return sql.preparedQuery(MOVE).execute(Tuple.of(id, queue, priority, routing)).map(r -> r.rowCount() == 1);
  }

  /** An interaction's stored classification (null when never queued) and the agents excluded from it. */
  public record RoutingRow(JsonObject routing, List<UUID> excluded) {}

  public Future<Optional<RoutingRow>> routingOf(SqlClient sql, UUID id) {
    return sql.preparedQuery(ROUTING_OF).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.<RoutingRow>empty();
      }
      Row r = rows.iterator().next();
      UUID[] ex = r.getArrayOfUUIDs("excluded_agents");
      return Optional.of(new RoutingRow(r.getJsonObject("routing"), ex == null ? List.of() : List.of(ex)));
    });
  }

  /** abandoned ← created, queued or offered (the customer left). */
  public Future<Boolean> abandon(SqlClient sql, UUID id, Instant at, String reason) {
    return sql.preparedQuery(ABANDON).execute(Tuple.of(id, Rows.odt(at), reason))
        .compose(r -> sql.preparedQuery(DELETE_OFFER).execute(Tuple.of(id)).map(r.rowCount() == 1));
  }

  public Future<Void> transition(SqlClient sql, UUID id, String from, String to, String queue, UUID agent, String reason, Instant at) {
    return sql.preparedQuery(TRANSITION).execute(Tuple.from(new Object[] {id, from, to, queue, agent, reason, Rows.odt(at)})).mapEmpty();
  }

  public Future<Void> agentState(SqlClient sql, UUID agent, String state, String reason, Instant at) {
    return sql.preparedQuery(AGENT_STATE).execute(Tuple.of(agent, state, reason, Rows.odt(at))).mapEmpty();
  }

  public Future<List<AgentStateRow>> latestAgentStates(SqlClient sql) {
    return sql.query(LATEST_AGENT_STATES).execute().map(rows -> {
      List<AgentStateRow> out = new ArrayList<>();
      rows.forEach(r -> out.add(new AgentStateRow(r.getUUID("agent_id"), r.getString("state"), r.getString("reason"), Rows.instant(r, "at"))));
      return out;
    });
  }

  /** The last recorded state of each of {@code agents} that has one. */
  public Future<List<AgentStateRow>> latestAgentStates(SqlClient sql, List<UUID> agents) {
    if (agents.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return sql.preparedQuery(LATEST_AGENT_STATES_OF).execute(Tuple.of(agents.toArray(UUID[]::new))).map(rows -> {
      List<AgentStateRow> out = new ArrayList<>();
      rows.forEach(r -> out.add(new AgentStateRow(r.getUUID("agent_id"), r.getString("state"), r.getString("reason"), Rows.instant(r, "at"))));
      return out;
    });
  }

  /** One interaction as {@link #waiting} lists it, when it is queued. */
  public Future<Optional<WaitingRow>> waitingOne(SqlClient sql, UUID id) {
    return sql.preparedQuery(WAITING_ONE).execute(Tuple.of(id)).map(rows -> {
      List<WaitingRow> out = waitingRows(rows);
      return out.isEmpty() ? Optional.<WaitingRow>empty() : Optional.of(out.get(0));
    });
  }

  /**
   * The interactions {@link #waiting} lists, only their ids and places in line ({@code waiting_since}), in no order:
   * what the reconciler compares each round, without reading every waiting interaction's classification (fetch one
   * with {@link #waitingOne} when it must be requeued).
   */
  public Future<Map<UUID, Instant>> waitingPlaces(SqlClient sql) {
    return sql.query(WAITING_PLACES).execute().map(rows -> {
      Map<UUID, Instant> out = new java.util.HashMap<>();
      rows.forEach(r -> out.put(r.getUUID("id"), Rows.instant(r, "waiting_since")));
      return out;
    });
  }

  public Future<List<WaitingRow>> waiting(SqlClient sql) {
    return sql.query(WAITING).execute().map(RoutingStore::waitingRows);
  }

  private static List<WaitingRow> waitingRows(io.vertx.sqlclient.RowSet<Row> rows) {
    List<WaitingRow> out = new ArrayList<>();
    for (Row r : rows) {
      UUID[] ex = r.getArrayOfUUIDs("excluded_agents");
      out.add(new WaitingRow(r.getUUID("id"), r.getString("channel"), r.getJsonObject("routing"),
          Rows.instant(r, "waiting_since"), ex == null ? List.of() : List.of(ex)));
    }
    return out;
  }

  public Future<List<OfferRow>> offers(SqlClient sql) {
    return sql.query(OFFERS).execute().map(rows -> {
      List<OfferRow> out = new ArrayList<>();
      rows.forEach(r -> out.add(new OfferRow(r.getUUID("interaction_id"), r.getUUID("agent_id"), r.getString("channel"),
          Rows.instant(r, "offered_at"), Rows.instant(r, "expires_at"))));
      return out;
    });
  }

  public Future<List<WorkingRow>> working(SqlClient sql) {
    return sql.query(WORKING).execute().map(rows -> {
      List<WorkingRow> out = new ArrayList<>();
      rows.forEach(r -> out.add(new WorkingRow(r.getUUID("id"), r.getUUID("agent_id"), r.getString("channel"), r.getString("state"))));
      return out;
    });
  }


  /**
   * The sticky agent of {@code customer} in one statement: the agent who last answered in {@code conversation} since {@code since}, else the one who last answered, over the customer's golden record and
   * every customer merged into it (three statements one after the other before).
   */
  public Future<Optional<UUID>> stickyAgent(SqlClient sql, UUID customer, Instant since, UUID conversation) {
    return sql.preparedQuery(STICKY_AGENT).execute(Tuple.of(customer, Rows.odt(since), conversation))
        .map(rows -> rows.size() == 0 ? Optional.<UUID>empty() : Optional.of(rows.iterator().next().getUUID("agent_id")));
  }

  /** Interactions still in state created since before {@code before} (their event was missed). */
  public Future<List<UUID>> stuckCreated(SqlClient sql, Instant before) {
    return sql.preparedQuery(STUCK_CREATED).execute(Tuple.of(Rows.odt(before))).map(rows -> {
      List<UUID> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getUUID("id")));
      return out;
    });
  }

  /** An interaction's state and agent, as the reconciler compares them with live state. */
  public record StateRow(UUID interactionId, String state, UUID agentId) {}

  /** The state and agent of each of {@code ids} that exists. */
  public Future<java.util.Map<UUID, StateRow>> statesOf(SqlClient sql, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(java.util.Map.of());
    }
    return sql.preparedQuery(STATES_OF).execute(Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
      java.util.Map<UUID, StateRow> out = new java.util.HashMap<>();
      rows.forEach(r -> out.put(r.getUUID("id"), new StateRow(r.getUUID("id"), r.getString("state"), r.getUUID("agent_id"))));
      return out;
    });
  }

  public Future<List<DecisionRow>> decisions(SqlClient sql, UUID interaction) {
    return sql.preparedQuery(DECISIONS).execute(Tuple.of(interaction)).map(rows -> {
      List<DecisionRow> out = new ArrayList<>();
      rows.forEach(r -> out.add(new DecisionRow(r.getUUID("id"), Rows.instant(r, "decided_at"), r.getInteger("rules_version"),
          r.getString("queue_id"), r.getUUID("chosen_agent_id"), r.getInteger("relaxation_step"), r.getJsonObject("explanation"))));
      return out;
    });
  }

  /** Stores a new version of the rules (not yet active) and returns its number. */
  public Future<Integer> insertVersion(StoreTransaction tx, String text, String sha256, String origin, String createdBy) {
    return tx.client().preparedQuery(INSERT_VERSION).execute(Tuple.of(text, sha256, origin, createdBy))
        .map(rows -> rows.iterator().next().getInteger("version"));
  }

  /**
   * Holds the rules-versions lock until {@code tx} ends: one node at a time compares the active version and stores a
   * new one (a PostgreSQL transaction-level advisory lock).
   */
  public Future<Void> lockRulesVersions(StoreTransaction tx) {
    return tx.client().query("SELECT pg_advisory_xact_lock(7340001)").execute().mapEmpty();
  }

  /** Makes {@code version} the one active version. */
  public Future<Void> activate(StoreTransaction tx, int version) {
    SqlClient sql = tx.client();
    return sql.query(DEACTIVATE).execute().compose(x -> sql.preparedQuery(ACTIVATE).execute(Tuple.of(version))).mapEmpty();
  }

  /** The version in force, if any, in {@code scope}. */
  public Future<Optional<RulesVersion>> activeVersion(StoreScope scope) {
    return scope.client().query(ACTIVE_VERSION).execute().map(rows -> rows.size() == 0 ? Optional.<RulesVersion>empty() : Optional.of(version(rows.iterator().next())));
  }

  public Future<Optional<RulesVersion>> version(SqlClient sql, int version) {
    return sql.preparedQuery(VERSION).execute(Tuple.of(version)).map(rows -> rows.size() == 0 ? Optional.<RulesVersion>empty() : Optional.of(version(rows.iterator().next())));
  }

  public Future<List<RulesVersion>> versions(SqlClient sql, int limit) {
    return sql.preparedQuery(VERSIONS).execute(Tuple.of(limit)).map(rows -> {
      List<RulesVersion> out = new ArrayList<>();
      rows.forEach(r -> out.add(version(r)));
      return out;
    });
  }

  private static RulesVersion version(Row r) {
    return new RulesVersion(r.getInteger("version"), r.getString("source_text"), r.getString("sha256"), r.getString("origin"),
        r.getString("created_by"), Rows.instant(r, "created_at"), r.getBoolean("active"));
  }

  /** One interaction for {@link #queueMany}: its queue, priority, classification (routing JSON), place and reason. */
  public record ToQueue(UUID id, String queue, int priority, JsonObject routing, Instant waitingSince, String reason) {}

  /**
   * Several interactions queued ({@code created → queued}) with their transitions in one autocommitted statement, as
   * queueing one does; each only while it is still {@code created} or {@code queued}.
   */
  private static final String QUEUE_MANY =
      "WITH x AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::text[])"
          + " AS x(id, queue_id, priority, routing, since, reason)),"
          + " upd AS (UPDATE interactions i SET state = 'queued', queue_id = x.queue_id, priority = x.priority,"
          + " routing = x.routing::jsonb, waiting_since = x.since, queued_at = coalesce(i.queued_at, x.since),"
          + " version = i.version + 1 FROM x WHERE i.id = x.id AND i.state IN ('created', 'queued')"
          + " RETURNING i.id, x.queue_id, x.reason),"
          + " t AS (INSERT INTO interaction_transitions (interaction_id, from_state, to_state, queue_id, agent_id, reason, at)"
          + " SELECT id, 'created', 'queued', queue_id, NULL, reason, $7::timestamptz FROM upd)"
          + " SELECT id FROM upd";

  /**
   * Queues {@code all} in one autocommitted statement (one round trip, one commit however many), at {@code at}; returns
   * the ids of those queued (one no longer created or queued is left as it is). Ids must be distinct.
   */
  public Future<java.util.Set<UUID>> queueMany(SqlClient sql, List<ToQueue> all, Instant at) {
    if (all.isEmpty()) {
      return Future.succeededFuture(java.util.Set.of());
    }
    int n = all.size();
    UUID[] ids = new UUID[n];
    String[] queues = new String[n];
    Integer[] priorities = new Integer[n];
    String[] routings = new String[n];
    java.time.OffsetDateTime[] since = new java.time.OffsetDateTime[n];
    String[] reasons = new String[n];
    for (int k = 0; k < n; k++) {
      ToQueue q = all.get(k);
      ids[k] = q.id();
      queues[k] = q.queue();
      priorities[k] = q.priority();
      routings[k] = q.routing().encode();
      since[k] = Rows.odt(q.waitingSince());
      reasons[k] = q.reason();
    }
    return sql.preparedQuery(QUEUE_MANY).execute(Tuple.from(new Object[] {ids, queues, priorities, routings, since, reasons,
        Rows.odt(at)})).map(rows -> {
          java.util.Set<UUID> out = new java.util.HashSet<>();
          rows.forEach(r -> out.add(r.getUUID("id")));
          return out;
        });
  }
}
