package io.switchboard.benchmarks;

import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.RelaxationAction;
import io.switchboard.routing.RelaxationStep;
import io.switchboard.routing.SkillRequirement;
import io.switchboard.routing.WaitingInteraction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Measures the pure routing engine ({@link Matcher}, no Redis, no I/O): full matching passes of many waiting
 * interactions against many agents, and single-interaction matches against the same agents.
 *
 * <p>Its own harness, not JMH: a fixed-seed random population, warm-up passes, then timed passes; latencies go into
 * HdrHistograms. Prints a readable summary and a Markdown table row for BENCHMARKS.md.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar [--agents 1000] [--waiting 10000] [--warmup 10] [--rounds 30]
 *     [--singles 20000] [--seed 42]</pre>
 */
public final class MatcherBenchmark {
  static final List<String> SKILLS =
      List.of("billing", "tech-support", "general", "vip", "english", "german", "turkish", "french", "spanish", "sales", "returns", "claims");
  static final List<String> QUEUES = List.of("general", "billing", "tech-support", "vip", "sales", "returns", "claims", "partners");
  static final String[] CHANNELS = {"voice", "chat", "email", "social"};
  static final int[] CHANNEL_WEIGHTS = {30, 35, 25, 10};
  /** Classifications are shared per rule in the hub; the benchmark's waiting interactions come from this many rules. */
  static final int RULES = 60;

  private MatcherBenchmark() {}

  public static void main(String[] args) {
    Map<String, Long> opt = new HashMap<>(Map.of("agents", 1000L, "waiting", 10_000L, "warmup", 10L, "rounds", 30L, "singles", 20_000L, "seed", 42L));
    for (int i = 0; i + 1 < args.length; i += 2) {
      String key = args[i].replaceFirst("^--", "");
      if (!opt.containsKey(key)) {
        System.err.println("unknown option " + args[i] + "; options: " + opt.keySet());
        System.exit(2);
      }
      opt.put(key, Long.parseLong(args[i + 1]));
    }
    int agentCount = opt.get("agents").intValue();
    int waitingCount = opt.get("waiting").intValue();
    Random random = new Random(opt.get("seed"));
    Instant now = Instant.parse("2026-11-23T10:00:00Z");
    List<AgentSnapshot> agents = agents(random, agentCount, now);
    List<WaitingInteraction> waiting = waiting(random, waitingCount, agentCount, now);
    Matcher matcher = Matcher.capped();

    System.out.printf(Locale.ROOT, "Matcher benchmark: %d agents (%d available), %d waiting, seed %d%n",
        agentCount, agents.stream().filter(AgentSnapshot::available).count(), waitingCount, opt.get("seed"));
    System.out.printf(Locale.ROOT, "Java %s (%s), %d processors%n",
        System.getProperty("java.version"), System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors());

    // full passes
    long sink = 0;
    for (int i = 0; i < opt.get("warmup"); i++) {
      sink += matcher.match(waiting, agents, now).size();
    }
    int rounds = opt.get("rounds").intValue();
    Histogram perDecision = new Histogram(Duration.ofSeconds(10).toNanos(), 3);
    double[] rates = new double[rounds];
    long decisions = 0;
    long matched = 0;
    long totalNanos = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      List<Decision> ds = matcher.match(waiting, agents, now);
      long t = System.nanoTime() - t0;
      totalNanos += t;
      decisions += ds.size();
      for (Decision d : ds) if (d.chosenAgentId() != null) matched++;
      rates[r] = ds.size() * 1e9 / t;
      perDecision.recordValue(Math.max(1, t / ds.size()));
    }
    Arrays.sort(rates);
    double median = rates[rounds / 2];
    double mean = decisions * 1e9 / totalNanos;

    // single interactions against all agents
    Histogram single = new Histogram(Duration.ofSeconds(10).toNanos(), 3);
    int singles = opt.get("singles").intValue();
    for (int i = 0; i < Math.min(singles, 5000); i++) {
      sink += matcher.match(List.of(waiting.get(i % waitingCount)), agents, now).size();
    }
    for (int i = 0; i < singles; i++) {
      List<WaitingInteraction> one = List.of(waiting.get((i * 7919) % waitingCount));
      long t0 = System.nanoTime();
      List<Decision> ds = matcher.match(one, agents, now);
      single.recordValue(Math.max(1, System.nanoTime() - t0));
      sink += ds.size();
    }

