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
}
