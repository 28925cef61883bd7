package io.switchboard.hub.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A test JVM killed with -9 (a fork the build gave up on, a developer's kill) takes its servers with it: the shared
 * PostgreSQL and Redis of {@link TestServers}, a test's own {@link FaultyServers} (also after a restart of one of them)
 * and a {@link RealAsterisk} where one is installed. A child JVM starts them, says their process ids and is killed.
 */
class KilledTestJvmTest {
  private final List<ProcessHandle> started = new ArrayList<>();
  private Process child;

  /** The child JVM: starts every kind of test server, prints their process ids on one line, then waits to be killed. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      List<Long> pids = new ArrayList<>();
      TestServers shared = TestServers.get();
      pids.add(shared.postgres().postmasterPid());
      pids.add(shared.redis().pid());
      FaultyServers faulty = FaultyServers.start();
      // A restarted server is watched as the first one was.
      faulty.stopRedis();
      faulty.startRedis();
      pids.addAll(faulty.pids());
      if (RealAsterisk.home() != null) {
        RealAsterisk asterisk = RealAsterisk.start("[default]\n");
        pids.add(asterisk.pid());
      }
      System.out.println("PIDS " + String.join(" ", pids.stream().map(String::valueOf).toList()));
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }
  }

  @AfterEach
  void killWhatIsLeft() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  void serversOfATestJvmKilledWithMinus9DoNotOutliveIt() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), Child.class.getName())
        .redirectErrorStream(true);
    child = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> pidsLine = CompletableFuture.supplyAsync(() -> {
      StringBuilder seen = new StringBuilder();
      try {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("PIDS ")) {
            return line;
          }
          seen.append(line).append('\n');
        }
      } catch (java.io.IOException e) {
        seen.append(e);
      }
      throw new IllegalStateException("the child JVM ended without starting its servers:\n" + seen);
    });
    String line = pidsLine.get(180, TimeUnit.SECONDS);
    for (String pid : Arrays.asList(line.substring(5).trim().split(" "))) {
      Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(pid));
      assertThat(p).as("server process %s of the child JVM", pid).isPresent();
      started.add(p.get());
    }
    assertThat(started).as("servers started by the child JVM").hasSizeGreaterThanOrEqualTo(4);

    child.destroyForcibly();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child JVM ends on kill -9").isTrue();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && started.stream().anyMatch(ProcessHandle::isAlive)) {
      Thread.sleep(100);
    }
    assertThat(started.stream().filter(ProcessHandle::isAlive)
            .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")))
        .as("servers left running 30 s after their test JVM was killed with -9").isEmpty();
  }
}
