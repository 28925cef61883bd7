package io.switchboard.routing.sim;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One interaction arriving in a what-if simulation.
 *
 * @param at when it arrives, from the start of the simulation
 * @param channel one of {@link #CHANNELS}
 * @param handle how long an agent works on it; null = drawn from the mean handle time
 * @param patience how long the customer waits before giving up; null = drawn from the mean patience
 */
public record Arrival(
    Duration at,
    String channel,
    Map<String, String> attributes,
    String customerTier,
    String language,
    String subject,
    Duration handle,
    Duration patience) {

  /** The channels the hub knows. */
  public static final Set<String> CHANNELS = Set.of("voice", "email", "chat", "social");

  public Arrival {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(channel, "channel");
    if (at.isNegative()) {
      throw new IllegalArgumentException("at must not be negative: " + at);
    }
    if (!CHANNELS.contains(channel)) {
      throw new IllegalArgumentException("unknown channel '" + channel + "' (use voice, email, chat or social)");
    }
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    if (handle != null && handle.isNegative()) {
      throw new IllegalArgumentException("handle must not be negative");
    }
    if (patience != null && patience.isNegative()) {
      throw new IllegalArgumentException("patience must not be negative");
    }
  }
}
