package io.switchboard.hub.app.channels;

import io.switchboard.hub.api.spi.ChannelLeases;
import io.switchboard.hub.core.cluster.ClusterLeases;
import io.switchboard.hub.store.redis.LeaseStore;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.Vertx;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** The lease contract, run against the hub's Redis leases and the single-node default. */
class ChannelLeasesTest {
  private static Vertx vertx;
  private static RedisStore redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = RedisStore.connect(vertx, TestServers.get().redis().url(), null, TestServers.get().newRedisPrefix());
  }

  @AfterAll
  static void stop() {
    redis.close();
    vertx.close();
  }

  @Nested
  class InRedis implements ChannelLeasesContract {
    @Override
    public ChannelLeases leases() {
      return new ClusterLeases(new LeaseStore(redis), "adapter-" + UUID.randomUUID());
    }
  }

  @Nested
  class OnThisNode implements ChannelLeasesContract {
    @Override
    public ChannelLeases leases() {
      return ChannelLeases.onThisNode(vertx, "adapter-" + UUID.randomUUID());
    }
  }
}
