package io.switchboard.hub.core.auth;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.store.AccountStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an account after it exists: passwords (own change, admin reset), disabling and enabling, role
 * changes, ending every session, and switching the demo's accounts off. Each change is audited in its transaction and,
 * once committed, ends or alters the account's sessions on every node through {@link AuthService} (its cache entries
 * dropped here, {@value AuthService#ACCOUNT_CHANGED} published for the others and for the account's sockets).
 * Passwords must pass {@link PasswordPolicy} and are hashed on a worker thread ({@link PasswordHasher}).
 *
 * <p>Threading: safe from any thread; futures complete on the caller's context.
 */
public final class AccountLifecycle {
  private static final Logger log = LoggerFactory.getLogger(AccountLifecycle.class);

  private final Vertx vertx;
  private final Stores stores;
  private final PasswordHasher hasher;
  private final AuthService sessions;
  private final ApiKeys apiKeys;

  AccountLifecycle(Vertx vertx, Stores stores, PasswordHasher hasher, AuthService sessions, ApiKeys apiKeys) {
    this.vertx = vertx;
    this.stores = stores;
    this.hasher = hasher;
    this.sessions = sessions;
    this.apiKeys = apiKeys;
  }

  /**
   * Changes the caller's own password: the old one must match and the new one pass {@link PasswordPolicy}. Every
   * session of the account ends (other devices are logged out); the answer is a new login for this one.
   */
  public Future<AuthService.Login> changeOwnPassword(Principal.Staff me, String oldPassword, String newPassword) {
    Optional<String> problem = PasswordPolicy.problem(newPassword);
    if (problem.isPresent()) {
      return Future.failedFuture(new ValidationException("newPassword", problem.get()));
    }
    if (oldPassword == null || oldPassword.isEmpty()) {
      return Future.failedFuture(new ValidationException("oldPassword", "is required"));
    }
    return stores.accounts().passwordHash(stores.db().pool(), me.agentId())
        .compose(hash -> vertx.executeBlocking(() -> hasher.verify(oldPassword, hash.orElse(null))))
        .compose(ok -> {
          if (!ok) {
            return sessions.audit(me.auditName(), "auth.password_change_failed", me.agentId().toString(), new JsonObject())
                .transform(x -> Future.failedFuture(new ValidationException("oldPassword", "does not match your current password")));
          }
          return hashPassword(newPassword).compose(h -> stores.db().inTransaction(tx ->
                  stores.accounts().setPassword(tx, me.agentId(), h).compose(a -> stores.audit()
                      .append(tx, me.auditName(), "agent.password_changed", "agent", me.agentId().toString(), new JsonObject())
                      .map(a))))
              .compose(a -> sessions.openSession(a.orElseThrow(() -> new NotFoundException("no agent " + me.agentId()))))
              .onSuccess(x -> sessions.changed(me.agentId(), "password-changed"));
        });
  }

  /** An admin sets a new password for an account; every session of it ends. */
  public Future<Void> resetPassword(Principal by, AgentId id, String newPassword) {
    Optional<String> problem = PasswordPolicy.problem(newPassword);
    if (problem.isPresent()) {
      return Future.failedFuture(new ValidationException("password", problem.get()));
    }
    return hashPassword(newPassword).compose(h -> stores.db().inTransaction(tx ->
            stores.accounts().setPassword(tx, id, h).compose(a -> a.isEmpty()
                ? Future.<Void>failedFuture(new NotFoundException("no agent " + id))
                : stores.audit().append(tx, by.auditName(), "agent.password_reset", "agent", id.toString(), new JsonObject()))))
        .onSuccess(x -> sessions.changed(id, "password-reset"));
  }

  /** Disables or enables an account; disabling ends its sessions at once. Nobody disables themselves. */
  public Future<AccountStore.Account> setActive(Principal by, AgentId id, boolean active) {
    if (!active && by instanceof Principal.Staff s && s.agentId().equals(id)) {
      return Future.failedFuture(new ConflictException("you cannot disable your own account"));
    }
    return stores.db().inTransaction(tx -> stores.accounts().setActive(tx, id, active).compose(a -> a
            .map(x -> stores.audit().append(tx, by.auditName(), active ? "agent.enabled" : "agent.disabled", "agent",
                id.toString(), new JsonObject().put("username", x.username())).map(x))
            .orElseGet(() -> Future.failedFuture(new NotFoundException("no agent " + id)))))
        .onSuccess(x -> sessions.changed(id, active ? "enabled" : "disabled"));
  }

  /** Changes an account's role, effective with its next request (and its sockets at once). Nobody changes their own. */
  public Future<AccountStore.Account> setRole(Principal by, AgentId id, Role role) {
    if (by instanceof Principal.Staff s && s.agentId().equals(id)) {
      return Future.failedFuture(new ConflictException("you cannot change your own role"));
    }
    return stores.db().inTransaction(tx -> stores.accounts().find(tx, id).compose(before -> before
            .map(b -> stores.accounts().setRole(tx, id, role).compose(a -> stores.audit().append(tx, by.auditName(),
                "agent.role_changed", "agent", id.toString(),
                new JsonObject().put("username", b.username()).put("from", b.role().wireName()).put("to", role.wireName()))
                .map(a.orElseThrow())))
            .orElseGet(() -> Future.failedFuture(new NotFoundException("no agent " + id)))))
        .onSuccess(x -> sessions.changed(id, "role-changed"));
  }

  /** Ends every session of an account, on every node: HTTP tokens stop working and its sockets close. */
  public Future<Void> revokeSessions(Principal by, AgentId id) {
    return stores.db().inTransaction(tx -> stores.accounts().bumpEpoch(tx, id).compose(a -> a
            .map(x -> stores.audit().append(tx, by.auditName(), "agent.sessions_revoked", "agent", id.toString(),
                new JsonObject().put("username", x.username())))
            .orElseGet(() -> Future.failedFuture(new NotFoundException("no agent " + id)))))
        .onSuccess(x -> sessions.changed(id, "sessions-revoked"));
  }

  /**
   * With the demo off: disables every demo account and revokes the demo API keys, so the published demo logins
   * and key stop working. Marks what the demo seed created first (databases seeded by older versions).
   */
  public Future<Void> disableDemo() {
    Principal by = new Principal.System("demo-off");
    return stores.db().inTransaction(tx -> stores.accounts().markDemoSeeded(tx)
            .compose(x -> stores.accounts().disableDemoAccounts(tx))
            .compose(disabled -> stores.accounts().revokeDemoKeys(tx).compose(keys -> {
              Future<Void> f = Future.succeededFuture();
              for (var a : disabled) {
                f = f.compose(y -> stores.audit().append(tx, by.auditName(), "agent.disabled", "agent", a.id().toString(),
                    new JsonObject().put("username", a.username()).put("reason", "demo is off")));
              }
              if (!keys.isEmpty()) {
                f = f.compose(y -> stores.audit().append(tx, by.auditName(), "api-key.revoked", "api-key", null,
                    new JsonObject().put("names", new JsonArray(keys)).put("reason", "demo is off")));
              }
              return f.map(y -> disabled);
            })))
        .onSuccess(disabled -> {
          // The demo key's id is not known here: every node forgets every key it holds (this runs once, at start).
          apiKeys.revokedWithoutIds();
          disabled.forEach(a -> sessions.changed(a.id(), "disabled"));
          if (!disabled.isEmpty()) {
            log.atWarn().addKeyValue("accounts", disabled.stream().map(AccountStore.Account::username).toList())
                .log("demo is off: the demo accounts and the demo API key were disabled");
          }
        })
        .mapEmpty();
  }

  /** Marks the accounts and keys the demo seed created as demo ones (after seeding). */
  public Future<Void> markDemoSeeded() {
    return stores.accounts().markDemoSeeded(stores.db().pool());
  }

  /** Hashes a password on a worker thread. */
  public Future<String> hashPassword(String password) {
    return vertx.executeBlocking(() -> hasher.hash(password));
  }
}
