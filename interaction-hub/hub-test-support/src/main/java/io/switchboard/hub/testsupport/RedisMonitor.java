package io.switchboard.hub.testsupport;

import io.switchboard.hub.embedded.EmbeddedRedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redis {@code MONITOR} on a plain socket: the commands clients send to a Redis of the test's own, in order. A script is
 * one command (EVALSHA); what it runs inside Redis is shown by MONITOR as "lua" and left out. {@link #commands()} first
 * sends a marker (ECHO, on a second connection, itself left out) and waits until MONITOR shows it, so every command sent
 * before the call is in the list.
 */
public final class RedisMonitor implements AutoCloseable {
  private static final Pattern LINE = Pattern.compile("^\\+?[0-9.]+ \\[\\d+ ([^\\]]+)\\] \"([a-zA-Z]+)\"(.*)$");

  /** One command a client sent: its name in lower case and its arguments as MONITOR shows them (escaped). */
  public record Command(String name, List<String> arguments) {
    /** The first key of a command: its first argument, or for EVAL and EVALSHA the first key after the key count. */
    public String key() {
      if (name.equals("evalsha") || name.equals("eval")) {
        return arguments.size() > 2 ? arguments.get(2) : "";
      }
      return arguments.isEmpty() ? "" : arguments.get(0);
    }
  }

  private final Socket socket;
  private final Socket markerSocket;
  private final OutputStream markerOut;
  private final List<Command> seen = new ArrayList<>();
  private final Set<String> markers = ConcurrentHashMap.newKeySet();
  private int next;

  private RedisMonitor(EmbeddedRedisServer redis) throws IOException {
    socket = new Socket("127.0.0.1", redis.port());
    OutputStream out = socket.getOutputStream();
    out.write(("AUTH " + redis.password() + "\r\nMONITOR\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    markerSocket = new Socket("127.0.0.1", redis.port());
    markerOut = markerSocket.getOutputStream();
    markerOut.write(("AUTH " + redis.password() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    markerOut.flush();
    drain(markerSocket);
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    Thread reader = new Thread(() -> {
      try {
        for (String line; (line = in.readLine()) != null; ) {
          Matcher m = LINE.matcher(line);
          if (!m.find() || m.group(1).equals("lua")) {
            continue;
          }
          String name = m.group(2).toLowerCase(Locale.ROOT);
          List<String> args = arguments(m.group(3));
          if (name.equals("echo") && !args.isEmpty() && args.get(0).startsWith("redis-monitor-marker-")) {
            markers.add(args.get(0));
          } else if (!name.equals("auth")) {
            synchronized (seen) {
              seen.add(new Command(name, List.copyOf(args)));
            }
          }
        }
      } catch (IOException e) {
        // closed
      }
    }, "redis-monitor");
    reader.setDaemon(true);
    reader.start();
    awaitMarker();
  }

  /** The quoted arguments of a MONITOR line, escapes kept (a loop: a regular expression overflows on a script's source). */
  private static List<String> arguments(String rest) {
    List<String> out = new ArrayList<>();
    StringBuilder current = null;
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (current == null) {
        if (c == '"') {
          current = new StringBuilder();
        }
      } else if (c == '\\' && i + 1 < rest.length()) {
        current.append(c).append(rest.charAt(++i));
      } else if (c == '"') {
        out.add(current.toString());
        current = null;
      } else {
        current.append(c);
      }
    }
    return out;
  }

  /** Starts watching {@code redis}: commands sent from now on are listed. */
  public static RedisMonitor watch(EmbeddedRedisServer redis) {
    try {
      return new RedisMonitor(redis);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void drain(Socket s) throws IOException {
    s.getInputStream().skip(s.getInputStream().available());
  }

  private synchronized void awaitMarker() {
    String marker = "redis-monitor-marker-" + (next++);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try {
      while (true) {
        markerOut.write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.US_ASCII));
        markerOut.flush();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!markers.contains(marker) && System.nanoTime() < until) {
          LockSupport.parkNanos(2_000_000);
        }
        drain(markerSocket);
        if (markers.contains(marker)) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("MONITOR did not show " + marker + " within 30 s");
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every command clients sent since the watch began, up to this call. */
  public List<Command> commands() {
    awaitMarker();
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    markerSocket.close();
  }
}
