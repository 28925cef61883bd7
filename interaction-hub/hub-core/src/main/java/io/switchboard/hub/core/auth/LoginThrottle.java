package io.switchboard.hub.core.auth;

import io.switchboard.hub.store.redis.SessionStore;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Failed logins slow down instead of locking anyone out. Failures are counted in Redis per client address, per account
 * and address, and per account. Past a few free failures each holds further attempts of that key back for a growing
 * time (1 s, 2 s, 4 s ... up to {@code failureWindow}). The per-account hold does not apply to addresses the account
 * logged in from before (remembered for {@link #KNOWN_ADDRESS_TTL}), so a password spray against an account is slowed
 * without keeping its owner out.
 *
 * <p>Threading: safe from any thread; the counters live in Redis, so every node sees the same holds.
 */
final class LoginThrottle {
  static final Duration KNOWN_ADDRESS_TTL = Duration.ofDays(30);

  /** The counters of one attempt: the address, the account from that address, the account. */
  record Keys(String user, String address, String byAddress, String byPair, String byAccount) {
    static Keys of(String user, String address) {
      return new Keys(user, address, "addr:" + address, "pair:" + user + "|" + address, "acct:" + user);
    }
  }

  /** Attempts held back: for how long more (whole seconds, rounded up), and by which counter. */
  record Hold(Duration retryAfter, String which) {}

  private final SessionStore store;
  private final int maxFailedLogins;
  private final Duration failureWindow;

  /**
   * @param maxFailedLogins failures from one address (any account) before its attempts are held back; half of it (at
   *     least 3) for one account from one address, and as many for one account from anywhere
   */
  LoginThrottle(SessionStore store, int maxFailedLogins, Duration failureWindow) {
    this.store = store;
    this.maxFailedLogins = maxFailedLogins;
    this.failureWindow = failureWindow;
  }

  /** The hold on these keys now, if any. */
  Future<Optional<Hold>> held(Keys k) {
    long now = System.currentTimeMillis();
    return Future.all(store.heldUntil(k.byAddress()), store.heldUntil(k.byPair()), store.heldUntil(k.byAccount()),
            store.knownAddress(k.user(), k.address()))
        .map(held -> {
          long addrUntil = held.resultAt(0);
          long pairUntil = held.resultAt(1);
          long acctUntil = Boolean.TRUE.equals(held.resultAt(3)) ? 0L : held.<Long>resultAt(2);
          long until = Math.max(addrUntil, Math.max(pairUntil, acctUntil));
          if (until <= now) {
            return Optional.empty();
          }
          Duration wait = Duration.ofMillis(until - now).plusMillis(999).truncatedTo(ChronoUnit.SECONDS);
          String which = until == addrUntil ? "address" : until == pairUntil ? "account-address" : "account";
          return Optional.of(new Hold(wait, which));
        });
  }

  /** Counts a failed attempt on each of its keys. */
  Future<Void> failed(Keys k) {
    int free = Math.max(1, maxFailedLogins);
    int pairFree = Math.max(3, free / 2);
    return Future.all(fail(k.byAddress(), free), fail(k.byPair(), pairFree), fail(k.byAccount(), free)).mapEmpty();
  }

  /** A successful login: the account's failures from this address are forgotten and the address becomes known. */
  Future<Void> succeeded(Keys k) {
    return store.release(k.byPair()).compose(x -> store.rememberAddress(k.user(), k.address(), KNOWN_ADDRESS_TTL));
  }

  /** Counts a failure of {@code key}; past {@code free} failures, holds its attempts back for a growing time. */
  private Future<Void> fail(String key, int free) {
    return store.countFailure(key, failureWindow).compose(n -> {
      if (n <= free) {
        return Future.succeededFuture();
      }
      long exp = Math.min(30, n - free - 1);
      long delay = Math.min(failureWindow.toMillis(), 1000L << exp);
      return store.holdUntil(key, System.currentTimeMillis() + delay);
    });
  }
}
