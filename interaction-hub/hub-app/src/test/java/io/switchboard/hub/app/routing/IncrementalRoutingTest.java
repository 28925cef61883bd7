package io.switchboard.hub.app.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 item 1: the incremental router. Each node holds the waiting interactions decoded in memory, brought up to
 * date from Redis's change log: a pass reads only what changed since the last one, no pass looks at the waiting when
 * no agent can take work, a pass decides only the interactions ranked up to its last choice (not every waiting one), matching runs on a worker context (never an event loop), and the in-memory copy follows
 * live state rebuilt after Redis lost its data. Figures come from {@link RoutingService#PASS_DONE}.
 */
@DisplayName("the incremental router")
class IncrementalRoutingTest {
  static final String RULES = RoutingFixture.RULES.replace("offerTimeout: 1500ms", "offerTimeout: 60s");
  static final long AWAIT_SECONDS = 30;

  @Test
  void aFreedAgentTakesWaitingWorkWithoutTheWaitingSetBeingReadAgain() throws Exception {
    try (TestHub hub = TestHub.start(Map.of(), RULES)) {
      RoutingFixture fx = new RoutingFixture(hub);
      ConcurrentLinkedQueue<JsonObject> passes = new ConcurrentLinkedQueue<>();
      MessageConsumer<JsonObject> all = hub.hub().vertx().eventBus().consumer(RoutingService.PASS_DONE, m -> passes.add(m.body()));
      try {
        // 20 contacts wait while nobody is available: passes run (on every change and tick) but look at nothing.
        List<String> ids = contacts(hub, fx, "inc", 20);
        RoutingFixture.await(fx.expect(RoutingService.PASS_DONE, p -> p.getInteger("freeAgents") == 0));
        assertThat(passes).allSatisfy(p -> {
          assertThat(p.getInteger("freeAgents")).isZero();
          assertThat(p.getLong("itemsRead")).isZero();
          assertThat(p.getInteger("offers")).isZero();
        });

        // alice (chat capacity 3) becomes available: the first pass with a free agent reads the waiting set once.
        Map<String, String> offered = new ConcurrentHashMap<>();
        CountDownLatch aliceFull = offers(hub, offered, 3);
        fx.available("alice");
        assertThat(aliceFull.await(AWAIT_SECONDS, TimeUnit.SECONDS)).as("alice is offered three contacts").isTrue();
        // alice still has email and social capacity, so passes go on (reading only what changed); none offers more.
        RoutingFixture.await(fx.expect(RoutingService.PASS_DONE, p -> p.getInteger("offers") == 0));

        // bob (chat capacity 2) becomes available: what changed since is at most the five reservations, nothing else.
        passes.clear();
        CountDownLatch bobFull = offers(hub, offered, 2);
        fx.available("bob");
        assertThat(bobFull.await(AWAIT_SECONDS, TimeUnit.SECONDS)).as("bob is offered two contacts").isTrue();
        RoutingFixture.await(fx.expect(RoutingService.PASS_DONE, p -> p.getInteger("offers") == 0));
        List<JsonObject> since = new ArrayList<>(passes);
        assertThat(since).isNotEmpty().allSatisfy(p -> {
          assertThat(p.getBoolean("wholeRead")).as("no pass reads the whole waiting set again: %s", p).isFalse();
          assertThat(p.getBoolean("eventLoop")).as("matching never runs on an event loop: %s", p).isFalse();
        });
        long read = since.stream().mapToLong(p -> p.getLong("itemsRead")).sum();
        assertThat(read).as("items read by bob's passes: only the five reservations, not the 15+ waiting").isLessThanOrEqualTo(5);
        // and decided: bob's two places go to the first two of the 15 waiting chats; the other 13 are not weighed, in
        // that pass or after (alice and bob have room on email and social only, where nothing waits).
        long decided = since.stream().mapToLong(p -> p.getInteger("decided")).sum();
        assertThat(decided).as("interactions decided by bob's passes: his two, not every waiting chat: %s", since).isEqualTo(2);
        assertThat(since.stream().filter(p -> p.getInteger("freeAgents") > 0).mapToInt(p -> p.getInteger("waiting")).max().orElseThrow())
            .isGreaterThanOrEqualTo(15);
        assertThat(offered).hasSize(5);
        assertThat(ids).containsAll(offered.keySet());
      } finally {
        all.unregister();
        fx.close();
      }
    }
  }

  @Test
  void theInMemoryWaitingFollowsLiveStateRebuiltAfterRedisLostItsData() throws Exception {
    try (TestHub hub = TestHub.start(Map.of("SWITCHBOARD_ROUTING_RECONCILE_EVERY", "1s"), RULES)) {
      RoutingFixture fx = new RoutingFixture(hub);
      try {
        Map<String, String> offered = new ConcurrentHashMap<>();
        CountDownLatch aliceFull = offers(hub, offered, 3);
        fx.available("alice");
        List<String> first = contacts(hub, fx, "lost-a", 3);
        assertThat(aliceFull.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(offered.keySet()).containsExactlyInAnyOrderElementsOf(first);
        List<String> later = contacts(hub, fx, "lost-b", 4);

        // Redis loses this hub's data (as FLUSHALL would; the test servers are shared, so only this hub's keys go).
        String epochKey = hub.redisPrefix() + "rt:epoch";
        try (var redis = io.lettuce.core.RedisClient.create(hub.hub().redisUrl()); var c = redis.connect()) {
          List<String> keys = c.sync().keys(hub.redisPrefix() + "*");
          assertThat(keys).contains(epochKey);
          c.sync().del(keys.toArray(String[]::new));
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
          while (c.sync().exists(epochKey) == 0) {
            assertThat(System.nanoTime()).as("the reconciler rebuilds live state").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50); // polling Redis for the rebuild, not waiting for an event
          }
        }

        // bob logs in again (sessions went with Redis) and is offered two of the four that waited: the node's
        // in-memory copy was read again from the rebuilt state.
        var whole = fx.expect(RoutingService.PASS_DONE, p -> p.getBoolean("wholeRead") && p.getInteger("waiting") == 4);
        CountDownLatch bobFull = offers(hub, offered, 2);
        fx.available("bob");
        assertThat(bobFull.await(AWAIT_SECONDS, TimeUnit.SECONDS)).as("bob is offered two of the waiting contacts").isTrue();
        RoutingFixture.await(whole);
        Set<String> toBob = new java.util.HashSet<>(offered.keySet());
        first.forEach(toBob::remove);
        assertThat(toBob).hasSize(2);
        assertThat(later).containsAll(toBob);
      } finally {
        fx.close();
      }
    }
  }

  /** Posts {@code n} chat contacts and waits until each is queued; returns their ids. */
  static List<String> contacts(TestHub hub, RoutingFixture fx, String prefix, int n) throws InterruptedException {
    CountDownLatch queued = new CountDownLatch(n);
    Set<String> mine = ConcurrentHashMap.newKeySet();
    MessageConsumer<JsonObject> c = hub.hub().vertx().eventBus().consumer(RoutingService.INTERACTION_QUEUED, m -> {
      if (mine.add(m.body().getString("interactionId"))) {
        queued.countDown();
      }
    });
    try {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add(fx.contact(prefix + "-" + i, "general"));
      }
      assertThat(queued.await(AWAIT_SECONDS, TimeUnit.SECONDS)).as("every contact is queued").isTrue();
      return ids;
    } finally {
      c.unregister();
    }
  }

  /** Counts {@code n} offers down, noting each interaction offered and its agent (no interaction offered twice). */
  static CountDownLatch offers(TestHub hub, Map<String, String> offered, int n) {
    CountDownLatch latch = new CountDownLatch(n);
    MessageConsumer<JsonObject>[] holder = new MessageConsumer[1];
    holder[0] = hub.hub().vertx().eventBus().consumer(RoutingService.OFFER_CREATED, m -> {
      String prev = offered.putIfAbsent(m.body().getString("interactionId"), m.body().getString("agentId"));
      assertThat(prev).as("interaction offered twice").isNull();
      latch.countDown();
      if (latch.getCount() == 0) {
        holder[0].unregister();
      }
    });
    try {
      holder[0].completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return latch;
  }
}
