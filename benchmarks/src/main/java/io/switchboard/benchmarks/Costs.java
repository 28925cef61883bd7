package io.switchboard.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Where a benchmark phase's work went, read from the operating system and the servers rather than estimated: CPU time of
 * the hub, of PostgreSQL (the postmaster, its live backends and the backends that ended), of Redis and of the benchmark
 * itself (from {@code /proc}), the machine's busy time (from {@code /proc/stat}), PostgreSQL's committed transactions
 * ({@code pg_stat_database}) and the commands Redis processed ({@code INFO stats}). Two {@link Snapshot}s around a
 * phase give its costs; divided by the work done, they say what one contact or one lifecycle costs each part, which is
 * what bounds the rate on a machine of a given size.
 *
 * <p>Linux only (reads {@code /proc}); a value that cannot be read counts as 0 and the line says so.
 */
final class Costs implements AutoCloseable {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  /**
   * Counters at one moment. CPU in clock ticks (1/100 s). {@code redisCalls}: calls by command name from {@code INFO
   * commandstats} (empty unless asked for, {@link #take(boolean)}).
   */
  record Snapshot(long hub, long postgres, long redis, long benchmark, long machineBusy, long machineTotal, long commits,
      long redisCommands, java.util.Map<String, Long> redisCalls, long nanos) {}

  private final long hubPid;
  private final long postmasterPid;
  private final long redisPid;
  private final Connection pg;
  private final RedisClient redisClient;
  private final StatefulRedisConnection<String, String> redis;

  Costs(long hubPid, long postmasterPid, String pgJdbcUrl, String pgUser, String pgPassword, long redisPid, String redisUrl)
      throws SQLException {
    this.hubPid = hubPid;
    this.postmasterPid = postmasterPid;
    this.redisPid = redisPid;
    this.pg = DriverManager.getConnection(pgJdbcUrl, pgUser, pgPassword);
    this.redisClient = RedisClient.create(redisUrl);
    this.redis = redisClient.connect();
  }

  Snapshot take() {
    return take(false);
  }

  /** As {@link #take()}; with {@code commandStats} also Redis's calls by command ({@code INFO commandstats}). */
  Snapshot take(boolean commandStats) {
    long[] machine = machine();
    return new Snapshot(ticks(hubPid, false), postgres(), ticks(redisPid, false), ticks(ProcessHandle.current().pid(), false),
        machine[0], machine[1], commits(), redisCommands(), commandStats ? redisCalls() : java.util.Map.of(), System.nanoTime());
  }

