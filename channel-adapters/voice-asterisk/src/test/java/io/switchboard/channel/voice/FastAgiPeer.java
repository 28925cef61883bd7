package io.switchboard.channel.voice;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Plays Asterisk's side of one FastAGI session over TCP: sends the {@code agi_*} environment, then answers each
 * command the server sends with the reply {@code answer} gives (null: the channel hangs up, the socket closes).
 */
final class FastAgiPeer {
  final List<String> commands = new ArrayList<>();

  /** Runs one session; returns when the server closes or {@code answer} hangs up. */
  FastAgiPeer session(int port, Map<String, String> env, Function<String, String> answer) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      StringBuilder head = new StringBuilder();
      env.forEach((k, v) -> head.append(k).append(": ").append(v).append('\n'));
      head.append('\n');
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        commands.add(line);
        String reply = answer.apply(line);
        if (reply == null) {
          return this;
        }
        out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (java.net.SocketException e) {
      // the server closed the session
    }
    return this;
  }

  static Map<String, String> env(String uniqueId, String callerId, String extension) {
    var m = new java.util.LinkedHashMap<String, String>();
    m.put("agi_network", "yes");
    m.put("agi_network_script", "switchboard");
    m.put("agi_request", "agi://127.0.0.1/switchboard");
    m.put("agi_channel", "PJSIP/trunk-" + uniqueId);
    m.put("agi_language", "en");
    m.put("agi_type", "PJSIP");
    if (uniqueId != null) {
      m.put("agi_uniqueid", uniqueId);
    }
    m.put("agi_version", "22.10.1");
    m.put("agi_callerid", callerId);
    m.put("agi_calleridname", "Caller");
    m.put("agi_dnid", extension);
    m.put("agi_context", "switchboard-in");
    m.put("agi_extension", extension);
    m.put("agi_priority", "2");
    m.put("agi_enhanced", "0.0");
    m.put("agi_accountcode", "");
    m.put("agi_threadid", "140000000000");
    return m;
  }
}
