package io.switchboard.hub.core.routing;

import static io.switchboard.benchmarks.BenchmarkArgs.loadAverage;
import static io.switchboard.benchmarks.FutureTimings.await;
import static io.switchboard.benchmarks.FutureTimings.medianMillis;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.Classification;
import io.switchboard.routing.RelaxationAction;
import io.switchboard.routing.RelaxationStep;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One queue update of the web chat (every waiting session asks its place at once) with 7,500 waiting interactions in a
 * real (embedded) Redis, before and after {@link QueuePositions} (issue #12 item 5).
 *
 * <p>"Before" is what each session's question did until then ({@code RoutingExplanations.position}): read the whole
 * waiting set (ZRANGE and MGET of every item), decode every item and count the ones of its queue ranked ahead; the
 * count of the queue's answers it also ran in PostgreSQL is left out (no PostgreSQL here), so "before" is if anything
 * too kind. All sessions ask at once, as a queue update does; with many sessions on a loaded machine "before" overruns
 * Lettuce's 5 s command timeout (it did with 30 and 100 sessions at a load average near 20). "After" is the hub's {@link QueuePositions} in a new interval with one contact arrived since the last one:
 * every session asks at once, one ranking serves all. Median of several updates each.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.switchboard.hub.core.routing.QueuePositionsBenchmark
 * [sessions] [updates]}
 */
public final class QueuePositionsBenchmark {
  private static final Duration TIMEOUT = Duration.ofSeconds(300);
  private static final int WAITING = 7_500;

  /** A clock the benchmark moves a second per update, so every update starts a new interval. */
  static final class StepClock extends Clock {
    volatile Instant now = Instant.now();

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  public static void main(String[] args) throws Exception {
    int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int updates = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Vertx vertx = Vertx.vertx();
    EmbeddedRedisServer server = EmbeddedRedisServer.startThrowaway();
    RedisStore redis = RedisStore.connect(vertx, server.url(), null, "bench:");
    try {
      RoutingState live = new RoutingState(redis);
      Random random = new Random(42);
      StepClock clock = new StepClock();
      List<String> ids = new ArrayList<>();
      List<Future<Void>> setup = new ArrayList<>();
      for (int i = 0; i < WAITING; i++) {
        String id = UUID.randomUUID().toString();
        ids.add(id);
        setup.add(live.enqueue(id, item(random), clock.instant().minusMillis(random.nextInt(600_000))));
      }
      await(Future.all(setup), TIMEOUT);
      await(live.setEpoch(clock.instant().toString()), TIMEOUT);
      List<String> asking = ids.subList(0, sessions);
      QueuePositions positions = new QueuePositions(new WaitingIndex(live), clock, QueuePositions.MAX_AGE);
      System.out.printf("%d waiting in Redis, %d sessions asking per update; load average %s%n", WAITING, sessions,
          loadAverage());

      double before = medianMillis(updates, () -> {
        List<Future<Integer>> all = new ArrayList<>();
        asking.forEach(id -> all.add(before(live, id, clock.instant())));
        return Future.all(all).mapEmpty();
      }, TIMEOUT);
      int[] n = {0};
      double after = medianMillis(updates, () -> {
        clock.now = clock.now.plusSeconds(1);
        return live.enqueue("new-" + n[0]++, item(random), clock.instant()).compose(x -> {
          List<Future<QueuePositions.Place>> all = new ArrayList<>();
          asking.forEach(id -> all.add(positions.position(InteractionId.parse(id))));
          return Future.all(all).mapEmpty();
        });
      }, TIMEOUT);
      System.out.printf("one queue update of %d sessions: before %.1f ms, after %.2f ms (%.0fx); rankings made %d; load average %s%n",
          sessions, before, after, before / after, positions.rankings(), loadAverage());
    } finally {
      redis.close();
      server.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** One session's question as it was: the whole set read and decoded, the ones of its queue ranked ahead counted. */
  private static Future<Integer> before(RoutingState live, String id, Instant now) {
    return live.waiting().map(waiting -> {
      WaitingInteraction me = LiveViews.waitingOf(id, waiting.get(id));
      int mine = me.classification().at(Duration.between(me.waitingSince(), now)).priority();
      int ahead = 0;
      for (var e : waiting.entrySet()) {
        WaitingInteraction w = LiveViews.waitingOf(e.getKey(), e.getValue());
        if (!w.classification().queue().equals(me.classification().queue())) {
          continue;
        }
        int p = w.classification().at(Duration.between(w.waitingSince(), now)).priority();
        if (!w.interactionId().equals(id) && (p > mine || (p == mine && w.waitingSince().isBefore(me.waitingSince())))) {
          ahead++;
        }
      }
      return ahead + 1;
    });
  }

  private static JsonObject item(Random random) {
    Classification c = new Classification("bench", random.nextInt(4) == 0 ? "billing" : "general", random.nextInt(10),
        List.of(), List.of(new RelaxationStep(Duration.ofMinutes(5), List.of(new RelaxationAction.RaisePriority(5)))), 1);
    return new JsonObject().put("channel", "chat").put("excluded", new JsonArray()).putNull("lastAgent")
        .put("classification", RoutingJson.classification(c));
  }
}
