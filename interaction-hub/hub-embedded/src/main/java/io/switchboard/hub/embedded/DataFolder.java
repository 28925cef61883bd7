package io.switchboard.hub.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded servers' data folder, claimed by one hub at a time. The claim is an OS file lock on
 * {@code .switchboard.lock}, which the kernel releases when the hub's process ends however it ends (kill -9
 * included). A hub that gets the lock therefore knows that any PostgreSQL or Redis still running on this folder was
 * left by a hub that died: it stops those orphans before starting its own servers. A hub that does not get the lock
 * stops with a message, because a live hub is using the folder.
 *
 * <p>Orphans are recognised by the pid files the servers write in the folder ({@code postgres/postmaster.pid},
 * {@code redis/redis.pid}) and checked against what the process is (its command and data directory), so an unrelated
 * process that reused the number is never touched.
 */
public final class DataFolder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataFolder.class);
  static final String LOCK_FILE = ".switchboard.lock";
  private static final Duration POLITE_STOP = Duration.ofSeconds(30);

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private DataFolder(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Claims {@code dir} for this process and stops servers orphaned on it by a hub that died.
   *
   * @throws IllegalStateException when a running hub holds the folder
   */
  public static DataFolder claim(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(abs);
      FileChannel ch = FileChannel.open(abs.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        String holder = Files.readString(abs.resolve(LOCK_FILE)).trim();
        ch.close();
        throw new IllegalStateException("the data folder " + abs + " is in use by another running Switchboard"
            + (holder.isEmpty() ? "" : " (process " + holder + ")") + "; stop it first or use another SWITCHBOARD_DATA_DIR");
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
      DataFolder folder = new DataFolder(abs, ch, lock);
      folder.stopOrphans();
      return folder;
    } catch (java.nio.channels.OverlappingFileLockException e) {
      throw new IllegalStateException("the data folder " + abs + " is already in use by this process", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot claim the data folder " + abs, e);
    }
  }

  public Path path() {
    return dir;
  }

  /** Stops a PostgreSQL or Redis left running on this folder by a hub that died. */
  private void stopOrphans() {
    postgresOrphan(dir.resolve("postgres")).ifPresent(p -> stop(p, "PostgreSQL"));
    redisOrphan(dir.resolve("redis")).ifPresent(p -> stop(p, "Redis"));
  }

  /** The postmaster named by {@code postmaster.pid} when it is alive and serves {@code pgData}. */
  static Optional<ProcessHandle> postgresOrphan(Path pgData) {
    return pidIn(pgData.resolve("postmaster.pid")).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
        .filter(p -> {
          List<String> args = ProcessArgs.of(p);
          return !args.isEmpty() && args.get(0).endsWith("postgres") && ProcessArgs.dataDirectory(args).map(pgData::equals).orElse(false);
        });
  }

  /** The Redis named by {@code redis.pid} when it is alive, a redis-server, and working in {@code redisData}. */
  static Optional<ProcessHandle> redisOrphan(Path redisData) {
    return pidIn(redisData.resolve(EmbeddedRedisServer.PID_FILE)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
        .filter(p -> String.join(" ", ProcessArgs.of(p)).contains("redis-server")
            && ProcessArgs.workingDirectory(p).map(redisData::equals).orElse(false));
  }

  private static Optional<Long> pidIn(Path pidFile) {
    try {
      if (!Files.isRegularFile(pidFile)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** SIGTERM (PostgreSQL: smart shutdown, no clients are left; Redis: flushes its append-only file), then SIGKILL. */
  private static void stop(ProcessHandle p, String what) {
    log.atWarn().addKeyValue("pid", p.pid()).log("stopping an embedded " + what + " left running by a hub that died");
    p.destroy();
    try {
      p.onExit().get(POLITE_STOP.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      log.atWarn().addKeyValue("pid", p.pid()).log(what + " did not stop within " + POLITE_STOP + "; killing it");
      p.destroyForcibly();
      p.onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping an orphaned " + what, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Releases the folder (the OS would release it anyway when the process ends). */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
