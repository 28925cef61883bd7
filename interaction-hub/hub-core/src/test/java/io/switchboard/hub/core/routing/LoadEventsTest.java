package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.auth.Principal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue #12: the load an agent's console is told ({@code agent.load_changed}) after finishing work comes from the Redis
 * script that changed it, not from a read of the agent's hash after it: one round trip (the script) per finish instead
 * of two. Counted by Redis itself ({@code HGETALL} calls, the read, and {@code EVALSHA} calls, the scripts, in {@code
 * INFO commandstats}; the test's Redis serves one test at a time; the script reads the fields it answers with an
 * {@code HMGET} of its own).
 */
@DisplayName("the load told after finishing work costs no read of Redis")
class LoadEventsTest extends FreshRoutingBed {
  private long calls(String command) {
    String info = await(bed.f.redis.call(bed.f.redis.async().info("commandstats")));
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls="))));
      }
    }
    return 0;
  }

  private List<InteractionId> assigned(Principal.Staff agent, int n) {
    List<InteractionId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(bed.queuedChat());
    }
    int offered = 0;
    for (int round = 0; round < 20 && offered < n; round++) {
      offered += await(bed.routing.pass());
    }
    assertThat(offered).isEqualTo(n);
    ids.forEach(id -> await(bed.routing.accept(agent, id)));
    return ids;
  }

  @Test
  void wrappingUpTellsTheLoadTheFinishScriptLeftWithoutReadingTheAgentAgain() throws Exception {
    Principal.Staff agent = bed.availableAgent(5);
    List<InteractionId> ids = assigned(agent, 3);
    ids.forEach(id -> assertThat(await(bed.routing.end(agent, id))).isEqualTo(InteractionState.WRAP_UP));
    List<JsonObject> told = new CopyOnWriteArrayList<>();
    CountDownLatch three = new CountDownLatch(3);
    await(bed.f.vertx.eventBus().<JsonObject>consumer(HubEvents.AGENT_LOAD_CHANGED, m -> {
      told.add(m.body());
      three.countDown();
    }).completion());

    long reads = calls("hgetall");
    long scripts = calls("evalsha");
    for (InteractionId id : ids) {
      await(bed.routing.wrapUp(agent, id, "resolved", null));
    }
    long readsDuring = calls("hgetall") - reads;
    long scriptsDuring = calls("evalsha") - scripts;
    assertThat(three.await(20, TimeUnit.SECONDS)).as("three loads told").isTrue();
    System.out.printf("three wrap-ups: %d HGETALL, %d EVALSHA%n", readsDuring, scriptsDuring);
    assertThat(readsDuring).as("HGETALL calls for three wrap-ups (the load told read back from Redis)").isZero();
    assertThat(scriptsDuring).as("scripts for three wrap-ups (finish)").isEqualTo(3);
    assertThat(told).extracting(e -> e.getJsonObject("load").getInteger("chat")).containsExactly(2, 1, 0);
    assertThat(told).allSatisfy(e -> {
      assertThat(e.getString("agentId")).isEqualTo(agent.agentId().toString());
      assertThat(e.getJsonObject("capacity").getInteger("chat")).isEqualTo(5);
    });
    assertThat(await(bed.routing.agentState(agent.agentId())).load().getOrDefault("chat", 0)).isZero();
  }

  @Test
  void aFinishOfWorkRedisNoLongerHoldsTellsTheLoadAsReadAndChangesNothing() throws Exception {
    Principal.Staff agent = bed.availableAgent(5);
    List<InteractionId> ids = assigned(agent, 2);
    // Redis lost the first assignment (its reconciler would put it back): finishing it frees nothing there.
    await(bed.f.redis.call(bed.f.redis.async().srem(bed.f.redis.key("rt:assigned:" + agent.agentId()),
        ids.get(0).toString())));
    List<JsonObject> told = new CopyOnWriteArrayList<>();
    CountDownLatch one = new CountDownLatch(1);
    await(bed.f.vertx.eventBus().<JsonObject>consumer(HubEvents.AGENT_LOAD_CHANGED, m -> {
      told.add(m.body());
      one.countDown();
    }).completion());
    assertThat(await(bed.routing.end(agent, ids.get(0)))).isEqualTo(InteractionState.WRAP_UP);
    await(bed.routing.wrapUp(agent, ids.get(0), "resolved", null));
    assertThat(one.await(20, TimeUnit.SECONDS)).as("the load told").isTrue();
    assertThat(told).extracting(e -> e.getJsonObject("load").getInteger("chat")).as("the load as Redis holds it")
        .containsExactly(2);
  }
}
