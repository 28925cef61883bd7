package io.switchboard.routing.sim;

import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.InteractionFacts;
import io.switchboard.routing.Matcher;
import io.switchboard.routing.QueueDefinition;
import io.switchboard.routing.RelaxationStep;
import io.switchboard.routing.RoutingRules;
import io.switchboard.routing.WaitingInteraction;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic discrete-event simulation of routing: arrivals are classified by the rules, wait, are matched by
 * {@link Matcher} as agents free up and requirements relax, are handled, or abandon when their patience runs out before
 * an offer. Time is simulated (milliseconds from {@code start}); nothing sleeps or reads a clock.
 *
 * <p>Model: every agent is available from the start; an offer is accepted at once; the agent's slot on that channel
 * stays taken for the handle time plus the rules' {@code afterCallWork}; a matching pass runs after every moment at
 * which something happened (an arrival, an end of work, an abandon, a relaxation step coming into force). Handle times
 * and patience that an arrival does not give are drawn, in arrival order, from exponential distributions with the
 * configured means, using a {@link Random} seeded with {@code seed}: the same inputs and seed give the same result,
 * and two rule files simulated with one seed see the same customers.
 *
 * <p>Threading: instances are immutable; {@link #simulate} keeps its state on the stack and may run concurrently.
 */
public final class Simulator {
  /** Monday 2026-11-23 09:00 in Berlin: inside the demo's business hours. */
  public static final ZonedDateTime DEFAULT_START = ZonedDateTime.of(2026, 11, 23, 9, 0, 0, 0, ZoneId.of("Europe/Berlin"));

  private static final int COMPLETE = 0;
  private static final int ARRIVE = 1;
  private static final int ABANDON = 2;
  private static final int WAKE = 3;

  private final Duration meanHandle;
  private final Duration meanPatience;
  private final ZonedDateTime start;
  private final PassObserver observer;

  /** Mean handle 180 s, mean patience 120 s, starting at {@link #DEFAULT_START}. */
  public Simulator() {
    this(Duration.ofSeconds(180), Duration.ofSeconds(120));
  }

  public Simulator(Duration meanHandle, Duration meanPatience) {
    this(meanHandle, meanPatience, DEFAULT_START, null);
  }

  /**
   * @param start the wall-clock moment simulated time 0 stands for (calendars in conditions see it)
   * @param observer told after every matching pass; may be null
   */
  public Simulator(Duration meanHandle, Duration meanPatience, ZonedDateTime start, PassObserver observer) {
    this.meanHandle = Objects.requireNonNull(meanHandle, "meanHandle");
    this.meanPatience = Objects.requireNonNull(meanPatience, "meanPatience");
    this.start = Objects.requireNonNull(start, "start");
    this.observer = observer;
    if (meanHandle.isNegative() || meanHandle.isZero() || meanPatience.isNegative() || meanPatience.isZero()) {
      throw new IllegalArgumentException("mean handle time and mean patience must be positive");
    }
  }

  /** Runs the simulation until every interaction has been answered and handled, or has abandoned. */
  public SimulationResult simulate(RoutingRules rules, List<Arrival> arrivals, List<SimAgent> roster, long seed) {
    return new Run(rules, arrivals, roster, seed).run();
  }

  private record Event(long at, int kind, long seq, int ref, int agent, String channel) {}

  private static final Comparator<Event> EVENT_ORDER =
      Comparator.comparingLong(Event::at).thenComparingInt(Event::kind).thenComparingLong(Event::seq);

  private final class Run {
    final RoutingRules rules;
    final List<Arrival> arrivals;
    final List<SimAgent> roster;
    final int n;
    final long[] arriveMs;
    final long[] handleMs;
    final long[] patienceMs;
    final Classification[] classification;
    final int[] state; // 0 not yet, 1 waiting, 2 answered, 3 abandoned
    final long[] waitedMs;
    final String[] answeredBy;
    final Map<Integer, WaitingInteraction> waiting = new TreeMap<>();
    final PriorityQueue<Event> events = new PriorityQueue<>(EVENT_ORDER);
    final Instant origin;
    long seq;

    // agents
    final int m;
    final List<Map<String, Integer>> load = new ArrayList<>();
    final int[] totalLoad;
    final long[] idleSinceMs;
    final Map<String, Integer> agentIndex = new HashMap<>();
    /** Per queue: the share of agents' capacity its answered interactions took, in agent-milliseconds. */
    final Map<String, Double> workMs = new HashMap<>();

    Run(RoutingRules rules, List<Arrival> arrivals, List<SimAgent> roster, long seed) {
      this.rules = Objects.requireNonNull(rules, "rules");
      List<Arrival> sorted = new ArrayList<>(arrivals);
      sorted.sort(Comparator.comparing(Arrival::at)); // stable: equal times keep file order
      this.arrivals = sorted;
      this.roster = List.copyOf(roster);
      this.n = sorted.size();
      this.origin = start.toInstant();
      arriveMs = new long[n];
      handleMs = new long[n];
      patienceMs = new long[n];
      classification = new Classification[n];
      state = new int[n];
      waitedMs = new long[n];
      answeredBy = new String[n];
      Random random = new Random(seed);
      for (int i = 0; i < n; i++) {
        Arrival a = sorted.get(i);
        arriveMs[i] = a.at().toMillis();
        handleMs[i] = a.handle() != null ? a.handle().toMillis() : draw(random, meanHandle);
        patienceMs[i] = a.patience() != null ? a.patience().toMillis() : draw(random, meanPatience);
      }
      m = this.roster.size();
      totalLoad = new int[m];
      idleSinceMs = new long[m];
      for (int a = 0; a < m; a++) {
        load.add(new HashMap<>());
        if (agentIndex.put(this.roster.get(a).id(), a) != null) {
          throw new IllegalArgumentException("two agents with id " + this.roster.get(a).id());
        }
      }
    }

    /** Exponential with the given mean, in whole milliseconds (at least 1). */
    long draw(Random random, Duration mean) {
      double u = random.nextDouble();
      return Math.max(1, Math.round(-Math.log1p(-u) * mean.toMillis()));
    }

    void schedule(long at, int kind, int ref, int agent, String channel) {
      events.add(new Event(at, kind, seq++, ref, agent, channel));
    }

    SimulationResult run() {
      for (int i = 0; i < n; i++) {
        schedule(arriveMs[i], ARRIVE, i, -1, null);
      }
      long end = 0;
      while (!events.isEmpty()) {
        long t = events.peek().at();
        boolean changed = false;
        while (!events.isEmpty() && events.peek().at() == t) {
          changed |= process(events.poll(), t);
        }
        if (changed) {
          end = t;
          if (!waiting.isEmpty()) {
            pass(t);
          }
        }
      }
      return result(end);
    }

    /** Applies one event; false when it no longer matters (an abandon or step of an interaction already answered). */
    boolean process(Event e, long t) {
      int i = e.ref();
      switch (e.kind()) {
        case ARRIVE -> arrive(i, t);
        case ABANDON -> {
          if (state[i] != 1) {
            return false;
          }
          state[i] = 3;
          waitedMs[i] = t - arriveMs[i];
          waiting.remove(i);
        }
        case COMPLETE -> {
          int a = e.agent();
          load.get(a).merge(e.channel(), -1, Integer::sum);
          totalLoad[a]--;
          if (totalLoad[a] == 0) {
            idleSinceMs[a] = t;
          }
        }
        default -> {
          // WAKE: a relaxation step of a waiting interaction came into force
          return state[i] == 1;
        }
      }
      return true;
    }

    void arrive(int i, long t) {
      Arrival a = arrivals.get(i);
      InteractionFacts facts =
          new InteractionFacts(a.channel(), a.attributes(), a.customerTier(), a.language(), Map.of(), a.subject());
      Classification c = rules.classify(facts, start.plus(Duration.ofMillis(t)));
      classification[i] = c;
      state[i] = 1;
      waiting.put(i, new WaitingInteraction(id(i), a.channel(), c, origin.plusMillis(t), null, null));
      long giveUp = t + patienceMs[i];
      schedule(giveUp, ABANDON, i, -1, null);
      for (RelaxationStep step : c.steps()) {
        long at = t + step.after().toMillis();
        if (at > t && at < giveUp) {
          schedule(at, WAKE, i, -1, null);
        }
      }
    }

    static String id(int i) {
      return "i" + i;
    }

    void pass(long t) {
      Instant now = origin.plusMillis(t);
      List<Decision> decisions = Matcher.capped().match(new ArrayList<>(waiting.values()), snapshots(now), now);
      for (Decision d : decisions) {
        if (d.chosenAgentId() == null) {
          continue;
        }
        int i = Integer.parseInt(d.interactionId().substring(1));
        int a = agentIndex.get(d.chosenAgentId());
        String channel = arrivals.get(i).channel();
        state[i] = 2;
        waitedMs[i] = t - arriveMs[i];
        answeredBy[i] = d.chosenAgentId();
        waiting.remove(i);
        load.get(a).merge(channel, 1, Integer::sum);
        totalLoad[a]++;
        long held = handleMs[i] + rules.settings().afterCallWork().toMillis();
        // Workload: one of an agent's `capacity` slots of the channel for as long as it is held (a chat of three is a
        // third of the agent; exclusive voice, capacity 1, the whole agent).
        int slots = Math.max(1, roster.get(a).capacity().getOrDefault(channel, 1));
        workMs.merge(classification[i].queue(), (double) held / slots, Double::sum);
        schedule(t + held, COMPLETE, i, a, channel);
      }
      if (observer != null) {
        observer.afterPass(now, List.copyOf(waiting.values()), snapshots(now));
      }
    }

    List<AgentSnapshot> snapshots(Instant now) {
      List<AgentSnapshot> out = new ArrayList<>(m);
      for (int a = 0; a < m; a++) {
        SimAgent s = roster.get(a);
        out.add(
            new AgentSnapshot(
                s.id(),
                true,
                s.skills(),
                s.queues(),
                s.capacity(),
                load.get(a),
                s.exclusiveChannels(),
                origin.plusMillis(idleSinceMs[a])));
      }
      return out;
    }

    SimulationResult result(long end) {
      List<SimulationResult.Outcome> outcomes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        outcomes.add(
            new SimulationResult.Outcome(
                i,
                classification[i].rule(),
                classification[i].queue(),
                arrivals.get(i).channel(),
                state[i] == 2,
                Duration.ofMillis(waitedMs[i]),
                answeredBy[i]));
      }
      Map<String, QueueDefinition> queues = rules.queues();
      List<QueueStats> stats = new ArrayList<>();
      for (QueueDefinition q : queues.values()) {
        stats.add(stats(q.id(), q.name(), q.serviceLevelPercent(), q.serviceLevelThreshold(), end, q.id()));
      }
      QueueStats total = stats("all", "All queues", Double.NaN, null, end, null);
      return new SimulationResult(stats, total, Duration.ofMillis(end), outcomes);
    }

    /** Stats for one queue, or for all ({@code queue} null: each interaction judged by its own queue's threshold). */
    QueueStats stats(String id, String name, double target, Duration threshold, long end, String queue) {
      int offered = 0;
      int answered = 0;
      int abandoned = 0;
      int within = 0;
      int abandonedLate = 0;
      long answeredWait = 0;
      for (int i = 0; i < n; i++) {
        String q = classification[i].queue();
        if (queue != null && !queue.equals(q)) {
          continue;
        }
        long limit = rules.queues().get(q).serviceLevelThreshold().toMillis();
        offered++;
        if (state[i] == 2) {
          answered++;
          answeredWait += waitedMs[i];
          if (waitedMs[i] <= limit) within++;
        } else {
          abandoned++;
          if (waitedMs[i] > limit) abandonedLate++;
        }
      }
      // Occupancy is workload-based: the capacity share the queue's interactions took (each one `1 / capacity` of its
      // agent while held), over the time of the agents who serve the queue.
      double busy = queue == null ? workMs.values().stream().mapToDouble(Double::doubleValue).sum()
          : workMs.getOrDefault(queue, 0.0);
      long staffed = 0;
      for (int a = 0; a < m; a++) {
        if (queue == null || roster.get(a).serves(queue)) {
          staffed += end;
        }
      }
      double sl = answered + abandonedLate == 0 ? Double.NaN : 100.0 * within / (answered + abandonedLate);
      Duration asa = answered == 0 ? null : Duration.ofMillis(Math.round((double) answeredWait / answered));
      double abandonRate = offered == 0 ? Double.NaN : 100.0 * abandoned / offered;
      double occupancy = staffed == 0 ? Double.NaN : 100.0 * busy / staffed;
      return new QueueStats(id, name, target, threshold, offered, answered, abandoned, sl, asa, abandonRate, occupancy);
    }
  }
}
