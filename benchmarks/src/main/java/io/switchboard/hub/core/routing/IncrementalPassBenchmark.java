package io.switchboard.hub.core.routing;

import static io.switchboard.benchmarks.BenchmarkArgs.loadAverage;
import static io.switchboard.benchmarks.FutureTimings.await;
import static io.switchboard.benchmarks.FutureTimings.medianMillis;

import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.RelaxationAction;
import io.switchboard.routing.RelaxationStep;
import io.switchboard.routing.SkillRequirement;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The matching pass before and after the incremental router, on 10,000 waiting interactions and 1,000 agents held in a
 * real (embedded) Redis by {@link RoutingState}. Lives in hub-core's package to run the hub's own deciding half of a
 * pass ({@link MatchingPass#decide}: agents read, {@link WaitingIndex} synced, free agents weighed, choices explained
 * against every agent), without leases or offers.
 *
 * <p>"Before" is what each pass did until then: read the whole waiting set and every agent from Redis, decode every
 * item and run the matcher over every waiting interaction and every agent. Three situations, each timed as the median
 * of several passes: nobody can take work (all 1,000 agents full); one agent was freed (its chat capacity), with one
 * new contact since the last pass; 50 agents free, with one new contact since the last pass.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.switchboard.hub.core.routing.IncrementalPassBenchmark [passes]}
 */
public final class IncrementalPassBenchmark {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final int AGENTS = 1_000;
  private static final int WAITING = 10_000;
  private static final String[] SKILLS = {"billing", "tech-support", "general", "vip", "english", "german", "turkish", "french"};
  private static final Map<String, Integer> CAPACITY = Map.of("chat", 3, "email", 5, "social", 3, "voice", 1);
  private static final Map<String, Integer> FULL = Map.of("chat", 3, "email", 5, "social", 3);

  public static void main(String[] args) throws Exception {
    int passes = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    Vertx vertx = Vertx.vertx();
    EmbeddedRedisServer server = EmbeddedRedisServer.startThrowaway();
    RedisStore redis = RedisStore.connect(vertx, server.url(), null, "bench:");
    try {
      RoutingState live = new RoutingState(redis);
      Random random = new Random(42);
      Instant now = Instant.now();
      List<Future<Void>> setup = new ArrayList<>();
      List<RoutingState.AgentLive> agents = new ArrayList<>();
      for (int i = 0; i < AGENTS; i++) {
        Map<String, Integer> skills = new LinkedHashMap<>();
        for (String s : SKILLS) {
          if (random.nextInt(3) > 0) {
            skills.put(s, 1 + random.nextInt(5));
          }
        }
        agents.add(new RoutingState.AgentLive(String.format("agent-%04d", i), "available", null, now, true,
            now.minusSeconds(random.nextInt(3600)), skills, List.of(), CAPACITY, FULL, List.of("voice")));
      }
      agents.forEach(a -> setup.add(live.putAgent(a, true)));
      for (int i = 0; i < WAITING; i++) {
        setup.add(live.enqueue("i-" + i, item(random), now.minusMillis(random.nextInt(600_000))));
      }
      await(Future.all(setup), TIMEOUT);
      await(live.setEpoch(now.toString()), TIMEOUT);
      MatchingPass pass = new MatchingPass(vertx, null, live, null, Clock.systemUTC(), null, "bench");
      System.out.printf("%d waiting x %d agents in Redis; load average %s%n", WAITING, AGENTS, loadAverage());

      // Nobody can take work.
      double before0 = medianMillis(passes, () -> before(live), TIMEOUT);
      double after0 = medianMillis(passes, () -> after(pass), TIMEOUT);
      report("nobody can take work (every agent full)", before0, after0, pass);

      // One agent freed: its chat capacity is free again; one new contact since the last pass.
      await(live.putAgent(withLoad(agents.get(7), Map.of("chat", 0, "email", 5, "social", 3)), true), TIMEOUT);
      await(pass.decide(Instant.now(), new JsonObject()), TIMEOUT); // the first sync reads the whole set once
      int[] n = {WAITING};
      double before1 = medianMillis(passes, () -> before(live), TIMEOUT);
      double after1 = medianMillis(passes, () -> live.enqueue("i-" + n[0]++, item(random), Instant.now()).compose(x -> after(pass)), TIMEOUT);
      report("one agent freed, one new contact since the last pass", before1, after1, pass);

      // 50 agents free.
      List<Future<Void>> freed = new ArrayList<>();
      for (int i = 100; i < 150; i++) {
        freed.add(live.putAgent(withLoad(agents.get(i), Map.of("chat", 0, "email", 0, "social", 0)), true));
      }
      await(Future.all(freed), TIMEOUT);
      double before50 = medianMillis(passes, () -> before(live), TIMEOUT);
      double after50 = medianMillis(passes, () -> live.enqueue("i-" + n[0]++, item(random), Instant.now()).compose(x -> after(pass)), TIMEOUT);
      report("50 agents free, one new contact since the last pass", before50, after50, pass);
    } finally {
      redis.close();
      server.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** The pass as it was: the whole waiting set and every agent read, every item decoded, everything matched. */
  private static Future<Void> before(RoutingState live) {
    Instant now = Instant.now();
    return live.waiting().compose(waiting -> live.agents().map(agents -> {
      List<WaitingInteraction> list = new ArrayList<>(waiting.size());
      waiting.forEach((id, item) -> list.add(LiveViews.waitingOf(id, item)));
      List<AgentSnapshot> snapshots = agents.stream().map(a -> LiveViews.snapshot(a, now)).toList();
      Matcher.capped().match(list, snapshots, now);
      return null;
    }));
  }

  private static Future<Void> after(MatchingPass pass) {
    return pass.decide(Instant.now(), new JsonObject()).mapEmpty();
  }

  private static void report(String what, double beforeMs, double afterMs, MatchingPass pass) {
    JsonObject figures = new JsonObject();
    try {
      await(pass.decide(Instant.now(), figures), TIMEOUT);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    System.out.printf("%-55s before %8.1f ms   after %8.2f ms   (%.0fx)   last pass: %s%n", what, beforeMs, afterMs,
        beforeMs / afterMs, figures.encode());
  }

  private static RoutingState.AgentLive withLoad(RoutingState.AgentLive a, Map<String, Integer> load) {
    return new RoutingState.AgentLive(a.agentId(), a.state(), a.reason(), a.since(), a.present(), a.idleSince(), a.skills(),
        a.queues(), a.capacity(), load, a.exclusive());
  }

  private static JsonObject item(Random random) {
    String channel = switch (random.nextInt(4)) {
      case 0 -> "email";
      case 1 -> "social";
      default -> "chat";
    };
    List<SkillRequirement> reqs = List.of(new SkillRequirement(SKILLS[random.nextInt(SKILLS.length)], 1 + random.nextInt(4)));
    Classification c = new Classification("bench", "general", random.nextInt(10), reqs,
        List.of(new RelaxationStep(Duration.ofMinutes(10), List.of(new RelaxationAction.DropAll(), new RelaxationAction.RaisePriority(1_000_000)))), 1);
    return new JsonObject().put("channel", channel).put("excluded", new JsonArray()).putNull("lastAgent")
        .put("classification", RoutingJson.classification(c));
  }
}
