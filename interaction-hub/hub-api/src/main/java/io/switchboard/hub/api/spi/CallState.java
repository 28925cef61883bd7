package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a call stands now, as the live-session adapter that controls it tells the hub
 * ({@link InteractionControl#callState}); the hub shows it on the console ({@code call_state} frames).
 *
 * @param interaction the call's interaction
 * @param phase ringing an agent's phone, talking, on hold, or ended
 * @param agent the agent whose phone rings or who talks (null when none)
 * @param since when this phase began
 * @param talkingSince when caller and agent were first bridged (null before), for the call's duration
 * @param recording the recording's file name (null when the call is not recorded)
 */
public record CallState(InteractionId interaction, Phase phase, AgentId agent, Instant since, Instant talkingSince,
    String recording) {

  /** The phases a console shows. */
  public enum Phase {
    RINGING, TALKING, ON_HOLD, ENDED;

    /** The lower-case name used on the wire ({@code on_hold}). */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public CallState {
    Objects.requireNonNull(interaction, "interaction");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(since, "since");
  }
}
