package io.switchboard.hub.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the embedded servers die with the hub. A small {@code sh} process waits on a pipe from the hub; only the hub
 * holds the pipe's other end, so the wait ends exactly when the hub's process ends, however it ends (kill -9
 * included), and the shell then sends SIGTERM to the servers (PostgreSQL shuts down, Redis flushes its append-only
 * file). On a normal stop the hub ends the watchdog first ({@link #close()}) and stops its servers itself.
 *
 * <p>What this cannot cover (the watchdog killed too) is covered at the next start by {@link DataFolder}.
 */
public final class ServerWatchdog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerWatchdog.class);
  private final Process shell;

  private ServerWatchdog(Process shell) {
    this.shell = shell;
  }

  /** Starts watching over the servers with these process ids. */
  public static ServerWatchdog watch(List<Long> pids) {
    String targets = pids.stream().map(String::valueOf).collect(Collectors.joining(" "));
    // `read` returns at end of input: when the hub's process, the only writer, is gone.
    String script = "read -r _; kill -TERM " + targets + " 2>/dev/null; exit 0";
    try {
      Process p = new ProcessBuilder("/bin/sh", "-c", script)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      log.atDebug().addKeyValue("pid", p.pid()).addKeyValue("servers", targets).log("embedded server watchdog started");
      return new ServerWatchdog(p);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded servers' watchdog", e);
    }
  }

  /** Ends the watchdog without it touching the servers (the hub stops them itself). */
  @Override
  public void close() {
    shell.destroyForcibly();
    try {
      shell.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
