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
 * API key look-ups without a write per request (#12.3): a key is read (no row lock) on every request, so a revoked key
 * or a demo key switched off by any node is refused at once everywhere, and its {@code last_used_at} is written at most
 * once per {@link #LAST_USED_EVERY} (remembered per node, and guarded in the SQL across nodes), so a busy integration
 * never queues on its key's row. Holding checked keys in memory ({@link #TTL}, now zero) waits for a cross-node
 * revocation event; {@link #forget} is where it will plug in.
 *
 * <p>Threading: safe from any thread; futures complete on the caller's context.
 */
final class ApiKeyCache {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyCache.class);

  /**
   * How long a looked-up key is trusted without asking PostgreSQL again: zero, because a key revoked or a demo switched
   * off on another node must stop working at once (#11.1) and no cross-node revocation event exists yet.
   */
  static final Duration TTL = Duration.ZERO;

  /** {@code last_used_at} is written at most this often per key. */
  static final Duration LAST_USED_EVERY = Duration.ofMinutes(1);

  private record Entry(ApiKeyStore.ApiKey key, long expiresAt) {}

  private final Stores stores;
  private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
  private final Map<UUID, Long> touchedAt = new ConcurrentHashMap<>();

  ApiKeyCache(Stores stores) {
    this.stores = stores;
  }

  /** The live key with this hash, if any, noting its use (at most once a minute in PostgreSQL). */
  Future<Optional<ApiKeyStore.ApiKey>> find(String keyHash) {
    long now = System.nanoTime();
    Entry e = byHash.get(keyHash);
    if (e != null && now - e.expiresAt() < 0) {
      touch(e.key().id(), now);
      return Future.succeededFuture(Optional.of(e.key()));
    }
    return stores.apiKeys().findActive(stores.db().pool(), keyHash).map(found -> {
      if (found.isPresent()) {
        if (!TTL.isZero()) {
          byHash.put(keyHash, new Entry(found.get(), now + TTL.toNanos()));
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
    byHash.values().removeIf(e -> e.key().id().equals(keyId));
    touchedAt.remove(keyId);
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
