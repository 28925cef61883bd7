package io.switchboard.hub.store.redis;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;

/**
 * Login sessions in Redis, keyed by a hash of the token (the token itself is never stored). Shared by every
 * hub node, so a console can reconnect to any of them.
 */
public final class SessionStore {
  private final RedisStore redis;

  /**
   * Runs {@code listener} (on a Lettuce thread) whenever one of the hub's Redis connections is established again, the
   * pub/sub one included: messages published meanwhile were not heard (see {@link RedisStore#onReconnected}).
   */
  public void onReconnected(Runnable listener) {
    redis.onReconnected(listener);
  }

  public SessionStore(RedisStore redis) {
    this.redis = redis;
  }

  public Future<Void> put(String tokenHash, JsonObject session, Duration ttl) {
    return redis.call(redis.async().setex(redis.key("session:" + tokenHash), ttl.toSeconds(), session.encode())).mapEmpty();
  }

  public Future<Optional<JsonObject>> get(String tokenHash) {
    return redis.call(redis.async().get(redis.key("session:" + tokenHash)))
        .map(s -> s == null ? Optional.<JsonObject>empty() : Optional.of(new JsonObject(s)));
  }

  public Future<Void> delete(String tokenHash) {
    return redis.call(redis.async().del(redis.key("session:" + tokenHash))).mapEmpty();
  }

  /**
   * Counts a failed login for {@code subject} within a sliding window.
   *
   * @return the failures counted in the current window, this one included
   */
  public Future<Long> countFailure(String subject, Duration window) {
    String key = redis.key("login-failures:" + subject);
    return redis.call(redis.async().incr(key))
        .compose(n -> n == 1
            ? redis.call(redis.async().expire(key, window.toSeconds())).map(n)
            : Future.succeededFuture(n));
  }

  public Future<Long> failures(String subject) {
    return redis.call(redis.async().get(redis.key("login-failures:" + subject)))
        .map(s -> s == null ? 0L : Long.parseLong(s));
  }

  public Future<Void> clearFailures(String subject) {
    return redis.call(redis.async().del(redis.key("login-failures:" + subject))).mapEmpty();
  }

  /** Until when (epoch milliseconds) attempts of {@code subject} are held back; 0 when they are not. */
  public Future<Long> heldUntil(String subject) {
    return redis.call(redis.async().get(redis.key("login-hold:" + subject)))
        .map(s -> s == null ? 0L : Long.parseLong(s));
  }

  /** Holds back attempts of {@code subject} until {@code untilMillis}; the entry expires by itself then. */
  public Future<Void> holdUntil(String subject, long untilMillis) {
    long ttl = Math.max(1, untilMillis - System.currentTimeMillis());
    return redis.call(redis.async().psetex(redis.key("login-hold:" + subject), ttl, Long.toString(untilMillis))).mapEmpty();
  }

  public Future<Void> release(String subject) {
    return redis.call(redis.async().del(redis.key("login-hold:" + subject), redis.key("login-failures:" + subject))).mapEmpty();
  }

  /** Remembers that {@code address} logged in to {@code username} successfully (for {@code ttl}). */
  public Future<Void> rememberAddress(String username, String address, Duration ttl) {
    String key = redis.key("login-known:" + username);
    return redis.call(redis.async().sadd(key, address))
        .compose(x -> redis.call(redis.async().expire(key, ttl.toSeconds()))).mapEmpty();
  }

  /** Whether {@code address} logged in to {@code username} successfully recently. */
  public Future<Boolean> knownAddress(String username, String address) {
    return redis.call(redis.async().sismember(redis.key("login-known:" + username), address));
  }
}
