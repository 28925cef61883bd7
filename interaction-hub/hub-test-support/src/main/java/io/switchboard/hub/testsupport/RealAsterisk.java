package io.switchboard.hub.testsupport;

import io.switchboard.hub.embedded.ServerWatchdog;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ManagerConnectionFactory;

/**
 * A private Asterisk for one test class (voice channel tests), run from a scratch folder (see ../shared/tools/asterisk/README.md): AMI on a
 * free port, the given dialplan, stopped by {@link #close} (or by a watchdog if the test JVM is killed). {@link #home()} is
 * null where no Asterisk is installed, and tests skip.
 */
public final class RealAsterisk implements AutoCloseable {
  public static final String AMI_USER = "switchboard";
  public static final String AMI_SECRET = "test-secret";
  /**
   * The AMI user of the test's own connections ({@link #login}, {@link #ami()}): as {@link #AMI_USER}, and it also hears
   * AGI events ({@code AGIExecStart}/{@code AGIExecEnd}: which AGI command a call's session runs), so that a test
   * presses keys only while the IVR reads them; it may also run CLI commands (waiting for Asterisk to be fully booted).
   */
  public static final String TEST_AMI_USER = "switchboard-test";

  public final Path home;
  public final Path run;
  public final int amiPort;
  private volatile Process process;
  // Stops Asterisk if the test JVM is killed before close(): Asterisk runs in the foreground but reads nothing from the
  // JVM, so it would outlive it.
  private volatile ServerWatchdog watchdog;
  private ManagerConnection ami;

