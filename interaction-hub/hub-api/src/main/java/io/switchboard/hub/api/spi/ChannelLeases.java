package io.switchboard.hub.api.spi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.time.Duration;
import java.util.Objects;

/**
 * Named leases shared by an adapter's instances on every hub node: at most one holder of a name at a time,
 * for a bounded time. An adapter that must do something on exactly one node (read a mailbox, control a call)
 * takes the lease, renews it well before it runs out (a third of its time is a good rhythm), and stops the
 * work when a renewal fails; another node takes over once the lease has run out.
 *
 * <p>Names are the adapter's own: two adapters never share a lease. A holder is any string that tells the
 * adapter's instances apart (a random id chosen at start is enough). Futures complete on the caller's context;
 * a failed future means the hub could not reach the store that keeps leases (Redis): treat it as "not held".
 */
public interface ChannelLeases {

  /**
   * Takes the lease {@code name} for {@code holder}, or renews it when {@code holder} already holds it, for
   * {@code ttl} from now.
   *
   * @return true when {@code holder} holds the lease afterwards
   */
  Future<Boolean> acquire(String name, String holder, Duration ttl);

  /** Gives the lease up when {@code holder} holds it; does nothing otherwise. */
  Future<Void> release(String name, String holder);

  /**
   * Leases kept in this Vert.x instance only, for single-node use and tests: every caller with the same
   * {@code scope} on {@code vertx} shares them.
   */
  static ChannelLeases onThisNode(Vertx vertx, String scope) {
    LocalMap<String, String> leases = vertx.sharedData().getLocalMap("switchboard.channel.leases." + scope);
    return new ChannelLeases() {
      @Override
      public Future<Boolean> acquire(String name, String holder, Duration ttl) {
        Objects.requireNonNull(holder, "holder");
        long now = System.currentTimeMillis();
        String mine = holder + "|" + (now + ttl.toMillis());
        while (true) {
          String current = leases.putIfAbsent(name, mine);
          if (current == null) {
            return Future.succeededFuture(true);
          }
          int bar = current.lastIndexOf('|');
          boolean expired = Long.parseLong(current.substring(bar + 1)) <= now;
          if (!expired && !current.substring(0, bar).equals(holder)) {
            return Future.succeededFuture(false);
          }
          if (leases.replaceIfPresent(name, current, mine)) {
            return Future.succeededFuture(true);
          }
        }
      }

      @Override
      public Future<Void> release(String name, String holder) {
        String current = leases.get(name);
        if (current != null && current.substring(0, current.lastIndexOf('|')).equals(holder)) {
          leases.removeIfPresent(name, current);
        }
        return Future.succeededFuture();
      }
    };
  }
}
