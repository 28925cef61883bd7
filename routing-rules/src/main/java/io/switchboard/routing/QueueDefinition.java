package io.switchboard.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * A queue as routing.yaml defines it: service-level target (serviceLevelPercent answered within
 * serviceLevelThreshold) and the longest a customer should wait.
 */
public record QueueDefinition(
    String id, String name, double serviceLevelPercent, Duration serviceLevelThreshold, Duration maxWait) {
  public QueueDefinition {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(serviceLevelThreshold, "serviceLevelThreshold");
    Objects.requireNonNull(maxWait, "maxWait");
  }
}
