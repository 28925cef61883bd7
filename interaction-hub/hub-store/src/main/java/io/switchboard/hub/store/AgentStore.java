package io.switchboard.hub.store;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Role;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Staff accounts with their skills and per-channel capacity. */
public final class AgentStore {
  /** The unique constraint that detects a taken username. */
  public static final String USERNAME_CONSTRAINT = "agents_username_key";

  private static final String COLUMNS = "id, username, display_name, role, active, created_at";
  private static final String INSERT =
      "INSERT INTO agents (id, username, display_name, role, password_hash, active, created_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7)";
  private static final String INSERT_SKILL =
      "INSERT INTO agent_skills (agent_id, skill, proficiency) VALUES ($1, $2, $3)";
  private static final String INSERT_CAPACITY =
      "INSERT INTO agent_capacity (agent_id, channel, capacity, exclusive) VALUES ($1, $2, $3, $4)";
  private static final String FIND = "SELECT " + COLUMNS + " FROM agents WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM agents ORDER BY username";
  private static final String CREDENTIALS =
      "SELECT id, username, role, password_hash, active FROM agents WHERE username = $1";
  private static final String QUEUES = "SELECT agent_id, queue_id FROM agent_queues WHERE agent_id = ANY($1)";
  private static final String CLEAR_QUEUES = "DELETE FROM agent_queues WHERE agent_id = $1";
  private static final String ADD_QUEUES =
      "INSERT INTO agent_queues (agent_id, queue_id) SELECT $1, q FROM unnest($2::text[]) AS q ON CONFLICT DO NOTHING";
  private static final String SKILLS = "SELECT agent_id, skill, proficiency FROM agent_skills WHERE agent_id = ANY($1)";
  private static final String CAPACITY =
      "SELECT agent_id, channel, capacity FROM agent_capacity WHERE agent_id = ANY($1)";

  /** What login needs: never leaves the hub. */
  public record Credentials(AgentId id, String username, Role role, String passwordHash, boolean active) {}

  /**
   * Stores an agent with its skills and capacity. Run it in a transaction: it is several statements.
   *
   * @param exclusiveChannels channels whose work excludes every other channel (voice by default)
   */
  public Future<Void> insert(SqlClient sql, Agent a, String passwordHash, java.util.Set<Channel> exclusiveChannels) {
    Instant at = a.createdAt() == null ? Instant.now() : a.createdAt();
    List<Tuple> skills = new ArrayList<>();
    a.skills().forEach((skill, level) -> skills.add(Tuple.of(a.id().value(), skill, level.shortValue())));
    List<Tuple> capacity = new ArrayList<>();
    a.capacity()
        .forEach((channel, n) ->
            capacity.add(
                Tuple.of(a.id().value(), channel.wireName(), n.shortValue(), exclusiveChannels.contains(channel))));
    Future<?> f =
        sql.preparedQuery(INSERT)
            .execute(
                Tuple.from(
                    new Object[] {
                      a.id().value(), a.username(), a.displayName(), a.role().wireName(), passwordHash, a.active(),
                      Rows.odt(at)
                    }));
    if (!skills.isEmpty()) {
      f = f.compose(x -> sql.preparedQuery(INSERT_SKILL).executeBatch(skills));
    }
    if (!capacity.isEmpty()) {
      f = f.compose(x -> sql.preparedQuery(INSERT_CAPACITY).executeBatch(capacity));
    }
    return f.mapEmpty();
  }

  public Future<Optional<Credentials>> credentials(SqlClient sql, String username) {
    return sql.preparedQuery(CREDENTIALS)
        .execute(Tuple.of(username))
        .map(rows -> {
          var it = rows.iterator();
          if (!it.hasNext()) {
            return Optional.empty();
          }
          Row r = it.next();
          return Optional.of(
              new Credentials(
                  new AgentId(r.getUUID("id")), r.getString("username"), Role.fromWire(r.getString("role")),
                  r.getString("password_hash"), r.getBoolean("active")));
        });
  }

