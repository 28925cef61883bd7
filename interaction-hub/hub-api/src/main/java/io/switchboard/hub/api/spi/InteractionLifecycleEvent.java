package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import java.util.Objects;

/** What happened to an interaction, as told to the adapter of its channel. */
public sealed interface InteractionLifecycleEvent {

  InteractionId interactionId();

  /** Reserved for an agent, who has not accepted yet; {@code queue} is the queue it was offered from (null unknown). */
  record Offered(InteractionId interactionId, AgentId agentId, String queue) implements InteractionLifecycleEvent {
    public Offered {
      Objects.requireNonNull(interactionId, "interactionId");
      Objects.requireNonNull(agentId, "agentId");
    }

    /** An offer from a queue not named. */
    public Offered(InteractionId interactionId, AgentId agentId) {
      this(interactionId, agentId, null);
    }
  }

  /** The agent accepted: a live session should now be bridged to the agent. */
  record Accepted(InteractionId interactionId, AgentId agentId) implements InteractionLifecycleEvent {
    public Accepted {
      Objects.requireNonNull(interactionId, "interactionId");
      Objects.requireNonNull(agentId, "agentId");
    }
  }

  /**
   * The offer ended without acceptance (timed out, declined, or the interaction left its queue): the agent's
   * phone should stop ringing. The interaction waits again in its place unless it was abandoned.
   */
  record Withdrawn(InteractionId interactionId, AgentId agentId, String reason) implements InteractionLifecycleEvent {
    public Withdrawn {
      Objects.requireNonNull(interactionId, "interactionId");
    }
  }

  /** Moved to another queue or agent. */
  record Transferred(InteractionId interactionId, String toQueue, AgentId toAgent)
      implements InteractionLifecycleEvent {
    public Transferred {
      Objects.requireNonNull(interactionId, "interactionId");
    }
  }

  /** Finished, by either side. */
  record Ended(InteractionId interactionId, String reason) implements InteractionLifecycleEvent {
    public Ended {
      Objects.requireNonNull(interactionId, "interactionId");
    }
  }
}
