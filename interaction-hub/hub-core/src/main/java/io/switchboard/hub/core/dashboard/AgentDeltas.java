package io.switchboard.hub.core.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a dashboard tick's whole agents list into the changes since the previous tick. An agent counts as
 * changed when any field of its row differs, except {@code timeInStateMs}, which grows every tick and which a
 * console derives from {@code since}. Not thread-safe: one instance per ticking verticle.
 */
final class AgentDeltas {
  /** The agents of the previous tick by id, without their time in state; null before the first. */
  private Map<String, JsonObject> previous;

  /**
   * Rewrites {@code body}'s {@code agents} in place: when a delta is possible and not {@code whole}, to the
   * changed agents, with {@code agentsRemoved} listing the ids gone (sorted); otherwise it stays whole.
   * Sets {@code agentsDelta} to say which, and remembers the list for the next tick either way.
   */
  void apply(JsonObject body, boolean whole) {
    boolean delta = !whole && previous != null;
    JsonArray all = body.getJsonArray("agents", new JsonArray());
    Map<String, JsonObject> now = new HashMap<>();
    JsonArray changed = new JsonArray();
    for (Object o : all) {
      JsonObject agent = (JsonObject) o;
      JsonObject comparable = agent.copy();
      comparable.remove("timeInStateMs");
      String id = agent.getString("id");
      now.put(id, comparable);
      if (delta && !comparable.equals(previous.get(id))) {
        changed.add(agent);
      }
    }
    if (delta) {
      JsonArray removed = new JsonArray();
      previous.keySet().stream().filter(id -> !now.containsKey(id)).sorted().forEach(removed::add);
      body.put("agents", changed).put("agentsRemoved", removed);
    }
    body.put("agentsDelta", delta);
    previous = now;
  }
}
