package io.switchboard.hub.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.testsupport.FaultyServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A bridged event published while Redis is away: this node's own listeners still hear it at once on {@code cluster.*},
 * nothing is thrown at the publisher, and once Redis is back the nodes hear each other again (Lettuce reconnects and
 * subscribes again by itself). The event of the outage reaches the other node at most once: never (the PUBLISH was
 * refused, logged) or late (Lettuce had not yet noticed the lost connection and sent the command again on reconnect).
 */
@DisplayName("cluster events while Redis is away")
class ClusterEventsRedisAwayTest {
  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void anEventPublishedWhileRedisIsAwayReachesThisNodeOnlyAndTheNodesHearEachOtherOnceItIsBack() throws Exception {
    try (FaultyServers servers = FaultyServers.start()) {
      Vertx vertx = Vertx.vertx();
      RedisStore redis = RedisStore.connect(vertx, servers.redisUrl(), null, "t" + UUID.randomUUID() + ":");
      try {
        // Two nodes' bridges over one Vert.x: each re-publishes its own events at once and hears the other's from Redis.
        await(vertx.deployVerticle(new ClusterEvents(redis)));
        await(vertx.deployVerticle(new ClusterEvents(redis)));
        Map<String, AtomicInteger> heard = new ConcurrentHashMap<>();
        Map<String, CompletableFuture<Void>> fourTimes = new ConcurrentHashMap<>();
        Map<String, CompletableFuture<Void>> twice = new ConcurrentHashMap<>();
        await(vertx.eventBus().<JsonObject>consumer(ClusterEvents.address(HubEvents.AGENT_STATE_CHANGED), m -> {
          String id = m.body().getString("agentId");
          int n = heard.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          if (n == 2) {
            twice.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(null);
          }
          if (n == 4) {
            fourTimes.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(null);
          }
        }).completion());

        servers.stopRedis();
        String away = "away-" + UUID.randomUUID();
        vertx.eventBus().publish(HubEvents.AGENT_STATE_CHANGED, new JsonObject().put("agentId", away).put("state", "busy"));
        twice.computeIfAbsent(away, k -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS);

        servers.startRedis();
        boolean crossed = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!crossed && System.nanoTime() < deadline) {
          String back = "back-" + UUID.randomUUID();
          vertx.eventBus().publish(HubEvents.AGENT_STATE_CHANGED, new JsonObject().put("agentId", back).put("state", "busy"));
          try {
            fourTimes.computeIfAbsent(back, k -> new CompletableFuture<>()).get(2, TimeUnit.SECONDS);
            crossed = true;
          } catch (TimeoutException e) {
            // the pub/sub connection is not back yet: publish another
          }
        }
        assertThat(crossed).as("an event crossed between the nodes again once Redis was back").isTrue();
        assertThat(heard.get(away).get()).as("the event of the outage: heard by each node itself, and from the other at most once")
            .isIn(2, 4);
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        redis.close();
      }
    }
  }
}
