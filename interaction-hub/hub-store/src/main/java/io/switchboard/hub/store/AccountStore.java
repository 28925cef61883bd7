package io.switchboard.hub.store;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Role;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The security side of staff accounts: whether an account may log in, its role as of now, its session epoch
 * (raising it ends every session of the account), password changes, the demo accounts and keys, and the
 * per-installation secrets.
 */
public final class AccountStore {
  private static final String COLUMNS = "id, username, role, active, session_epoch, demo";
  private static final String FIND = "SELECT " + COLUMNS + " FROM agents WHERE id = $1";
  private static final String SET_ACTIVE =
      "UPDATE agents SET active = $2, session_epoch = session_epoch + CASE WHEN $2 THEN 0 ELSE 1 END, updated_at = now()"
          + " WHERE id = $1 RETURNING " + COLUMNS;
  private static final String SET_ROLE =
      "UPDATE agents SET role = $2, updated_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String SET_PASSWORD =
      "UPDATE agents SET password_hash = $2, password_changed_at = now(), session_epoch = session_epoch + 1,"
          + " updated_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String BUMP_EPOCH =
      "UPDATE agents SET session_epoch = session_epoch + 1, updated_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String PASSWORD_HASH = "SELECT password_hash FROM agents WHERE id = $1";
  private static final String MARK_DEMO_AGENTS =
      "UPDATE agents SET demo = true WHERE NOT demo AND id::text IN"
          + " (SELECT entity_id FROM audit_log WHERE actor = 'system:demo-seed' AND action = 'agent.created')";
  private static final String MARK_DEMO_KEYS =
      "UPDATE api_keys SET demo = true WHERE NOT demo AND created_by = 'system:demo-seed'";
  private static final String DISABLE_DEMO_AGENTS =
      "UPDATE agents SET active = false, session_epoch = session_epoch + 1, updated_at = now()"
          + " WHERE demo AND active RETURNING " + COLUMNS;
  private static final String REVOKE_DEMO_KEYS =
      "UPDATE api_keys SET revoked_at = now() WHERE demo AND revoked_at IS NULL RETURNING id, name";
  private static final String PUT_SECRET =
      "INSERT INTO install_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
  private static final String GET_SECRET = "SELECT secret FROM install_secrets WHERE name = $1";

  /** An account as login and every request see it. */
  public record Account(AgentId id, String username, Role role, boolean active, int sessionEpoch, boolean demo) {}

  public Future<Optional<Account>> find(SqlClient sql, AgentId id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id.value())).map(rows -> one(rows));
  }

  /** Enables or disables an account; disabling also ends its sessions (the epoch moves on). */
  public Future<Optional<Account>> setActive(SqlClient sql, AgentId id, boolean active) {
    return sql.preparedQuery(SET_ACTIVE).execute(Tuple.of(id.value(), active)).map(rows -> one(rows));
  }

  public Future<Optional<Account>> setRole(SqlClient sql, AgentId id, Role role) {
    return sql.preparedQuery(SET_ROLE).execute(Tuple.of(id.value(), role.wireName())).map(rows -> one(rows));
  }

  /** A new password hash; every session of the account ends. */
  public Future<Optional<Account>> setPassword(SqlClient sql, AgentId id, String passwordHash) {
    return sql.preparedQuery(SET_PASSWORD).execute(Tuple.of(id.value(), passwordHash)).map(rows -> one(rows));
  }

  /** Ends every session of the account. */
  public Future<Optional<Account>> bumpEpoch(SqlClient sql, AgentId id) {
    return sql.preparedQuery(BUMP_EPOCH).execute(Tuple.of(id.value())).map(rows -> one(rows));
  }

  public Future<Optional<String>> passwordHash(SqlClient sql, AgentId id) {
    return sql.preparedQuery(PASSWORD_HASH).execute(Tuple.of(id.value())).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.ofNullable(it.next().getString("password_hash")) : Optional.empty();
    });
  }

  /** Marks the accounts and keys the demo seed created (by their audit entries and creator) as demo ones. */
  public Future<Void> markDemoSeeded(SqlClient sql) {
    return sql.query(MARK_DEMO_AGENTS).execute().compose(x -> sql.query(MARK_DEMO_KEYS).execute()).mapEmpty();
  }

  /** Disables every active demo account (ending its sessions); returns those it disabled. */
  public Future<List<Account>> disableDemoAccounts(SqlClient sql) {
    return sql.query(DISABLE_DEMO_AGENTS).execute().map(rows -> {
      List<Account> out = new ArrayList<>();
      rows.forEach(r -> out.add(account(r)));
      return out;
    });
  }

  /** Revokes every live demo API key; returns their names. */
  public Future<List<String>> revokeDemoKeys(SqlClient sql) {
    return sql.query(REVOKE_DEMO_KEYS).execute().map(rows -> {
      List<String> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getString("name")));
      return out;
    });
  }

  /**
   * The installation's secret named {@code name}: {@code generated} when this call stores it first, else the one
   * stored before (several nodes starting at once agree on one).
   */
  public Future<byte[]> installSecret(SqlClient sql, String name, byte[] generated) {
    return sql.preparedQuery(PUT_SECRET).execute(Tuple.of(name, Buffer.buffer(generated)))
        .compose(x -> sql.preparedQuery(GET_SECRET).execute(Tuple.of(name)))
        .map(rows -> rows.iterator().next().getBuffer("secret").getBytes());
  }

  private static Optional<Account> one(io.vertx.sqlclient.RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(account(it.next())) : Optional.empty();
  }

  private static Account account(Row r) {
    return new Account(new AgentId(r.getUUID("id")), r.getString("username"), Role.fromWire(r.getString("role")),
        r.getBoolean("active"), r.getInteger("session_epoch"), r.getBoolean("demo"));
  }
}
