package io.switchboard.hub.core.dashboard;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.routing.AgentRoster;
import io.switchboard.hub.core.routing.RulesService;
import io.switchboard.hub.store.DashboardStore;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.routing.QueueDefinition;
import io.switchboard.routing.RoutingRules;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Computes the supervisor dashboard ({@link DashboardSnapshot}) from live routing state in Redis (what waits
 * now, every agent's state, presence and load) and PostgreSQL (today's and the recent window's interactions,
 * in one aggregated query for all queues, and the agents' names). Every queue of the rules in force is in
 * it, with or without traffic. The definitions are in docs/dashboard.md.
 *
 * <p>"Today" starts at midnight in the zone of the first business calendar of the rules, else in the
 * system's default zone. Today's rows before a recent boundary are read only now and then ({@link ClosedPeriods});
 * apart from that cache it is stateless. Methods return futures and never block.
 */
public final class DashboardService {
  /** The recent window: "last 30 minutes" figures and the arrival rate and handle time of staffing. */
  public static final Duration WINDOW = Duration.ofMinutes(30);

  /** Agent states in the order the totals list them. */
  static final List<String> STATES = List.of("available", "busy", "after_call_work", "break", "offline");

  private final Stores stores;
  private final RoutingState live;
  private final RulesService rules;
  private final Clock clock;
  private final ClosedPeriods closedPeriods = new ClosedPeriods();
  private final AgentRoster roster;

  public DashboardService(Stores stores, RoutingState live, RulesService rules, Clock clock) {
    this.stores = stores;
    this.live = live;
    this.rules = rules;
    this.clock = clock;
    this.roster = new AgentRoster(stores, live);
  }

  /** The zone whose midnight starts "today". */
  public ZoneId zone() {
    return zone(rules.current());
  }

  private static ZoneId zone(RoutingRules r) {
    return r.calendarZone().orElse(ZoneId.systemDefault());
  }

  /** The dashboard now, without history. Fails when PostgreSQL or Redis cannot be read. */
  public Future<DashboardSnapshot> compute() {
    Instant now = clock.instant();
    RoutingRules current = rules.current();
    ZoneId zone = zone(current);
    Instant dayStart = now.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
    Instant windowStart = now.minus(WINDOW);
    List<QueueDefinition> queues = new ArrayList<>(current.queues().values());
    Future<LinkedHashMap<String, JsonObject>> waiting = live.waitingRaw().map(DashboardService::readable);
    // The same view of agents as the directory and the state endpoint (AgentRoster): every active agent, a fresh one
    // included, and any other member of staff routing holds (a supervisor who takes work).
    Future<List<RoutingState.AgentLive>> agents = roster.all().map(members -> members.stream()
        .filter(m -> m.agent().active() && (m.agent().role() == Role.AGENT || m.routed()))
        .map(AgentRoster.Member::live).toList());
    List<String> ids = queues.stream().map(QueueDefinition::id).toList();
    List<Integer> targets = queues.stream().map(q -> (int) Math.max(0, q.serviceLevelThreshold().toSeconds())).toList();
    // Today = a closed part read now and then + the recent rows read every time (see ClosedPeriods).
    Instant boundary = ClosedPeriods.boundary(dayStart, windowStart);
    Future<List<DashboardStore.QueueChannelSpan>> closed = closedPeriods.read(stores, ids, targets, dayStart, boundary, now);
    Future<List<DashboardStore.QueueChannelRow>> recent = stores.dashboard().queuePeriods(stores.db().pool(), ids, targets,
        boundary, windowStart, now);
    Future<List<DashboardStore.QueueChannelRow>> periods = Future.all(closed, recent)
        .map(x -> withClosed(recent.result(), closed.result()));
    Future<List<DashboardStore.AgentRow>> directory = agents.compose(list -> stores.dashboard().agents(stores.db().pool(),
        list.stream().map(a -> parse(a.agentId())).filter(id -> id != null).toList()));
    return Future.all(waiting, agents, periods, directory).map(x -> new DashboardSnapshot(now, zone, dayStart,
        (int) WINDOW.toMinutes(), queueFigures(queues, waiting.result(), agents.result(), periods.result(), now),
        agentFigures(agents.result(), directory.result(), now), totals(agents.result(), waiting.result().size()), null));
  }

  /**
   * The waiting items the dashboard can read, oldest first. An item that is no JSON object, or whose classification is
   * not one (written by something other than routing's scripts), is left out, as routing's index leaves it out (with a
   * warning there): one bad item must not stop the dashboard, and with it the web chat's wait estimates, for everyone.
   */
  static LinkedHashMap<String, JsonObject> readable(Map<String, RoutingState.RawItem> raw) {
    LinkedHashMap<String, JsonObject> out = new LinkedHashMap<>();
    raw.forEach((id, item) -> {
      try {
        JsonObject j = item.parse();
        Object cls = j.getValue("classification");
        if (cls == null || cls instanceof JsonObject) {
          out.put(id, j);
        }
      } catch (RuntimeException e) {
        // left out, see above
      }
    });
    return out;
  }

  private static List<DashboardSnapshot.QueueFigures> queueFigures(List<QueueDefinition> queues,
      Map<String, JsonObject> waiting, List<RoutingState.AgentLive> agents, List<DashboardStore.QueueChannelRow> rows,
      Instant now) {
    Map<String, DashboardStore.Period> today = new HashMap<>();
    Map<String, DashboardStore.Period> window = new HashMap<>();
    Map<String, Map<String, Long>> byChannel = new HashMap<>();
    Map<String, List<DashboardStore.QueueChannelRow>> rowsOf = new HashMap<>();
    for (DashboardStore.QueueChannelRow r : rows) {
      rowsOf.computeIfAbsent(r.queueId(), k -> new ArrayList<>()).add(r);
      today.merge(r.queueId(), r.today(), DashboardStore.Period::plus);
      window.merge(r.queueId(), r.window(), DashboardStore.Period::plus);
      if (r.today().answered() > 0) {
        byChannel.computeIfAbsent(r.queueId(), k -> new LinkedHashMap<>()).put(r.channel(), r.today().answered());
      }
    }
    // Waiting items are oldest first, so the first of a queue is its longest wait.
    Map<String, Integer> waitingCount = new HashMap<>();
    Map<String, Map.Entry<String, Long>> oldest = new HashMap<>();
    waiting.forEach((id, item) -> {
      JsonObject cls = item.getJsonObject("classification");
      String queue = cls == null ? null : cls.getString("queue");
      if (queue == null) {
        return;
      }
      waitingCount.merge(queue, 1, Integer::sum);
      long since = item.getLong("waitingSince", now.toEpochMilli());
      oldest.merge(queue, Map.entry(id, since), (a, b) -> b.getValue() < a.getValue() ? b : a);
    });
    List<DashboardSnapshot.QueueFigures> out = new ArrayList<>();
    for (QueueDefinition q : queues) {
      DashboardSnapshot.PeriodFigures d = figures(today.getOrDefault(q.id(), DashboardStore.Period.EMPTY));
      DashboardSnapshot.PeriodFigures w = figures(window.getOrDefault(q.id(), DashboardStore.Period.EMPTY));
      List<RoutingState.AgentLive> serving = new ArrayList<>();
      int available = 0;
      for (RoutingState.AgentLive a : agents) {
        if (a.present() && !"offline".equals(a.state()) && (a.queues().isEmpty() || a.queues().contains(q.id()))) {
          serving.add(a);
          if ("available".equals(a.state())) {
            available++;
          }
        }
      }
      List<DashboardStore.QueueChannelRow> own = rowsOf.getOrDefault(q.id(), List.of());
      double concurrency = StaffingModel.concurrency(workload(own, w.ahtMs(), d.ahtMs()),
          capacity(serving.isEmpty() ? agents : serving));
      DashboardSnapshot.Staffing staffing = StaffingModel.estimate(w.offered(), WINDOW, w.ahtMs(), d.ahtMs(),
          q.serviceLevelPercent(), q.serviceLevelThreshold(), serving.size(), available, concurrency);
      Map.Entry<String, Long> first = oldest.get(q.id());
      out.add(new DashboardSnapshot.QueueFigures(q.id(), q.name(), q.serviceLevelPercent(),
          (int) q.serviceLevelThreshold().toSeconds(), q.maxWait().toSeconds(), waitingCount.getOrDefault(q.id(), 0),
          first == null ? 0 : Math.max(0, now.toEpochMilli() - first.getValue()), first == null ? null : first.getKey(),
          d, w, byChannel.getOrDefault(q.id(), Map.of()), staffing));
    }
    // Contacts keep the queue they were classified into. When a new rules version drops that queue while they wait,
    // they still wait (and are still offered by their classification): show them in a row of their own, marked
    // removed, so the per-queue waiting adds up to the total and the supervisor sees whom to move.
    java.util.Set<String> known = new java.util.HashSet<>();
    queues.forEach(q -> known.add(q.id()));
    new java.util.TreeSet<>(waitingCount.keySet()).stream().filter(id -> !known.contains(id)).forEach(id -> {
      Map.Entry<String, Long> first = oldest.get(id);
      DashboardSnapshot.PeriodFigures none = figures(DashboardStore.Period.EMPTY);
      int staffed = 0;
      int available = 0;
      for (RoutingState.AgentLive a : agents) {
        if (a.present() && !"offline".equals(a.state()) && (a.queues().isEmpty() || a.queues().contains(id))) {
          staffed++;
          if ("available".equals(a.state())) {
            available++;
          }
        }
      }
      out.add(new DashboardSnapshot.QueueFigures(id, id + " (removed from the rules)", 0, 0, 0, waitingCount.get(id),
          first == null ? 0 : Math.max(0, now.toEpochMilli() - first.getValue()), first == null ? null : first.getKey(),
          none, none, Map.of(), new DashboardSnapshot.Staffing((int) WINDOW.toMinutes(), 0, 0, "default", 0, 0, 1.0, 0, staffed, available, staffed),
          true));
    });
    return out;
  }

  /**
   * A queue's recent workload per channel: the window's arrivals × the channel's handle time in the window
   * (else the queue's, else today's, else the default), in ms.
   */
  static Map<String, Double> workload(List<DashboardStore.QueueChannelRow> rows, Long windowAhtMs, Long todayAhtMs) {
    double fallback = windowAhtMs != null && windowAhtMs > 0 ? windowAhtMs
        : todayAhtMs != null && todayAhtMs > 0 ? todayAhtMs : StaffingModel.DEFAULT_AHT.toMillis();
    Map<String, Double> out = new LinkedHashMap<>();
    for (DashboardStore.QueueChannelRow r : rows) {
      DashboardStore.Period p = r.window();
      if (p.offered() > 0) {
        double aht = p.handled() > 0 ? (double) p.handleMs() / p.handled() : fallback;
        out.merge(r.channel(), p.offered() * aht, Double::sum);
      }
    }
    return out;
  }

  /**
   * The contacts an agent may hold at once per channel, averaged over {@code agents}; a channel the agent
   * must do alone (voice, "exclusive") counts as 1.
   */
  static Map<String, Double> capacity(List<RoutingState.AgentLive> agents) {
    Map<String, Double> sum = new HashMap<>();
    Map<String, Integer> count = new HashMap<>();
    for (RoutingState.AgentLive a : agents) {
      a.capacity().forEach((channel, cap) -> {
        double c = a.exclusive().contains(channel) ? 1 : Math.max(1, cap == null ? 1 : cap);
        sum.merge(channel, c, Double::sum);
        count.merge(channel, 1, Integer::sum);
      });
    }
    Map<String, Double> out = new HashMap<>();
    sum.forEach((channel, total) -> out.put(channel, total / count.get(channel)));
    return out;
  }

  /** The recent rows with the closed part of today added to their today figures (rows only in the closed part too). */
  static List<DashboardStore.QueueChannelRow> withClosed(List<DashboardStore.QueueChannelRow> recent,
      List<DashboardStore.QueueChannelSpan> closed) {
    Map<Map.Entry<String, String>, DashboardStore.QueueChannelRow> rows = new LinkedHashMap<>();
    for (DashboardStore.QueueChannelRow r : recent) {
      rows.put(Map.entry(r.queueId(), r.channel()), r);
    }
    for (DashboardStore.QueueChannelSpan c : closed) {
      rows.merge(Map.entry(c.queueId(), c.channel()),
          new DashboardStore.QueueChannelRow(c.queueId(), c.channel(), c.figures(), DashboardStore.Period.EMPTY),
          (r, add) -> new DashboardStore.QueueChannelRow(r.queueId(), r.channel(), r.today().plus(add.today()), r.window()));
    }
    return new ArrayList<>(rows.values());
  }

  /** A period's rates and averages from its counts and sums; null where nothing counts (never NaN). */
  static DashboardSnapshot.PeriodFigures figures(DashboardStore.Period p) {
    long slBase = p.answered() + p.abandonedLate();
    long closed = p.answered() + p.abandoned();
    return new DashboardSnapshot.PeriodFigures(p.offered(), p.answered(), p.answeredInTarget(), p.abandoned(),
        p.abandonedLate(), p.handled(),
        slBase == 0 ? null : 100.0 * p.answeredInTarget() / slBase,
        p.answered() == 0 ? null : Math.round(p.waitMs() / p.answered()),
        closed == 0 ? null : 100.0 * p.abandoned() / closed,
        p.handled() == 0 ? null : Math.round(p.handleMs() / p.handled()),
        p.handled() == 0 ? null : Math.round(p.talkMs() / p.handled()));
  }

  private static List<DashboardSnapshot.AgentFigures> agentFigures(List<RoutingState.AgentLive> agents,
      List<DashboardStore.AgentRow> directory, Instant now) {
    Map<String, DashboardStore.AgentRow> byId = new HashMap<>();
    directory.forEach(r -> byId.put(r.id().toString(), r));
    List<DashboardSnapshot.AgentFigures> out = new ArrayList<>();
    for (RoutingState.AgentLive a : agents) {
      DashboardStore.AgentRow d = byId.get(a.agentId());
      out.add(new DashboardSnapshot.AgentFigures(a.agentId(), d == null ? null : d.username(),
          d == null ? null : d.displayName(), d == null ? null : d.role(), a.state(), a.reason(), a.since(),
          a.since() == null ? 0 : Math.max(0, now.toEpochMilli() - a.since().toEpochMilli()), a.present(),
          a.load(), a.capacity(), d == null ? 0 : d.working()));
    }
    out.sort(Comparator.comparing((DashboardSnapshot.AgentFigures f) -> f.username() == null ? "~" + f.id() : f.username()));
    return out;
  }

  private static DashboardSnapshot.Totals totals(List<RoutingState.AgentLive> agents, int waiting) {
    Map<String, Integer> byState = new LinkedHashMap<>();
    STATES.forEach(s -> byState.put(s, 0));
    int present = 0;
    int absent = 0;
    for (RoutingState.AgentLive a : agents) {
      if (a.present()) {
        present++;
      }
      // "Available" with the console closed is not available: no offer reaches such an agent.
      if (!a.present() && !"offline".equals(a.state())) {
        absent++;
      } else {
        byState.merge(a.state(), 1, Integer::sum);
      }
    }
    return new DashboardSnapshot.Totals(agents.size(), byState, present, waiting, absent);
  }

  private static UUID parse(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
