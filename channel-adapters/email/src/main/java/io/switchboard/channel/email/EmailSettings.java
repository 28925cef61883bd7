package io.switchboard.channel.email;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The email channel's settings: the {@code channels.email} section of switchboard.yaml. Without mailboxes the
 * adapter reads and sends nothing (and says so to agents). A bad value fails the adapter's start, and so the
 * hub's, with a message naming the mailbox and the field. Passwords never come from the file: they are the
 * secrets {@code <MAILBOX>_PASSWORD} (environment {@code SWITCHBOARD_EMAIL_<MAILBOX>_PASSWORD}), or
 * {@code <MAILBOX>_IMAP_PASSWORD} / {@code <MAILBOX>_SMTP_PASSWORD} when the two differ.
 *
 * @param mailboxes the support mailboxes, in file order; names are unique
 * @param limits sizes and parsing limits
 * @param automation what happens to auto-replies and bulk mail
 * @param rateLimit per-sender limit that stops mail loops
 * @param lease how long a node holds a mailbox before another may take it over
 * @param backoff reconnect pauses after a failure (doubling from the first to the last)
 *
 * <p>Size (over 400 lines, #15): a settings record with its nested records and the strict reading of each (every
 * field checked with a message that names the mailbox and the key); it is long because the section has many fields,
 * not because it has many jobs.
 */
