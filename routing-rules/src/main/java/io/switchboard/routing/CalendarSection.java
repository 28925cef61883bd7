package io.switchboard.routing;

import io.switchboard.routing.RuleNodes.Fields;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The {@code calendars} section of routing.yaml: named business calendars, each with a time zone, opening hours per
 * day ({@code mon-fri: "08:00-18:00"}, several ranges, {@code closed}, {@code daily}) and holidays. Problems are
 * recorded through {@link RuleNodes}; a calendar without a usable zone is left out. Not thread-safe.
 */
final class CalendarSection {
  private static final List<String> CALENDAR_KEYS = List.of("zone", "hours", "holidays");
  private static final Pattern HOURS = Pattern.compile("(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})");
  private static final Map<String, DayOfWeek> DAYS = new LinkedHashMap<>();

  static {
    for (DayOfWeek d : DayOfWeek.values()) {
      String full = d.name().toLowerCase(Locale.ROOT);
      DAYS.put(full.substring(0, 3), d);
      DAYS.put(full, d);
    }
  }

  private final RuleNodes nodes;

  CalendarSection(RuleNodes nodes) {
    this.nodes = nodes;
  }

  /** The calendars by name; empty when the section is absent. */
  Map<String, BusinessCalendar> read(Node node) {
    Map<String, BusinessCalendar> calendars = new LinkedHashMap<>();
    if (node == null) {
      return calendars;
    }
    Fields all = nodes.fields(node, "calendars", null, "calendars");
    if (all == null) {
      return calendars;
    }
    for (Map.Entry<String, Node> e : all.values.entrySet()) {
      String name = e.getKey();
      String path = "calendars." + name;
      Fields f = nodes.fields(e.getValue(), path, CALENDAR_KEYS, "calendar " + name);
      if (f == null) {
        continue;
      }
      ZoneId zone = null;
      if (!f.has("zone")) {
        nodes.problem(all.keys.get(name), path + ".zone", "a calendar needs a time zone, e.g. zone: Europe/Berlin");
      } else {
        String z = nodes.text(f.get("zone"), path + ".zone", "zone");
        if (z != null) {
          try {
            zone = ZoneId.of(z);
          } catch (DateTimeException ex) {
            nodes.problem(f.get("zone"), path + ".zone", "unknown time zone '" + z + "' (use a tz name such as Europe/Berlin)");
          }
        }
      }
      Map<DayOfWeek, List<BusinessCalendar.Range>> hours = new EnumMap<>(DayOfWeek.class);
      if (!f.has("hours")) {
        nodes.problem(all.keys.get(name), path + ".hours", "a calendar needs hours, e.g. hours: { mon-fri: \"08:00-18:00\" }");
      } else {
        hours(f.get("hours"), path + ".hours", hours);
      }
      Set<LocalDate> holidays = new LinkedHashSet<>();
      if (f.has("holidays")) {
        List<Node> items = nodes.sequence(f.get("holidays"), path + ".holidays", "holidays", true);
        for (int i = 0; i < items.size(); i++) {
          String key = path + ".holidays[" + i + "]";
          String s = nodes.text(items.get(i), key, "a holiday");
          if (s != null) {
            try {
              holidays.add(LocalDate.parse(s));
            } catch (DateTimeParseException ex) {
              nodes.problem(items.get(i), key, "'" + s + "' is not a date like 2026-12-25");
            }
          }
        }
      }
      if (zone != null) {
        calendars.put(name, new BusinessCalendar(name, zone, hours, holidays));
      }
    }
    return calendars;
  }

  private void hours(Node node, String path, Map<DayOfWeek, List<BusinessCalendar.Range>> hours) {
    Fields f = nodes.fields(node, path, null, "hours");
    if (f == null) {
      return;
    }
    for (Map.Entry<String, Node> e : f.values.entrySet()) {
      String key = path + "." + e.getKey();
      List<DayOfWeek> days = days(e.getKey());
      if (days == null) {
        nodes.problem(f.keys.get(e.getKey()), key, "'" + e.getKey() + "' is not a day or day range (use mon..sun, mon-fri or sat,sun)");
        continue;
      }
      List<BusinessCalendar.Range> ranges = ranges(e.getValue(), key);
      if (ranges == null) {
        continue;
      }
      for (DayOfWeek d : days) {
        if (hours.containsKey(d)) {
          nodes.problem(f.keys.get(e.getKey()), key, d.name().toLowerCase(Locale.ROOT).substring(0, 3) + " is given twice");
        } else {
          hours.put(d, ranges);
        }
      }
    }
  }

  private static List<DayOfWeek> days(String spec) {
    List<DayOfWeek> days = new ArrayList<>();
    String s = spec.strip().toLowerCase(Locale.ROOT);
    if (s.equals("daily")) {
      return List.of(DayOfWeek.values());
    }
    for (String part : s.split(",")) {
      String[] ends = part.strip().split("-", -1);
      if (ends.length == 1 && DAYS.containsKey(ends[0].strip())) {
        days.add(DAYS.get(ends[0].strip()));
      } else if (ends.length == 2 && DAYS.containsKey(ends[0].strip()) && DAYS.containsKey(ends[1].strip())) {
        DayOfWeek d = DAYS.get(ends[0].strip());
        DayOfWeek last = DAYS.get(ends[1].strip());
        days.add(d);
        while (d != last) {
          d = d.plus(1);
          days.add(d);
        }
      } else {
        return null;
      }
    }
    return days;
  }

  private List<BusinessCalendar.Range> ranges(Node node, String key) {
    List<String> texts = new ArrayList<>();
    if (node instanceof SequenceNode seq) {
      for (Node item : seq.getValue()) {
        if (item instanceof ScalarNode s) {
          texts.add(s.getValue());
        } else {
          nodes.problem(item, key, "hours must be text like \"08:00-18:00\"");
          return null;
        }
      }
    } else if (node instanceof ScalarNode s && s.getTag() != Tag.NULL) {
      if (s.getValue().strip().equalsIgnoreCase("closed")) {
        return List.of();
      }
      for (String part : s.getValue().split(",")) {
        texts.add(part);
      }
    } else {
      nodes.problem(node, key, "hours must be text like \"08:00-18:00\", \"08:00-12:00, 13:00-17:00\" or \"closed\"");
      return null;
    }
    List<BusinessCalendar.Range> ranges = new ArrayList<>();
    for (String t : texts) {
      Matcher m = HOURS.matcher(t.strip());
      if (!m.matches()) {
        nodes.problem(node, key, "'" + t.strip() + "' is not an hour range like 08:00-18:00");
        return null;
      }
      int h1 = Integer.parseInt(m.group(1));
      int m1 = Integer.parseInt(m.group(2));
      int h2 = Integer.parseInt(m.group(3));
      int m2 = Integer.parseInt(m.group(4));
      boolean midnight = h2 == 24 && m2 == 0;
      if (h1 > 23 || m1 > 59 || (!midnight && (h2 > 23 || m2 > 59))) {
        nodes.problem(node, key, "'" + t.strip() + "' is not a valid time of day range (00:00 to 24:00)");
        return null;
      }
      LocalTime from = LocalTime.of(h1, m1);
      LocalTime until = midnight ? null : LocalTime.of(h2, m2);
      if (until != null && !until.isAfter(from)) {
        nodes.problem(node, key, "'" + t.strip() + "' ends before it starts; split a range past midnight over two days");
        return null;
      }
      ranges.add(new BusinessCalendar.Range(from, until));
    }
    return ranges;
  }
}
