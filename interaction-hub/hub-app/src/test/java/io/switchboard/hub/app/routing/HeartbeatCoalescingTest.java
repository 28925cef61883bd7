package io.switchboard.hub.app.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.core.routing.RulesService;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.hub.testsupport.MovableClock;
import io.switchboard.hub.testsupport.RedisMonitor;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Console heartbeats (#12.4): one Redis write per agent per second on a node, however many sockets, pongs and pings
 * arrive. A Redis of the test's own (nothing else writes to it) is watched with MONITOR, which lists every command a
 * client sends (the commands a script runs inside Redis are listed as "lua" and not counted: a script is one round
 * trip); the routing service's clock is the test's, so "a second later" is exact and nothing waits on the wall clock.
 */
@DisplayName("heartbeats are coalesced to one Redis write per agent per second")
class HeartbeatCoalescingTest {
  private static final String PREFIX = "hb:";

  private EmbeddedRedisServer redis;
  private Vertx vertx;
  private Database db;
  private RedisStore store;
  private RedisClient client;
  private StatefulRedisConnection<String, String> direct;
  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-06T10:00:00Z"));
  private RoutingService routing;
  private RedisMonitor monitor;

  /** Commands that write (a script counts once, whatever it writes inside Redis). */
  private static final java.util.Set<String> WRITES = java.util.Set.of("set", "evalsha", "eval", "hset", "del", "pexpire", "expire");

  @BeforeEach
  void start() {
    redis = EmbeddedRedisServer.startThrowaway();
    vertx = Vertx.vertx();
    db = Database.connect(vertx, TestServers.get().newEmptyDatabase(), null, 2);
    store = RedisStore.connect(vertx, redis.url(), null, PREFIX);
    Stores stores = Stores.over(db);
    routing = new RoutingService(vertx, stores, new RoutingState(store),
        new RulesService(vertx, stores, TestHub.configDir().resolve("routing.yaml")), clock);
    client = RedisClient.create(redis.url());
    direct = client.connect();
    monitor = RedisMonitor.watch(redis);
  }

  @AfterEach
  void stop() throws java.io.IOException {
    if (monitor != null) {
      monitor.close();
    }
    if (direct != null) {
      direct.close();
    }
    if (client != null) {
      client.shutdown();
    }
    if (store != null) {
      store.close();
    }
    if (db != null) {
      db.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Write commands clients have sent (SET, EVALSHA/EVAL, HSET, DEL...; a script counts once). */
  private long writes() {
    return monitor.commands().stream().filter(c -> WRITES.contains(c.name())).count();
  }

  private void beats(AgentId agent, int times) {
    for (int i = 0; i < times; i++) {
      await(routing.heartbeat(agent));
    }
  }

  @Test
  void manyBeatsWithinASecondWriteOnceAndTheNextSecondWritesAgain() {
    AgentId agent = AgentId.parse(UUID.randomUUID().toString());
    String hash = PREFIX + "rt:a:" + agent;
    String presence = PREFIX + "rt:presence:" + agent;
    // An agent routing knows, not present yet (as its profile sync leaves it).
    direct.sync().hset(hash, Map.of("state", "available", "present", "0", "idleSince", "0"));

    long before = writes();
    beats(agent, 50);
    assertThat(writes() - before).as("50 beats in the same instant: one write").isEqualTo(1);
    assertThat(direct.sync().hget(hash, "present")).isEqualTo("1");
    assertThat(direct.sync().hget(hash, "idleSince")).as("becoming present starts the idle time")
        .isEqualTo(Long.toString(clock.millis()));
    assertThat(direct.sync().pttl(presence)).isPositive();

    clock.advance(Duration.ofMillis(999));
    beats(agent, 50);
    assertThat(writes() - before).as("still within the second: no more writes").isEqualTo(1);

    clock.advance(Duration.ofMillis(1));
    beats(agent, 50);
    assertThat(writes() - before).as("a second after the last write: one more").isEqualTo(2);
    assertThat(direct.sync().hget(hash, "idleSince")).as("already present: idle time unchanged")
        .isEqualTo(Long.toString(clock.millis() - 1000));
  }

  @Test
  void coalescingIsPerAgentAndAForcedBeatAlwaysWrites() {
    AgentId one = AgentId.parse(UUID.randomUUID().toString());
    AgentId two = AgentId.parse(UUID.randomUUID().toString());
    long before = writes();
    beats(one, 10);
    beats(two, 10);
    assertThat(writes() - before).as("one write per agent").isEqualTo(2);

    await(routing.heartbeat(one, true));
    assertThat(writes() - before).as("a console that has just authenticated is written at once").isEqualTo(3);
  }

  @Test
  void anAgentRoutingDoesNotKnowGetsPresenceButNoHalfFilledHash() {
    AgentId stranger = AgentId.parse(UUID.randomUUID().toString());
    beats(stranger, 5);
    assertThat(direct.sync().exists(PREFIX + "rt:presence:" + stranger)).isEqualTo(1L);
    assertThat(direct.sync().exists(PREFIX + "rt:a:" + stranger)).as("no agent hash made by a heartbeat").isZero();
  }

  @Test
  void aBeatAfterADisconnectWritesAtOnce() {
    AgentId agent = AgentId.parse(UUID.randomUUID().toString());
    direct.sync().hset(PREFIX + "rt:a:" + agent, Map.of("state", "available", "present", "0", "idleSince", "0"));
    beats(agent, 3);
    await(routing.disconnected(agent));
    assertThat(direct.sync().exists(PREFIX + "rt:presence:" + agent)).isZero();
    assertThat(direct.sync().hget(PREFIX + "rt:a:" + agent, "present")).isEqualTo("0");

    long before = writes();
    beats(agent, 3);
    assertThat(writes() - before).as("the console came back within the same second: written, once").isEqualTo(1);
    assertThat(direct.sync().hget(PREFIX + "rt:a:" + agent, "present")).isEqualTo("1");
  }
}
