package io.switchboard.hub.core.auth;

import io.switchboard.hub.api.AgentId;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Login sessions already checked on this node (#12.3): a bearer token's session is read from Redis, its signature
 * checked and its account read from PostgreSQL at most once per {@code ttl}; in between the request is served from
 * memory. An account change anywhere (logout, revocation, disabling, password or role change) drops the account's
 * entries on every node at once: {@link AuthService} (and {@link AccountLifecycle} through it) forgets them when it makes the change and again when the change's
 * event arrives from the other nodes over Redis pub/sub ({@code cluster.auth.account_changed}). The TTL bounds what a
 * lost pub/sub message can cost.
 *
 * <p>A look-up that started before a change must not store what it read after the change dropped the entries: each
 * change raises a generation, and an entry is stored only when the generation is the one its look-up started with.
 *
 * <p>Threading: safe from any thread.
 */
final class SessionCache {
  /** At most this many sessions are held; past it the cache starts again empty (a bound, not an eviction policy). */
  static final int MAX_ENTRIES = 100_000;

  private record Entry(Principal.Staff staff, Instant sessionExpires, long until) {}

  private final Duration ttl;
  private final Map<String, Entry> byTokenHash = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  SessionCache(Duration ttl) {
    this.ttl = ttl;
  }

  boolean enabled() {
    return !ttl.isZero() && !ttl.isNegative();
  }

  /** The staff member of a session checked less than a TTL ago that has not expired, or null. */
  Principal.Staff get(String tokenHash) {
    Entry e = byTokenHash.get(tokenHash);
    if (e == null) {
      return null;
    }
    if (System.nanoTime() - e.until() >= 0 || !e.sessionExpires().isAfter(Instant.now())) {
      byTokenHash.remove(tokenHash, e);
      return null;
    }
    return e.staff();
  }

  /** The generation a look-up starts with (see {@link #put}). */
  long generation() {
    return generation.get();
  }

  /** Remembers a checked session, unless an account changed since the look-up began. */
  void put(String tokenHash, Principal.Staff staff, Instant sessionExpires, long startedAt) {
    if (!enabled()) {
      return;
    }
    if (byTokenHash.size() >= MAX_ENTRIES) {
      byTokenHash.clear();
    }
    byTokenHash.put(tokenHash, new Entry(staff, sessionExpires, System.nanoTime() + ttl.toNanos()));
    if (generation.get() != startedAt) {
      // A change raced the look-up: what was read may be stale.
      byTokenHash.remove(tokenHash);
    }
  }

  /** Drops every session of an account. */
  void forgetAccount(AgentId id) {
    generation.incrementAndGet();
    byTokenHash.values().removeIf(e -> e.staff().agentId().equals(id));
  }

  /** Drops every session (revocations may have been missed). */
  void clear() {
    generation.incrementAndGet();
    byTokenHash.clear();
  }

  /** Drops one session. */
  void forgetToken(String tokenHash) {
    generation.incrementAndGet();
    byTokenHash.remove(tokenHash);
  }

  int size() {
    return byTokenHash.size();
  }
}
