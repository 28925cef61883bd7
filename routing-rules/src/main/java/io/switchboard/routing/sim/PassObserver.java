package io.switchboard.routing.sim;

import io.switchboard.routing.AgentSnapshot;
import io.switchboard.routing.WaitingInteraction;
import java.time.Instant;
import java.util.List;

/**
 * Sees the simulation after each matching pass (for tests and tracing). Called on the simulating thread; must not
 * keep the lists beyond the call.
 */
@FunctionalInterface
public interface PassObserver {
  /**
   * @param now simulated time of the pass
   * @param stillWaiting the interactions no agent took in this pass
   * @param agents every agent with its load after the pass
   */
  void afterPass(Instant now, List<WaitingInteraction> stillWaiting, List<AgentSnapshot> agents);
}
