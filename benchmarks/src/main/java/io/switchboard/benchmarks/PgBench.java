package io.switchboard.benchmarks;

import io.switchboard.hub.embedded.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw limit of the machine's database, measured in the same run as a benchmark against the same embedded
 * PostgreSQL (BENCHMARKS.md): pgbench's TPC-B-like workload, scale 10, 4 clients, in a database of its own.
 * Shared by the benchmarks that put a figure beside it (EmailBenchmark, ReportBenchmark; LoadBenchmark uses
 * {@link #singleRowInserts}).
 */
final class PgBench {
  private PgBench() {}

  /**
   * Initialises a {@code pgbench} database (scale 10) and runs 4 clients for {@code seconds}; returns the summary
   * line ("pgbench TPC-B-like, scale 10, 4 clients, 20 s: 964.1 tps, latency 4.1 ms"), or a line saying it was not
   * measured when {@code binary} is not there.
   */
  static String run(String binary, EmbeddedPostgresServer pg, int seconds) throws Exception {
    if (!Files.isExecutable(Path.of(binary))) {
      return "pgbench not found at " + binary + " (not measured)";
    }
    createDatabase(pg, "pgbench");
    exec(pg, List.of(binary, "-i", "-s", "10", "-q", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(), "pgbench"));
    String out = exec(pg, List.of(binary, "-c", "4", "-j", "2", "-T", Integer.toString(seconds), "-h", pg.host(), "-p",
        Integer.toString(pg.port()), "-U", pg.user(), "pgbench"));
    Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
    Matcher latency = Pattern.compile("latency average = ([0-9.]+) ms").matcher(out);
    String result = "pgbench TPC-B-like, scale 10, 4 clients, " + seconds + " s: "
        + (tps.find() ? tps.group(1) + " tps" : "tps not found") + (latency.find() ? ", latency " + latency.group(1) + " ms" : "");
    System.out.println(result);
    return result;
  }

  /**
   * Single-row INSERT commits per second: pgbench ({@code -n -M prepared}) with a script of one
   * {@code INSERT INTO raw_insert (v) VALUES ('x')} per transaction, {@code clients} clients, in a database of its own
   * ({@code rawinsert}); the raw commit rate the hub's intake is held against (LoadBenchmark).
   */
  static double singleRowInserts(String binary, EmbeddedPostgresServer pg, int clients, int seconds) throws Exception {
    if (!Files.isExecutable(Path.of(binary))) {
      throw new IllegalStateException("pgbench not found at " + binary + " (--pgbench)");
    }
    createDatabase(pg, "rawinsert");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/rawinsert", pg.user(),
        pg.password())) {
      c.createStatement().execute("CREATE TABLE raw_insert (id bigserial PRIMARY KEY, v text NOT NULL)");
    }
    Path script = Files.createTempFile("raw-insert", ".sql");
    try {
      Files.writeString(script, "INSERT INTO raw_insert (v) VALUES ('x');\n");
      String out = exec(pg, List.of(binary, "-n", "-M", "prepared", "-f", script.toString(), "-c", Integer.toString(clients),
          "-j", "2", "-T", Integer.toString(seconds), "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(), "rawinsert"));
      Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
      if (!tps.find()) {
        throw new IllegalStateException("no tps in pgbench's output:\n" + out);
      }
      return Double.parseDouble(tps.group(1));
    } finally {
      Files.deleteIfExists(script);
    }
  }

  /**
   * Runs a pgbench script ({@code -n -M prepared}, {@code clients} clients, 2 threads) for {@code seconds} against
   * {@code database}; returns transactions per second and the number of transactions.
   */
  static double[] script(String binary, EmbeddedPostgresServer pg, String database, Path script, int clients, int seconds)
      throws Exception {
    String out = exec(pg, List.of(binary, "-n", "-M", "prepared", "-f", script.toString(), "-c", Integer.toString(clients),
        "-j", "2", "-T", Integer.toString(seconds), "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(),
        database));
    Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
    Matcher processed = Pattern.compile("processed: ([0-9]+)").matcher(out);
    if (!tps.find() || !processed.find()) {
      throw new IllegalStateException("no tps in pgbench's output:\n" + out);
    }
    return new double[] {Double.parseDouble(tps.group(1)), Double.parseDouble(processed.group(1))};
  }

  /** Creates database {@code name} in the embedded server. */
  static void createDatabase(EmbeddedPostgresServer pg, String name) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/postgres", pg.user(),
        pg.password())) {
      c.createStatement().execute("CREATE DATABASE " + name);
    }
  }

  /** Runs a PostgreSQL client program with the server's password; its output, or a failure with it. */
  private static String exec(EmbeddedPostgresServer pg, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", pg.password());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
