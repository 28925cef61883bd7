package io.switchboard.hub.core.auth;

import io.switchboard.hub.api.error.AuthenticationException;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.ApiKeyStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.UniqueViolation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys, the integrations' credentials: create, list, revoke, and verify a key a request presents.
 *
 * <p>A key is a random secret shown once at creation; PostgreSQL keeps only its SHA-256 ({@code api_keys}), with its
 * name, scopes ({@link Scopes}) and who created it. Creation and revocation are audited in their transaction. A
 * verified key is held in memory for a few seconds and its {@code last_used_at} written at most once a minute
 * ({@link ApiKeyCache}); a revocation drops the key on this node at once and on every other node when
 * {@value #API_KEY_REVOKED} arrives over Redis pub/sub (ClusterEvents), so a revoked key is refused everywhere at once.
 *
 * <p>Threading: safe from any thread; futures complete on the caller's context.
 */
public final class ApiKeys {
  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
  private static final Pattern KEY_NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");

  /** Every API key starts with this, so a key and a session token are told apart before any look-up. */
  public static final String API_KEY_PREFIX = "sbk_";

  /**
   * Event published when API keys were revoked: {@code {"apiKeyId"}} or {@code {"all": true}}. Bridged to every node by
   * ClusterEvents; each node drops the keys it holds.
   */
  public static final String API_KEY_REVOKED = HubEvents.API_KEY_REVOKED;

  /** A newly created API key: the secret is shown once and never again. */
  public record NewApiKey(String secret, ApiKeyStore.ApiKey key) {}

  private final Vertx vertx;
  private final Stores stores;
  private final ApiKeyCache cache;

  /**
   * @param cacheTtl how long a verified key is trusted on this node without reading PostgreSQL again; zero: never held
   */
  public ApiKeys(Vertx vertx, Stores stores, Duration cacheTtl) {
    this.vertx = vertx;
    this.stores = stores;
    this.cache = new ApiKeyCache(stores, cacheTtl);
    // Revocations made on other nodes (and this one: harmless, it already forgot) arrive here over Redis pub/sub.
    vertx.eventBus().<Object>localConsumer(HubEvents.everyNode(API_KEY_REVOKED), m -> {
      UUID id = null;
      if (m.body() instanceof JsonObject b && b.getValue("apiKeyId") instanceof String s) {
        try {
          id = UUID.fromString(s);
        } catch (IllegalArgumentException e) {
          log.atWarn().addKeyValue("apiKeyId", s).log("an API key revocation with a malformed id: forgetting every key");
        }
      }
      if (id != null) {
        cache.forget(id);
      } else {
        cache.forgetAll();
      }
    });
  }

  /** The integration an API key belongs to; fails with {@link AuthenticationException} when unknown or revoked. */
  public Future<Principal.Integration> verify(String secret) {
    if (secret == null || !secret.startsWith(API_KEY_PREFIX) || secret.length() > 200) {
      return Future.failedFuture(new AuthenticationException("invalid API key"));
    }
    return cache.find(Tokens.hash(secret)).compose(found -> found
        .map(k -> Future.succeededFuture(new Principal.Integration(k.name(), k.scopes())))
        .orElseGet(() -> Future.failedFuture(new AuthenticationException("invalid API key"))));
  }

  /**
   * Creates an API key.
   *
   * @param secret the key to register, or null to generate one (a configured key, such as the demo's, is
   *     given; must start with {@value #API_KEY_PREFIX} and carry at least 32 characters after it)
   * @return the key with its secret; fails with {@link ValidationException} for a bad name, scopes or secret, with
   *     {@link ConflictException} when the name or the secret is taken
   */
  public Future<NewApiKey> create(Principal by, String name, Set<String> scopes, String secret) {
    if (name == null || !KEY_NAME.matcher(name).matches()) {
      return Future.failedFuture(new ValidationException("name", "must be 1 to 64 lower-case letters, digits, '.', '_' or '-'"));
    }
    if (scopes == null || scopes.isEmpty() || scopes.stream().anyMatch(Objects::isNull) || !Scopes.ALL.containsAll(scopes)) {
      return Future.failedFuture(new ValidationException("scopes", "must be a non-empty subset of " + Scopes.ALL));
    }
    if (secret != null && (!secret.startsWith(API_KEY_PREFIX) || secret.length() < API_KEY_PREFIX.length() + 32)) {
      return Future.failedFuture(new ValidationException("secret", "must start with '" + API_KEY_PREFIX + "' followed by at least 32 characters"));
    }
    String key = secret != null ? secret : Tokens.newSecret(API_KEY_PREFIX);
    return stores.db().inTransaction(tx ->
        stores.apiKeys().insert(tx, UUID.randomUUID(), name, Tokens.hash(key), scopes, by.auditName())
            .compose(k -> stores.audit().append(tx, by.auditName(), "api-key.created", "api-key", k.id().toString(),
                    new JsonObject().put("name", name).put("scopes", new JsonArray(List.copyOf(scopes))))
                .map(new NewApiKey(key, k))))
        .recover(e -> UniqueViolation.is(e)
            ? Future.failedFuture(new ConflictException("an API key named '" + name + "' exists, or this secret is already registered"))
            : Future.failedFuture(e));
  }

  /** Every API key, live and revoked (never their secrets). */
  public Future<List<ApiKeyStore.ApiKey>> list() {
    return stores.apiKeys().list(stores.db().pool());
  }

  /**
   * Revokes a live key, audited; it is refused at once on this node and on every other one as soon as the event
   * arrives. Fails with {@link NotFoundException} when no live key has this id.
   */
  public Future<ApiKeyStore.ApiKey> revoke(Principal by, UUID id) {
    return stores.db().inTransaction(tx ->
        stores.apiKeys().revoke(tx, id).compose(found -> found
            .map(k -> stores.audit().append(tx, by.auditName(), "api-key.revoked", "api-key", id.toString(),
                new JsonObject().put("name", k.name())).map(k))
            .orElseGet(() -> Future.failedFuture(new NotFoundException("no live API key " + id)))))
        .onSuccess(k -> {
          cache.forget(id);
          vertx.eventBus().publish(API_KEY_REVOKED, new JsonObject().put("apiKeyId", id.toString()));
        });
  }

  /**
   * Keys were revoked without their ids at hand (the demo keys, switched off at start): every node forgets every key
   * it holds, so each is checked against PostgreSQL again.
   */
  void revokedWithoutIds() {
    cache.forgetAll();
    vertx.eventBus().publish(API_KEY_REVOKED, new JsonObject().put("all", true));
  }

  /** A Redis connection was established again: revocations published meanwhile were not heard here. */
  void forgetAll() {
    cache.forgetAll();
  }
}
