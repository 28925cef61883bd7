package io.switchboard.hub.api;

import java.util.Objects;

/**
 * A queue of waiting interactions, with its service-level target (for example 80 % answered within 20 s)
 * and the longest a customer should wait.
 */
public record Queue(
    String id, String name, double serviceLevelPercent, int serviceLevelSeconds, int maxWaitSeconds) {
  public Queue {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
  }
}
