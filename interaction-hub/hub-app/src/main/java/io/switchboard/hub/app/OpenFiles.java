package io.switchboard.hub.app;

import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The open-files limit, checked when a hub starts (#12.4): every agent console socket, web chat socket, HTTP connection,
 * pooled PostgreSQL and Redis connection holds a file descriptor, and the common default soft limit (1,024) ends a
 * contact centre's sockets long before its memory does. Below {@link #RECOMMENDED} the hub logs a warning saying how to
 * raise it (docs/operations.md, "Open files"); it starts anyway.
 */
public final class OpenFiles {
  /** The limit below which a hub warns: room for 20,000 agent sockets, their HTTP connections and the pools. */
  public static final long RECOMMENDED = 65_536;

  private OpenFiles() {}

  /** This process's open-files limit, or -1 where the JVM cannot tell (not a Unix). */
  public static long limit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }

  /** The warning for a limit of {@code limit} descriptors, if it is too low; none when unknown (zero or less). */
  public static Optional<String> warning(long limit) {
    if (limit <= 0 || limit >= RECOMMENDED) {
      return Optional.empty();
    }
    return Optional.of(String.format(
        "the open-files limit is %,d: every agent or web chat socket and every HTTP connection holds one, so about %,d "
            + "consoles and customers can connect at once; raise it to at least %,d (ulimit -n %d; systemd LimitNOFILE=%d; "
            + "docker run --ulimit nofile=%d:%d); see docs/operations.md, \"Open files\"",
        limit, Math.max(0, limit - 200), RECOMMENDED, RECOMMENDED, RECOMMENDED, RECOMMENDED, RECOMMENDED));
  }

  /** Logs the warning when this process's limit is too low. */
  static void check(Logger log) {
    long limit = limit();
    warning(limit).ifPresent(w -> log.atWarn().addKeyValue("openFilesLimit", limit).log(w));
  }
}
