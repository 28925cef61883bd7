package io.switchboard.channel.voice;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The adapter's section of switchboard.yaml ({@code channels.voice}). The AMI password comes from the
 * environment, {@code SWITCHBOARD_VOICE_AMI_SECRET}.
 *
 * @param agiBind address the FastAGI server listens on
 * @param agiPort FastAGI port (Asterisk's {@code AGI(agi://host:port/switchboard)})
 * @param amiHost Asterisk's manager interface host
 * @param amiPort its port
 * @param amiUser its user (manager.conf)
 * @param ivrFile the IVR file, reloaded when it changes
 * @param agentContext the dialplan context an agent's leg runs once the agent answers (it calls
 *     {@code AGI(agi://host:port/agent)})
 * @param ringTimeout how long an agent's phone rings before the adapter gives up (the routing offer timeout
 *     also applies; the shorter wins)
 * @param pollInterval how often a waiting caller's session checks for news (agent answered, hang-up)
 * @param holdContext the dialplan context an agent's leg waits in while the caller is on hold
 * @param recordQueues the queues whose calls are recorded (MixMonitor from the first bridge)
 * @param reconcileEvery how often calls are compared with Asterisk besides every AMI login (0 = only at login)
 * @param callLease how long this node's hold on a call lasts without renewal (renewed every third of it while the node
 *     lives); a node that dies hands its calls over to another node within about this time
 * @param agiAddress how Asterisk reaches this node's FastAGI server ({@code host:port}), given to the agent legs this
 *     node rings as {@code SB_HUB} so they report to this node; null: the dialplan's {@code HUB}
 */
public record VoiceSettings(String agiBind, int agiPort, String amiHost, int amiPort, String amiUser, Path ivrFile,
    String agentContext, Duration ringTimeout, Duration pollInterval, String holdContext, Set<String> recordQueues,
    Duration reconcileEvery, Duration callLease, String agiAddress) {

  private static final Set<String> KEYS = Set.of("agiBind", "agiPort", "amiHost", "amiPort", "amiUser", "ivrFile",
      "agentContext", "ringTimeout", "pollInterval", "holdContext", "recordQueues", "reconcileEvery",
      "callLease", "agiAddress");
  /** host:port, nothing a dial plan or AGI URL could misread. */
  private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]{1,200}:[0-9]{1,5}");

  public VoiceSettings {
    recordQueues = Set.copyOf(recordQueues);
  }

  /** Reads the section; every problem is named at once. */
  public static VoiceSettings of(Map<String, Object> s) {
    List<String> problems = new ArrayList<>();
    for (String k : s.keySet()) {
      if (!KEYS.contains(k)) {
        problems.add("channels.voice." + k + ": is not a known key (expected one of " + KEYS.stream().sorted().toList() + ")");
      }
    }
    String bind = str(s, "agiBind", "0.0.0.0");
    int agiPort = port(s, "agiPort", 4573, problems);
    String amiHost = str(s, "amiHost", "127.0.0.1");
    int amiPort = port(s, "amiPort", 5038, problems);
    String amiUser = str(s, "amiUser", "switchboard");
    Path ivr = Path.of(str(s, "ivrFile", "config/ivr.yaml"));
    String context = str(s, "agentContext", "switchboard-agent");
    Duration ring = millis(s, "ringTimeout", 20_000, problems);
    Duration poll = millis(s, "pollInterval", 300, problems);
    String hold = str(s, "holdContext", "switchboard-hold");
    Set<String> record = new java.util.LinkedHashSet<>();
    Object rq = s.get("recordQueues");
    if (rq instanceof List<?> list) {
      for (Object q : list) {
        if (q == null || q.toString().isBlank()) {
          problems.add("channels.voice.recordQueues: names a blank queue");
        } else {
          record.add(q.toString());
        }
      }
    } else if (rq != null) {
      problems.add("channels.voice.recordQueues: must be a list of queue names");
    }
    Duration reconcile = millis(s, "reconcileEvery", 60_000, problems);
    if (reconcile.isNegative()) {
      problems.add("channels.voice.reconcileEvery: must not be negative");
    }
    Duration lease = millis(s, "callLease", 15_000, problems);
    if (lease.compareTo(Duration.ofSeconds(3)) < 0 || lease.compareTo(Duration.ofMinutes(5)) > 0) {
      problems.add("channels.voice.callLease: must be from 3s to 5m");
    }
    Object address = s.get("agiAddress");
    if (address != null && !ADDRESS.matcher(address.toString()).matches()) {
      problems.add("channels.voice.agiAddress: must be host:port (how Asterisk reaches this node's FastAGI server)");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new VoiceSettings(bind, agiPort, amiHost, amiPort, amiUser, ivr, context, ring, poll, hold, record, reconcile, lease,
        address == null ? null : address.toString());
  }

  private static String str(Map<String, Object> s, String key, String dflt) {
    Object v = s.get(key);
    return v == null || v.toString().isBlank() ? dflt : v.toString();
  }

  private static int port(Map<String, Object> s, String key, int dflt, List<String> problems) {
    Object v = s.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      int p = Integer.parseInt(v.toString());
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      problems.add("channels.voice." + key + ": must be a port from 1 to 65535");
      return dflt;
    }
  }

  /** A duration in milliseconds, or with a unit (500ms, 20s, 1m). */
  private static Duration millis(Map<String, Object> s, String key, long dflt, List<String> problems) {
    Object v = s.get(key);
    if (v == null) {
      return Duration.ofMillis(dflt);
    }
    String t = v.toString().trim();
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.ofMillis(Long.parseLong(t));
    } catch (NumberFormatException e) {
      problems.add("channels.voice." + key + ": must be a duration such as 300ms, 20s or 1m");
      return Duration.ofMillis(dflt);
    }
  }
}
