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
 * @param occupancy percent of staffed time that agents serving the queue spent with at least one interaction
 *     (after-call work included); NaN when no agent serves it
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
