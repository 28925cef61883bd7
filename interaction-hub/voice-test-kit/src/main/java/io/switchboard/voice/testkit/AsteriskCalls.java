package io.switchboard.voice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.RealAsterisk;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.asteriskjava.manager.action.GetVarAction;
import org.asteriskjava.manager.action.HangupAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.action.PlayDtmfAction;
import org.asteriskjava.manager.event.AgiExecEvent;
import org.asteriskjava.manager.event.AgiExecStartEvent;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.asteriskjava.manager.event.DtmfEndEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.NewChannelEvent;
import org.asteriskjava.manager.event.NewStateEvent;
import org.asteriskjava.manager.response.GetVarResponse;

/**
 * Callers on a real Asterisk, steered over the test's own AMI connection: places calls with Local channels into the
 * sample dialplan ({@code switchboard-in}), presses keys on the caller's phone (AMI {@code PlayDTMF} on the {@code ;1}
 * half; the hub's FastAGI session runs on the {@code ;2} half, {@code <phone>-2}), hangs channels up, and answers
 * questions about every AMI event seen since it was made. Every wait polls with a {@link #PATIENCE} deadline, generous
 * for a loaded machine. Thread-safe.
 */
public final class AsteriskCalls {
  /** How long {@link #await(String, BooleanSupplier)} waits. */
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private static final java.util.regex.Pattern DTMF = java.util.regex.Pattern.compile("[0-9*#A-D]+");
  private final RealAsterisk asterisk;
  private final String prefix;
  private final List<ManagerEvent> events = new CopyOnWriteArrayList<>();
  private int calls;

  /**
   * Listens to {@code asterisk}'s events from now on.
   *
   * @param prefix the start of every caller phone's uniqueid (tells a test's phones apart in the logs)
   */
  public AsteriskCalls(RealAsterisk asterisk, String prefix) {
    this.asterisk = asterisk;
    this.prefix = prefix;
    asterisk.ami().addEventListener(events::add);
  }

  /** Every AMI event seen so far, in order (a live, thread-safe list). */
  public List<ManagerEvent> events() {
    return events;
  }

  /**
   * Places a call from {@code callerId} to {@code dnis} whose phone only listens ({@code Wait}); returns the caller's
   * phone (uniqueid of the ;1 half).
   */
  public String dial(String dnis, String callerId) throws Exception {
    return originate(dnis, callerId, null, null);
  }

  /**
   * Places a call from {@code callerId} to {@code dnis} whose phone runs {@code exten@context} of the test's dialplan
   * once the call is answered (plays a tone, say); returns the caller's phone (uniqueid of the ;1 half).
   */
  public String dial(String dnis, String callerId, String context, String exten) throws Exception {
    return originate(dnis, callerId, context, exten);
  }

  private synchronized String originate(String dnis, String callerId, String context, String exten) throws Exception {
    String phone = prefix + "-" + (++calls) + "-" + System.nanoTime();
    OriginateAction o = new OriginateAction();
    o.setChannel("Local/" + dnis + "@switchboard-in/n");
    if (context == null) {
      o.setApplication("Wait");
      o.setData("600");
    } else {
      o.setContext(context);
      o.setExten(exten);
      o.setPriority(1);
    }
    o.setCallerId("Caller <" + callerId + ">");
    o.setAsync(true);
    o.setChannelId(phone);
    o.setOtherChannelId(phone + "-2");
    o.setTimeout(60_000L);
    var r = asterisk.ami().sendAction(o, 10_000);
    assertThat(r.getResponse()).as("Originate: %s", r.getMessage()).isEqualTo("Success");
    return phone;
  }

