package io.switchboard.hub.core.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The supervisor dashboard at one moment: every queue of the rules in force with its live, today's and
 * recent figures and its staffing, every agent routing knows, totals, and (when asked for) the recent
 * history for charts. Immutable; {@link #toJson} gives the wire form described in docs/dashboard.md.
 *
 * @param at when it was computed
 * @param zone the zone whose midnight starts "today"
 * @param dayStart midnight of today in {@code zone}
 * @param windowMinutes the length of the recent window ("last 30 minutes")
 * @param history per queue id, the sampled points oldest first; null in the per-second ticks
 */
public record DashboardSnapshot(Instant at, ZoneId zone, Instant dayStart, int windowMinutes, List<QueueFigures> queues,
    List<AgentFigures> agents, Totals totals, History history) {

  /**
   * One queue.
   *
   * @param waiting interactions waiting for an offer now
   * @param longestWaitMs how long the one waiting longest has waited; 0 when none waits
   * @param oldestInteractionId the one waiting longest, or null
   * @param removed the rules in force no longer name this queue, but contacts still wait in it (see docs/dashboard.md)
   */
  public record QueueFigures(String id, String name, double targetPercent, int targetSeconds, long maxWaitSeconds,
      int waiting, long longestWaitMs, String oldestInteractionId, PeriodFigures today, PeriodFigures window,
      Map<String, Long> handledByChannel, Staffing staffing, boolean removed) {
    /** A queue of the rules in force. */
    public QueueFigures(String id, String name, double targetPercent, int targetSeconds, long maxWaitSeconds,
        int waiting, long longestWaitMs, String oldestInteractionId, PeriodFigures today, PeriodFigures window,
        Map<String, Long> handledByChannel, Staffing staffing) {
      this(id, name, targetPercent, targetSeconds, maxWaitSeconds, waiting, longestWaitMs, oldestInteractionId, today,
          window, handledByChannel, staffing, false);
    }
  }

  /**
   * A queue's figures over one period (see docs/dashboard.md for each definition).
   *
   * @param serviceLevel percent (0–100) answered within the threshold of those answered or abandoned late; null when none counts
   * @param asaMs average speed of answer; null when nothing was answered
   * @param abandonRate percent (0–100) of abandoned among answered + abandoned; null when neither happened
   * @param ahtMs average handle time (answered → ended after wrap-up); null when nothing was handled
   * @param talkMs average time from answer to the end of the conversation (before wrap-up); null when nothing was handled
   */
  public record PeriodFigures(long offered, long answered, long answeredInTarget, long abandoned, long abandonedLate,
      long handled, Double serviceLevel, Long asaMs, Double abandonRate, Long ahtMs, Long talkMs) {}

  /**
   * The Erlang C staffing estimate of a queue.
   *
   * @param arrivalsPerHour arrivals of the window scaled to an hour
   * @param ahtSeconds the handle time used
   * @param ahtSource where it came from: {@code window}, {@code today} or {@code default}
   * @param erlangs offered traffic (arrivals per second × AHT)
   * @param slotsNeeded fewest contacts handled at once that meet the queue's target, by Erlang C (0 when
   *     nothing arrives)
   * @param concurrency contacts an agent of the queue holds at once, on average over its work (1 for voice)
   * @param agentsNeeded {@code slotsNeeded / concurrency}, rounded up
   * @param staffed agents serving the queue who are present and not offline
   * @param available of those, the ones available now
   * @param gap {@code staffed − agentsNeeded}: negative means short
   */
  public record Staffing(int windowMinutes, double arrivalsPerHour, double ahtSeconds, String ahtSource, double erlangs,
      int slotsNeeded, double concurrency, int agentsNeeded, int staffed, int available, int gap) {}

  /** One agent as routing sees it now, with its directory entry. */
  public record AgentFigures(String id, String username, String displayName, String role, String state, String reason,
      Instant since, long timeInStateMs, boolean present, Map<String, Integer> load, Map<String, Integer> capacity,
      long assigned) {}

  /** Agents by state, and how many interactions wait in all queues. */
  /**
   * @param byState agents per routing state, counting only those whose console is present (and every offline one)
   * @param absent agents who are not offline but whose console is closed or not answering: no offer reaches them,
   *     so they are not counted as available (or in any state)
   */
  public record Totals(int agents, Map<String, Integer> byState, int present, int waiting, int absent) {
    public Totals(int agents, Map<String, Integer> byState, int present, int waiting) {
      this(agents, byState, present, waiting, 0);
    }
  }

  /** A chart point: waiting and the 30-minute service level of one queue at one moment. */
  public record HistoryPoint(Instant at, int waiting, Double serviceLevel30m) {}

  /** The chart history: points every {@code intervalSeconds}, per queue id. */
  public record History(int intervalSeconds, int minutes, Map<String, List<HistoryPoint>> points) {}

  /** This snapshot with the given history. */
  public DashboardSnapshot withHistory(History h) {
    return new DashboardSnapshot(at, zone, dayStart, windowMinutes, queues, agents, totals, h);
  }

  /** The wire form; {@code history} is included only when this snapshot carries one. */
  public JsonObject toJson() {
    JsonArray qs = new JsonArray();
    for (QueueFigures q : queues) {
      qs.add(new JsonObject()
          .put("id", q.id())
          .put("name", q.name())
          .put("removed", q.removed())
          .put("target", new JsonObject().put("percent", q.targetPercent()).put("withinSeconds", q.targetSeconds())
              .put("maxWaitSeconds", q.maxWaitSeconds()))
          .put("waiting", q.waiting())
          .put("longestWaitMs", q.longestWaitMs())
          .put("oldestInteractionId", q.oldestInteractionId())
          .put("today", period(q.today()))
          .put("last30m", period(q.window()))
          .put("handledByChannel", new JsonObject(new LinkedHashMap<>(q.handledByChannel())))
          .put("staffing", staffing(q.staffing())));
    }
    JsonArray as = new JsonArray();
    for (AgentFigures a : agents) {
      as.add(new JsonObject()
          .put("id", a.id())
          .put("username", a.username())
          .put("displayName", a.displayName())
          .put("role", a.role())
          .put("state", a.state())
          .put("reason", a.reason())
          .put("since", a.since() == null ? null : a.since().toString())
          .put("timeInStateMs", a.timeInStateMs())
          .put("present", a.present())
          .put("load", new JsonObject(new LinkedHashMap<>(a.load())))
          .put("capacity", new JsonObject(new LinkedHashMap<>(a.capacity())))
          .put("assigned", a.assigned()));
    }
    JsonObject json = new JsonObject()
        .put("at", at.toString())
        .put("zone", zone.getId())
        .put("dayStart", dayStart.toString())
        .put("windowMinutes", windowMinutes)
        .put("queues", qs)
        .put("agents", as)
        .put("totals", new JsonObject()
            .put("agents", totals.agents())
            .put("byState", new JsonObject(new LinkedHashMap<>(totals.byState())))
            .put("present", totals.present())
            .put("absent", totals.absent())
            .put("waiting", totals.waiting()));
    if (history != null) {
      JsonObject points = new JsonObject();
      history.points().forEach((queue, list) -> {
        JsonArray arr = new JsonArray();
        list.forEach(p -> arr.add(point(p)));
        points.put(queue, arr);
      });
      json.put("history", new JsonObject().put("intervalSeconds", history.intervalSeconds())
          .put("minutes", history.minutes()).put("points", points));
    }
    return json;
  }

  static JsonObject point(HistoryPoint p) {
    return new JsonObject().put("at", p.at().toString()).put("waiting", p.waiting()).put("serviceLevel30m", p.serviceLevel30m());
  }

  private static JsonObject period(PeriodFigures p) {
    return new JsonObject()
        .put("offered", p.offered())
        .put("answered", p.answered())
        .put("answeredInTarget", p.answeredInTarget())
        .put("abandoned", p.abandoned())
        .put("abandonedAfterTarget", p.abandonedLate())
        .put("handled", p.handled())
        .put("serviceLevel", p.serviceLevel())
        .put("asaMs", p.asaMs())
        .put("abandonRate", p.abandonRate())
        .put("ahtMs", p.ahtMs())
        .put("talkMs", p.talkMs());
  }

  private static JsonObject staffing(Staffing s) {
    return new JsonObject()
        .put("windowMinutes", s.windowMinutes())
        .put("arrivalsPerHour", s.arrivalsPerHour())
        .put("ahtSeconds", s.ahtSeconds())
        .put("ahtSource", s.ahtSource())
        .put("erlangs", s.erlangs())
        .put("slotsNeeded", s.slotsNeeded())
        .put("concurrency", s.concurrency())
        .put("agentsNeeded", s.agentsNeeded())
        .put("staffed", s.staffed())
        .put("available", s.available())
        .put("gap", s.gap());
  }
}
