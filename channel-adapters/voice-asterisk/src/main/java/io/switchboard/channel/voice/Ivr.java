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
 */
public record Ivr(Map<String, EntryPoint> entryPoints, Map<String, Menu> menus, Waiting waiting) {

  /** The entry point for dialled numbers that no other entry point lists. */
  public static final String DEFAULT_ENTRY = "default";

  public Ivr {
    entryPoints = Map.copyOf(entryPoints);
    menus = Map.copyOf(menus);
    Objects.requireNonNull(waiting, "waiting");
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
   */
  public record EntryPoint(String name, String menu, Map<String, String> attributes) {
    public EntryPoint {
      attributes = Map.copyOf(attributes);
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
   */
  public record Waiting(String musicClass, Duration announceEvery, String positionPrompt, String waitPrompt) {}
}
