package io.switchboard.routing.sim;

import io.switchboard.routing.Durations;
import io.switchboard.routing.RoutingRules;
import io.switchboard.routing.RulesException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The what-if command: simulates one or two rule files over the same arrivals and roster and prints, per queue,
 * offered, answered, abandoned, service level, average speed of answer, abandon rate and occupancy; with two files, side
 * by side (A, B and B − A).
 *
 * <pre>
 * java -cp routing-rules.jar:... io.switchboard.routing.sim.WhatIfCommand \
 *     --rules config/routing.yaml [--rules config/demo/simulation/routing-strict.yaml] \
 *     --arrivals config/demo/simulation/arrivals.jsonl --roster config/demo/simulation/roster.yaml \
 *     [--seed 1] [--mean-handle 180s] [--mean-patience 120s] [--start 2026-11-23T09:00+01:00[Europe/Berlin]]
 * </pre>
 *
 * <p>Exit codes: 0 done, 2 bad arguments or input (the reason, with file and line, on the error stream).
 */
public final class WhatIfCommand {
  static final String USAGE =
      "usage: WhatIfCommand --rules FILE [--rules FILE] --arrivals FILE.jsonl --roster FILE.yaml"
          + " [--seed N] [--mean-handle 180s] [--mean-patience 120s] [--start ZONED-DATE-TIME]";

