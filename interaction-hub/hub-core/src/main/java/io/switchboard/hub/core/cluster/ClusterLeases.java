package io.switchboard.hub.core.cluster;

import io.switchboard.hub.api.spi.ChannelLeases;
import io.switchboard.hub.store.redis.LeaseStore;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * One adapter's leases ({@code ChannelContext.leases()}), kept in Redis under the adapter's name so every hub node sees
 * them.
 */
public final class ClusterLeases implements ChannelLeases {
  private final LeaseStore store;
  private final String adapter;

  public ClusterLeases(LeaseStore store, String adapter) {
    this.store = store;
    this.adapter = adapter;
  }

  @Override
  public Future<Boolean> acquire(String name, String holder, Duration ttl) {
    return store.acquire(adapter, name, holder, ttl);
  }

  @Override
  public Future<Void> release(String name, String holder) {
    return store.release(adapter, name, holder);
  }
}
