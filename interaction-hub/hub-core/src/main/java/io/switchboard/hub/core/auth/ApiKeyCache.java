package io.switchboard.hub.core.auth;

import io.switchboard.hub.store.ApiKeyStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API key look-ups without a read or a write per request (#12.3): a checked key is held in memory for {@code ttl} (a
 * few seconds by default, {@code security.authCacheTtl}), and its {@code last_used_at} is written at most once per
 * {@link #LAST_USED_EVERY} (remembered per node, and guarded in the SQL across nodes), so a busy integration never
 * queues on its key's row. A key revoked on any node (or the demo key switched off) is refused at once everywhere:
 * {@link ApiKeys} forgets it when it revokes it and again when the revocation arrives from the other nodes over
 * Redis pub/sub ({@code cluster.auth.api_key_revoked}); the TTL bounds what a lost pub/sub message can cost.
 *
 * <p>A look-up that started before a revocation never stores what it read after the revocation dropped the key (a
 * generation counter, as in {@link SessionCache}). Threading: safe from any thread; futures complete on the caller's
 * context.
 */
final class ApiKeyCache {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyCache.class);

  /** {@code last_used_at} is written at most this often per key. */
  static final Duration LAST_USED_EVERY = Duration.ofMinutes(1);

  private record Entry(ApiKeyStore.ApiKey key, long expiresAt) {}

  private final Stores stores;
  private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
  private final Map<UUID, Long> touchedAt = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
  private final Duration ttl;

  /**
   * @param ttl how long a looked-up key is trusted without asking PostgreSQL again; zero asks every time
   */
  ApiKeyCache(Stores stores, Duration ttl) {
    this.stores = stores;
    this.ttl = ttl;
  }

  /** The live key with this hash, if any, noting its use (at most once a minute in PostgreSQL). */
  Future<Optional<ApiKeyStore.ApiKey>> find(String keyHash) {
    long now = System.nanoTime();
    Entry e = byHash.get(keyHash);
    if (e != null && now - e.expiresAt() < 0) {
      touch(e.key().id(), now);
      return Future.succeededFuture(Optional.of(e.key()));
    }
    long startedAt = generation.get();
    return stores.apiKeys().findActive(stores.db().pool(), keyHash).map(found -> {
      if (found.isPresent()) {
        if (ttl.isPositive()) {
          if (byHash.size() >= SessionCache.MAX_ENTRIES) {
            byHash.clear();
          }
          byHash.put(keyHash, new Entry(found.get(), System.nanoTime() + ttl.toNanos()));
          if (generation.get() != startedAt) {
            byHash.remove(keyHash);
          }
        }
        touch(found.get().id(), now);
      } else {
        byHash.remove(keyHash);
      }
      return found;
    });
  }

  /** Drops a key (revoked or changed) from this node's memory. */
  void forget(UUID keyId) {
    generation.incrementAndGet();
    byHash.values().removeIf(e -> e.key().id().equals(keyId));
    touchedAt.remove(keyId);
  }

  /** Drops every key from this node's memory (keys revoked without their ids known, such as the demo's). */
  void forgetAll() {
    generation.incrementAndGet();
    byHash.clear();
  }

  private void touch(UUID id, long now) {
    Long last = touchedAt.get(id);
    if (last != null && now - last < LAST_USED_EVERY.toNanos()) {
      return;
    }
    touchedAt.put(id, now);
    stores.apiKeys().touch(stores.db().pool(), id, LAST_USED_EVERY).onFailure(err ->
        log.atDebug().addKeyValue("apiKeyId", id).log("could not note an API key's use: " + err.getMessage()));
  }
}