  private WhatIfCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit code (0 or 2). Reads the named files; writes only to {@code out}/{@code err}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> ruleFiles = new ArrayList<>();
    String arrivalsFile = null;
    String rosterFile = null;
    long seed = 1;
    Duration meanHandle = Duration.ofSeconds(180);
    Duration meanPatience = Duration.ofSeconds(120);
    ZonedDateTime start = Simulator.DEFAULT_START;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          out.println(USAGE);
          return 0;
        }
        if (i + 1 >= args.length) {
          return fail(err, a.startsWith("--") ? a + " needs a value" : "unexpected argument '" + a + "'");
        }
        String v = args[++i];
        switch (a) {
          case "--rules" -> ruleFiles.add(v);
          case "--arrivals" -> arrivalsFile = v;
          case "--roster" -> rosterFile = v;
          case "--seed" -> seed = Long.parseLong(v);
          case "--mean-handle" -> meanHandle = Durations.parse(v);
          case "--mean-patience" -> meanPatience = Durations.parse(v);
          case "--start" -> start = ZonedDateTime.parse(v);
          default -> {
            return fail(err, "unknown option '" + a + "'");
          }
        }
      }
    } catch (NumberFormatException e) {
      return fail(err, "--seed needs a whole number");
    } catch (IllegalArgumentException e) {
      return fail(err, e.getMessage());
    } catch (DateTimeParseException e) {
      return fail(err, "--start needs a date-time such as 2026-11-23T09:00+01:00[Europe/Berlin]");
    }
    if (ruleFiles.isEmpty() || ruleFiles.size() > 2) {
      return fail(err, "give --rules once, or twice to compare");
    }
    if (arrivalsFile == null || rosterFile == null) {
      return fail(err, "--arrivals and --roster are needed");
    }
    if (meanHandle.isZero() || meanPatience.isZero()) {
      return fail(err, "--mean-handle and --mean-patience must be longer than zero");
    }

    List<RoutingRules> rules = new ArrayList<>();
    List<Arrival> arrivals;
    List<SimAgent> roster;
    try {
      for (String f : ruleFiles) {
        rules.add(RoutingRules.parse(f, read(f), rules.size() + 1));
      }
      arrivals = SimulationInputs.arrivals(arrivalsFile, read(arrivalsFile));
      roster = SimulationInputs.roster(rosterFile, read(rosterFile));
    } catch (RulesException e) {
      err.println("routing rules have problems:");
      e.problems().forEach(p -> err.println("  " + p));
      return 2;
    } catch (SimulationInputException e) {
      return fail(err, e.getMessage());
    } catch (IOException e) {
      return fail(err, "cannot read " + e.getMessage());
    }

    Simulator simulator = new Simulator(meanHandle, meanPatience, start, null);
    List<SimulationResult> results = new ArrayList<>();
    for (RoutingRules r : rules) {
      results.add(simulator.simulate(r, arrivals, roster, seed));
    }
    print(out, ruleFiles, rules, results, arrivals.size(), roster.size(), seed, meanHandle, meanPatience, start);
    return 0;
  }

  private static String read(String file) throws IOException {
    Path p = Path.of(file);
    if (!Files.isRegularFile(p)) {
      throw new IOException(file + ": no such file");
    }
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  private static int fail(PrintStream err, String message) {
    err.println("what-if: " + message);
    err.println(USAGE);
    return 2;
  }

  // ---- output

  private static void print(
      PrintStream out,
      List<String> files,
      List<RoutingRules> rules,
      List<SimulationResult> results,
      int arrivals,
      int agents,
      long seed,
      Duration meanHandle,
      Duration meanPatience,
      ZonedDateTime start) {
    boolean compare = results.size() == 2;
    Duration longest = results.stream().map(SimulationResult::duration).max(Duration::compareTo).orElse(Duration.ZERO);
    out.printf(
        Locale.ROOT,
        "What-if simulation: %d arrivals, %d agents, seed %d, simulated %s from %s%n",
        arrivals, agents, seed, Durations.format(Duration.ofSeconds(longest.toSeconds())), start);
    out.printf(
        Locale.ROOT,
        "(handle and patience not given by an arrival drawn with means %s and %s)%n",
        Durations.format(meanHandle), Durations.format(meanPatience));
    for (int i = 0; i < files.size(); i++) {
      out.printf(Locale.ROOT, "%s = %s (%d rules)%n", compare ? (i == 0 ? "A" : "B") : "rules", files.get(i), rules.get(i).ruleNames().size());
    }

    Map<String, List<QueueStats>> queues = new LinkedHashMap<>();
    for (int i = 0; i < results.size(); i++) {
      for (QueueStats q : results.get(i).queues()) {
        queues.computeIfAbsent(q.queue(), k -> new ArrayList<>(Collections.nCopies(results.size(), (QueueStats) null))).set(i, q);
      }
    }
    List<QueueStats> totals = results.stream().map(SimulationResult::total).toList();
    for (List<QueueStats> row : queues.values()) {
      QueueStats any = row.stream().filter(q -> q != null).findFirst().orElseThrow();
      out.println();
      out.printf(
          Locale.ROOT,
          "%s — %s (target %s%% within %s)%n",
          any.queue(), any.name(), number(any.targetPercent()), Durations.format(any.threshold()));
      table(out, row, compare);
    }
    out.println();
    out.println("all queues");
    table(out, totals, compare);
  }

  private static void table(PrintStream out, List<QueueStats> cols, boolean compare) {
    String header = compare ? String.format(Locale.ROOT, "  %-22s %10s %10s %10s", "", "A", "B", "B - A") : String.format(Locale.ROOT, "  %-22s %10s", "", "");
    out.println(header.stripTrailing());
    row(out, "offered", cols, q -> (double) q.offered(), Kind.COUNT, compare);
    row(out, "answered", cols, q -> (double) q.answered(), Kind.COUNT, compare);
    row(out, "abandoned", cols, q -> (double) q.abandoned(), Kind.COUNT, compare);
    row(out, "service level", cols, QueueStats::serviceLevel, Kind.PERCENT, compare);
    row(out, "avg speed of answer", cols, q -> q.averageSpeedOfAnswer() == null ? Double.NaN : q.averageSpeedOfAnswer().toMillis() / 1000.0, Kind.SECONDS, compare);
    row(out, "abandon rate", cols, QueueStats::abandonRate, Kind.PERCENT, compare);
    row(out, "occupancy", cols, QueueStats::occupancy, Kind.PERCENT, compare);
  }

  private enum Kind { COUNT, PERCENT, SECONDS }

  private static void row(
      PrintStream out, String label, List<QueueStats> cols, java.util.function.ToDoubleFunction<QueueStats> f, Kind kind, boolean compare) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %-22s", label));
    double[] v = new double[cols.size()];
    for (int i = 0; i < cols.size(); i++) {
      v[i] = cols.get(i) == null ? Double.NaN : f.applyAsDouble(cols.get(i));
      b.append(String.format(Locale.ROOT, " %10s", cell(v[i], kind)));
    }
    if (compare) {
      b.append(String.format(Locale.ROOT, " %10s", delta(v[1] - v[0], kind)));
    }
    out.println(b);
  }

  private static String cell(double v, Kind kind) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return switch (kind) {
      case COUNT -> String.format(Locale.ROOT, "%d", Math.round(v));
      case PERCENT -> String.format(Locale.ROOT, "%.1f%%", v);
      case SECONDS -> String.format(Locale.ROOT, "%.1fs", v);
    };
  }

  private static String delta(double d, Kind kind) {
    if (Double.isNaN(d)) {
      return "-";
    }
    return switch (kind) {
      case COUNT -> String.format(Locale.ROOT, "%+d", Math.round(d));
      case PERCENT -> String.format(Locale.ROOT, "%+.1f pt", d);
      case SECONDS -> String.format(Locale.ROOT, "%+.1fs", d);
    };
  }

  private static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
  }
}
