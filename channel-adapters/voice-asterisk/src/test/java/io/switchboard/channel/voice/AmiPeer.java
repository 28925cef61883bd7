package io.switchboard.channel.voice;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * Asterisk's side of AMI over TCP for protocol tests: banner, Challenge/Login (any key accepted), CoreSettings, and
 * every other action handed to {@code script}, which writes whatever it wants (answers in any order, huge lines).
 */
final class AmiPeer implements AutoCloseable {
  final ServerSocket server;
  final List<Map<String, String>> actions = new CopyOnWriteArrayList<>();
  final List<Socket> sockets = new CopyOnWriteArrayList<>();
  volatile int logins;
  private final BiFunction<Map<String, String>, OutputStream, Boolean> script;

  /** {@code script} answers an action (true when it did; false: the peer answers Success). */
  AmiPeer(BiFunction<Map<String, String>, OutputStream, Boolean> script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          sockets.add(s);
          Thread.ofVirtual().start(() -> serve(s));
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  int port() {
    return server.getLocalPort();
  }

  private void serve(Socket s) {
    try (s) {
      OutputStream out = s.getOutputStream();
      write(out, "Asterisk Call Manager/9.0.0\r\n");
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      Map<String, String> action = new LinkedHashMap<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isEmpty()) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            action.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
          }
          continue;
        }
        Map<String, String> a = action;
        action = new LinkedHashMap<>();
        actions.add(a);
        String id = a.getOrDefault("actionid", "");
        switch (a.getOrDefault("action", "").toLowerCase()) {
          case "challenge" -> write(out, "Response: Success\r\nChallenge: 123456789\r\nActionID: " + id + "\r\n\r\n");
          case "login" -> {
            logins++;
            write(out, "Response: Success\r\nMessage: Authentication accepted\r\nActionID: " + id + "\r\n\r\n");
          }
          case "coresettings" -> write(out, "Response: Success\r\nActionID: " + id + "\r\nAMIversion: 9.0.0\r\n"
              + "AsteriskVersion: 22.10.1\r\nSystemName: peer\r\n\r\n");
          case "coreshowchannels" -> write(out, "Response: Success\r\nActionID: " + id + "\r\nEventList: start\r\n\r\n"
              + "Event: CoreShowChannelsComplete\r\nActionID: " + id + "\r\nEventList: Complete\r\nListItems: 0\r\n\r\n");
          case "logoff" -> {
            write(out, "Response: Goodbye\r\nActionID: " + id + "\r\n\r\n");
            return;
          }
          default -> {
            if (!script.apply(a, out)) {
              write(out, "Response: Success\r\nActionID: " + id + "\r\n\r\n");
            }
          }
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  static void write(OutputStream out, String text) {
    try {
      synchronized (out) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Drops every connection (as Asterisk going away). */
  void dropAll() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    dropAll();
  }
}