public record EmailSettings(
    List<Mailbox> mailboxes, Limits limits, Automation automation, RateLimit rateLimit, Duration lease, Backoff backoff) {

  static final String PREFIX = "switchboard.yaml: channels.email.";
  private static final Set<String> KEYS = Set.of("mailboxes", "limits", "automation", "rateLimit", "lease", "backoff");
  private static final Set<String> MAILBOX_KEYS =
      Set.of("name", "address", "displayName", "default", "imap", "smtp", "attributes", "subjectToken");
  private static final Set<String> IMAP_KEYS = Set.of("host", "port", "tls", "username", "folder", "afterStore", "moveTo",
      "idle", "pollInterval", "initialSync", "timeout", "batchSize");
  private static final Set<String> SMTP_KEYS = Set.of("host", "port", "tls", "auth", "username", "sentFolder", "timeout",
      "connections");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
  private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>\"]+@[^@\\s<>\"]+\\.[^@\\s<>\"]+");
  private static final Pattern ATTRIBUTE_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

  /** How a connection is secured. */
  public enum Tls {
    /** TLS from the first byte (IMAPS 993, SMTPS 465). */
    SSL,
    /** A plain connection upgraded with STARTTLS, which is required. */
    STARTTLS,
    /** No encryption (a relay on the same host, tests). */
    NONE
  }

  /** What is done to a message in the mailbox once the hub has stored it. */
  public enum AfterStore {
    /** Flag it \Seen (it stays in the folder). */
    SEEN,
    /** Move it to {@link Imap#moveTo()}. */
    MOVE
  }

  /** Which messages the first read of a mailbox (or a read after the server renumbered it) takes in. */
  public enum InitialSync {
    /** Only messages without the \Seen flag. */
    UNSEEN,
    /** Every message in the folder (Message-ID dedupe skips what was stored before). */
    ALL,
    /** None: only what arrives from now on. */
    NEW
  }

  /**
   * One support mailbox.
   *
   * @param name a short name (a-z, 0-9, '-', '_'): the interaction attribute {@code mailbox} and the secrets' prefix
   * @param address the mailbox's address, From of its replies
   * @param displayName the name shown with From, or null
   * @param isDefault replies to interactions that came in another way (the API) and transcripts go from it
   * @param imap where its mail is read; null for a mailbox that only sends
   * @param smtp where its replies go out; null for a mailbox that only receives
   * @param attributes routing attributes every interaction of this mailbox gets (for example {@code topic: billing})
   * @param subjectToken whether replies carry the conversation token in the subject (threading fallback)
   */
  public record Mailbox(String name, String address, String displayName, boolean isDefault, Imap imap, Smtp smtp,
      Map<String, String> attributes, boolean subjectToken) {
    /** The domain of the address (for Message-IDs). */
    public String domain() {
      return address.substring(address.indexOf('@') + 1).toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Reading a mailbox over IMAP.
   *
   * @param folder the folder to read (INBOX)
   * @param afterStore seen or move, once stored
   * @param moveTo the folder stored messages are moved to (afterStore: move)
   * @param idle use IMAP IDLE when the server has it (else, and always as a fallback, poll every {@code pollInterval})
   * @param pollInterval how often the folder is checked without IDLE, and how often IDLE is renewed
   * @param initialSync what the first read takes in
   * @param timeout connect and read timeout
   * @param batchSize messages taken in per round trip
   */
  public record Imap(String host, int port, Tls tls, String username, String folder, AfterStore afterStore, String moveTo,
      boolean idle, Duration pollInterval, InitialSync initialSync, Duration timeout, int batchSize) {}

  /**
   * Sending over SMTP.
   *
   * @param auth log in (with the mailbox's password)
   * @param sentFolder an IMAP folder a copy of every sent reply is appended to; null for none
   * @param connections SMTP connections kept open for this mailbox
   */
  public record Smtp(String host, int port, Tls tls, boolean auth, String username, String sentFolder, Duration timeout,
      int connections) {}

  /**
   * @param maxMessageBytes a larger message is read without downloading its attachments (they are named, not stored)
   * @param maxStoredBytes files of one message kept together at most; the rest are named, not stored
   * @param maxTextChars the text kept of one message (longer text is cut, and that is said)
   */
  public record Limits(long maxMessageBytes, long maxStoredBytes, int maxTextChars) {}

  /**
   * @param route route auto-replies and bulk mail to agents (normally they are stored but not routed)
   * @param vacationSubjects subjects (regular expressions, case-insensitive) that mark an auto-reply
   */
  public record Automation(boolean route, List<Pattern> vacationSubjects) {}

  /** At most {@code messages} from one sender to one mailbox per {@code window} are routed; more are stored only. */
  public record RateLimit(int messages, Duration window) {}

  /** Reconnect pauses: {@code first}, doubling up to {@code max}. */
  public record Backoff(Duration first, Duration max) {}

  /** The settings with every default and no mailbox. */
  public static EmailSettings defaults() {
    return parse(Map.of());
  }

  /** The mailbox of this name, or null. */
  public Mailbox mailbox(String name) {
    for (Mailbox m : mailboxes) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    return null;
  }

  /** The default mailbox: the one marked default, else the first; null without mailboxes. */
  public Mailbox defaultMailbox() {
    return mailboxes.stream().filter(Mailbox::isDefault).findFirst().orElse(mailboxes.isEmpty() ? null : mailboxes.get(0));
  }

  /**
   * Reads the adapter's section of switchboard.yaml.
   *
   * @throws IllegalArgumentException naming the mailbox and the key, for an unknown key or a bad value
   */
  public static EmailSettings parse(Map<String, Object> raw) {
    Map<String, Object> s = raw == null ? Map.of() : raw;
    Reader r = new Reader("", s);
    r.known(KEYS);
    List<Mailbox> mailboxes = new ArrayList<>();
    Object list = s.get("mailboxes");
    if (list != null && !(list instanceof List<?>)) {
      throw new IllegalArgumentException(PREFIX + "mailboxes: must be a list of mailboxes");
    }
    Set<String> names = new TreeSet<>();
    Set<String> addresses = new TreeSet<>();
    int index = 0;
    for (Object item : list == null ? List.of() : (List<?>) list) {
      Mailbox m = mailbox(index++, item);
      if (!names.add(m.name())) {
        throw new IllegalArgumentException(PREFIX + "mailboxes[" + m.name() + "].name: is used by two mailboxes");
      }
      if (!addresses.add(m.address())) {
        throw new IllegalArgumentException(PREFIX + "mailboxes[" + m.name() + "].address: " + m.address() + " is used by two mailboxes");
      }
      mailboxes.add(m);
    }
    if (mailboxes.stream().filter(Mailbox::isDefault).count() > 1) {
      throw new IllegalArgumentException(PREFIX + "mailboxes: more than one mailbox says default: true");
    }
    Reader l = r.child("limits");
    l.known(Set.of("maxMessageBytes", "maxStoredBytes", "maxTextChars"));
    Limits limits = new Limits(
        l.size("maxMessageBytes", 25L << 20, 64 * 1024, 1L << 30),
        l.size("maxStoredBytes", 20L << 20, 0, 60L << 20),
        (int) l.integer("maxTextChars", 200_000, 1000, 250_000));
    Reader a = r.child("automation");
    a.known(Set.of("route", "vacationSubjects"));
    List<Pattern> vacation = new ArrayList<>();
    List<String> subjects = a.strings("vacationSubjects", List.of(
        "^(auto(matic)?[ -]?(reply|response|antwort)|autoreply|out of (the )?office|abwesenheit|automatische antwort"
            + "|r[ée]ponse automatique|absence|fuera de la oficina|respuesta autom[aá]tica|afwezig|automatisch antwoord)",
        "^auto:"));
    for (String p : subjects) {
      try {
        vacation.add(Pattern.compile(p, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(PREFIX + "automation.vacationSubjects: '" + p + "' is not a regular expression: "
            + e.getDescription());
      }
    }
    Automation automation = new Automation(a.bool("route", false), List.copyOf(vacation));
    Reader rl = r.child("rateLimit");
    rl.known(Set.of("messages", "window"));
    RateLimit rate = new RateLimit((int) rl.integer("messages", 20, 1, 100_000), rl.duration("window", Duration.ofMinutes(10)));
    Duration lease = r.duration("lease", Duration.ofSeconds(15));
    if (lease.compareTo(Duration.ofMillis(300)) < 0) {
      throw new IllegalArgumentException(PREFIX + "lease: must be at least 300ms (got " + s.get("lease") + ")");
    }
    Reader b = r.child("backoff");
    b.known(Set.of("first", "max"));
    Backoff backoff = new Backoff(b.duration("first", Duration.ofSeconds(1)), b.duration("max", Duration.ofMinutes(5)));
    if (backoff.max().compareTo(backoff.first()) < 0) {
      throw new IllegalArgumentException(PREFIX + "backoff.max: must not be shorter than backoff.first");
    }
    return new EmailSettings(List.copyOf(mailboxes), limits, automation, rate, lease, backoff);
  }

  private static Mailbox mailbox(int index, Object item) {
    if (!(item instanceof Map<?, ?> raw)) {
      throw new IllegalArgumentException(PREFIX + "mailboxes[" + index + "]: must be a mapping (name, address, imap, smtp...)");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) raw;
    String nameRaw = m.get("name") instanceof String n ? n.strip() : null;
    String label = "mailboxes[" + (nameRaw == null || nameRaw.isEmpty() ? String.valueOf(index) : nameRaw) + "].";
    Reader r = new Reader(label, m);
    r.known(MAILBOX_KEYS);
    String name = r.text("name", null, 40);
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(PREFIX + label + "name: is required: lower-case letters, digits, '-' and '_', at most 40");
    }
    String address = r.text("address", null, 320);
    if (address == null || !ADDRESS.matcher(address.strip()).matches()) {
      throw new IllegalArgumentException(PREFIX + label + "address: is required: the mailbox's address, such as support@example.com");
    }
    address = address.strip().toLowerCase(Locale.ROOT);
    String display = r.text("displayName", null, 200);
    Imap imap = null;
    if (m.get("imap") != null) {
      Reader i = r.child("imap");
      i.known(IMAP_KEYS);
      Tls tls = i.choice("tls", Tls.SSL, Tls::valueOf);
      String host = i.requiredText("host", 255);
      AfterStore after = i.choice("afterStore", AfterStore.SEEN, AfterStore::valueOf);
      String moveTo = i.text("moveTo", null, 200);
      if (after == AfterStore.MOVE && (moveTo == null || moveTo.isBlank())) {
        throw new IllegalArgumentException(PREFIX + label + "imap.moveTo: is required with afterStore: move (the folder to move to)");
      }
      String folder = i.text("folder", "INBOX", 200);
      if (moveTo != null && moveTo.equals(folder)) {
        throw new IllegalArgumentException(PREFIX + label + "imap.moveTo: must not be the folder that is read");
      }
      imap = new Imap(host, (int) i.integer("port", tls == Tls.SSL ? 993 : 143, 1, 65535), tls, i.text("username", address, 320),
          folder, after, moveTo, i.bool("idle", true), i.duration("pollInterval", Duration.ofMinutes(1)),
          i.choice("initialSync", InitialSync.UNSEEN, InitialSync::valueOf), i.duration("timeout", Duration.ofSeconds(30)),
          (int) i.integer("batchSize", 50, 1, 1000));
    }
    Smtp smtp = null;
    if (m.get("smtp") != null) {
      Reader o = r.child("smtp");
      o.known(SMTP_KEYS);
      Tls tls = o.choice("tls", Tls.STARTTLS, Tls::valueOf);
      String host = o.requiredText("host", 255);
      String sent = o.text("sentFolder", null, 200);
      if (sent != null && imap == null) {
        throw new IllegalArgumentException(PREFIX + label + "smtp.sentFolder: needs the mailbox's imap settings (copies are appended over IMAP)");
      }
      smtp = new Smtp(host, (int) o.integer("port", tls == Tls.SSL ? 465 : tls == Tls.STARTTLS ? 587 : 25, 1, 65535), tls,
          o.bool("auth", true), o.text("username", address, 320), sent, o.duration("timeout", Duration.ofSeconds(30)),
          (int) o.integer("connections", 4, 1, 32));
    }
    if (imap == null && smtp == null) {
      throw new IllegalArgumentException(PREFIX + label + "imap: a mailbox needs imap (to read), smtp (to send) or both");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    Reader at = r.child("attributes");
    for (String k : at.keys()) {
      if (!ATTRIBUTE_KEY.matcher(k).matches() || k.equals("mailbox") || k.equals("automated")) {
        throw new IllegalArgumentException(PREFIX + label + "attributes." + k
            + ": not an attribute name (letters, digits, '_', '.', '-'; 'mailbox' and 'automated' are set by the adapter)");
      }
      attributes.put(k, at.requiredText(k, 2048));
    }
    return new Mailbox(name, address, display, r.bool("default", false), imap, smtp, Map.copyOf(attributes),
        r.bool("subjectToken", true));
  }

  /** Reads one mapping, naming {@code path} in every message. */
  private record Reader(String path, Map<String, Object> map) {
    void known(Set<String> keys) {
      for (String k : map.keySet()) {
        if (!keys.contains(k)) {
          throw new IllegalArgumentException(PREFIX + path + k + ": unknown key (known: " + new TreeSet<>(keys) + ")");
        }
      }
    }

    Set<String> keys() {
      return map.keySet();
    }

    @SuppressWarnings("unchecked")
    Reader child(String key) {
      Object v = map.get(key);
      if (v == null) {
        return new Reader(path + key + ".", Map.of());
      }
      if (!(v instanceof Map<?, ?>)) {
        throw new IllegalArgumentException(PREFIX + path + key + ": must be a mapping");
      }
      return new Reader(path + key + ".", (Map<String, Object>) v);
    }

    String text(String key, String def, int max) {
      Object v = map.get(key);
      if (v == null) {
        return def;
      }
      if (!(v instanceof String str) || str.isBlank()) {
        throw new IllegalArgumentException(PREFIX + path + key + ": must be text (got " + v + ")");
      }
      if (str.length() > max || str.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException(PREFIX + path + key + ": must be at most " + max + " characters without control characters");
      }
      return str.strip();
    }

    String requiredText(String key, int max) {
      String v = text(key, null, max);
      if (v == null) {
        throw new IllegalArgumentException(PREFIX + path + key + ": is required");
      }
      return v;
    }

    long integer(String key, long def, long min, long max) {
      Object v = map.get(key);
      if (v == null) {
        return def;
      }
      if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
        throw new IllegalArgumentException(PREFIX + path + key + ": must be a whole number from " + min + " to " + max + " (got " + v + ")");
      }
      return ((Number) v).longValue();
    }

    /** A byte size: a number, or a number with KiB, MiB or GiB. */
    long size(String key, long def, long min, long max) {
      Object v = map.get(key);
      if (v == null) {
        return def;
      }
      long n = -1;
      if (v instanceof Integer || v instanceof Long) {
        n = ((Number) v).longValue();
      } else if (v instanceof String str) {
        var m = Pattern.compile("(\\d{1,10})\\s*(KiB|MiB|GiB)?").matcher(str.strip());
        if (m.matches()) {
          long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            default -> 1L << 30;
          };
          n = Long.parseLong(m.group(1)) * unit;
        }
      }
      if (n < min || n > max) {
        throw new IllegalArgumentException(PREFIX + path + key + ": must be a size from " + min + " to " + max
            + " bytes, such as 20MiB (got " + v + ")");
      }
      return n;
    }

    boolean bool(String key, boolean def) {
      Object v = map.get(key);
      if (v == null) {
        return def;
      }
      if (!(v instanceof Boolean b)) {
        throw new IllegalArgumentException(PREFIX + path + key + ": must be true or false (got " + v + ")");
      }
      return b;
    }

    <E extends Enum<E>> E choice(String key, E def, Function<String, E> parse) {
      Object v = map.get(key);
      if (v == null) {
        return def;
      }
      try {
        return parse.apply(String.valueOf(v).strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        List<String> options = new ArrayList<>();
        for (Object c : def.getDeclaringClass().getEnumConstants()) {
          options.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException(PREFIX + path + key + ": must be one of " + options + " (got " + v + ")");
      }
    }

    List<String> strings(String key, List<String> def) {
      Object v = map.get(key);
      if (v == null) {
        return def;
      }
      if (!(v instanceof List<?> list) || !list.stream().allMatch(x -> x instanceof String)) {
        throw new IllegalArgumentException(PREFIX + path + key + ": must be a list of text");
      }
      return list.stream().map(String.class::cast).toList();
    }

    /** Durations are written 500ms, 10s, 5m, 24h (or a whole number of seconds). */
    Duration duration(String key, Duration def) {
      Object v = map.get(key);
      if (v == null) {
        return def;
      }
      Duration d = null;
      if (v instanceof Integer i && i > 0) {
        d = Duration.ofSeconds(i);
      } else if (v instanceof String str) {
        var m = Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(str.strip());
        if (m.matches()) {
          long n = Long.parseLong(m.group(1));
          d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
        }
      }
      if (d == null || d.isZero()) {
        throw new IllegalArgumentException(PREFIX + path + key + ": must be a duration such as 500ms, 10s, 5m or 1h (got " + v + ")");
      }
      return d;
    }
  }
}
