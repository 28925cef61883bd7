package io.switchboard.routing;

import java.util.Objects;

/** One change a relaxation step makes to what an interaction requires. */
public sealed interface RelaxationAction {

  /** Accept agents with {@code skill} at {@code toLevel} or better. */
  record LowerSkill(String skill, int toLevel) implements RelaxationAction {
    public LowerSkill {
      Objects.requireNonNull(skill, "skill");
    }
  }

  /** Stop requiring {@code skill}. */
  record DropSkill(String skill) implements RelaxationAction {
    public DropSkill {
      Objects.requireNonNull(skill, "skill");
    }
  }

  /** Raise the priority by {@code by}. */
  record RaisePriority(int by) implements RelaxationAction {}

  /** Also offer to agents serving {@code queue}. */
  record WidenQueue(String queue) implements RelaxationAction {
    public WidenQueue {
      Objects.requireNonNull(queue, "queue");
    }
  }

  /** Drop every skill requirement (the implicit last step at a queue's maximum wait). */
  record DropAll() implements RelaxationAction {}
}
