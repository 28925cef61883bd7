package io.switchboard.routing.sim;

import java.time.Duration;
import java.util.List;

/**
 * What a simulation gave.
 *
 * @param queues per queue, in the rule file's order
 * @param total every queue together (queue "all")
 * @param duration simulated time from the start to the last event
 * @param outcomes one per arrival, in arrival order
 */
public record SimulationResult(List<QueueStats> queues, QueueStats total, Duration duration, List<Outcome> outcomes) {

  public SimulationResult {
    queues = List.copyOf(queues);
    outcomes = List.copyOf(outcomes);
  }

  /**
   * How one interaction fared.
   *
   * @param waited until answered, or until it abandoned
   * @param agentId who answered; null when abandoned
   */
  public record Outcome(int arrival, String rule, String queue, String channel, boolean answered, Duration waited, String agentId) {}

  /** The stats of {@code queue}, or null. */
  public QueueStats queue(String queue) {
    return queues.stream().filter(q -> q.queue().equals(queue)).findFirst().orElse(null);
  }
}
