package io.switchboard.channel.webchat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The web chat's settings: the {@code channels.webchat} section of switchboard.yaml. Every key has a
 * default, so an empty section (or none) gives a working chat without transcripts. A bad value fails the
 * adapter's start with a message naming the key.
 *
 * @param title the widget's heading unless the script tag's {@code data-title} says otherwise
 * @param topics what the pre-chat form offers; the chosen id reaches routing as {@code attributes['topic']}
 * @param allowedOrigins web origins whose pages may open the chat socket; empty allows any
 * @param limits per-connection and per-address limits
 * @param queueUpdateInterval how often a waiting customer is told their place in the queue
 * @param sessionTtl how long a chat session can be resumed after its last resume or start
 * @param trustForwardedFor take the client address from the last {@code X-Forwarded-For} entry (behind a proxy)
 * @param requireEmail whether the pre-chat form must give an email address
 * @param transcripts whether customers may ask for the transcript by email (only offered while the hub's mail
 *     sender, the email adapter, can send from {@code transcriptMailbox})
 * @param transcriptMailbox the email adapter's mailbox transcripts are sent from; null for its default mailbox
 * @param transcriptSubject the subject of transcript emails
 */
public record WebChatSettings(
    String title,
    List<Topic> topics,
    List<String> allowedOrigins,
    Limits limits,
    Duration queueUpdateInterval,
    Duration sessionTtl,
    boolean trustForwardedFor,
    boolean requireEmail,
    boolean transcripts,
    String transcriptMailbox,
    String transcriptSubject) {

  private static final String PREFIX = "switchboard.yaml: channels.webchat.";
  private static final Set<String> KEYS = Set.of("title", "topics", "allowedOrigins", "limits", "queueUpdateInterval",
      "sessionTtl", "trustForwardedFor", "requireEmail", "transcripts", "transcriptMailbox", "transcriptSubject");
  private static final Set<String> LIMIT_KEYS = Set.of("maxFrameBytes", "maxTextChars", "messagesPerWindow",
      "framesPerWindow", "window", "connectionsPerAddress", "sessionStartsPerAddress", "sessionStartWindow",
      "socketsPerSession", "strikesBeforeClose");
  private static final Pattern TOPIC_ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
  private static final Pattern ORIGIN = Pattern.compile("https?://[^/\\s]+");

  /** One choice of the pre-chat form's topic list. */
  public record Topic(String id, String label) {}

  /**
   * Limits that protect the hub from one browser or one address.
   *
   * @param maxFrameBytes a larger frame is refused with an {@code error} frame
   * @param maxTextChars a longer chat line is refused
   * @param messagesPerWindow chat lines per connection per {@code window}
   * @param framesPerWindow frames of any kind per connection per {@code window}
   * @param window the sliding window of the two rates above and of strikes
   * @param connectionsPerAddress open sockets per client address
   * @param sessionStartsPerAddress new sessions per client address per {@code sessionStartWindow}
   * @param sessionStartWindow the window of session starts
   * @param socketsPerSession open sockets (tabs) of one session
   * @param strikesBeforeClose refused frames (too big, too fast, bad resume token) within {@code window}
   *     after which the connection is closed
   */
  public record Limits(
      int maxFrameBytes,
      int maxTextChars,
      int messagesPerWindow,
      int framesPerWindow,
      Duration window,
      int connectionsPerAddress,
      int sessionStartsPerAddress,
      Duration sessionStartWindow,
      int socketsPerSession,
      int strikesBeforeClose) {}

  /** The settings with every default. */
  public static WebChatSettings defaults() {
    return parse(Map.of());
  }

  /**
   * Reads the adapter's section of switchboard.yaml.
   *
   * @throws IllegalArgumentException naming the key, for an unknown key or a bad value
   */
  public static WebChatSettings parse(Map<String, Object> raw) {
    Map<String, Object> s = raw == null ? Map.of() : raw;
    if (s.containsKey("smtp")) {
      throw new IllegalArgumentException(PREFIX + "smtp: transcripts now go out through the email adapter: configure a "
          + "mailbox with smtp under channels.email.mailboxes (docs/email.md) and name it in channels.webchat.transcriptMailbox");
    }
    known(s, KEYS, "");
    String title = text(s, "title", "Chat with us", 80);
    List<Topic> topics = topics(s.get("topics"));
    List<String> origins = new ArrayList<>();
    for (String o : strings(s, "allowedOrigins")) {
      String origin = o.strip().toLowerCase(Locale.ROOT);
      if (origin.endsWith("/")) {
        origin = origin.substring(0, origin.length() - 1);
      }
      if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
        throw new IllegalArgumentException(PREFIX + "allowedOrigins: '" + o
            + "' is not an origin such as https://www.example.com (scheme and host, no path)");
      }
      origins.add(origin);
    }
    if (origins.contains("*")) {
      origins.clear();
    }
    Map<String, Object> l = map(s, "limits");
    known(l, LIMIT_KEYS, "limits.");
    Limits limits = new Limits(
        integer(l, "limits.maxFrameBytes", 16 * 1024, 256, 256 * 1024),
        integer(l, "limits.maxTextChars", 4000, 1, 64 * 1024),
        integer(l, "limits.messagesPerWindow", 20, 1, 10_000),
        integer(l, "limits.framesPerWindow", 100, 10, 100_000),
        duration(l, "limits.window", Duration.ofSeconds(10)),
        integer(l, "limits.connectionsPerAddress", 20, 1, 100_000),
        integer(l, "limits.sessionStartsPerAddress", 10, 1, 100_000),
        duration(l, "limits.sessionStartWindow", Duration.ofMinutes(1)),
        integer(l, "limits.socketsPerSession", 5, 1, 100),
        integer(l, "limits.strikesBeforeClose", 5, 1, 1000));
    Duration queueEvery = duration(s, "queueUpdateInterval", Duration.ofSeconds(5));
    Duration ttl = duration(s, "sessionTtl", Duration.ofHours(24));
    boolean forwarded = bool(s, "trustForwardedFor", false);
    boolean requireEmail = bool(s, "requireEmail", false);
    boolean transcripts = bool(s, "transcripts", true);
    String mailbox = text(s, "transcriptMailbox", null, 40);
    if (mailbox != null && !mailbox.matches("[a-z0-9][a-z0-9_-]{0,39}")) {
      throw new IllegalArgumentException(PREFIX + "transcriptMailbox: '" + mailbox
          + "' is not a mailbox name of channels.email.mailboxes (a-z, 0-9, '-', '_')");
    }
    String subject = text(s, "transcriptSubject", "Your chat transcript", 200);
    return new WebChatSettings(title, topics, List.copyOf(origins), limits, queueEvery, ttl, forwarded, requireEmail, transcripts,
        mailbox, subject);
  }

  /** Whether a page of {@code origin} may open the socket ({@code null} origins, from non-browsers, are allowed). */
  public boolean originAllowed(String origin, String ownOrigin) {
    if (allowedOrigins.isEmpty() || origin == null) {
      return true;
    }
    String o = origin.strip().toLowerCase(Locale.ROOT);
    return allowedOrigins.contains(o) || o.equals(ownOrigin);
  }

  /** The topic of that id, if offered. */
  public Topic topic(String id) {
    for (Topic t : topics) {
      if (t.id().equals(id)) {
        return t;
      }
    }
    return null;
  }

  private static List<Topic> topics(Object raw) {
    if (raw == null) {
      return List.of(new Topic("general", "General question"), new Topic("billing", "Billing"),
          new Topic("tech-support", "Technical support"));
    }
    if (!(raw instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException(PREFIX + "topics: must be a non-empty list of topic ids or {id, label} mappings");
    }
    Map<String, Topic> out = new LinkedHashMap<>();
    for (Object item : list) {
      String id;
      String label;
      if (item instanceof String str) {
        id = str.strip();
        label = labelOf(id);
      } else if (item instanceof Map<?, ?> m && m.get("id") instanceof String str) {
        id = str.strip();
        label = m.get("label") instanceof String lab && !lab.isBlank() ? lab.strip() : labelOf(id);
        for (Object k : m.keySet()) {
          if (!"id".equals(k) && !"label".equals(k)) {
            throw new IllegalArgumentException(PREFIX + "topics: unknown key '" + k + "' (known: id, label)");
          }
        }
      } else {
        throw new IllegalArgumentException(PREFIX + "topics: each entry must be a topic id or an {id, label} mapping");
      }
      if (!TOPIC_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(PREFIX + "topics: '" + id
            + "' is not a topic id (lower-case letters, digits, '-', '_', '.'; at most 64)");
      }
      if (label.length() > 80) {
        throw new IllegalArgumentException(PREFIX + "topics: the label of '" + id + "' is longer than 80 characters");
      }
      if (out.putIfAbsent(id, new Topic(id, label)) != null) {
        throw new IllegalArgumentException(PREFIX + "topics: '" + id + "' is listed twice");
      }
    }
    return List.copyOf(out.values());
  }

  private static String labelOf(String id) {
    String words = id.replace('-', ' ').replace('_', ' ').replace('.', ' ');
    return words.isEmpty() ? id : Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  private static void known(Map<String, Object> m, Set<String> keys, String path) {
    for (String k : m.keySet()) {
      if (!keys.contains(k)) {
        throw new IllegalArgumentException(PREFIX + path + k + ": unknown key (known: " + new java.util.TreeSet<>(keys) + ")");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(PREFIX + key + ": must be a mapping");
    }
    return (Map<String, Object>) v;
  }

  private static List<String> strings(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String str) {
      return List.of(str);
    }
    if (!(v instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
      throw new IllegalArgumentException(PREFIX + key + ": must be a list of strings");
    }
    return list.stream().map(String.class::cast).toList();
  }

  private static String text(Map<String, Object> m, String key, String def, int max) {
    Object v = m.get(last(key));
    if (v == null) {
      return def;
    }
    if (!(v instanceof String str)) {
      throw new IllegalArgumentException(PREFIX + key + ": must be text");
    }
    if (str.length() > max) {
      throw new IllegalArgumentException(PREFIX + key + ": is longer than " + max + " characters");
    }
    return str;
  }

  private static int integer(Map<String, Object> m, String key, int def, int min, int max) {
    Object v = m.get(last(key));
    if (v == null) {
      return def;
    }
    if (!(v instanceof Integer i) || i < min || i > max) {
      throw new IllegalArgumentException(PREFIX + key + ": must be a whole number from " + min + " to " + max + " (got " + v + ")");
    }
    return i;
  }

  private static boolean bool(Map<String, Object> m, String key, boolean def) {
    Object v = m.get(last(key));
    if (v == null) {
      return def;
    }
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException(PREFIX + key + ": must be true or false (got " + v + ")");
    }
    return b;
  }

  /** Durations are written 500ms, 10s, 5m, 24h (or a whole number of seconds). */
  static Duration duration(Map<String, Object> m, String key, Duration def) {
    Object v = m.get(last(key));
    if (v == null) {
      return def;
    }
    Duration d = null;
    if (v instanceof Integer i) {
      d = Duration.ofSeconds(i);
    } else if (v instanceof String str) {
      var matcher = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(str.strip());
      if (matcher.matches()) {
        long n = Long.parseLong(matcher.group(1));
        d = switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
    }
    if (d == null || d.isZero()) {
      throw new IllegalArgumentException(PREFIX + key + ": must be a duration such as 500ms, 10s, 5m or 24h (got " + v + ")");
    }
    return d;
  }

  private static String last(String key) {
    int dot = key.lastIndexOf('.');
    return dot < 0 ? key : key.substring(dot + 1);
  }
}