  /**
   * Presses {@code keys} one after the other on the caller's phone, each once the IVR's session reads it
   * ({@link #listening}), and again until the session heard it ({@link #heard}). Between two AGI commands Asterisk reads
   * the channel and drops what it reads: a key pressed as soon as the session chose its menu, before the prompt started,
   * would be lost and the menu would time out; and a key sent while a short {@code WAIT FOR DIGIT} ran may reach the
   * channel just after that command ended (on a loaded machine the AMI event that the command started arrives late).
   *
   * @param keys DTMF keys ({@code 0-9 * # A-D}), at least one
   * @throws IllegalArgumentException for no keys or anything that is no DTMF key (checked before any key is pressed)
   */
  public void press(String phone, String keys) throws Exception {
    checkKeys(keys);
    for (char key : keys.toCharArray()) {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      for (int tries = 1; ; tries++) {
        await("the IVR on " + phone + " reads key " + key, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
            () -> listening(phone, key));
        int mark = events.size();
        pressNow(phone, String.valueOf(key));
        try {
          await("key " + key + " reaches the IVR on " + phone, () -> heard(events, phone, key, mark) != null);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "; the caller's AMI events: " + trail(phone), e);
        }
        if (heard(events, phone, key, mark)) {
          break;
        }
        System.out.printf("key %s on %s came between two AGI commands and was dropped by Asterisk; pressing it again%n", key, phone);
        if (System.nanoTime() > deadline) {
          throw new AssertionError("key " + key + " pressed " + tries + " times on " + phone
              + " never reached a command of the IVR that reads it");
        }
      }
    }
  }

  /** Presses {@code keys} on the caller's phone once it is answered, whether or not anything reads them. */
  public void pressNow(String phone, String keys) throws Exception {
    checkKeys(keys);
    await("the caller's phone is answered by the IVR", () -> answered(phone));
    for (char key : keys.toCharArray()) {
      var r = asterisk.ami().sendAction(new PlayDtmfAction(phone, String.valueOf(key)), 5_000);
      assertThat(r.getResponse()).as("PlayDTMF %s: %s", key, r.getMessage()).isEqualTo("Success");
    }
  }

  /**
   * Presses {@code keys} now unless the caller's phone is gone: true when Asterisk played them all, false once it
   * refused one (the phone hung up meanwhile). For keys a test presses to show they change nothing.
   *
   * @throws IllegalArgumentException as {@link #press}
   */
  public boolean pressIfUp(String phone, String keys) throws Exception {
    checkKeys(keys);
    for (char key : keys.toCharArray()) {
      var r = asterisk.ami().sendAction(new PlayDtmfAction(phone, String.valueOf(key)), 5_000);
      if (!"Success".equals(r.getResponse())) {
        return false;
      }
    }
    return true;
  }

  static void checkKeys(String keys) {
    if (keys == null || keys.isEmpty() || !DTMF.matcher(keys).matches()) {
      throw new IllegalArgumentException("not DTMF keys (0-9 * # A-D): " + (keys == null ? null : keys.replaceAll("\\p{Cntrl}", "?")));
    }
  }

  /**
   * Whether the hub's AGI session on the caller's phone ({@code <phone>-2}) runs a command now that takes {@code key}:
   * {@code WAIT FOR DIGIT} or {@code GET DATA}, or a prompt ({@code STREAM FILE}, {@code SAY NUMBER}, {@code SAY DIGITS},
   * {@code GET OPTION}) whose escape digits hold the key. From the {@code AGIExecStart}/{@code AGIExecEnd} events the
   * test's AMI user hears ({@link RealAsterisk#TEST_AMI_USER}).
   */
  public boolean listening(String phone, char key) {
    return reading(events, events.size(), phone, key);
  }

  /**
   * Whether key {@code key}, pressed on the caller's phone once {@code events} held {@code from} events, reached the
   * session: true when the first {@code DTMFEnd} of that key the session's channel ({@code <phone>-2}) received after
   * that came while a command that reads the key ran ({@link #listening}), false when it came while none did (Asterisk
   * dropped it), null while it has not come.
   */
  static Boolean heard(List<ManagerEvent> events, String phone, char key, int from) {
    String session = phone + "-2";
    for (int i = from; i < events.size(); i++) {
      if (events.get(i) instanceof DtmfEndEvent d && session.equals(d.getUniqueId()) && d.isReceived()
          && String.valueOf(key).equals(d.getDigit())) {
        return reading(events, i, phone, key);
      }
    }
    return null;
  }

  /** Whether, after the first {@code upTo} events, the session on {@code <phone>-2} ran a command that reads {@code key}. */
  private static boolean reading(List<ManagerEvent> events, int upTo, String phone, char key) {
    String session = phone + "-2";
    AgiExecEvent last = null;
    for (int i = 0; i < upTo && i < events.size(); i++) {
      if (events.get(i) instanceof AgiExecEvent a && session.equals(a.getUniqueId())) {
        last = a;
      }
    }
    if (!(last instanceof AgiExecStartEvent) || last.getCommand() == null) {
      return false;
    }
    List<String> words = words(last.getCommand().trim());
    String command = String.join(" ", words.subList(0, Math.min(words.size(), 3))).toUpperCase(java.util.Locale.ROOT);
    if (command.startsWith("WAIT FOR DIGIT") || command.startsWith("GET DATA")) {
      return true;
    }
    boolean prompt = command.startsWith("STREAM FILE") || command.startsWith("SAY NUMBER")
        || command.startsWith("SAY DIGITS") || command.startsWith("GET OPTION");
    return prompt && words.size() > 3 && words.get(3).indexOf(key) >= 0;
  }

  /** An AGI command's words; a quoted word may hold blanks, or be empty ({@code ""}: no escape digits). */
  static List<String> words(String command) {
    List<String> words = new java.util.ArrayList<>();
    StringBuilder word = null;
    boolean quoted = false;
    for (char c : command.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        word = word == null ? new StringBuilder() : word;
      } else if (c == ' ' && !quoted) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** What AMI said about the caller's phone and the hub's session on it (AGI commands, keys, states), for a failure. */
  String trail(String phone) {
    StringBuilder b = new StringBuilder();
    for (ManagerEvent e : events) {
      String line = switch (e) {
        case AgiExecEvent a when (phone + "-2").equals(a.getUniqueId()) ->
            a.getSubEvent() + " " + a.getCommand() + (a.getResult() == null ? "" : " -> " + a.getResult());
        case org.asteriskjava.manager.event.DtmfEvent d when d.getUniqueId() != null && d.getUniqueId().startsWith(phone) ->
            (d.isEnd() ? "DTMFEnd " : "DTMFBegin ") + d.getDigit() + " " + d.getDirection() + " on " + d.getUniqueId();
        case NewStateEvent n when n.getUniqueId() != null && n.getUniqueId().startsWith(phone) ->
            "state " + n.getChannelStateDesc() + " of " + n.getUniqueId();
        case HangupEvent h when h.getUniqueId() != null && h.getUniqueId().startsWith(phone) -> "hangup of " + h.getUniqueId();
        default -> null;
      };
      if (line != null) {
        b.append("\n  ").append(e.getDateReceived() == null ? "" : e.getDateReceived().toInstant() + " ").append(line);
      }
    }
    return b.toString();
  }

  /** Whether the channel (by uniqueid) is up (answered). */
  public boolean answered(String uniqueId) {
    return seen(NewStateEvent.class, s -> uniqueId.equals(s.getUniqueId()) && "Up".equals(s.getChannelStateDesc()));
  }

  /** Hangs the channel up (by name or uniqueid); one that is already gone is no error. */
  public void hangUp(String channel) throws Exception {
    asterisk.ami().sendAction(new HangupAction(channel), 5_000);
  }

  /** A channel variable now (null when unset or the channel is gone). */
  public String variable(String channel, String name) {
    try {
      var r = asterisk.ami().sendAction(new GetVarAction(channel, name), 5_000);
      return r instanceof GetVarResponse g ? g.getValue() : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** Whether an event of this type that matches was seen. */
  public <E extends ManagerEvent> boolean seen(Class<E> type, Predicate<? super E> matches) {
    return count(type, matches) > 0;
  }

  /** How many events of this type that match were seen. */
  public <E extends ManagerEvent> long count(Class<E> type, Predicate<? super E> matches) {
    return events.stream().filter(type::isInstance).map(type::cast).filter(matches).count();
  }

  /** How many bridges the channel (by uniqueid) entered. */
  public long bridges(String uniqueId) {
    return count(BridgeEnterEvent.class, b -> uniqueId.equals(b.getUniqueId()));
  }

  /** Whether the channel (by uniqueid) entered a bridge that another channel entered too. */
  public boolean bridged(String uniqueId) {
    return partner(uniqueId, c -> true) != null;
  }

  /** Whether the channel (by uniqueid) entered a bridge that a channel whose name starts with {@code prefix} entered. */
  public boolean bridgedWith(String uniqueId, String channelPrefix) {
    return partner(uniqueId, c -> c != null && c.startsWith(channelPrefix)) != null;
  }

  /** The channel that shares a bridge with the caller's (by uniqueid): the agent's leg; null while there is none. */
  public String agentLeg(String callerUniqueId) {
    return partner(callerUniqueId, c -> true);
  }

  private String partner(String uniqueId, Predicate<String> name) {
    for (ManagerEvent e : events) {
      if (e instanceof BridgeEnterEvent b && uniqueId.equals(b.getUniqueId())) {
        return events.stream().filter(o -> o instanceof BridgeEnterEvent ob && ob.getBridgeUniqueId().equals(b.getBridgeUniqueId())
            && !uniqueId.equals(ob.getUniqueId()) && name.test(ob.getChannel())).map(o -> ((BridgeEnterEvent) o).getChannel())
            .findFirst().orElse(null);
      }
    }
    return null;
  }

  /** Whether the channel (by uniqueid) hung up. */
  public boolean hungUp(String uniqueId) {
    return seen(HangupEvent.class, h -> uniqueId.equals(h.getUniqueId()));
  }

  /** Whether a channel whose name starts with {@code channelPrefix} hung up. */
  public boolean hungUpChannel(String channelPrefix) {
    return seen(HangupEvent.class, h -> h.getChannel() != null && h.getChannel().startsWith(channelPrefix));
  }

  /** The name of the last ;1 half of a Local channel to {@code exten@context} that Asterisk made; null when none. */
  public String lastLocal(String exten, String context) {
    String start = "Local/" + exten + "@" + context;
    return events.stream().filter(e -> e instanceof NewChannelEvent n && n.getChannel() != null
            && n.getChannel().startsWith(start) && n.getChannel().endsWith(";1"))
        .map(e -> ((NewChannelEvent) e).getChannel()).reduce((a, b) -> b).orElse(null);
  }

  /** Polls {@code condition} every 50 ms until it holds; fails after {@link #PATIENCE}. */
  public static void await(String what, BooleanSupplier condition) throws InterruptedException {
    await(what, PATIENCE, condition);
  }

  /** Polls {@code condition} every 50 ms until it holds; fails with "timed out waiting until {@code what}". */
  public static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
