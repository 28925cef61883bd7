package io.switchboard.hub.core.auth;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.RateLimitedException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.store.AccountStore;
import io.switchboard.hub.store.AgentStore;
import io.switchboard.hub.store.ApiKeyStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.UniqueViolation;
import io.switchboard.hub.store.redis.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logins, sessions, accounts' lifecycle and API keys.
 *
 * <p>A login returns a random bearer token; only its SHA-256 is kept (in Redis, with the session's expiry),
 * so every hub node can check it and a stolen Redis dump gives no usable tokens. A session entry holds the
 * account id, the account's session epoch at login and the expiry, signed (HMAC-SHA256, bound to the token hash)
 * with a secret generated once per installation and kept in PostgreSQL: whoever can write to Redis alone cannot
 * make or alter a session. A checked session (and a checked API key) is held in memory for
 * {@link Settings#authCacheTtl()} (a few seconds); every change that ends sessions or alters them (a disabled account,
 * a raised epoch on logout everywhere, password change or revocation, a new role) and every API key revocation drops
 * what the nodes hold at once: here when the change is made, and on every other node when its event
 * ({@value #ACCOUNT_CHANGED}, {@code auth.api_key_revoked}) arrives over Redis pub/sub (ClusterEvents). The event
 * {@value #ACCOUNT_CHANGED} also tells every node's sockets to check their session again, without the cache.
 *
 * <p>Failed logins slow down instead of locking anyone out: failures are counted per client address, per
 * account and address, and per account. Past a few free failures each holds further attempts of that key back for
 * a growing time (1 s, 2 s, 4 s ... up to {@code failureWindow}); attempts while held back get 429 with
 * Retry-After. The per-account hold does not apply to addresses the account logged in from before, so a password
 * spray against an account is slowed without keeping its owner out. Every login, logout and failed or refused
 * login is written to the audit log. API keys are stored as hashes, in PostgreSQL. Password hashing runs on a
 * worker thread.
 *
 * <p>Size (over 400 lines, #15): the session, account-lifecycle and API-key operations share one trust model (the
 * signed session, the session epoch, the audit of each step and the {@value #ACCOUNT_CHANGED} event); password rules
 * live in {@link PasswordPolicy}, hashing in {@link PasswordHasher}, tokens in {@link Tokens} and the API-key cache
 * in {@link ApiKeyCache}. Moving API keys into a service of their own is the next split, left while the auth caches
 * are being changed (#12.3).
 */
public final class AuthService {
  private static final Logger log = LoggerFactory.getLogger(AuthService.class);
  private static final Pattern KEY_NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");
  public static final String TOKEN_PREFIX = "sbt_";
  public static final String API_KEY_PREFIX = "sbk_";
  /**
   * Event published when an account's sessions may have changed (logout, revocation, disable, password or role
   * change): {@code {"agentId", "reason"}}. Bridged to every node by ClusterEvents; agent sockets check again.
   */
  public static final String ACCOUNT_CHANGED = io.switchboard.hub.api.event.HubEvents.ACCOUNT_CHANGED;
  private static final String SIGNING_KEY = "session-signing-key";
  private static final Duration KNOWN_ADDRESS_TTL = Duration.ofDays(30);

  /**
   * Settings for sessions and login throttling.
   *
   * @param maxFailedLogins failures from one address (any account) before its attempts are held back; half of it
   *     (at least 3) for one account from one address, and as many for one account from anywhere
   * @param failureWindow how long failures are counted, and the longest hold
   * @param authCacheTtl how long a checked session or API key is trusted on this node without reading Redis and
   *     PostgreSQL again (changes drop it at once on every node; this bounds a lost pub/sub message); zero: never held
   */
  public record Settings(Duration sessionTtl, int maxFailedLogins, Duration failureWindow, Duration authCacheTtl) {
    public Settings {
      authCacheTtl = authCacheTtl == null || authCacheTtl.isNegative() ? Duration.ZERO : authCacheTtl;
    }

    /** Without the in-memory cache (every request reads the session and the account). */
    public Settings(Duration sessionTtl, int maxFailedLogins, Duration failureWindow) {
      this(sessionTtl, maxFailedLogins, failureWindow, Duration.ZERO);
    }
  }

  /** A successful login. */
  public record Login(String token, Instant expiresAt, Principal.Staff staff) {}

  /** A newly created API key: the secret is shown once and never again. */
  public record NewApiKey(String secret, ApiKeyStore.ApiKey key) {}

  private final Vertx vertx;
  private final Stores stores;
  private final SessionStore sessions;
  private final PasswordHasher hasher;
  private final Settings settings;
  private final ApiKeyCache apiKeys;
  private final SessionCache sessionCache;
  private Future<byte[]> signingKey;

  public AuthService(Vertx vertx, Stores stores, SessionStore sessions, PasswordHasher hasher, Settings settings) {
    this.vertx = vertx;
    this.stores = stores;
    this.sessions = sessions;
    this.hasher = hasher;
    this.settings = settings;
    this.apiKeys = new ApiKeyCache(stores, settings.authCacheTtl());
    this.sessionCache = new SessionCache(settings.authCacheTtl());
    // A Redis connection established again (pub/sub included): revocations published meanwhile were not heard here.
    sessions.onReconnected(() -> {
      sessionCache.clear();
      apiKeys.forgetAll();
    });
    // Changes made on other nodes (and this one: harmless, it already forgot) arrive here over Redis pub/sub.
    vertx.eventBus().<Object>localConsumer(io.switchboard.hub.api.event.HubEvents.everyNode(ACCOUNT_CHANGED), m -> {
      if (m.body() instanceof JsonObject b && b.getValue("agentId") instanceof String id) {
        try {
          sessionCache.forgetAccount(AgentId.parse(id));
        } catch (RuntimeException e) {
          log.atWarn().addKeyValue("agentId", id).log("ignoring an account change with a malformed agent id");
        }
      }
    });
    vertx.eventBus().<Object>localConsumer(io.switchboard.hub.api.event.HubEvents.everyNode(API_KEY_REVOKED), m -> {
      UUID id = null;
      if (m.body() instanceof JsonObject b && b.getValue("apiKeyId") instanceof String s) {
        try {
          id = UUID.fromString(s);
        } catch (IllegalArgumentException e) {
          // forget them all below
        }
      }
      if (id != null) {
        apiKeys.forget(id);
      } else {
        apiKeys.forgetAll();
      }
    });
  }

  /**
   * Event published when API keys were revoked: {@code {"apiKeyId"}} or {@code {"all": true}}. Bridged to every node by
   * ClusterEvents; each node drops the keys it holds.
   */
  public static final String API_KEY_REVOKED = io.switchboard.hub.api.event.HubEvents.API_KEY_REVOKED;

  /** As {@link #login(String, String, String)} from an unknown address. */
  public Future<Login> login(String username, String password) {
    return login(username, password, null);
  }

  /**
   * Checks a username and password and opens a session.
   *
   * @param address the client's address (for the per-address limits and the audit log); null when unknown
   * @return fails with {@link AuthenticationException} for a wrong or unknown login or a disabled account (the
   *     same message each way), {@link RateLimitedException} while attempts of this address or account are held back
   */
  public Future<Login> login(String username, String password, String address) {
    String user = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
    String from = address == null || address.isBlank() ? "unknown" : address;
    if (user.isEmpty() || user.length() > 64 || password == null || password.isEmpty() || password.length() > 1024) {
      return audit("address:" + from, "auth.login_failed", null,
          new JsonObject().put("username", clip(user)).put("address", from).put("reason", "malformed"))
          .transform(x -> Future.failedFuture(new AuthenticationException("invalid username or password")));
    }
    String byAddress = "addr:" + from;
    String byPair = "pair:" + user + "|" + from;
    String byAccount = "acct:" + user;
    long now = System.currentTimeMillis();
    return Future.all(sessions.heldUntil(byAddress), sessions.heldUntil(byPair), sessions.heldUntil(byAccount),
            sessions.knownAddress(user, from))
        .compose(held -> {
          long addrUntil = held.resultAt(0);
          long pairUntil = held.resultAt(1);
          long acctUntil = Boolean.TRUE.equals(held.resultAt(3)) ? 0L : held.<Long>resultAt(2);
          long until = Math.max(addrUntil, Math.max(pairUntil, acctUntil));
          if (until > now) {
            Duration wait = Duration.ofMillis(until - now).plusMillis(999).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            String which = until == addrUntil ? "address" : until == pairUntil ? "account-address" : "account";
            log.atWarn().addKeyValue("username", user).addKeyValue("address", from).addKeyValue("held", which)
                .log("login refused: held back after failed attempts");
            return audit("address:" + from, "auth.login_refused", null, new JsonObject().put("username", user)
                    .put("address", from).put("reason", "held-back:" + which).put("retryAfterSeconds", wait.toSeconds()))
                .transform(x -> Future.failedFuture(new RateLimitedException(
                    "too many failed logins; try again in " + wait.toSeconds() + " s", wait)));
          }
          return check(user, password, from, byAddress, byPair, byAccount);
        });
  }

  private Future<Login> check(String user, String password, String from, String byAddress, String byPair, String byAccount) {
    return stores.agents().credentials(stores.db().pool(), user).compose(creds -> {
      String hash = creds.filter(AgentStore.Credentials::active).map(AgentStore.Credentials::passwordHash).orElse(null);
      return vertx.executeBlocking(() -> hasher.verify(password, hash)).compose(ok -> {
        if (!ok) {
          String reason = creds.isEmpty() ? "unknown-user" : !creds.get().active() ? "disabled" : "wrong-password";
          int free = Math.max(1, settings.maxFailedLogins());
          int pairFree = Math.max(3, free / 2);
          return Future.all(fail(byAddress, free), fail(byPair, pairFree), fail(byAccount, free))
              .compose(x -> audit("address:" + from, "auth.login_failed", creds.map(c -> c.id().toString()).orElse(null),
                  new JsonObject().put("username", user).put("address", from).put("reason", reason)))
              .transform(x -> {
                log.atWarn().addKeyValue("username", user).addKeyValue("address", from).addKeyValue("reason", reason)
                    .log("login failed");
                return Future.failedFuture(new AuthenticationException("invalid username or password"));
              });
        }
        var c = creds.orElseThrow();
        return stores.accounts().find(stores.db().pool(), c.id()).compose(acct -> {
          var a = acct.orElseThrow(() -> new AuthenticationException("invalid username or password"));
          return sessions.release(byPair)
              .compose(x -> sessions.rememberAddress(user, from, KNOWN_ADDRESS_TTL))
              .compose(x -> openSession(a))
              .compose(login -> audit(login.staff().auditName(), "auth.logged_in", c.id().toString(),
                      new JsonObject().put("address", from))
                  .map(login))
              .onSuccess(login -> log.atInfo().addKeyValue("agentId", c.id()).addKeyValue("role", a.role().wireName())
                  .addKeyValue("address", from).log("logged in"));
        });
      });
    });
  }

  /** Counts a failure of {@code key}; past {@code free} failures, holds its attempts back for a growing time. */
  private Future<Void> fail(String key, int free) {
    return sessions.countFailure(key, settings.failureWindow()).compose(n -> {
      if (n <= free) {
        return Future.succeededFuture();
      }
      long exp = Math.min(30, n - free - 1);
      long delay = Math.min(settings.failureWindow().toMillis(), 1000L << exp);
      return sessions.holdUntil(key, System.currentTimeMillis() + delay);
    });
  }

  private Future<Login> openSession(AccountStore.Account a) {
    String token = Tokens.newSecret(TOKEN_PREFIX);
    String tokenHash = Tokens.hash(token);
    Instant expires = Instant.now().plus(settings.sessionTtl()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    return key().compose(k -> {
      JsonObject session = new JsonObject()
          .put("agentId", a.id().toString())
          .put("epoch", a.sessionEpoch())
          .put("expiresAt", expires.toString());
      session.put("sig", sign(k, tokenHash, session));
      return sessions.put(tokenHash, session, settings.sessionTtl())
          .map(x -> new Login(token, expires, new Principal.Staff(a.id(), a.username(), a.role())));
    });
  }

  /** The installation's session signing key, read (or created) once. */
  private synchronized Future<byte[]> key() {
    if (signingKey == null) {
      byte[] fresh = new byte[32];
      new java.security.SecureRandom().nextBytes(fresh);
      Future<byte[]> f = stores.accounts().installSecret(stores.db().pool(), SIGNING_KEY, fresh);
      signingKey = f;
      f.onFailure(e -> {
        synchronized (this) {
          if (signingKey == f) {
            signingKey = null;
          }
        }
      });
    }
    return signingKey;
  }

  private static String sign(byte[] key, String tokenHash, JsonObject session) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      String text = tokenHash + "|" + session.getValue("agentId") + "|" + session.getValue("epoch") + "|" + session.getValue("expiresAt");
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The staff member a bearer token belongs to, with the account's role as of now; fails with
   * {@link AuthenticationException} when the token is unknown, expired, forged, revoked or its account disabled.
   */
  public Future<Principal.Staff> authenticate(String token) {
    return authenticate(token, true);
  }

  /**
   * As {@link #authenticate(String)}, but always from Redis and PostgreSQL (a socket checking its session again after
   * its account changed must not be answered from memory the change may not have reached yet).
   */
  public Future<Principal.Staff> recheck(String token) {
    return authenticate(token, false);
  }

  private Future<Principal.Staff> authenticate(String token, boolean cached) {
    if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 200) {
      return Future.failedFuture(new AuthenticationException("invalid or expired token"));
    }
    String tokenHash = Tokens.hash(token);
    if (cached) {
      Principal.Staff known = sessionCache.get(tokenHash);
      if (known != null) {
        return Future.succeededFuture(known);
      }
    }
    long startedAt = sessionCache.generation();
    return sessions.get(tokenHash).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new AuthenticationException("invalid or expired token"));
      }
      JsonObject s = found.get();
      return key().compose(k -> {
        String sig = s.getValue("sig") instanceof String x ? x : "";
        boolean valid = java.security.MessageDigest.isEqual(
            sign(k, tokenHash, s).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            sig.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        AgentId id;
        Instant expires;
        try {
          id = AgentId.parse(s.getString("agentId"));
          expires = Instant.parse(s.getString("expiresAt"));
        } catch (RuntimeException e) {
          valid = false;
          id = null;
          expires = null;
        }
        if (!valid || !(s.getValue("epoch") instanceof Number epoch)) {
          log.atWarn().log("refused a login session whose signature does not match (forged or altered in Redis)");
          return Future.failedFuture(new AuthenticationException("invalid or expired token"));
        }
        if (expires.isBefore(Instant.now())) {
          return Future.failedFuture(new AuthenticationException("invalid or expired token"));
        }
        Instant sessionExpires = expires;
        return stores.accounts().find(stores.db().pool(), id).compose(acct -> {
          if (acct.isEmpty() || !acct.get().active() || acct.get().sessionEpoch() != epoch.intValue()) {
            return Future.failedFuture(new AuthenticationException("invalid or expired token"));
          }
          var a = acct.get();
          Principal.Staff staff = new Principal.Staff(a.id(), a.username(), a.role());
          sessionCache.put(tokenHash, staff, sessionExpires, startedAt);
          return Future.succeededFuture(staff);
        });
      });
    });
  }

  /** Ends the session of this token (idempotent), audited; the staff member's sockets check their session at once. */
  public Future<Void> logout(Principal.Staff staff, String token) {
    sessionCache.forgetToken(Tokens.hash(token));
    return sessions.delete(Tokens.hash(token))
        .compose(x -> audit(staff.auditName(), "auth.logged_out", staff.agentId().toString(), new JsonObject()))
        .onSuccess(x -> changed(staff.agentId(), "logged-out"));
  }

  /** Ends the session of this token (idempotent). */
  public Future<Void> logout(String token) {
    sessionCache.forgetToken(Tokens.hash(token));
    return sessions.delete(Tokens.hash(token)).onSuccess(x -> sessionCache.forgetToken(Tokens.hash(token)));
  }

  // ------------------------------------------------------------------ accounts' lifecycle

  /**
   * Changes the caller's own password: the old one must match and the new one pass {@link PasswordPolicy}. Every
   * session of the account ends (other devices are logged out); the answer is a new login for this one.
   */
  public Future<Login> changeOwnPassword(Principal.Staff me, String oldPassword, String newPassword) {
    java.util.Optional<String> problem = PasswordPolicy.problem(newPassword);
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
            return audit(me.auditName(), "auth.password_change_failed", me.agentId().toString(), new JsonObject())
                .transform(x -> Future.failedFuture(new ValidationException("oldPassword", "does not match your current password")));
          }
          return hashPassword(newPassword).compose(h -> stores.db().inTransaction(tx ->
                  stores.accounts().setPassword(tx, me.agentId(), h).compose(a -> stores.audit()
                      .append(tx, me.auditName(), "agent.password_changed", "agent", me.agentId().toString(), new JsonObject())
                      .map(a))))
              .compose(a -> openSession(a.orElseThrow(() -> new NotFoundException("no agent " + me.agentId()))))
              .onSuccess(x -> changed(me.agentId(), "password-changed"));
        });
  }

  /** An admin sets a new password for an account; every session of it ends. */
  public Future<Void> resetPassword(Principal by, AgentId id, String newPassword) {
    java.util.Optional<String> problem = PasswordPolicy.problem(newPassword);
    if (problem.isPresent()) {
      return Future.failedFuture(new ValidationException("password", problem.get()));
    }
    return hashPassword(newPassword).compose(h -> stores.db().inTransaction(tx ->
            stores.accounts().setPassword(tx, id, h).compose(a -> a.isEmpty()
                ? Future.<Void>failedFuture(new NotFoundException("no agent " + id))
                : stores.audit().append(tx, by.auditName(), "agent.password_reset", "agent", id.toString(), new JsonObject()))))
        .onSuccess(x -> changed(id, "password-reset"));
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
        .onSuccess(x -> changed(id, active ? "enabled" : "disabled"));
  }

  /** Changes an account's role, effective with its next request (and its sockets at once). Nobody changes their own. */
  public Future<AccountStore.Account> setRole(Principal by, AgentId id, io.switchboard.hub.api.Role role) {
    if (by instanceof Principal.Staff s && s.agentId().equals(id)) {
      return Future.failedFuture(new ConflictException("you cannot change your own role"));
    }
    return stores.db().inTransaction(tx -> stores.accounts().find(tx, id).compose(before -> before
            .map(b -> stores.accounts().setRole(tx, id, role).compose(a -> stores.audit().append(tx, by.auditName(),
                "agent.role_changed", "agent", id.toString(),
                new JsonObject().put("username", b.username()).put("from", b.role().wireName()).put("to", role.wireName()))
                .map(a.orElseThrow())))
            .orElseGet(() -> Future.failedFuture(new NotFoundException("no agent " + id)))))
        .onSuccess(x -> changed(id, "role-changed"));
  }

  /** Ends every session of an account, on every node: HTTP tokens stop working and its sockets close. */
  public Future<Void> revokeSessions(Principal by, AgentId id) {
    return stores.db().inTransaction(tx -> stores.accounts().bumpEpoch(tx, id).compose(a -> a
            .map(x -> stores.audit().append(tx, by.auditName(), "agent.sessions_revoked", "agent", id.toString(),
                new JsonObject().put("username", x.username())))
            .orElseGet(() -> Future.failedFuture(new NotFoundException("no agent " + id)))))
        .onSuccess(x -> changed(id, "sessions-revoked"));
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
                    new JsonObject().put("names", new io.vertx.core.json.JsonArray(keys)).put("reason", "demo is off")));
              }
              return f.map(y -> disabled);
            })))
        .onSuccess(disabled -> {
          // The demo key's id is not known here: every node forgets every key it holds (this runs once, at start).
          apiKeys.forgetAll();
          vertx.eventBus().publish(API_KEY_REVOKED, new JsonObject().put("all", true));
          disabled.forEach(a -> changed(a.id(), "disabled"));
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

  private void changed(AgentId id, String reason) {
    sessionCache.forgetAccount(id);
    vertx.eventBus().publish(ACCOUNT_CHANGED, new JsonObject().put("agentId", id.toString()).put("reason", reason));
  }

  private Future<Void> audit(String actor, String action, String agentId, JsonObject details) {
    return stores.audit().append(stores.db().pool(), actor, action, "agent", agentId, details)
        .recover(e -> {
          log.atWarn().setCause(e).addKeyValue("action", action).log("could not write an audit entry");
          return Future.succeededFuture();
        });
  }

  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64);
  }

  /** The integration an API key belongs to; fails with {@link AuthenticationException} when unknown or revoked. */
  public Future<Principal.Integration> authenticateApiKey(String secret) {
    if (secret == null || !secret.startsWith(API_KEY_PREFIX) || secret.length() > 200) {
      return Future.failedFuture(new AuthenticationException("invalid API key"));
    }
    return apiKeys.find(Tokens.hash(secret)).compose(found -> found
        .map(k -> Future.succeededFuture(new Principal.Integration(k.name(), k.scopes())))
        .orElseGet(() -> Future.failedFuture(new AuthenticationException("invalid API key"))));
  }

  /**
   * Creates an API key.
   *
   * @param secret the key to register, or null to generate one (a configured key, such as the demo's, is
   *     given; must start with {@value #API_KEY_PREFIX} and carry at least 32 characters after it)
   */
  public Future<NewApiKey> createApiKey(Principal by, String name, Set<String> scopes, String secret) {
    if (name == null || !KEY_NAME.matcher(name).matches()) {
      return Future.failedFuture(new ValidationException("name", "must be 1 to 64 lower-case letters, digits, '.', '_' or '-'"));
    }
    if (scopes == null || scopes.isEmpty() || scopes.stream().anyMatch(java.util.Objects::isNull) || !Scopes.ALL.containsAll(scopes)) {
      return Future.failedFuture(new ValidationException("scopes", "must be a non-empty subset of " + Scopes.ALL));
    }
    if (secret != null && (!secret.startsWith(API_KEY_PREFIX) || secret.length() < API_KEY_PREFIX.length() + 32)) {
      return Future.failedFuture(new ValidationException("secret", "must start with '" + API_KEY_PREFIX + "' followed by at least 32 characters"));
    }
    String key = secret != null ? secret : Tokens.newSecret(API_KEY_PREFIX);
    return stores.db().inTransaction(tx ->
        stores.apiKeys().insert(tx, UUID.randomUUID(), name, Tokens.hash(key), scopes, by.auditName())
            .compose(k -> stores.audit().append(tx, by.auditName(), "api-key.created", "api-key", k.id().toString(),
                    new JsonObject().put("name", name).put("scopes", new io.vertx.core.json.JsonArray(List.copyOf(scopes))))
                .map(new NewApiKey(key, k))))
        .recover(e -> UniqueViolation.is(e)
            ? Future.failedFuture(new ConflictException("an API key named '" + name + "' exists, or this secret is already registered"))
            : Future.failedFuture(e));
  }

  public Future<List<ApiKeyStore.ApiKey>> listApiKeys() {
    return stores.apiKeys().list(stores.db().pool());
  }

  public Future<ApiKeyStore.ApiKey> revokeApiKey(Principal by, UUID id) {
    return stores.db().inTransaction(tx ->
        stores.apiKeys().revoke(tx, id).compose(found -> found
            .map(k -> stores.audit().append(tx, by.auditName(), "api-key.revoked", "api-key", id.toString(),
                new JsonObject().put("name", k.name())).map(k))
            .orElseGet(() -> Future.failedFuture(new NotFoundException("no live API key " + id)))))
        .onSuccess(k -> {
          apiKeys.forget(id);
          vertx.eventBus().publish(API_KEY_REVOKED, new JsonObject().put("apiKeyId", id.toString()));
        });
  }

  /** Hashes a password on a worker thread. */
  public Future<String> hashPassword(String password) {
    return vertx.executeBlocking(() -> hasher.hash(password));
  }
}
