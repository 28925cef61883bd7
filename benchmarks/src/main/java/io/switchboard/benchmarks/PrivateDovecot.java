package io.switchboard.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Dovecot IMAP server for the email benchmark: Debian's {@code dovecot-imapd} binary run from a scratch
 * folder on a free loopback port, with one mailbox user (Maildir), never the system service. A production IMAP server
 * answers a UID FETCH in time proportional to the answer, unlike the test server GreenMail, so a mailbox of 10,000 can
 * be measured. Mail processes run as the system user {@code mail} (Dovecot refuses root).
 */
final class PrivateDovecot implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/sbin/dovecot");

  private final Path dir;
  private final Path config;
  private final int port;

  private PrivateDovecot(Path dir, Path config, int port) {
    this.dir = dir;
    this.config = config;
    this.port = port;
  }

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** Starts Dovecot with {@code user}/{@code password} and waits until it accepts connections. */
  static PrivateDovecot start(String user, String password) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("switchboard-dovecot-");
    // Dovecot's auth and mail processes run as its own users: they must reach the folder, the user list and the home.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(dir.resolve("run"));
    Files.createDirectories(dir.resolve("state"));
    Path users = dir.resolve("users");
    Files.writeString(users, user + ":{PLAIN}" + password + "\n");
    Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r-----"));
    Path config = dir.resolve("dovecot.conf");
    Files.write(config, List.of(
        "base_dir = " + dir.resolve("run"),
        "state_dir = " + dir.resolve("state"),
        "log_path = " + dir.resolve("dovecot.log"),
        "protocols = imap",
        "listen = 127.0.0.1",
        "ssl = no",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        "mail_location = maildir:~/Maildir",
        "mail_fsync = never",
        "first_valid_uid = 1",
        "service imap-login {",
        "  inet_listener imap {",
        "    port = " + port,
        "  }",
        "  inet_listener imaps {",
        "    port = 0",
        "  }",
        "}",
        "passdb {",
        "  driver = passwd-file",
        "  args = scheme=PLAIN username_format=%u " + users,
        "}",
        "userdb {",
        "  driver = static",
        "  args = uid=mail gid=mail home=" + home + "/%u",
        "}"), StandardCharsets.UTF_8);
    run(List.of("chown", "mail:mail", home.toString()), dir);
    run(List.of("chgrp", "dovecot", users.toString()), dir);
    run(List.of(BINARY.toString(), "-c", config.toString()), dir);
    PrivateDovecot dovecot = new PrivateDovecot(dir, config, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return dovecot;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          dovecot.close();
          throw new IOException("Dovecot did not listen on " + port + "; see " + dir.resolve("dovecot.log"));
        }
        Thread.sleep(100);
      }
    }
  }

  int port() {
    return port;
  }

  /** Stops the master process (it takes its children along) and removes the scratch folder. */
  @Override
  public void close() {
    try {
      run(List.of(BINARY.toString(), "-c", config.toString(), "stop"), dir);
      Path pid = dir.resolve("run").resolve("master.pid");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (Files.exists(pid) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException | InterruptedException e) {
      System.err.println("could not stop Dovecot in " + dir + ": " + e);
    }
  }

  /**
   * Runs a command with its output in {@code commands.log} of the scratch folder: the daemon keeps a pipe open in its
   * children, so reading a pipe to its end would wait for Dovecot to stop.
   */
  private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
    Path log = dir.resolve("commands.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
