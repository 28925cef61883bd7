package io.switchboard.benchmarks;

import io.lettuce.core.ScriptOutputType;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.store.redis.RedisStore;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.RelaxationAction;
import io.switchboard.routing.RelaxationStep;
import io.switchboard.routing.SkillRequirement;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Routing through Redis, measured against raw Redis in the same run: 1,000 agents and 10,000 waiting
 * interactions held in a real (embedded) Redis by {@link RoutingState}; each round reads the live state,
 * runs the matcher and reserves every chosen agent with the reservation Lua script, one EVALSHA per
 * decision, as the hub does. The same run measures raw EVALSHA calls of a trivial script, issued the same
 * way (one after another, then 64 in flight), so the routing figure can be read as a ratio of what this
 * Redis and client can do at all.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.switchboard.benchmarks.RedisRoutingBenchmark [rounds]}
 */
public final class RedisRoutingBenchmark {
  private static final int AGENTS = 1_000;
  private static final int IN_FLIGHT = 64;
  private static final int WAITING = 10_000;
  private static final String[] SKILLS = {"billing", "tech-support", "general", "vip", "english", "german", "turkish", "french"};

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Vertx vertx = Vertx.vertx();
    EmbeddedRedisServer server = EmbeddedRedisServer.startThrowaway();
    RedisStore redis = RedisStore.connect(vertx, server.url(), null, "bench:");
    try {
      RoutingState live = new RoutingState(redis);
      double rawSerial = rawEvalsha(redis, 20_000, 1);
      double rawPipelined = rawEvalsha(redis, 100_000, 64);
      System.out.printf("raw EVALSHA: %.0f calls/s one at a time, %.0f calls/s with 64 in flight%n", rawSerial, rawPipelined);
      for (int r = 1; r <= rounds; r++) {
        Result res = round(vertx, redis, live, r);
        System.out.printf("round %d: %d decisions, %d reserved in %.0f ms: read %.0f ms, match %.0f ms, reserve %.0f ms;"
                + " %.0f decisions/s end to end, %.0f reservations/s with 64 in flight (%.2f of raw EVALSHA with 64 in flight);"
                + " reserve latency p50 %.0f us p99 %.0f us max %.0f us%n",
            r, res.decisions, res.reserved, res.totalMs, res.readMs, res.matchMs, res.reserveMs,
            res.decisions / (res.totalMs / 1000.0), res.reserved / (res.reserveMs / 1000.0),
            (res.reserved / (res.reserveMs / 1000.0)) / rawPipelined,
            res.latency.getValueAtPercentile(50) / 1000.0, res.latency.getValueAtPercentile(99) / 1000.0,
            res.latency.getMaxValue() / 1000.0);
      }
    } finally {
      redis.close();
      server.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private record Result(int decisions, int reserved, double totalMs, double readMs, double matchMs, double reserveMs, Histogram latency) {}

  private static Result round(Vertx vertx, RedisStore redis, RoutingState live, int round) throws Exception {
    Random random = new Random(42 + round);
    String prefix = "r" + round + "-";
    Instant now = Instant.now();
    List<Future<Void>> setup = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      Map<String, Integer> skills = new LinkedHashMap<>();
      for (String s : SKILLS) {
        if (random.nextInt(3) > 0) {
          skills.put(s, 1 + random.nextInt(5));
        }
      }
      setup.add(live.putAgent(new RoutingState.AgentLive(prefix + "agent-" + i, "available", null, now, true, now.minusSeconds(random.nextInt(3600)),
          skills, List.of(), Map.of("chat", 10, "email", 10, "social", 10, "voice", 1), Map.of(), List.of("voice")), true));
    }
    for (int i = 0; i < WAITING; i++) {
      String channel = switch (random.nextInt(4)) {
        case 0 -> "email";
        case 1 -> "social";
        default -> "chat";
      };
      List<SkillRequirement> reqs = List.of(new SkillRequirement(SKILLS[random.nextInt(SKILLS.length)], 1 + random.nextInt(4)));
      Classification c = new Classification("bench", "general", random.nextInt(10), reqs,
          List.of(new RelaxationStep(Duration.ofMinutes(10), List.of(new RelaxationAction.DropAll(), new RelaxationAction.RaisePriority(1_000_000)))), 1);
      JsonArray r = new JsonArray();
      reqs.forEach(q -> r.add(new JsonObject().put("skill", q.skill()).put("min", q.minProficiency())));
      JsonObject item = new JsonObject().put("channel", channel).put("excluded", new JsonArray())
          .put("classification", new JsonObject().put("rule", c.rule()).put("queue", c.queue()).put("priority", c.priority())
              .put("requirements", r).put("steps", new JsonArray()).put("rulesVersion", 1));
      setup.add(live.enqueue(prefix + "i-" + i, item, now.minusMillis(random.nextInt(600_000))));
    }
    await(Future.all(setup));

    long t0 = System.nanoTime();
    var waiting = await(live.waiting());
    var agents = await(live.agents());
    long t1 = System.nanoTime();
    List<WaitingInteraction> list = new ArrayList<>(waiting.size());
    waiting.forEach((id, item) -> {
      JsonObject cj = item.getJsonObject("classification");
      List<SkillRequirement> reqs = new ArrayList<>();
      cj.getJsonArray("requirements").forEach(o -> reqs.add(new SkillRequirement(((JsonObject) o).getString("skill"), ((JsonObject) o).getInteger("min"))));
      list.add(new WaitingInteraction(id, item.getString("channel"),
          new Classification(cj.getString("rule"), cj.getString("queue"), cj.getInteger("priority"), reqs, List.of(), 1),
          Instant.ofEpochMilli(item.getLong("waitingSince")), null, null));
    });
    List<AgentSnapshot> snapshots = new ArrayList<>();
    for (RoutingState.AgentLive a : agents) {
      if (!a.agentId().startsWith(prefix)) {
        continue;
      }
      snapshots.add(new AgentSnapshot(a.agentId(), true, a.skills(), new HashSet<>(a.queues()), a.capacity(), a.load(),
          new HashSet<>(a.exclusive()), a.idleSince()));
    }
    List<Decision> decisions = Matcher.capped().match(list, snapshots, now);
    long t2 = System.nanoTime();
    Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    int reserved = 0;
    Instant expires = now.plusSeconds(15);
    List<Decision> chosen = decisions.stream().filter(d -> d.chosenAgentId() != null).toList();
    // Reservations with IN_FLIGHT outstanding at a time, each timed from send to reply.
    for (int from = 0; from < chosen.size(); from += IN_FLIGHT) {
      List<Future<RoutingState.Reservation>> batch = new ArrayList<>();
      List<Long> started = new ArrayList<>();
      for (Decision d : chosen.subList(from, Math.min(chosen.size(), from + IN_FLIGHT))) {
        String channel = waiting.get(d.interactionId()).getString("channel");
        started.add(System.nanoTime());
        long s = started.get(started.size() - 1);
        batch.add(live.reserve(d.interactionId(), d.chosenAgentId(), channel, now, expires)
            .onComplete(x -> latency.recordValue(System.nanoTime() - s)));
      }
      for (Future<RoutingState.Reservation> f : batch) {
        if (await(f) == RoutingState.Reservation.OK) {
          reserved++;
        }
      }
    }
    long t3 = System.nanoTime();
    await(live.clear());
    return new Result(decisions.size(), reserved, (t3 - t0) / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, latency);
  }

  /** Calls/s of a trivial script by EVALSHA, with {@code inFlight} calls outstanding at a time. */
  private static double rawEvalsha(RedisStore redis, int calls, int inFlight) throws Exception {
    String sha = redis.async().scriptLoad("return 1").get(10, TimeUnit.SECONDS);
    String[] keys = {redis.key("raw")};
    for (int i = 0; i < 2_000; i++) {
      redis.async().evalsha(sha, ScriptOutputType.INTEGER, keys).get(10, TimeUnit.SECONDS);
    }
    long t0 = System.nanoTime();
    List<java.util.concurrent.CompletableFuture<Object>> window = new ArrayList<>(inFlight);
    for (int i = 0; i < calls; i++) {
      window.add(redis.async().<Object>evalsha(sha, ScriptOutputType.INTEGER, keys).toCompletableFuture());
      if (window.size() == inFlight) {
        for (var f : window) {
          f.get(10, TimeUnit.SECONDS);
        }
        window.clear();
      }
    }
    for (var f : window) {
      f.get(10, TimeUnit.SECONDS);
    }
    return calls / ((System.nanoTime() - t0) / 1e9);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
