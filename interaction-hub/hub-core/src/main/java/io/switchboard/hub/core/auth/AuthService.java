package io.switchboard.hub.core.auth;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.RateLimitedException;
import io.switchboard.hub.api.error.ValidationException;
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
 * Logins, sessions and API keys.
 *
 * <p>A login returns a random bearer token; only its SHA-256 is kept (in Redis, with the session's expiry),
 * so every hub node can check it and a stolen Redis dump gives no usable tokens. Failed logins are counted
 * per username: past the limit within the window, further attempts are refused (HTTP 429) until it passes.
 * API keys are likewise stored as hashes, in PostgreSQL. Password hashing runs on a worker thread.
 */
public final class AuthService {
  private static final Logger log = LoggerFactory.getLogger(AuthService.class);
  private static final Pattern KEY_NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");
  public static final String TOKEN_PREFIX = "sbt_";
  public static final String API_KEY_PREFIX = "sbk_";

  /** Settings for sessions and login throttling. */
  public record Settings(Duration sessionTtl, int maxFailedLogins, Duration failureWindow) {}

  /** A successful login. */
  public record Login(String token, Instant expiresAt, Principal.Staff staff) {}

  /** A newly created API key: the secret is shown once and never again. */
  public record NewApiKey(String secret, ApiKeyStore.ApiKey key) {}

  private final Vertx vertx;
  private final Stores stores;
  private final SessionStore sessions;
  private final PasswordHasher hasher;
  private final Settings settings;

  public AuthService(Vertx vertx, Stores stores, SessionStore sessions, PasswordHasher hasher, Settings settings) {
    this.vertx = vertx;
    this.stores = stores;
    this.sessions = sessions;
    this.hasher = hasher;
    this.settings = settings;
  }

  /**
   * Checks a username and password and opens a session.
   *
   * @return fails with {@link AuthenticationException} for a wrong or unknown login (the same message either
   *     way), {@link RateLimitedException} when too many attempts failed recently
   */
  public Future<Login> login(String username, String password) {
    String user = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
    if (user.isEmpty() || user.length() > 64 || password == null || password.isEmpty() || password.length() > 1024) {
      return Future.failedFuture(new AuthenticationException("invalid username or password"));
    }
    return sessions.failures(user).compose(failures -> {
      if (failures >= settings.maxFailedLogins()) {
        log.atWarn().addKeyValue("username", user).log("login refused: too many failed attempts");
        return Future.failedFuture(new RateLimitedException(
            "too many failed logins for this user; try again in " + settings.failureWindow().toMinutes() + " minutes",
            settings.failureWindow()));
      }
      return stores.agents().credentials(stores.db().pool(), user).compose(creds -> {
        String hash = creds.filter(AgentStore.Credentials::active).map(AgentStore.Credentials::passwordHash).orElse(null);
        return vertx.executeBlocking(() -> hasher.verify(password, hash)).compose(ok -> {
          if (!ok) {
            return sessions.countFailure(user, settings.failureWindow()).compose(n -> {
              log.atWarn().addKeyValue("username", user).addKeyValue("failures", n).log("login failed");
              return Future.failedFuture(new AuthenticationException("invalid username or password"));
            });
          }
          var c = creds.orElseThrow();
          Principal.Staff staff = new Principal.Staff(c.id(), c.username(), c.role());
          String token = Tokens.newSecret(TOKEN_PREFIX);
          Instant expires = Instant.now().plus(settings.sessionTtl());
          JsonObject session = new JsonObject()
              .put("agentId", c.id().toString())
              .put("username", c.username())
              .put("role", c.role().wireName())
              .put("expiresAt", expires.toString());
          return sessions.clearFailures(user)
              .compose(x -> sessions.put(Tokens.hash(token), session, settings.sessionTtl()))
              .map(x -> {
                log.atInfo().addKeyValue("agentId", c.id()).addKeyValue("role", c.role().wireName()).log("logged in");
                return new Login(token, expires, staff);
              });
        });
      });
    });
  }

  /** The staff member a bearer token belongs to; fails with {@link AuthenticationException} when unknown or expired. */
  public Future<Principal.Staff> authenticate(String token) {
    if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 200) {
      return Future.failedFuture(new AuthenticationException("invalid or expired token"));
    }
    return sessions.get(Tokens.hash(token)).compose(found -> found
        .map(s -> Future.succeededFuture(new Principal.Staff(
            AgentId.parse(s.getString("agentId")), s.getString("username"), Role.fromWire(s.getString("role")))))
        .orElseGet(() -> Future.failedFuture(new AuthenticationException("invalid or expired token"))));
  }

  /** Ends the session of this token (idempotent). */
  public Future<Void> logout(String token) {
    return sessions.delete(Tokens.hash(token));
  }

  /** The integration an API key belongs to; fails with {@link AuthenticationException} when unknown or revoked. */
  public Future<Principal.Integration> authenticateApiKey(String secret) {
    if (secret == null || !secret.startsWith(API_KEY_PREFIX) || secret.length() > 200) {
      return Future.failedFuture(new AuthenticationException("invalid API key"));
    }
    return stores.apiKeys().useActive(stores.db().pool(), Tokens.hash(secret)).compose(found -> found
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
            .orElseGet(() -> Future.failedFuture(new NotFoundException("no live API key " + id)))));
  }

  /** Hashes a password on a worker thread. */
  public Future<String> hashPassword(String password) {
    return vertx.executeBlocking(() -> hasher.hash(password));
  }
}
