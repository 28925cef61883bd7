package io.switchboard.routing.sim;

import java.time.Duration;

/**
 * Results for one queue (interactions counted in the queue the rules put them in, whoever answered).
 *
 * @param offered interactions that entered the queue
 * @param serviceLevel percent answered within {@code threshold}, of those answered plus those abandoned after it;
 *     NaN when there were none
 * @param averageSpeedOfAnswer mean wait of the answered ones; null when none was answered
 * @param abandonRate percent of offered that abandoned; NaN when none was offered
 * @param occupancy workload-based: the queue's answered interactions, each counted as {@code 1 / capacity} of its
 *     agent for its handle time and after-call work (a chat of an agent who takes three is a third; exclusive voice a
 *     whole agent), as a percent of the time of the agents who serve the queue; NaN when no agent serves it. An agent
 *     serving several queues counts in each queue's time, so per-queue figures add up to the overall one only when
 *     every agent serves every queue.
 */
public record QueueStats(
    String queue,
    String name,
    double targetPercent,
    Duration threshold,
    int offered,
    int answered,
    int abandoned,
    double serviceLevel,
    Duration averageSpeedOfAnswer,
    double abandonRate,
    double occupancy) {}
