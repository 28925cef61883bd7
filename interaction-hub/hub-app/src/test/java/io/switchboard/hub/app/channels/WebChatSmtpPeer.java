package io.switchboard.hub.app.channels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The far end of SMTP (RFC 5321) for a hub test: accepts any mail without authentication and keeps each
 * message's DATA. hub-app's tests have no GreenMail on their classpath; the adapter's own tests use it.
 */
final class WebChatSmtpPeer implements AutoCloseable {
  private final ServerSocket server;
  private final Thread acceptor;
  final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  WebChatSmtpPeer() throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
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

  String awaitMail() throws InterruptedException {
    String mail = received.poll(20, TimeUnit.SECONDS);
    if (mail == null) {
      throw new AssertionError("no mail arrived");
    }
    return mail;
  }

  private void serve(Socket s) {
    try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
         OutputStream out = s.getOutputStream()) {
      reply(out, "220 peer.test ESMTP");
      String line;
      while ((line = in.readLine()) != null) {
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line.toUpperCase(java.util.Locale.ROOT);
        switch (verb) {
          case "EHLO", "HELO" -> reply(out, "250 peer.test");
          case "DATA" -> {
            reply(out, "354 end with <CRLF>.<CRLF>");
            StringBuilder data = new StringBuilder();
            String d;
            while ((d = in.readLine()) != null && !d.equals(".")) {
              data.append(d.startsWith("..") ? d.substring(1) : d).append('\n');
            }
            received.add(data.toString());
            reply(out, "250 queued");
          }
          case "QUIT" -> {
            reply(out, "221 bye");
            return;
          }
          default -> reply(out, "250 OK");
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static void reply(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    acceptor.interrupt();
  }
}
