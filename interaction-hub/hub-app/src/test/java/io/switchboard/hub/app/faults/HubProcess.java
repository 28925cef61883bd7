package io.switchboard.hub.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.FaultyServers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A hub started from the shaded jar as a process of its own, in external mode on the test's PostgreSQL and Redis
 * ({@link FaultyServers}), so that a test can kill it with -9 (no shutdown hook, nothing handed over) or stop it with
 * SIGTERM. Failsafe passes {@code switchboard.jar} and {@code switchboard.config.dir} (see the pom); the output goes to
 * {@code <label>.out.log} and {@code <label>.err.log} in the test's folder.
 */
public final class HubProcess {
  /** How long a hub may take to serve {@code /health} after it was started, on a loaded machine. */
  public static final Duration START_DEADLINE = Duration.ofSeconds(180);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String label;
  private final int port;
  private final Path dir;
  private final Process process;

  private HubProcess(String label, int port, Path dir, Process process) {
    this.label = label;
    this.port = port;
    this.dir = dir;
    this.process = process;
  }

  /**
   * Starts a hub on {@code port} with the config folder {@code config} and the demo seed (its agents work the consoles),
   * plus {@code env} on top; returns once it serves {@code /health}. The caller kills or stops it (and its
   * {@link #process()} in a finally block).
   */
  public static HubProcess start(String label, int port, Path config, FaultyServers servers, Path dir, Map<String, String> env)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-jar", Path.of(System.getProperty("switchboard.jar")).toAbsolutePath().toString());
    pb.directory(dir.toFile());
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
    e.put("SWITCHBOARD_CONFIG_DIR", config.toString());
    e.put("SWITCHBOARD_DATA_DIR", dir.resolve("data-" + label).toString());
    e.put("SWITCHBOARD_PG_URL", servers.postgresUrl());
    e.put("SWITCHBOARD_REDIS_URL", servers.redisUrl());
    e.put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
    e.put("SWITCHBOARD_HTTP_HOST", "127.0.0.1");
    e.put("SWITCHBOARD_BCRYPT_COST", "4");
    e.put("SWITCHBOARD_NODE_NAME", label);
    e.put("SWITCHBOARD_DEMO", "true");
    e.putAll(env);
    pb.redirectOutput(dir.resolve(label + ".out.log").toFile());
    pb.redirectError(dir.resolve(label + ".err.log").toFile());
    HubProcess hub = new HubProcess(label, port, dir, pb.start());
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(hub.process.isAlive()).as("hub %s exited before serving: %s", label, hub.log()).isTrue();
      if (hub.healthy()) {
        return hub;
      }
      sleep(250);
    }
    throw new AssertionError("hub " + label + " did not serve within " + START_DEADLINE + ": " + hub.log());
  }

  public Process process() {
    return process;
  }

  public int port() {
    return port;
  }

  /** Whether {@code /health} answers 200 now. */
  public boolean healthy() {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** kill -9, and nothing the process started outlives it. */
  public void kill() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(children.stream().filter(ProcessHandle::isAlive)).as("processes left by the killed hub").isEmpty();
  }

  /** SIGTERM, a clean exit, nothing left. */
  public void stop() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the hub exits after SIGTERM").isTrue();
    assertThat(process.exitValue()).isIn(0, 143);
    assertThat(children.stream().filter(ProcessHandle::isAlive)).as("processes left by the stopped hub").isEmpty();
  }

  /** Kills whatever is left of the process and its children (for a test's clean-up). */
  public void destroy() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Whether the hub's output (standard output and error, all of it so far) holds {@code text}. */
  public boolean logged(String text) {
    try {
      return Files.readString(dir.resolve(label + ".out.log")).contains(text)
          || Files.readString(dir.resolve(label + ".err.log")).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /** The end of the hub's output, for failure messages. */
  public String log() {
    try {
      String s = Files.readString(dir.resolve(label + ".out.log")) + Files.readString(dir.resolve(label + ".err.log"));
      return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** A free TCP port on this machine. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
