package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.cluster.ClusterEvents;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12 (fewer hand-offs per contact): {@link ClusterEvents} carries to the other nodes only the events something
 * there listens to. Every matching pass's figures ({@code routing.pass_done}) were sent over Redis pub/sub to every
 * node, where nothing listens to them on {@code cluster.*}: per pass a JSON encoding, a PUBLISH, and on every node a
 * message parsed and handed to a context for nobody. Counted by Redis itself ({@code PUBLISH} calls in {@code INFO
 * commandstats}; the test's Redis serves one test at a time).
 */
@DisplayName("matching passes and queueing send nothing to the other nodes")
class ClusterTrafficTest {
  private RoutingTestBed bed;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    bed = RoutingTestBed.start(dir);
    // Two nodes' bridges (over one Vert.x here): each sends what this node publishes and hears the other's.
    await(bed.f.vertx.deployVerticle(new ClusterEvents(bed.f.redis)));
    await(bed.f.vertx.deployVerticle(new ClusterEvents(bed.f.redis)));
  }

  @AfterEach
  void stop() {
    if (bed != null) {
      bed.close();
    }
  }

  private long publishes() {
    String info = await(bed.f.redis.call(bed.f.redis.async().info("commandstats")));
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_publish:")) {
        return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls="))));
      }
    }
    return 0;
  }

  @Test
  void passesPublishNothingOnTheClusterChannel() throws Exception {
    // Nothing bridged is in flight here (the bridges were deployed after routing started): a count taken now is final.
    long before = publishes();

    for (int i = 0; i < 5; i++) {
      await(bed.routing.pass());
    }
    // A bridged event after them, as the yardstick: each bridge sends it after whatever they published (one context, one
    // connection, in order), and it arrives four times on cluster.* (from each bridge here, and from each through Redis).
    CountDownLatch heard = new CountDownLatch(4);
    await(bed.f.vertx.eventBus().consumer(ClusterEvents.address(HubEvents.AGENT_STATE_CHANGED), m -> heard.countDown())
        .completion());
    bed.f.vertx.eventBus().publish(HubEvents.AGENT_STATE_CHANGED, new JsonObject().put("agentId", UUID.randomUUID().toString())
        .put("state", "busy"));
    assertThat(heard.await(20, TimeUnit.SECONDS)).as("the bridged event went through Redis both ways").isTrue();
    assertThat(publishes() - before).as("PUBLISH calls: the bridged agent state change only, once per bridge").isEqualTo(2L);
  }

  @Test
  void queueingAContactPublishesNothingOnTheClusterChannel() throws Exception {
    // interaction.queued was bridged for every contact, and nothing on another node listens to it: the router queues
    // and matches from its own node's event, consoles and adapters hear of offers, not of queueing.
    CountDownLatch queuedHere = new CountDownLatch(3);
    await(bed.f.vertx.eventBus().consumer(HubEvents.INTERACTION_QUEUED, m -> queuedHere.countDown()).completion());
    long before = publishes();
    for (int i = 0; i < 3; i++) {
      bed.queuedChat();
    }
    assertThat(queuedHere.await(20, TimeUnit.SECONDS)).as("the three contacts were queued on this node").isTrue();
    CountDownLatch heard = new CountDownLatch(4);
    await(bed.f.vertx.eventBus().consumer(ClusterEvents.address(HubEvents.AGENT_STATE_CHANGED), m -> heard.countDown())
        .completion());
    bed.f.vertx.eventBus().publish(HubEvents.AGENT_STATE_CHANGED, new JsonObject().put("agentId", UUID.randomUUID().toString())
        .put("state", "busy"));
    assertThat(heard.await(20, TimeUnit.SECONDS)).as("the bridged event went through Redis both ways").isTrue();
    assertThat(publishes() - before).as("PUBLISH calls for three contacts queued, then the yardstick event once per bridge")
        .isEqualTo(2L);
  }

  @Test
  void eventsPublishedTogetherTravelInOnePublishAndEachArrives() throws Exception {
    // An offer tells offer.created and agent.load_changed one after the other: one PUBLISH per bridge carries both. The
    // bridges and the publisher share one event loop here, so both events reach each bridge before its next turn, as
    // they do when a bridge's context is busy (under load); on other threads a bridge may send one alone.
    Vertx one = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    RedisStore store = RedisStore.connect(one, TestServers.get().redis().url(), null, TestServers.get().newRedisPrefix());
    try {
      await(one.deployVerticle(new ClusterEvents(store)));
      await(one.deployVerticle(new ClusterEvents(store)));
      long before = publishes();
      List<String> heard = new CopyOnWriteArrayList<>();
      CountDownLatch all = new CountDownLatch(8);
      for (String event : List.of(HubEvents.OFFER_CREATED, HubEvents.AGENT_LOAD_CHANGED)) {
        await(one.eventBus().<JsonObject>consumer(ClusterEvents.address(event), m -> {
          heard.add(event);
          all.countDown();
        }).completion());
      }
      one.runOnContext(v -> {
        one.eventBus().publish(HubEvents.OFFER_CREATED, new JsonObject().put("n", 1));
        one.eventBus().publish(HubEvents.AGENT_LOAD_CHANGED, new JsonObject().put("n", 2));
      });
      assertThat(all.await(20, TimeUnit.SECONDS)).as("both events heard from each bridge and through Redis from the other").isTrue();
      assertThat(heard.stream().filter(HubEvents.OFFER_CREATED::equals).count()).isEqualTo(4);
      assertThat(heard.stream().filter(HubEvents.AGENT_LOAD_CHANGED::equals).count()).isEqualTo(4);
      assertThat(publishes() - before).as("PUBLISH calls: one per bridge for the two events").isEqualTo(2L);
    } finally {
      store.close();
      await(one.close());
    }
  }
}
