package io.switchboard.hub.store.redis;

import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Named leases in Redis shared by every hub node: one holder per name until it runs out, renewed only by its
 * holder. Each lease is one key ({@code lease:<scope>:<name>}) holding the holder's id with an expiry; taking,
 * renewing and giving up are one script each, so two nodes never both believe they hold it.
 */
public final class LeaseStore {
  private static final String ACQUIRE = """
      local v = redis.call('GET', KEYS[1])
      if v == false or v == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
      end
      return 0
      """;
  private static final String RELEASE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0
      """;

  private final RedisStore redis;

  public LeaseStore(RedisStore redis) {
    this.redis = redis;
  }

  /** Takes or renews {@code scope}/{@code name} for {@code holder} for {@code ttl}; true when held afterwards. */
  public Future<Boolean> acquire(String scope, String name, String holder, Duration ttl) {
    if (ttl.toMillis() < 1) {
      return Future.failedFuture(new IllegalArgumentException("a lease lasts at least 1 ms"));
    }
    return redis.<Long>call(redis.async().eval(ACQUIRE, ScriptOutputType.INTEGER, new String[] {key(scope, name)},
        holder, Long.toString(ttl.toMillis()))).map(n -> n == 1L);
  }

  /** Gives {@code scope}/{@code name} up when {@code holder} holds it. */
  public Future<Void> release(String scope, String name, String holder) {
    return redis.<Long>call(redis.async().eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key(scope, name)}, holder))
        .mapEmpty();
  }

  private String key(String scope, String name) {
    return redis.key("lease:" + scope + ":" + name);
  }
}
