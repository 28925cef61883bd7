package io.switchboard.hub.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Slow and idle clients cannot hold connections (#11.6), with real sockets from several loopback addresses. The hub runs with short limits (header 2 s, body 3 s,
 * keep-alive 3 s, idle 4 s, 20 connections per address); every check allows 20 s.
 */
@DisplayName("security: header, body and idle timeouts and a per-address connection cap (#11.6)")
class ConnectionLimitsTest {
  private static final long PATIENCE_MS = 20_000;
  private static TestHub hub;
  private static int port;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void start() throws Exception {
    Path dir = TestHub.configWithChannel(null, "webchat", Map.of());
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    Path file = dir.resolve("switchboard.yaml");
    Map<String, Object> root = yaml.readValue(file.toFile(), LinkedHashMap.class);
    Map<String, Object> http = new LinkedHashMap<>((Map<String, Object>) root.getOrDefault("http", Map.of()));
    http.put("headerTimeout", "2s");
    http.put("bodyTimeout", "3s");
    http.put("keepAliveTimeout", "3s");
    http.put("idleTimeout", "4s");
    http.put("maxConnectionsPerAddress", 20);
    root.put("http", http);
    yaml.writeValue(file.toFile(), root);
    hub = TestHub.startWith(Map.of(), dir);
    port = hub.hub().httpPort();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static Socket open(String from) throws IOException {
    Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(from), 0);
    s.setSoTimeout(250);
    return s;
  }

  /** Keeps sending {@code trickle} one byte at a time (every 250 ms) until the hub closes; true when it did in time. */
  private static boolean closedByHub(Socket s, byte[] trickle) {
    long deadline = System.currentTimeMillis() + PATIENCE_MS;
    int i = 0;
    try {
      while (System.currentTimeMillis() < deadline) {
        if (trickle != null && trickle.length > 0) {
          s.getOutputStream().write(trickle[i++ % trickle.length]);
          s.getOutputStream().flush();
        }
        try {
          int b = s.getInputStream().read();
          if (b == -1) {
            return true;
          }
          // an answer (408/400): read on until closed
        } catch (SocketTimeoutException e) {
          // still open
        }
      }
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void slowHeadersAreCut() throws Exception {
    try (Socket s = open("127.0.0.5")) {
      s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(closedByHub(s, "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".getBytes(StandardCharsets.US_ASCII)))
          .as("a request head trickling in is cut").isTrue();
    }
  }

  /**
   * The attack of the finding, at its size: 300 connections trickle their request heads, 100 trickle bodies and 50 send
   * nothing at all, from 23 addresses (each under the cap), all at once. Every one is closed by the hub within the
   * patience (header 2 s, body 3 s, idle 4 s), while an ordinary client is served meanwhile.
   */
  @Test
  void threeHundredSlowHeadsAHundredSlowBodiesAndFiftySilentConnectionsAreAllClosedWhileOthersAreServed() throws Exception {
    List<SocketChannel> slowHeads = new ArrayList<>();
    List<SocketChannel> slowBodies = new ArrayList<>();
    List<SocketChannel> silent = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        SocketChannel c = openChannel("127.0.1." + (1 + i / 20));
        c.write(ByteBuffer.wrap(("GET /health HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.US_ASCII)));
        slowHeads.add(c);
      }
      for (int i = 0; i < 100; i++) {
        SocketChannel c = openChannel("127.0.2." + (1 + i / 20));
        c.write(ByteBuffer.wrap(("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 100000\r\n\r\n{\"username\":\"").getBytes(StandardCharsets.US_ASCII)));
        slowBodies.add(c);
      }
      for (int i = 0; i < 50; i++) {
        silent.add(openChannel("127.0.3." + (1 + i / 20)));
      }
      long started = System.nanoTime();
      long deadline = System.currentTimeMillis() + PATIENCE_MS;
      List<SocketChannel> open = new ArrayList<>();
      open.addAll(slowHeads);
      open.addAll(slowBodies);
      open.addAll(silent);
      boolean servedMeanwhile = false;
      ByteBuffer in = ByteBuffer.allocate(4096);
      while (!open.isEmpty() && System.currentTimeMillis() < deadline) {
        for (var it = open.iterator(); it.hasNext(); ) {
          SocketChannel c = it.next();
          try {
            in.clear();
            if (c.read(in) == -1) {
              it.remove();
              continue;
            }
            if (!silent.contains(c)) {
              // One more byte of the head or the body: each arrives well within every timeout, so only the
              // header and body deadlines can close these.
              c.write(ByteBuffer.wrap(new byte[] {(byte) (slowHeads.contains(c) ? 'X' : 'a')}));
            }
          } catch (IOException e) {
            it.remove();
          }
        }
        if (!servedMeanwhile) {
          servedMeanwhile = RawHttp.request(port, "GET /health HTTP/1.1\r\nHost: x").status() == 200;
        }
        Thread.sleep(250); // the trickle's pace, not a wait for an event
      }
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      System.out.println("slow connections: " + (450 - open.size()) + " of 450 closed in " + tookMs + " ms");
      assertThat(open).as("connections still open after %d ms", PATIENCE_MS).isEmpty();
      assertThat(servedMeanwhile).as("an ordinary request is served while the slow ones hold their connections").isTrue();
    } finally {
      for (SocketChannel c : slowHeads) c.close();
      for (SocketChannel c : slowBodies) c.close();
      for (SocketChannel c : silent) c.close();
    }
  }

  private static SocketChannel openChannel(String from) throws IOException {
    SocketChannel c = SocketChannel.open();
    c.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    c.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
    c.configureBlocking(false);
    return c;
  }

  @Test
  void slowBodiesAreCut() throws Exception {
    try (Socket s = open("127.0.0.6")) {
      s.getOutputStream().write(("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100000\r\n\r\n{\"username\":\"").getBytes(StandardCharsets.US_ASCII));
      assertThat(closedByHub(s, "a".getBytes(StandardCharsets.US_ASCII))).as("a body trickling in is cut").isTrue();
    }
  }

  @Test
  void connectionsThatNeverSendAreClosed() throws Exception {
    try (Socket s = open("127.0.0.7")) {
      assertThat(closedByHub(s, null)).as("a silent connection is closed").isTrue();
    }
  }

  @Test
  void aWebChatSocketThatNeverStartsIsClosed() throws Exception {
    try (Socket s = open("127.0.0.9")) {
      s.getOutputStream().write(("GET /channels/webchat/socket?v=1 HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(10_000);
      byte[] head = new byte[12];
      int n = s.getInputStream().readNBytes(head, 0, 12);
      assertThat(new String(head, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
      s.setSoTimeout(250);
      assertThat(closedByHub(s, null)).as("a chat socket that never sends start is closed").isTrue();
    }
  }

  @Test
  void oneAddressHoldsAtMostItsShareOfConnections() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 30; i++) {
        sockets.add(open("127.0.0.8"));
      }
      // The ones past the cap are closed as they open (before any timeout could close the others).
      int refused = 0;
      for (Socket s : sockets.subList(20, 30)) {
        s.setSoTimeout(5000);
        try {
          refused += s.getInputStream().read() == -1 ? 1 : 0;
        } catch (SocketTimeoutException e) {
          // open
        } catch (IOException e) {
          refused++;
        }
      }
      assertThat(refused).as("connections past 20 from one address are closed").isEqualTo(10);
      // Others are served meanwhile.
      assertThat(RawHttp.login("127.0.0.1", port, "alice", "alice-demo-pw").status()).isEqualTo(200);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
