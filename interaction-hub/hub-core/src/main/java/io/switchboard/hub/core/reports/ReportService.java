package io.switchboard.hub.core.reports;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.error.ValidationException.FieldError;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.ReportStore;
import io.switchboard.hub.store.ReportStore.Dimension;
import io.switchboard.hub.store.ReportStore.Query;
import io.switchboard.hub.store.ReportStore.Unit;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Interval reports (docs/reports.md): checks a report request (range, interval, filters, who may see what) and
 * reads the report tables that {@link ReportJob} fills. Supervisors and admins see every queue, agent and
 * channel; an agent sees only its own agent figures.
 */
public final class ReportService {
  /** The longest range per interval: more rows than that is refused (422 on {@code to}). */
  static final Duration MAX_15M = Duration.ofDays(31);
  static final Duration MAX_HOUR = Duration.ofDays(92);
  static final Duration MAX_DAY = Duration.ofDays(732);
  static final Duration MAX_WEEK = Duration.ofDays(366 * 5);
  private static final Set<String> CHANNELS = Set.of("voice", "email", "chat", "social");

  private final Database db;
  private final ReportStore store;
  private final Supplier<ZoneId> zone;
  private final AnalyticsSettings settings;

  /** @param zone the business calendar's zone (days and weeks start at its midnight) */
  public ReportService(Database db, ReportStore store, Supplier<ZoneId> zone, AnalyticsSettings settings) {
    this.db = db;
    this.store = store;
    this.zone = zone;
    this.settings = settings;
  }

  public AnalyticsSettings settings() {
    return settings;
  }

  public ZoneId zone() {
    return zone.get();
  }

  /**
   * A report request as given (query parameters); null means not given. {@code queues}, {@code agents} and
   * {@code channels} are comma-separated lists.
   */
  public record Request(String dimension, String from, String to, String interval, String queues, String agents,
      String channels) {}

  /**
   * Checks {@code r} for {@code who} and returns the query to stream. Fails with {@link ValidationException}
   * (every bad field named) or {@link ForbiddenException} (an agent asking for more than its own figures).
   */
  public Future<Query> check(Request r, Principal.Staff who) {
    List<FieldError> errors = new ArrayList<>();
    ZoneId z = zone.get();
    Dimension dim = switch (r.dimension() == null ? "" : r.dimension()) {
      case "queues" -> Dimension.QUEUES;
      case "agents" -> Dimension.AGENTS;
      case "channels" -> Dimension.CHANNELS;
      default -> {
        errors.add(new FieldError("dimension", "must be queues, agents or channels"));
        yield null;
      }
    };
    Unit unit = switch (r.interval() == null ? "day" : r.interval().toLowerCase(Locale.ROOT)) {
      case "15m", "15min" -> Unit.MINUTES_15;
      case "hour" -> Unit.HOUR;
      case "day" -> Unit.DAY;
      case "week" -> Unit.WEEK;
      default -> {
        errors.add(new FieldError("interval", "must be 15m, hour, day or week"));
        yield null;
      }
    };
    Instant from = time(r.from(), "from", z, errors);
    Instant to = time(r.to(), "to", z, errors);
    if (from != null && to != null) {
      if (!from.isBefore(to)) {
        errors.add(new FieldError("to", "must be after from"));
      } else if (unit != null && Duration.between(from, to).compareTo(max(unit)) > 0) {
        errors.add(new FieldError("to", "the range is longer than " + max(unit).toDays() + " days, the most for interval "
            + r.interval() + "; choose a longer interval or a shorter range"));
      }
    }
    List<String> queues = list(r.queues(), "queues", 100, errors, s -> s);
    List<UUID> agents = list(r.agents(), "agents", 500, errors, UUID::fromString);
    List<String> channels = list(r.channels(), "channels", 4, errors, s -> {
      if (!CHANNELS.contains(s)) {
        throw new IllegalArgumentException("unknown channel '" + s + "'; expected voice, email, chat or social");
      }
      return s;
    });
    if (dim == Dimension.AGENTS && queues != null) {
      errors.add(new FieldError("queues", "the agents report is not broken down by queue"));
    }
    if (dim != Dimension.AGENTS && agents != null) {
      errors.add(new FieldError("agents", "only the agents report takes agents"));
    }
    if (!who.role().atLeast(Role.SUPERVISOR) && dim != null) {
      UUID self = who.agentId().value();
      if (dim != Dimension.AGENTS) {
        return Future.failedFuture(new ForbiddenException("agents see only their own figures: use the agents report"));
      }
      if (agents != null && !(agents.size() == 1 && agents.get(0).equals(self))) {
        return Future.failedFuture(new ForbiddenException("agents see only their own figures"));
      }
      agents = List.of(self);
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(new ValidationException(errors));
    }
    Query q = new Query(dim, unit, from, to, z.getId(), queues, agents, channels);
    Future<Void> known = Future.succeededFuture();
    if (queues != null) {
      known = known.compose(x -> store.unknownQueues(db.pool(), queues).compose(u -> u.isEmpty() ? Future.<Void>succeededFuture()
          : Future.failedFuture(new ValidationException("queues", "unknown queue" + (u.size() > 1 ? "s " : " ") + String.join(", ", u)))));
    }
    if (agents != null && who.role().atLeast(Role.SUPERVISOR)) {
      List<UUID> a = agents;
      known = known.compose(x -> store.unknownAgents(db.pool(), a).compose(u -> u.isEmpty() ? Future.<Void>succeededFuture()
          : Future.failedFuture(new ValidationException("agents", "unknown agent" + (u.size() > 1 ? "s " : " ")
              + String.join(", ", u.stream().map(UUID::toString).toList())))));
    }
    return known.map(x -> q);
  }