    System.out.printf(Locale.ROOT, "full passes: %d timed (after %d warm-up), %.0f ms per pass on average, %.1f%% of interactions got an agent%n",
        rounds, opt.get("warmup"), totalNanos / 1e6 / rounds, 100.0 * matched / decisions);
    System.out.printf(Locale.ROOT, "  decisions/s: median %,.0f, mean %,.0f, best %,.0f, worst %,.0f%n", median, mean, rates[rounds - 1], rates[0]);
    System.out.printf(Locale.ROOT, "  per decision (pass time / decisions): p50 %s, p99 %s, max %s%n",
        us(perDecision.getValueAtPercentile(50)), us(perDecision.getValueAtPercentile(99)), us(perDecision.getMaxValue()));
    System.out.printf(Locale.ROOT, "single interaction vs %d agents: %d timed: p50 %s, p99 %s, max %s%n",
        agentCount, singles, us(single.getValueAtPercentile(50)), us(single.getValueAtPercentile(99)), us(single.getMaxValue()));
    System.out.println();
    System.out.println("| agents | waiting | decisions/s (median pass) | per decision p50 / p99 / max | single match p50 / p99 / max |");
    System.out.println("|---:|---:|---:|---|---|");
    System.out.printf(Locale.ROOT, "| %,d | %,d | %,.0f | %s / %s / %s | %s / %s / %s |%n",
        agentCount, waitingCount, median,
        us(perDecision.getValueAtPercentile(50)), us(perDecision.getValueAtPercentile(99)), us(perDecision.getMaxValue()),
        us(single.getValueAtPercentile(50)), us(single.getValueAtPercentile(99)), us(single.getMaxValue()));
    if (sink == 42) System.out.println(); // keeps the results alive
  }

  static String us(long nanos) {
    return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%.1f ms", nanos / 1e6) : String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
  }

  static List<AgentSnapshot> agents(Random random, int count, Instant now) {
    List<AgentSnapshot> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Map<String, Integer> skills = new HashMap<>();
      int n = 3 + random.nextInt(4);
      while (skills.size() < n) skills.put(SKILLS.get(random.nextInt(SKILLS.size())), 1 + random.nextInt(5));
      Set<String> queues = new HashSet<>();
      if (random.nextInt(10) != 0) {
        int q = 1 + random.nextInt(3);
        while (queues.size() < q) queues.add(QUEUES.get(random.nextInt(QUEUES.size())));
      }
      Map<String, Integer> capacity = Map.of("voice", 1, "chat", 1 + random.nextInt(4), "email", 2 + random.nextInt(5), "social", random.nextInt(4));
      Map<String, Integer> load = new HashMap<>();
      int busy = random.nextInt(10);
      if (busy < 1) load.put("voice", 1);
      else if (busy < 3) load.put("chat", 1);
      else if (busy < 4) load.put("email", 1 + random.nextInt(2));
      boolean available = random.nextInt(5) != 0;
      out.add(new AgentSnapshot(String.format("agent-%04d", i), available, skills, queues, capacity, load, Set.of("voice"),
          now.minusSeconds(random.nextInt(3600))));
    }
    return out;
  }

  static List<WaitingInteraction> waiting(Random random, int count, int agentCount, Instant now) {
    Classification[] rules = new Classification[RULES];
    for (int r = 0; r < RULES; r++) {
      String queue = QUEUES.get(random.nextInt(QUEUES.size()));
      List<SkillRequirement> reqs = new ArrayList<>();
      Set<String> used = new HashSet<>();
      int n = 1 + random.nextInt(3);
      while (reqs.size() < n) {
        String s = SKILLS.get(random.nextInt(SKILLS.size()));
        if (used.add(s)) reqs.add(new SkillRequirement(s, 1 + random.nextInt(5)));
      }
      List<RelaxationStep> steps = new ArrayList<>();
      steps.add(new RelaxationStep(Duration.ofSeconds(30), List.of(new RelaxationAction.LowerSkill(reqs.get(0).skill(), 1), new RelaxationAction.RaisePriority(5))));
      List<RelaxationAction> second = new ArrayList<>();
      if (reqs.size() > 1) second.add(new RelaxationAction.DropSkill(reqs.get(1).skill()));
      second.add(new RelaxationAction.WidenQueue(QUEUES.get(random.nextInt(QUEUES.size()))));
      steps.add(new RelaxationStep(Duration.ofSeconds(90), second));
      steps.add(new RelaxationStep(Duration.ofMinutes(10), List.of(new RelaxationAction.DropAll(), new RelaxationAction.RaisePriority(1_000_000))));
      rules[r] = new Classification("rule-" + r, queue, random.nextInt(51), reqs, steps, 1);
    }
    List<WaitingInteraction> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String channel = pick(random);
      String last = random.nextInt(20) == 0 ? String.format("agent-%04d", random.nextInt(agentCount)) : null;
      Set<String> declined = random.nextInt(20) == 0 ? Set.of(String.format("agent-%04d", random.nextInt(agentCount))) : Set.of();
      out.add(new WaitingInteraction(String.format("int-%05d", i), channel, rules[random.nextInt(RULES)],
          now.minusMillis(random.nextInt(900_000)), last, declined));
    }
    return out;
  }

  static String pick(Random random) {
    int r = random.nextInt(100);
    for (int i = 0; i < CHANNELS.length; i++) {
      r -= CHANNEL_WEIGHTS[i];
      if (r < 0) return CHANNELS[i];
    }
    return CHANNELS[0];
  }
}
