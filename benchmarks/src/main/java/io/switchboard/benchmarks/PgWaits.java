package io.switchboard.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where a PostgreSQL server's backends spend their time while a benchmark runs, sampled from {@code pg_stat_activity}
 * every {@code intervalMillis} on a connection of its own: per sample, each backend of the database counts once under
 * its state and wait event ({@code active: CPU} when active and not waiting, {@code active: LWLock/BufferContent},
 * {@code idle in transaction} while the client holds a transaction between statements, {@code idle} while the pool
 * holds it unused). Ungranted locks from {@code pg_locks} are counted the same way. And the CPU time of the server's
 * processes (the postmaster and its children but the sampler's own backend, from {@code /proc}) between {@link #start} and {@link #stop}, so a benchmark
 * can report the server's CPU per operation, a figure that moves less with the machine's load than a rate does.
 */
final class PgWaits implements AutoCloseable {
  private final Connection connection;
  private final String database;
  private final int intervalMillis;
  private final Map<String, Long> waits = new TreeMap<>();
  private final Map<String, Long> locks = new TreeMap<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final long postmaster;
  private final long own;
  private long samples;
  private long cpuTicksAtStart;
  private final Map<Long, Long> backendTicksAtStart = new java.util.concurrent.ConcurrentHashMap<>();
  private double backendSeconds;
  private Thread thread;

  /** Connects to {@code jdbcUrl} (the watched database); the server must be on this machine for the CPU figure. */
  PgWaits(String jdbcUrl, String user, String password, String database, int intervalMillis) throws Exception {
    this.connection = DriverManager.getConnection(jdbcUrl, user, password);
    this.database = database;
    this.intervalMillis = intervalMillis;
    long pid;
    try (Statement st = connection.createStatement(); ResultSet r = st.executeQuery("SELECT pg_backend_pid()")) {
      r.next();
      pid = r.getLong(1);
    }
    this.own = pid;
    this.postmaster = parentOf(pid);
  }

  /** Starts sampling (again from zero). */
  synchronized void start() {
    waits.clear();
    locks.clear();
    samples = 0;
    cpuTicksAtStart = serverCpuTicks();
    backendTicksAtStart.clear();
    running.set(true);
    thread = Thread.ofPlatform().daemon().name("pg-waits").start(this::loop);
  }

  /** Stops sampling; returns the server's CPU seconds since {@link #start}. */
  double stop() throws InterruptedException {
    running.set(false);
    thread.join();
    long backends = 0;
    for (var e : backendTicksAtStart.entrySet()) {
      backends += ticksOf(e.getKey()) - e.getValue();
    }
    backendSeconds = backends / 100.0;
    return (serverCpuTicks() - cpuTicksAtStart) / 100.0;
  }

  /**
   * CPU seconds, between {@link #start} and {@link #stop}, of the database's client backends seen in the samples (the
   * benchmark's connections: without autovacuum, the checkpointer and other databases' work).
   */
  double backendSeconds() {
    return backendSeconds;
  }

  /** The samples as lines: share of backend samples per state and wait event, and the ungranted locks seen. */
  synchronized String report() {
    long total = waits.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder out = new StringBuilder(String.format("  %d samples of pg_stat_activity, %d backend observations:%n",
        samples, total));
    waits.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.append(String.format("    %5.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey())));
    if (locks.isEmpty()) {
      out.append("  no lock waited for in any sample (pg_locks, granted = false)\n");
    } else {
      out.append("  ungranted locks seen (pg_locks, per sample):\n");
      locks.forEach((k, v) -> out.append(String.format("    %6d  %s%n", v, k)));
    }
    return out.toString();
  }

  private void loop() {
    try (Statement st = connection.createStatement()) {
      while (running.get()) {
        synchronized (this) {
          samples++;
          try (ResultSet r = st.executeQuery("SELECT state, wait_event_type, wait_event, pid FROM pg_stat_activity"
              + " WHERE datname = '" + database + "' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
            while (r.next()) {
              backendTicksAtStart.computeIfAbsent(r.getLong(4), PgWaits::ticksOf);
              String state = r.getString(1);
              String type = r.getString(2);
              String key = state + ": " + (type == null ? "CPU" : type + "/" + r.getString(3));
              if ("idle".equals(state) || "idle in transaction".equals(state)) {
                key = state;
              }
              waits.merge(key, 1L, Long::sum);
            }
          }
          try (ResultSet r = st.executeQuery("SELECT l.locktype, l.mode, coalesce(c.relname, l.relation::text, '')"
              + " FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation WHERE NOT l.granted")) {
            while (r.next()) {
              locks.merge(r.getString(1) + " " + r.getString(2) + " " + r.getString(3), 1L, Long::sum);
            }
          }
        }
        Thread.sleep(intervalMillis);
      }
    } catch (Exception e) {
      System.err.println("pg-waits sampling stopped: " + e);
    }
  }

  private long serverCpuTicks() {
    return serverCpuTicks(postmaster, own);
  }

  /**
   * User + system CPU ticks (1/100 s) of a PostgreSQL server: the postmaster, its children that have ended (backends
   * of closed connections, counted by the kernel into the postmaster once reaped) and those alive but {@code except}.
   */
  static long serverCpuTicks(long postmaster, long except) {
    String[] pm = statFields(postmaster);
    long ticks = pm == null ? 0 : Long.parseLong(pm[11]) + Long.parseLong(pm[12]) + Long.parseLong(pm[13]) + Long.parseLong(pm[14]);
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit)) {
          long pid = Long.parseLong(name);
          // The sampler's own backend is left out: its queries are not the benchmark's work.
          if (pid != except && parentOf(pid) == postmaster) {
            ticks += ticksOf(pid);
          }
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return ticks;
  }

  private static String[] statFields(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // The command name is in parentheses and may hold spaces: fields are counted after its closing one.
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static long parentOf(long pid) {
    String[] f = statFields(pid);
    return f == null ? -1 : Long.parseLong(f[1]);
  }

  private static long ticksOf(long pid) {
    String[] f = statFields(pid);
    // utime and stime: fields 14 and 15 of /proc/<pid>/stat, 11 and 12 after the command name.
    return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  @Override
  public void close() throws Exception {
    connection.close();
  }
}
