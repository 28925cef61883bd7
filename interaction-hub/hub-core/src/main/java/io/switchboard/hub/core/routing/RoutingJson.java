package io.switchboard.hub.core.routing;

import io.switchboard.routing.Classification;
import io.switchboard.routing.Decision;
import io.switchboard.routing.RelaxationAction;
import io.switchboard.routing.RelaxationStep;
import io.switchboard.routing.SkillRequirement;
import io.switchboard.routing.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON forms of routing values, as kept with a waiting interaction (Redis item, PostgreSQL
 * {@code interactions.routing}) and in stored decisions. One place, both directions.
 */
public final class RoutingJson {
  private RoutingJson() {}

  public static JsonObject classification(Classification c) {
    JsonArray steps = new JsonArray();
    for (RelaxationStep s : c.steps()) {
      JsonArray actions = new JsonArray();
      for (RelaxationAction a : s.actions()) {
        actions.add(action(a));
      }
      steps.add(new JsonObject().put("afterMs", s.after().toMillis()).put("actions", actions));
    }
    return new JsonObject()
        .put("rule", c.rule())
        .put("queue", c.queue())
        .put("priority", c.priority())
        .put("requirements", requirements(c.requirements()))
        .put("steps", steps)
        .put("rulesVersion", c.rulesVersion());
  }

  public static Classification classification(JsonObject j) {
    List<RelaxationStep> steps = new ArrayList<>();
    for (Object o : array(j, "steps")) {
      JsonObject s = (JsonObject) o;
      List<RelaxationAction> actions = new ArrayList<>();
      for (Object a : array(s, "actions")) {
        actions.add(action((JsonObject) a));
      }
      steps.add(new RelaxationStep(Duration.ofMillis(s.getLong("afterMs")), actions));
    }
    List<SkillRequirement> reqs = new ArrayList<>();
    for (Object o : array(j, "requirements")) {
      JsonObject r = (JsonObject) o;
      reqs.add(new SkillRequirement(r.getString("skill"), r.getInteger("min")));
    }
    return new Classification(j.getString("rule"), j.getString("queue"), j.getInteger("priority"), reqs, steps,
        j.getInteger("rulesVersion", 0));
  }

  /**
   * The array under {@code key}. Redis' Lua cjson cannot tell an empty array from an empty object, so an
   * item a script has rewritten may carry {@code {}} where {@code []} was stored: both read as empty.
   */
  static JsonArray array(JsonObject j, String key) {
    Object v = j.getValue(key);
    if (v instanceof JsonArray a) {
      return a;
    }
    if (v == null || (v instanceof JsonObject o && o.isEmpty())) {
      return new JsonArray();
    }
    throw new IllegalArgumentException("'" + key + "' is not a list: " + v);
  }

  public static JsonArray requirements(List<SkillRequirement> reqs) {
    JsonArray out = new JsonArray();
    reqs.forEach(r -> out.add(new JsonObject().put("skill", r.skill()).put("min", r.minProficiency())));
    return out;
  }

  public static JsonObject target(Target t) {
    return new JsonObject()
        .put("relaxationStep", t.step())
        .put("queues", new JsonArray(t.queues().stream().sorted().toList()))
        .put("priority", t.priority())
        .put("requirements", requirements(t.requirements()));
  }

  /** A decision as stored and shown to supervisors. */
  public static JsonObject decision(Decision d) {
    JsonArray candidates = new JsonArray();
    for (Decision.Verdict v : d.candidates()) {
      JsonObject c = new JsonObject().put("agentId", v.agentId());
      if (v.score() != null) {
        c.put("score", v.score());
      }
      if (v.excludedBecause() != null) {
        c.put("excludedBecause", v.excludedBecause());
      }
      if (v.sticky()) {
        c.put("sticky", true);
      }
      candidates.add(c);
    }
    JsonObject excluded = new JsonObject();
    d.excluded().forEach(excluded::put);
    return new JsonObject()
        .put("target", target(d.target()))
        .put("chosenAgentId", d.chosenAgentId())
        .put("eligible", d.eligible())
        .put("excluded", excluded)
        .put("candidates", candidates);
  }

  private static JsonObject action(RelaxationAction a) {
    return switch (a) {
      case RelaxationAction.LowerSkill l -> new JsonObject().put("lower", l.skill()).put("to", l.toLevel());
      case RelaxationAction.DropSkill d -> new JsonObject().put("drop", d.skill());
      case RelaxationAction.RaisePriority r -> new JsonObject().put("raisePriority", r.by());
      case RelaxationAction.WidenQueue w -> new JsonObject().put("widen", w.queue());
      case RelaxationAction.DropAll x -> new JsonObject().put("dropAll", true);
    };
  }

  private static RelaxationAction action(JsonObject a) {
    if (a.containsKey("lower")) {
      return new RelaxationAction.LowerSkill(a.getString("lower"), a.getInteger("to"));
    }
    if (a.containsKey("drop")) {
      return new RelaxationAction.DropSkill(a.getString("drop"));
    }
    if (a.containsKey("raisePriority")) {
      return new RelaxationAction.RaisePriority(a.getInteger("raisePriority"));
    }
    if (a.containsKey("widen")) {
      return new RelaxationAction.WidenQueue(a.getString("widen"));
    }
    return new RelaxationAction.DropAll();
  }
}
