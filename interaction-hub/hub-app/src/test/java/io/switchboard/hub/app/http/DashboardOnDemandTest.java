package io.switchboard.hub.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.dashboard.DashboardService;
import io.switchboard.hub.core.dashboard.DashboardVerticle;
import io.switchboard.hub.core.routing.RulesService;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dashboard is computed every tick only while someone watches (#12.5). A dashboard verticle of the test's own (a
 * 100 ms tick, an hour between computations while nobody watches, five seconds of grace) over a test hub's PostgreSQL
 * and Redis, on a Vert.x of its own so its event bus addresses are the test's alone. Nothing here depends on how fast
 * the machine is: while nobody watches, no computation can happen at all for an hour.
 */
@DisplayName("the dashboard is computed every second only while someone watches")
class DashboardOnDemandTest {
  private static TestHub hub;
  private static Vertx vertx;
  private static Database db;
  private static RedisStore redis;
  private static DashboardService service;
  private DashboardVerticle verticle;
  private String deployment;
  private final AtomicLong published = new AtomicLong();

  @BeforeAll
  static void startHub() {
    hub = TestHub.start();
    vertx = Vertx.vertx();
    db = Database.connect(vertx, hub.hub().postgresUrl(), null, 2);
    redis = RedisStore.connect(vertx, hub.hub().redisUrl(), null, hub.redisPrefix());
    Stores stores = Stores.over(db);
    RulesService rules = new RulesService(vertx, stores, hub.configDirUsed().resolve("routing.yaml"));
    await(rules.start());
    service = new DashboardService(stores, new RoutingState(redis), rules, Clock.systemUTC());
  }

  @AfterAll
  static void stopHub() {
    redis.close();
    db.close();
    await(vertx.close());
    hub.close();
  }

  @BeforeEach
  void deploy() {
    verticle = new DashboardVerticle(service, Duration.ofMillis(100), Duration.ofHours(1), Duration.ofSeconds(5));
    deployment = await(vertx.deployVerticle(verticle));
    vertx.eventBus().localConsumer(DashboardVerticle.TICK_ADDRESS, m -> published.incrementAndGet());
  }

  @AfterEach
  void undeploy() {
    await(vertx.undeploy(deployment));
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void awaitAtLeast(String what, LongSupplier value, long atLeast) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (value.getAsLong() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": expected at least " + atLeast + " within 30 s, got " + value.getAsLong());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Waits until 20 more ticks found nobody watching, and says no computation happened meanwhile. */
  private void assertRestsFor20Ticks() {
    long idle = verticle.idleTicks();
    long computed = verticle.computations();
    awaitAtLeast("idle ticks", verticle::idleTicks, idle + 20);
    assertThat(verticle.computations()).as("no computation while nobody watches").isEqualTo(computed);
  }

  @Test
  void nobodyWatchingItIsComputedOnceAtStartThenRests() {
    awaitAtLeast("the first computation", verticle::computations, 1);
    awaitAtLeast("idle ticks", verticle::idleTicks, 1);
    assertRestsFor20Ticks();
    assertThat(verticle.computations()).isEqualTo(1);
    awaitAtLeast("the first tick published", published::get, 1);
  }

  @Test
  void aRequestMakesItTickUntilTheGraceRunsOutThenItRestsAgain() {
    awaitAtLeast("idle ticks", verticle::idleTicks, 1);
    long before = verticle.computations();
    JsonObject answer = await(vertx.eventBus().<JsonObject>request(DashboardVerticle.CURRENT_ADDRESS, null)).body();
    assertThat(answer.getJsonArray("queues")).as("a request is answered with a snapshot").isNotEmpty();
    awaitAtLeast("ticks computed while watched", verticle::computations, before + 2);
    // The grace (5 s) runs out with nobody asking again: ticks find nobody watching and rest.
    awaitAtLeast("idle ticks after the grace", verticle::idleTicks, verticle.idleTicks() + 1);
    assertRestsFor20Ticks();
  }

  @Test
  void aSubscribedConsoleKeepsItTickingThroughWatchingMessagesWhateverTheirBody() {
    awaitAtLeast("idle ticks", verticle::idleTicks, 1);
    long before = verticle.computations();
    // What the socket gateway sends with every tick it forwards; the body means nothing, malformed ones included.
    Object[] bodies = {null, "garbage\u0000", new JsonObject().put("x", "y".repeat(100_000)), 42};
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int i = 0;
    while (verticle.computations() < before + 5) {
      vertx.eventBus().send(DashboardVerticle.WATCHING_ADDRESS, bodies[i++ % bodies.length]);
      if (System.nanoTime() > deadline) {
        throw new AssertionError("watching messages did not keep the dashboard ticking: " + verticle.computations());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    awaitAtLeast("idle ticks after the last watching message", verticle::idleTicks, verticle.idleTicks() + 1);
    assertRestsFor20Ticks();
  }

  @Test
  void requestsArrivingTogetherWithNoFreshSnapshotShareOneComputation() {
    // This test's verticle never ticks within the test (a one-hour tick): it has no snapshot until a request asks.
    await(vertx.undeploy(deployment));
    DashboardVerticle cold = new DashboardVerticle(service, Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(5));
    deployment = await(vertx.deployVerticle(cold));
    java.util.List<Future<io.vertx.core.eventbus.Message<JsonObject>>> asked = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      asked.add(vertx.eventBus().request(DashboardVerticle.CURRENT_ADDRESS, null));
    }
    await(Future.all(asked));
    assertThat(asked).allSatisfy(f -> assertThat(f.result().body().getJsonArray("queues")).isNotEmpty());
    assertThat(cold.requestComputations()).as("computations for 20 requests arriving together").isEqualTo(1);
    // Later requests find the snapshot that computation made fresh.
    await(vertx.eventBus().request(DashboardVerticle.CURRENT_ADDRESS, null));
    await(vertx.eventBus().request(DashboardVerticle.CURRENT_ADDRESS, null));
    assertThat(cold.requestComputations()).as("computations after two more requests").isEqualTo(1);
    assertThat(cold.computations()).as("no tick computed").isZero();
  }
}
