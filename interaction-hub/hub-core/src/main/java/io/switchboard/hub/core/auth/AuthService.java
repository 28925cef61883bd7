package io.switchboard.hub.core.auth;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.RateLimitedException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.AccountStore;
import io.switchboard.hub.store.AgentStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logins and sessions, and the root of the auth services of one node: {@link #apiKeys()} (the integrations' keys) and
 * {@link #accounts()} (passwords, disabling, roles, ending sessions) are built with it because they share its session
 * cache and events.
 *
 * <p>A login returns a random bearer token; only its SHA-256 is kept (in Redis, with the session's expiry),
 * so every hub node can check it and a stolen Redis dump gives no usable tokens. A session entry holds the
 * account id, the account's session epoch at login and the expiry, signed (HMAC-SHA256, bound to the token hash)
 * with a secret generated once per installation and kept in PostgreSQL: whoever can write to Redis alone cannot
 * make or alter a session. A checked session is held in memory for {@link Settings#authCacheTtl()} (a few seconds);
 * every change that ends sessions or alters them (a disabled account, a raised epoch on logout everywhere, password
 * change or revocation, a new role) drops what the nodes hold at once: here when the change is made, and on every
 * other node when {@value #ACCOUNT_CHANGED} arrives over Redis pub/sub (ClusterEvents). The event also tells every
 * node's sockets to check their session again, without the cache.
 *
 * <p>Failed logins slow down instead of locking anyone out ({@link LoginThrottle}); attempts while held back get 429
 * with Retry-After. Every login, logout and failed or refused login is written to the audit log. Password hashing
 * runs on a worker thread.
 */
public final class AuthService {
  private static final Logger log = LoggerFactory.getLogger(AuthService.class);
  /** Every session token starts with this, so a token and an API key are told apart before any look-up. */
  public static final String TOKEN_PREFIX = "sbt_";
  /**
   * Event published when an account's sessions may have changed (logout, revocation, disable, password or role
   * change): {@code {"agentId", "reason"}}. Bridged to every node by ClusterEvents; agent sockets check again.
   */
  public static final String ACCOUNT_CHANGED = HubEvents.ACCOUNT_CHANGED;
  private static final String SIGNING_KEY = "session-signing-key";

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

  private final Vertx vertx;
  private final Stores stores;
  private final SessionStore sessions;
  private final PasswordHasher hasher;
  private final Settings settings;
  private final SessionCache sessionCache;
  private final LoginThrottle throttle;
  private final ApiKeys apiKeys;
  private final AccountLifecycle accounts;
  private Future<byte[]> signingKey;

  public AuthService(Vertx vertx, Stores stores, SessionStore sessions, PasswordHasher hasher, Settings settings) {
    this.vertx = vertx;
    this.stores = stores;
    this.sessions = sessions;
    this.hasher = hasher;
    this.settings = settings;
    this.sessionCache = new SessionCache(settings.authCacheTtl());
    this.throttle = new LoginThrottle(sessions, settings.maxFailedLogins(), settings.failureWindow());
    this.apiKeys = new ApiKeys(vertx, stores, settings.authCacheTtl());
    this.accounts = new AccountLifecycle(vertx, stores, hasher, this, apiKeys);
    // A Redis connection established again (pub/sub included): changes published meanwhile were not heard here.
    sessions.onReconnected(() -> {
      sessionCache.clear();
      apiKeys.forgetAll();
    });
    // Changes made on other nodes (and this one: harmless, it already forgot) arrive here over Redis pub/sub.
    vertx.eventBus().<Object>localConsumer(HubEvents.everyNode(ACCOUNT_CHANGED), m -> {
      if (m.body() instanceof JsonObject b && b.getValue("agentId") instanceof String id) {
        try {
          sessionCache.forgetAccount(AgentId.parse(id));
        } catch (RuntimeException e) {
          log.atWarn().addKeyValue("agentId", id).log("ignoring an account change with a malformed agent id");
        }
      }
    });
    vertx.eventBus().<Object>localConsumer(HubEvents.everyNode(HubEvents.SESSIONS_LOST), m -> sessionsLost());
  }

  /**
   * Redis lost its data, the sessions with it ({@value HubEvents#SESSIONS_LOST}, from any node): the sessions this node
   * holds in memory are gone too. (API keys live in PostgreSQL and stay.)
   */
  private void sessionsLost() {
    sessionCache.clear();
  }

  /** The integrations' API keys. */
  public ApiKeys apiKeys() {
    return apiKeys;
  }

  /** Accounts' passwords, state and roles, and ending their sessions. */
  public AccountLifecycle accounts() {
    return accounts;
  }

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
    LoginThrottle.Keys keys = LoginThrottle.Keys.of(user, from);
    return throttle.held(keys).compose(hold -> {
      if (hold.isPresent()) {
        Duration wait = hold.get().retryAfter();
        log.atWarn().addKeyValue("username", user).addKeyValue("address", from).addKeyValue("held", hold.get().which())
            .log("login refused: held back after failed attempts");
        return audit("address:" + from, "auth.login_refused", null, new JsonObject().put("username", user)
                .put("address", from).put("reason", "held-back:" + hold.get().which()).put("retryAfterSeconds", wait.toSeconds()))
            .transform(x -> Future.failedFuture(new RateLimitedException(
                "too many failed logins; try again in " + wait.toSeconds() + " s", wait)));
      }
      return check(user, password, from, keys);
    });
  }

  private Future<Login> check(String user, String password, String from, LoginThrottle.Keys keys) {
    return stores.agents().credentials(stores.db().pool(), user).compose(creds -> {
      String hash = creds.filter(AgentStore.Credentials::active).map(AgentStore.Credentials::passwordHash).orElse(null);
      return vertx.executeBlocking(() -> hasher.verify(password, hash)).compose(ok -> {
        if (!ok) {
          String reason = creds.isEmpty() ? "unknown-user" : !creds.get().active() ? "disabled" : "wrong-password";
          return throttle.failed(keys)
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
          return throttle.succeeded(keys)
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

  /** Opens a session for the account: a new bearer token, its signed entry in Redis. */
  Future<Login> openSession(AccountStore.Account a) {
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

  /**
   * An account's sessions may have changed (committed): this node forgets what it holds of them, and
   * {@value #ACCOUNT_CHANGED} tells the other nodes and every socket of the account to check again.
   */
  void changed(AgentId id, String reason) {
    sessionCache.forgetAccount(id);
    vertx.eventBus().publish(ACCOUNT_CHANGED, new JsonObject().put("agentId", id.toString()).put("reason", reason));
  }

  /** Writes an audit entry about an account outside any transaction; a failure to write it is logged, not raised. */
  Future<Void> audit(String actor, String action, String agentId, JsonObject details) {
    return stores.audit().append(stores.db().pool(), actor, action, "agent", agentId, details)
        .recover(e -> {
          log.atWarn().setCause(e).addKeyValue("action", action).log("could not write an audit entry");
          return Future.succeededFuture();
        });
  }

  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64);
  }
}
