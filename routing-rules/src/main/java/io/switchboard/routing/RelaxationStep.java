package io.switchboard.routing;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** After waiting {@code after}, apply {@code actions} (on top of the earlier steps). */
public record RelaxationStep(Duration after, List<RelaxationAction> actions) {
  public RelaxationStep {
    Objects.requireNonNull(after, "after");
    actions = List.copyOf(actions);
  }
}