  /**
   * Redis's calls by command between two snapshots taken with {@code commandStats}, per unit of {@code work}, most called
   * first: "evalsha 4.10, hgetall 3.20, ...". As Redis counts them, the commands a script runs inside Redis are counted
   * under their own names beside the script's EVALSHA (so are they in the total of {@link #between}); this benchmark's
   * own INFO calls are left out.
   */
  static String redisCallsBetween(Snapshot a, Snapshot b, long work) {
    if (work <= 0 || b.redisCalls().isEmpty()) {
      return "-";
    }
    return b.redisCalls().entrySet().stream()
        .filter(e -> !e.getKey().equals("info"))
        .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - a.redisCalls().getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(java.util.Map.Entry.comparingByKey()))
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / (double) work))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * One line: the phase's CPU by part (cores), then per unit of {@code work} ({@code unit}: "intake", "lifecycle"):
   * commits, Redis commands and CPU milliseconds by part.
   */
  static String between(Snapshot a, Snapshot b, long work, String unit) {
    double seconds = (b.nanos() - a.nanos()) / 1e9;
    double busyShare = (b.machineTotal() - a.machineTotal()) == 0 ? 0
        : (double) (b.machineBusy() - a.machineBusy()) / (b.machineTotal() - a.machineTotal());
    String cores = String.format(Locale.ROOT, "cores: hub %.2f, PostgreSQL %.2f, Redis %.2f, benchmark %.2f; machine %.0f %% busy",
        cores(a.hub(), b.hub(), seconds), cores(a.postgres(), b.postgres(), seconds), cores(a.redis(), b.redis(), seconds),
        cores(a.benchmark(), b.benchmark(), seconds), 100 * busyShare);
    if (work <= 0) {
      return cores;
    }
    double machineMs = (b.machineBusy() - a.machineBusy()) / TICKS_PER_SECOND * 1000 / work;
    return cores + String.format(Locale.ROOT,
        "; per %s: %.1f commits, %.1f Redis commands, CPU ms hub %.2f, PostgreSQL %.2f, Redis %.2f, benchmark %.2f, machine %.2f",
        unit, (double) (b.commits() - a.commits()) / work, (double) (b.redisCommands() - a.redisCommands()) / work,
        ms(a.hub(), b.hub(), work), ms(a.postgres(), b.postgres(), work), ms(a.redis(), b.redis(), work),
        ms(a.benchmark(), b.benchmark(), work), machineMs);
  }

  private static double cores(long a, long b, double seconds) {
    return (b - a) / TICKS_PER_SECOND / seconds;
  }

  private static double ms(long a, long b, long work) {
    return (b - a) / TICKS_PER_SECOND * 1000 / work;
  }

  /** PostgreSQL's CPU: the postmaster with its ended children (cutime, cstime) and every live descendant. */
  private long postgres() {
    long sum = ticks(postmasterPid, true);
    for (ProcessHandle p : ProcessHandle.of(postmasterPid).map(h -> h.descendants().toList()).orElse(java.util.List.of())) {
      sum += ticks(p.pid(), false);
    }
    return sum;
  }

  /** utime + stime of {@code pid} (with {@code reaped}: plus cutime + cstime, its children that ended), or 0. */
  private static long ticks(long pid, boolean reaped) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return reaped ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The machine's busy and total ticks (all CPUs) from the first line of /proc/stat. */
  private static long[] machine() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  private long commits() {
    try (ResultSet rs = pg.createStatement().executeQuery("select coalesce(sum(xact_commit), 0) from pg_stat_database")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return 0;
    }
  }

  private long redisCommands() {
    try {
      for (String line : redis.sync().info("stats").split("\r?\n")) {
        if (line.startsWith("total_commands_processed:")) {
          return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return 0;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Calls by command name ({@code cmdstat_<name>:calls=N,...}); empty when INFO cannot be read. */
  private java.util.Map<String, Long> redisCalls() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try {
      for (String line : redis.sync().info("commandstats").split("\r?\n")) {
        int calls = line.indexOf(":calls=");
        if (line.startsWith("cmdstat_") && calls > 0) {
          int end = line.indexOf(',', calls);
          out.put(line.substring(8, calls), Long.parseLong(line.substring(calls + 7, end < 0 ? line.length() : end)));
        }
      }
    } catch (RuntimeException e) {
      // counted as none
    }
    return out;
  }

  /** Starts counting statements from zero (the server must load pg_stat_statements: a throw-away test server does). */
  void resetStatements() throws SQLException {
    pg.createStatement().execute("create extension if not exists pg_stat_statements");
    pg.createStatement().execute("select pg_stat_statements_reset()");
  }

  /**
   * The {@code top} statements by calls since {@link #resetStatements}, each with its calls per unit of {@code work}, its
   * mean time and its share of all statement time, as Markdown table rows.
   */
  String topStatements(int top, long work, String unit) {
    StringBuilder out = new StringBuilder("| calls per " + unit + " | mean ms | share of statement time | statement |\n|---:|---:|---:|---|\n");
    String sql = """
        select calls, mean_exec_time, total_exec_time / nullif(sum(total_exec_time) over (), 0) as share,
               regexp_replace(query, '\\s+', ' ', 'g') as q
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by calls desc limit ?""";
    try (var ps = pg.prepareStatement(sql)) {
      ps.setInt(1, top);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String q = rs.getString(4);
          out.append(String.format(Locale.ROOT, "| %.2f | %.3f | %.1f %% | `%s` |%n", rs.getLong(1) / (double) Math.max(1, work),
              rs.getDouble(2), 100 * rs.getDouble(3), q.length() > 140 ? q.substring(0, 140) + "…" : q));
        }
      }
    } catch (SQLException e) {
      out.append("(pg_stat_statements not readable: ").append(e.getMessage()).append(")\n");
    }
    return out.toString();
  }

  @Override
  public void close() {
    try {
      pg.close();
    } catch (SQLException e) {
      // best effort
    }
    redis.close();
    redisClient.shutdown();
  }
}
