package io.switchboard.channel.voice;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One accepted version of {@code config/ivr.yaml}: the entry points (which menu a dialled number starts), the
 * menus, and how callers wait. Immutable; {@link IvrParser} builds it and refuses a file with problems.
 *
 * @param entryPoints by dialled number (DNIS); {@link #DEFAULT_ENTRY} catches numbers not listed
 * @param menus by name
 * @param waiting how a queued caller waits
 * @param callbacks how the hub dials a caller who asked to be called back
 */
public record Ivr(Map<String, EntryPoint> entryPoints, Map<String, Menu> menus, Waiting waiting, Callbacks callbacks,
    Survey survey) {

  /** The entry point for dialled numbers that no other entry point lists. */
  public static final String DEFAULT_ENTRY = "default";

  public Ivr {
    entryPoints = Map.copyOf(entryPoints);
    menus = Map.copyOf(menus);
    Objects.requireNonNull(waiting, "waiting");
    Objects.requireNonNull(callbacks, "callbacks");
    Objects.requireNonNull(survey, "survey");
  }

  /** An IVR with the default post-call survey prompts. */
  public Ivr(Map<String, EntryPoint> entryPoints, Map<String, Menu> menus, Waiting waiting, Callbacks callbacks) {
    this(entryPoints, menus, waiting, callbacks, Survey.DEFAULTS);
  }

  /** A version without callbacks' dialling settings (the defaults). */
  public Ivr(Map<String, EntryPoint> entryPoints, Map<String, Menu> menus, Waiting waiting) {
    this(entryPoints, menus, waiting, Callbacks.DEFAULTS);
  }

  /** The callback offer in force for a call of this entry point: its own, else the waiting one; null for none. */
  public Callback callbackFor(EntryPoint entry) {
    if (entry != null && entry.callback() != null) {
      return entry.callback().enabled() ? entry.callback() : null;
    }
    return waiting.callback() != null && waiting.callback().enabled() ? waiting.callback() : null;
  }

  /** The entry point of a dialled number, the default one, or null when neither exists. */
  public EntryPoint entryFor(String dnis) {
    EntryPoint e = dnis == null ? null : entryPoints.get(dnis);
    return e != null ? e : entryPoints.get(DEFAULT_ENTRY);
  }

  /**
   * Where a dialled number starts.
   *
   * @param name the entry point's name (for logs and the interaction's attributes)
   * @param menu the first menu
   * @param attributes set on every call of this entry point (for example the line or brand)
   * @param hours the routing.yaml calendar of its opening hours; null for always open
   * @param afterHours what a caller hears outside {@code hours}
   * @param customerNumber the optional "enter your customer number" step before the first menu; null for none
   * @param callback this entry point's "press 1 to be called back" while waiting; null for the waiting section's
   */
  public record EntryPoint(String name, String menu, Map<String, String> attributes, String hours, AfterHours afterHours,
      CustomerNumber customerNumber, Callback callback) {
    public EntryPoint {
      attributes = Map.copyOf(attributes);
      Objects.requireNonNull(afterHours, "afterHours");
    }

    /** An entry point that is always open, without customer number or own callback offer. */
    public EntryPoint(String name, String menu, Map<String, String> attributes) {
      this(name, menu, attributes, null, AfterHours.HANG_UP, null, null);
    }
  }

  /** What an entry point does outside its opening hours. */
  public enum AfterHoursAction {
    /** Play the message, then hang up. */
    MESSAGE,
    /** Play the message (an offer: "press 1 to be called back"); the key takes a callback request in, then hang up. */
    CALLBACK,
    /** Hang up (after the message, when there is one). */
    HANGUP
  }

  /**
   * Outside opening hours.
   *
   * @param action what happens
   * @param prompts the message (for {@code callback}: the offer of a callback)
   * @param key the key that asks for a callback ({@code callback} only)
   * @param timeout how long the caller has to press it after the message
   * @param confirm played once the callback request is taken in
   */
  public record AfterHours(AfterHoursAction action, List<Prompt> prompts, char key, Duration timeout, List<Prompt> confirm) {
    /** Hang up without a word. */
    public static final AfterHours HANG_UP = new AfterHours(AfterHoursAction.HANGUP, List.of(), '1', Duration.ofSeconds(5), List.of());

    public AfterHours {
      prompts = List.copyOf(prompts);
      confirm = List.copyOf(confirm);
    }
  }

  /**
   * "Enter your customer number": the prompts are played, the caller types up to {@code maxDigits} digits (ended by
   * {@code #} or {@code timeout} after the last key); a number no customer has counts as a failed try; after
   * {@code retries} failed tries the call goes on unidentified.
   */
  public record CustomerNumber(List<Prompt> prompts, int minDigits, int maxDigits, Duration timeout, int retries,
      List<Prompt> invalid) {
    public CustomerNumber {
      prompts = List.copyOf(prompts);
      invalid = List.copyOf(invalid);
    }
  }

  /**
   * "Press {@code key} to be called back" while waiting: {@code prompts} are played when the caller starts waiting
   * and after each announcement; the key works at any point while waiting (not while an agent's phone rings). The
   * caller hears {@code confirm} and is hung up; the interaction keeps its place in the queue as a callback.
   *
   * @param enabled false: no callback offer for this entry point (overrides the waiting section's)
   * @param queues the queues it is offered in; empty for every queue
   */
  public record Callback(boolean enabled, char key, List<Prompt> prompts, List<Prompt> confirm, java.util.Set<String> queues) {
    /** No callback offer. */
    public static final Callback OFF = new Callback(false, '1', List.of(), List.of(), java.util.Set.of());

    public Callback {
      prompts = List.copyOf(prompts);
      confirm = List.copyOf(confirm);
      queues = java.util.Set.copyOf(queues);
    }
  }

  /**
   * How the hub dials a callback once an agent accepts it: the agent's phone first, then {@code dial} with
   * {@code {number}} replaced by the caller's number (E.164), bridged on answer. No answer, busy or unreachable:
   * {@code attempts} tries in all, {@code retryDelay} apart (the agent hears music meanwhile), then the callback is
   * recorded as failed with the reason.
   *
   * @param agentPrompts played to the agent before each try (for example "please hold while we connect")
   */
  public record Callbacks(String dial, int attempts, Duration retryDelay, Duration ringTimeout, List<Prompt> agentPrompts) {
    /** The defaults: {@code Local/{number}@switchboard-out}, 3 tries a minute apart, 30 s of ringing each. */
    public static final Callbacks DEFAULTS = new Callbacks("Local/{number}@switchboard-out", 3, Duration.ofSeconds(60),
        Duration.ofSeconds(30), List.of(new Prompt.Sound("pls-hold-while-try")));

    public Callbacks {
      agentPrompts = List.copyOf(agentPrompts);
    }

    /** The dial string for a number (digits with an optional leading +, checked by the caller). */
    public String dialString(String number) {
      return dial.replace("{number}", number);
    }
  }

  /**
   * The post-call satisfaction question (asked when the queue's survey settings want a rating on voice): the caller
   * hears {@code question} (any key interrupts it) and has {@code timeout} to press 1 to 5. A valid key: {@code thanks}
   * (no key is read meanwhile). A wrong key or none: {@code invalid} and the question once more; a second miss, or an
   * answer the hub refuses: {@code goodbye}.
   */
  public record Survey(List<Prompt> question, Duration timeout, List<Prompt> invalid, List<Prompt> thanks, List<Prompt> goodbye) {
    /** Stock sounds only: a beep, "press" "one" … "five"; 5 s to press a key. */
    public static final Survey DEFAULTS = new Survey(
        sounds("beep", "vm-press", "digits/1", "digits/2", "digits/3", "digits/4", "digits/5"), Duration.ofSeconds(5),
        sounds("pm-invalid-option", "please-try-again"), sounds("auth-thankyou", "vm-goodbye"), sounds("vm-goodbye"));

    public Survey {
      question = List.copyOf(question);
      Objects.requireNonNull(timeout, "timeout");
      invalid = List.copyOf(invalid);
      thanks = List.copyOf(thanks);
      goodbye = List.copyOf(goodbye);
    }

    private static List<Prompt> sounds(String... names) {
      return java.util.Arrays.stream(names).<Prompt>map(Prompt.Sound::new).toList();
    }
  }

  /**
   * A menu: its prompts are played (any key interrupts them), then the caller has {@code timeout} to press a key.
   * No key or a key without an option counts as one failed try; after {@code retries} failed tries the
   * {@code fallback} applies.
   */
  public record Menu(String name, List<Prompt> prompts, Map<Character, Option> options, Duration timeout, int retries,
      List<Prompt> invalidPrompts, Target fallback) {
    public Menu {
      prompts = List.copyOf(prompts);
      options = Map.copyOf(options);
      invalidPrompts = List.copyOf(invalidPrompts);
    }
  }

  /** What a key does: attributes it sets, then where the call goes. */
  public record Option(Map<String, String> attributes, Target target) {
    public Option {
      attributes = Map.copyOf(attributes);
    }
  }

  /** Where a call goes next. */
  public sealed interface Target {
    /** Another menu. */
    record GoTo(String menu) implements Target {}

    /** To the hub: intake, routing, then the agent picked. */
    record Queue() implements Target {}

    /** A goodbye prompt (optional) and hang up. */
    record Hangup() implements Target {}
  }

  /** Something played to the caller. */
  public sealed interface Prompt {
    /** An Asterisk sound by name ({@code welcome}, {@code custom/menu-main}). */
    record Sound(String name) implements Prompt {}

    /** A number spoken as a number (SayNumber). */
    record Number(long value) implements Prompt {}

    /** Digits spoken one by one (SayDigits). */
    record Digits(String value) implements Prompt {}
  }

  /**
   * How queued callers wait.
   *
   * @param musicClass the music-on-hold class
   * @param announceEvery how often a caller hears their position and estimated wait; zero for never
   * @param positionPrompt played before the position number
   * @param waitPrompt played before the estimated wait in minutes
   * @param callback the "press 1 to be called back" offer for every entry point without its own; null for none
   */
  public record Waiting(String musicClass, Duration announceEvery, String positionPrompt, String waitPrompt, Callback callback) {
    /** Waiting without a callback offer. */
    public Waiting(String musicClass, Duration announceEvery, String positionPrompt, String waitPrompt) {
      this(musicClass, announceEvery, positionPrompt, waitPrompt, null);
    }
  }
}
