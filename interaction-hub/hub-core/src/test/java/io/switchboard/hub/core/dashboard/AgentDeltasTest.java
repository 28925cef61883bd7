package io.switchboard.hub.core.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("dashboard ticks carry only the agents that changed")
class AgentDeltasTest {
  private static JsonObject agent(String id, String state, long timeInStateMs) {
    return new JsonObject().put("id", id).put("username", id).put("state", state)
        .put("since", "2026-11-23T10:00:00Z").put("timeInStateMs", timeInStateMs).put("load", new JsonObject().put("chat", 1));
  }

  private static JsonObject tick(JsonObject... agents) {
    return new JsonObject().put("at", "2026-11-23T10:00:05Z").put("agents", new JsonArray(java.util.List.of((Object[]) agents)));
  }

  @Test
  void theFirstTickIsWholeThenOnlyChangesAndRemovalsTravel() {
    AgentDeltas deltas = new AgentDeltas();
    JsonObject first = tick(agent("alice", "available", 1000), agent("bob", "break", 1000), agent("chen", "busy", 1000));
    deltas.apply(first, false);
    assertThat(first.getBoolean("agentsDelta")).isFalse();
    assertThat(first.getJsonArray("agents")).hasSize(3);
    assertThat(first.containsKey("agentsRemoved")).isFalse();

    // Only time passed: nothing to send.
    JsonObject quiet = tick(agent("alice", "available", 2000), agent("bob", "break", 2000), agent("chen", "busy", 2000));
    deltas.apply(quiet, false);
    assertThat(quiet.getBoolean("agentsDelta")).isTrue();
    assertThat(quiet.getJsonArray("agents")).isEmpty();
    assertThat(quiet.getJsonArray("agentsRemoved")).isEmpty();

    // bob comes back, alice's load changes (a nested field), chen is gone, dara is new.
    JsonObject alice = agent("alice", "available", 3000);
    alice.getJsonObject("load").put("chat", 2);
    JsonObject changes = tick(alice, agent("bob", "available", 0), agent("dara", "available", 0));
    deltas.apply(changes, false);
    assertThat(changes.getJsonArray("agents").stream().map(a -> ((JsonObject) a).getString("id")))
        .containsExactly("alice", "bob", "dara");
    assertThat(changes.getJsonArray("agentsRemoved")).containsExactly("chen");
    assertThat(changes.getJsonArray("agents").getJsonObject(0).getLong("timeInStateMs")).isEqualTo(3000L);

    // A whole tick (every history sample) sends everyone and becomes the base of the next delta.
    JsonObject whole = tick(alice.copy().put("timeInStateMs", 4000L), agent("bob", "available", 1000), agent("dara", "available", 1000));
    deltas.apply(whole, true);
    assertThat(whole.getBoolean("agentsDelta")).isFalse();
    assertThat(whole.getJsonArray("agents")).hasSize(3);
    JsonObject after = tick(alice.copy().put("timeInStateMs", 5000L), agent("bob", "available", 2000));
    deltas.apply(after, false);
    assertThat(after.getJsonArray("agents")).isEmpty();
    assertThat(after.getJsonArray("agentsRemoved")).containsExactly("dara");
  }

  @Test
  void aTickWithoutAgentsIsHandled() {
    AgentDeltas deltas = new AgentDeltas();
    JsonObject none = new JsonObject().put("at", "2026-11-23T10:00:00Z");
    deltas.apply(none, false);
    assertThat(none.getBoolean("agentsDelta")).isFalse();
    JsonObject next = tick(agent("alice", "available", 0));
    deltas.apply(next, false);
    assertThat(next.getJsonArray("agents")).hasSize(1);
    assertThat(next.getJsonArray("agentsRemoved")).isEmpty();
  }
}