  /** Streams the query's rows (see {@link ReportStore#stream}). */
  public Future<Long> stream(Query q, ReportStore.RowSink sink) {
    return store.stream(db, q, ReportStore.STREAM_FETCH, sink);
  }

  /** The query's rows in memory. */
  public Future<List<ReportStore.ReportRow>> read(Query q) {
    return store.read(db.pool(), q);
  }

  /**
   * Marks the intervals of {@code [from, to)} for computing again and wakes the job; returns how many intervals
   * were marked.
   */
  public Future<Long> rebuild(String fromRaw, String toRaw, io.vertx.core.Vertx vertx) {
    List<FieldError> errors = new ArrayList<>();
    Instant from = time(fromRaw, "from", zone.get(), errors);
    Instant to = time(toRaw, "to", zone.get(), errors);
    if (from != null && to != null && !from.isBefore(to)) {
      errors.add(new FieldError("to", "must be after from"));
    } else if (from != null && to != null && Duration.between(from, to).compareTo(MAX_DAY) > 0) {
      errors.add(new FieldError("to", "a rebuild covers at most " + MAX_DAY.toDays() + " days"));
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(new ValidationException(errors));
    }
    return store.markRange(db, from, to).onSuccess(n -> vertx.eventBus().send(ReportJob.WAKE_ADDRESS, null));
  }

  static Duration max(Unit u) {
    return switch (u) {
      case MINUTES_15 -> MAX_15M;
      case HOUR -> MAX_HOUR;
      case DAY -> MAX_DAY;
      case WEEK -> MAX_WEEK;
    };
  }

  /** A date (midnight in the zone), a local date-time (in the zone) or an instant with offset. */
  static Instant time(String raw, String field, ZoneId zone, List<FieldError> errors) {
    if (raw == null || raw.isBlank()) {
      errors.add(new FieldError(field, "is required (a date such as 2026-11-23, or a time such as 2026-11-23T08:00:00Z)"));
      return null;
    }
    try {
      if (raw.length() == 10) {
        return LocalDate.parse(raw).atStartOfDay(zone).toInstant();
      }
      try {
        return OffsetDateTime.parse(raw).toInstant();
      } catch (DateTimeParseException e) {
        return LocalDateTime.parse(raw).atZone(zone).toInstant();
      }
    } catch (DateTimeParseException e) {
      errors.add(new FieldError(field, "'" + (raw.length() > 40 ? raw.substring(0, 40) + "..." : raw)
          + "' is not a date (2026-11-23) or an ISO time (2026-11-23T08:00:00Z)"));
      return null;
    }
  }

  private interface Parse<T> {
    T apply(String s);
  }

  private static <T> List<T> list(String raw, String field, int max, List<FieldError> errors, Parse<T> parse) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    Set<T> out = new LinkedHashSet<>();
    for (String part : raw.split(",")) {
      String s = part.strip();
      if (s.isEmpty()) {
        continue;
      }
      try {
        out.add(parse.apply(s));
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError(field, e.getMessage() != null && e.getMessage().startsWith("unknown") ? e.getMessage()
            : "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "' is not valid"));
        return null;
      }
    }
    if (out.size() > max) {
      errors.add(new FieldError(field, "at most " + max + " values"));
      return null;
    }
    return out.isEmpty() ? null : List.copyOf(out);
  }
}
