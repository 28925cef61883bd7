package io.switchboard.hub.app.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Plain HTTP/1.1 over a socket bound to a chosen loopback address (127.0.0.2, 127.0.0.3 ...), so a test can be
 * several clients; and raw bytes for bodies no HTTP client would send (overlong UTF-8).
 */
public final class RawHttp {
  private RawHttp() {}

  /** A response: status and body. */
  public record Answer(int status, String head, String body) {}

  public static Answer post(String from, int port, String path, String authorization, byte[] body) {
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(from), 0)) {
      s.setSoTimeout(30_000);
      String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
          + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
          + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().write(body);
      s.getOutputStream().flush();
      String text = new String(readAll(s.getInputStream()), StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String h = split < 0 ? text : text.substring(0, split);
      String b = split < 0 ? "" : text.substring(split + 4);
      return new Answer(Integer.parseInt(h.substring(9, 12)), h, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code head} (request line and headers, without the blank line) and returns the answer. */
  public static Answer request(int port, String head) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      // Read the head only (a WebSocket upgrade keeps the connection open).
      InputStream in = s.getInputStream();
      StringBuilder h = new StringBuilder();
      while (h.indexOf("\r\n\r\n") < 0) {
        int c = in.read();
        if (c == -1) {
          break;
        }
        h.append((char) c);
      }
      String text = h.toString();
      return new Answer(Integer.parseInt(text.substring(9, 12)), text, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of a header in {@code head} (case-insensitive), or null. */
  public static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  public static Answer login(String from, int port, String username, String password) {
    String json = new io.vertx.core.json.JsonObject().put("username", username).put("password", password).encode();
    return post(from, port, "/api/v1/auth/login", null, json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) != -1; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