  public Future<Optional<Agent>> find(SqlClient sql, AgentId id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id.value())).compose(rows -> withDetails(sql, rows)).map(list ->
        list.isEmpty() ? Optional.<Agent>empty() : Optional.of(list.get(0)));
  }

  public Future<List<Agent>> list(SqlClient sql) {
    return sql.query(LIST).execute().compose(rows -> withDetails(sql, rows));
  }

  private Future<List<Agent>> withDetails(SqlClient sql, RowSet<Row> rows) {
    List<Row> agentRows = new ArrayList<>();
    rows.forEach(agentRows::add);
    if (agentRows.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    UUID[] ids = agentRows.stream().map(r -> r.getUUID("id")).toArray(UUID[]::new);
    Map<UUID, Map<String, Integer>> skills = new LinkedHashMap<>();
    Map<UUID, Map<Channel, Integer>> capacity = new LinkedHashMap<>();
    Map<UUID, List<String>> queues = new LinkedHashMap<>();
    return sql.preparedQuery(QUEUES)
        .execute(Tuple.of(ids))
        .compose(qr -> {
          qr.forEach(r -> queues.computeIfAbsent(r.getUUID("agent_id"), k -> new ArrayList<>()).add(r.getString("queue_id")));
          return sql.preparedQuery(SKILLS).execute(Tuple.of(ids));
        })
        .compose(sr -> {
          sr.forEach(r ->
              skills.computeIfAbsent(r.getUUID("agent_id"), k -> new LinkedHashMap<>())
                  .put(r.getString("skill"), r.getInteger("proficiency")));
          return sql.preparedQuery(CAPACITY).execute(Tuple.of(ids));
        })
        .map(cr -> {
          cr.forEach(r ->
              capacity.computeIfAbsent(r.getUUID("agent_id"), k -> new EnumMap<>(Channel.class))
                  .put(Channel.fromWire(r.getString("channel")), r.getInteger("capacity")));
          List<Agent> out = new ArrayList<>();
          for (Row r : agentRows) {
            UUID id = r.getUUID("id");
            out.add(
                new Agent(
                    new AgentId(id), r.getString("username"), r.getString("display_name"),
                    Role.fromWire(r.getString("role")), r.getBoolean("active"), skills.getOrDefault(id, Map.of()),
                    capacity.getOrDefault(id, Map.of()), Rows.instant(r, "created_at"), queues.getOrDefault(id, List.of())));
          }
          return out;
        });
  }

  /** Replaces the queues {@code id} serves (empty: every queue). */
  public Future<Void> replaceQueues(SqlClient sql, AgentId id, List<String> queueIds) {
    return sql.preparedQuery(CLEAR_QUEUES).execute(Tuple.of(id.value())).compose(x -> queueIds.isEmpty()
        ? Future.<Void>succeededFuture()
        : sql.preparedQuery(ADD_QUEUES).execute(Tuple.of(id.value()).addArrayOfString(queueIds.toArray(String[]::new))).mapEmpty());
  }

  /** The agent's phone endpoint (an Asterisk dial string); empty when none is set or the agent does not exist. */
  public Future<Optional<String>> phoneEndpoint(SqlClient sql, AgentId id) {
    return sql.preparedQuery("SELECT phone_endpoint FROM agents WHERE id = $1").execute(Tuple.of(id.value()))
        .map(rows -> {
          var it = rows.iterator();
          return it.hasNext() ? Optional.ofNullable(it.next().getString(0)) : Optional.<String>empty();
        });
  }

  /** Sets (or with null clears) the agent's phone endpoint; false when there is no such agent. */
  public Future<Boolean> setPhoneEndpoint(SqlClient sql, AgentId id, String endpoint) {
    return sql.preparedQuery("UPDATE agents SET phone_endpoint = $2 WHERE id = $1").execute(Tuple.of(id.value(), endpoint))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Replaces an agent's display name (when not null), skills and per-channel capacity. Run it in a transaction: it is
   * several statements. False when there is no such agent.
   *
   * @param exclusiveChannels channels whose work excludes every other channel (voice by default)
   */
  public Future<Boolean> replaceProfile(SqlClient sql, AgentId id, String displayName, Map<String, Integer> skills,
      Map<Channel, Integer> capacity, java.util.Set<Channel> exclusiveChannels) {
    UUID agent = id.value();
    List<Tuple> skillRows = new ArrayList<>();
    skills.forEach((skill, level) -> skillRows.add(Tuple.of(agent, skill, level.shortValue())));
    List<Tuple> capacityRows = new ArrayList<>();
    capacity.forEach((channel, n) ->
        capacityRows.add(Tuple.of(agent, channel.wireName(), n.shortValue(), exclusiveChannels.contains(channel))));
    return sql.preparedQuery("UPDATE agents SET display_name = coalesce($2, display_name) WHERE id = $1")
        .execute(Tuple.of(agent, displayName))
        .compose(updated -> {
          if (updated.rowCount() != 1) {
            return Future.succeededFuture(false);
          }
          Future<?> f = sql.preparedQuery("DELETE FROM agent_skills WHERE agent_id = $1").execute(Tuple.of(agent))
              .compose(x -> sql.preparedQuery("DELETE FROM agent_capacity WHERE agent_id = $1").execute(Tuple.of(agent)));
          if (!skillRows.isEmpty()) {
            f = f.compose(x -> sql.preparedQuery(INSERT_SKILL).executeBatch(skillRows));
          }
          if (!capacityRows.isEmpty()) {
            f = f.compose(x -> sql.preparedQuery(INSERT_CAPACITY).executeBatch(capacityRows));
          }
          return f.map(true);
        });
  }
}