  /** The installed Asterisk: {@code SWITCHBOARD_ASTERISK_HOME}, else /opt/asterisk-22.10.1; null when neither exists. */
  public static Path home() {
    String env = System.getenv("SWITCHBOARD_ASTERISK_HOME");
    Path p = env != null && !env.isBlank() ? Path.of(env) : Path.of("/opt/asterisk-22.10.1");
    return Files.isExecutable(p.resolve("bin/asterisk")) ? p : null;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private RealAsterisk(Path home, Path run, int amiPort, Process process) {
    this.home = home;
    this.run = run;
    this.amiPort = amiPort;
    this.process = process;
    this.watchdog = ServerWatchdog.watch(List.of(process.pid()));
  }

  /** Starts Asterisk with this dialplan ({@code extensions.conf}) and waits until AMI accepts a login and it is fully booted. */
  public static RealAsterisk start(String extensions) throws Exception {
    Path home = home();
    Path run = Files.createTempDirectory("switchboard-asterisk-");
    Path etc = Files.createDirectories(run.resolve("etc"));
    for (String d : List.of("var/lib", "var/spool", "var/run", "var/log")) {
      Files.createDirectories(run.resolve(d));
    }
    int amiPort = freePort();
    Files.writeString(etc.resolve("asterisk.conf"), """
        [directories]
        astetcdir => %1$s/etc
        astmoddir => %2$s/modules
        astdatadir => %2$s/data
        astvarlibdir => %1$s/var/lib
        astdbdir => %1$s/var/lib
        astkeydir => %1$s/var/lib
        astspooldir => %1$s/var/spool
        astrundir => %1$s/var/run
        astlogdir => %1$s/var/log
        [options]
        """.formatted(run, home));
    // The sample configuration's module list, as shipped in config/asterisk/modules.conf.
    Files.copy(sample("modules.conf"), etc.resolve("modules.conf"));
    // Test phones keep state across calls in global variables (a phone that rings out the first time and answers later
    // calls): GLOBAL() is in func_global, which the product's dialplan does not need, so the sample does not load it.
    Files.writeString(etc.resolve("modules.conf"), "load => func_global.so\n", java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(etc.resolve("manager.conf"), """
        [general]
        enabled = yes
        port = %d
        bindaddr = 127.0.0.1
        [%s]
        secret = %s
        read = system,call,agent,user,dtmf,reporting,originate
        write = system,call,agent,user,originate
        [%s]
        secret = %s
        read = system,call,agent,user,dtmf,reporting,originate,agi
        write = system,call,agent,user,originate,command
        """.formatted(amiPort, AMI_USER, AMI_SECRET, TEST_AMI_USER, AMI_SECRET));
    Files.writeString(etc.resolve("logger.conf"), "[logfiles]\nmessages => notice,warning,error\n");
    Files.copy(sample("musiconhold.conf"), etc.resolve("musiconhold.conf"));
    if (!Files.isDirectory(home.resolve("data/moh"))) {
      // The build ships no music: play a stock sound as the sample's default class, so music on hold really plays
      // (and Asterisk reports MusicOnHoldStart).
      Path moh = Files.createDirectories(run.resolve("moh"));
      Path sound = home.resolve("data/sounds/en/beep.gsm");
      if (Files.exists(sound)) {
        Files.copy(sound, moh.resolve("beep.gsm"));
        Files.writeString(etc.resolve("musiconhold.conf"), Files.readString(etc.resolve("musiconhold.conf"))
            .replace("directory = moh", "directory = " + moh));
      }
    }
    Files.writeString(etc.resolve("extensions.conf"), extensions);
    RealAsterisk a = new RealAsterisk(home, run, amiPort, launch(home, run));
    try {
      a.ami = a.login(Duration.ofSeconds(60));
      a.awaitFullyBooted();
    } catch (Exception e) {
      a.close();
      throw e;
    }
    return a;
  }

  private static Process launch(Path home, Path run) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/asterisk").toString(), "-C",
        run.resolve("etc/asterisk.conf").toString(), "-f", "-U", "root")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(run.resolve("console.log").toFile()));
    pb.environment().put("LD_LIBRARY_PATH", home.resolve("lib").toString());
    return pb.start();
  }

  /**
   * Kills Asterisk at once (SIGKILL, as a crash: every channel is gone without hang-up events) and starts it again
   * with the same configuration and AMI port; returns once AMI accepts a login again (also the test's own
   * {@link #ami()} connection, which is new).
   */
  public void crashAndRestart() throws Exception {
    if (ami != null) {
      ami.logoff();
    }
    watchdog.close();
    process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
    process = launch(home, run);
    watchdog = ServerWatchdog.watch(List.of(process.pid()));
    ami = login(Duration.ofSeconds(60));
    awaitFullyBooted();
  }

  /**
   * AMI answers before the dialplan and the other modules are loaded, and a call placed then is refused ("PBX requires
   * Asterisk to be fully booted"), as tests on a busy machine saw. Returns once Asterisk says it is fully booted: the
   * CLI's own wait, run over the test's AMI connection (its user may run CLI commands for this; without that
   * privilege Asterisk answered "Permission denied" at once and nothing was waited for).
   */
  private void awaitFullyBooted() throws Exception {
    var r = ami.sendAction(new org.asteriskjava.manager.action.CommandAction("core waitfullybooted"), 60_000);
    if (!(r instanceof org.asteriskjava.manager.response.CommandResponse)) {
      throw new IllegalStateException("could not wait for Asterisk to be fully booted: " + r.getResponse() + " " + r.getMessage());
    }
  }

  /**
   * config/asterisk/extensions.conf with the hub's address set to 127.0.0.1:{@code agiPort}, and the hub nodes a call is
   * handed to when its node goes away ({@code HUBS}) to that node followed by {@code otherNodes} (FastAGI ports).
   */
  public static String sampleDialplan(int agiPort, int... otherNodes) throws IOException {
    String text = Files.readString(sample("extensions.conf"));
    StringBuilder hubs = new StringBuilder("HUBS = 127.0.0.1:" + agiPort);
    for (int port : otherNodes) {
      hubs.append("&127.0.0.1:").append(port);
    }
    String replaced = text.replace("HUB = 127.0.0.1:4573", "HUB = 127.0.0.1:" + agiPort)
        .replace("HUBS = 127.0.0.1:4573", hubs.toString());
    if (replaced.equals(text) || !replaced.contains(hubs)) {
      throw new IllegalStateException("the sample dialplan no longer sets HUB = 127.0.0.1:4573 and HUBS = 127.0.0.1:4573");
    }
    return replaced + "\n";
  }

  private static Path sample(String name) {
    Path p = Path.of("../../config/asterisk", name);
    if (!Files.exists(p)) {
      throw new IllegalStateException("sample configuration " + p.toAbsolutePath() + " is missing");
    }
    return p;
  }

  /** A new AMI connection of the test's own, logged in. */
  public ManagerConnection login(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Asterisk exited: " + Files.readString(run.resolve("console.log")));
      }
      ManagerConnection c = new ManagerConnectionFactory("127.0.0.1", amiPort, TEST_AMI_USER, AMI_SECRET).createManagerConnection();
      try {
        c.login();
        return c;
      } catch (Exception e) {
        last = e;
        TimeUnit.MILLISECONDS.sleep(250);
      }
    }
    throw new IllegalStateException("Asterisk's AMI did not accept a login within " + within, last);
  }

  /** The process id of the running Asterisk (a new one after {@link #crashAndRestart()}). */
  public long pid() {
    return process.pid();
  }

  public ManagerConnection ami() {
    return ami;
  }

  /**
   * Asterisk's own warnings and errors so far (its {@code messages} log), at most 200 lines; empty when it logged none.
   * {@link #close} copies them into the test's output before the scratch folder goes, so that a call Asterisk failed (an
   * Originate answered "Failure", a dialplan step that went wrong) can be explained after the run instead of showing
   * only as a test that waited in vain.
   */
  public List<String> problems() {
    Path messages = run.resolve("var/log/messages");
    if (!Files.isRegularFile(messages)) {
      return List.of();
    }
    try (var lines = Files.lines(messages, java.nio.charset.StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.contains("WARNING[") || l.contains("ERROR[")).limit(200).toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      return List.of("its messages log could not be read: " + e);
    }
  }

  @Override
  public void close() throws Exception {
    if (ami != null) {
      try {
        ami.logoff();
      } catch (RuntimeException e) {
        // already gone
      }
    }
    watchdog.close();
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    problems().forEach(l -> System.out.println("asterisk " + amiPort + ": " + l));
    // The scratch folder (configuration, logs, recordings) goes with the instance.
    try (var files = Files.walk(run)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
