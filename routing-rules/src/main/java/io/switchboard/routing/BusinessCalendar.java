package io.switchboard.routing;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Opening hours from the {@code calendars:} block: per weekday a list of {@code [from, until)} ranges in the calendar's
 * time zone, and holidays (closed all day). Immutable and thread-safe.
 *
 * @param hours day → ranges; a day not listed is closed
 */
record BusinessCalendar(String name, ZoneId zone, Map<DayOfWeek, List<Range>> hours, Set<LocalDate> holidays) {

  /** Open from {@code from} (inclusive) to {@code until} (exclusive); {@code until} null means midnight (24:00). */
  record Range(LocalTime from, LocalTime until) {
    boolean contains(LocalTime t) {
      return !t.isBefore(from) && (until == null || t.isBefore(until));
    }
  }

  BusinessCalendar {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(zone, "zone");
    EnumMap<DayOfWeek, List<Range>> copy = new EnumMap<>(DayOfWeek.class);
    hours.forEach((day, ranges) -> copy.put(day, List.copyOf(ranges)));
    hours = copy;
    holidays = Set.copyOf(holidays);
  }

  boolean isOpen(ZonedDateTime now) {
    ZonedDateTime local = now.withZoneSameInstant(zone);
    if (holidays.contains(local.toLocalDate())) {
      return false;
    }
    LocalTime t = local.toLocalTime();
    for (Range r : hours.getOrDefault(local.getDayOfWeek(), List.of())) {
      if (r.contains(t)) {
        return true;
      }
    }
    return false;
  }
}
