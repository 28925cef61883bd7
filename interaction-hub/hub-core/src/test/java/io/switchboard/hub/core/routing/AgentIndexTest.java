package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.agent.AgentDraft;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12: each node keeps agents' live state in memory ({@link AgentIndex}), brought up to date from the agents'
 * change log in Redis, so a matching pass reads only the agents changed since the last one — never every agent — also
 * when another node changed them, and reads every agent again after live state was rebuilt. Figures come from
 * {@link HubEvents#PASS_DONE} ({@code agents}, {@code agentsRead}, {@code agentsWholeRead}).
 */
@DisplayName("the in-memory agent index")
class AgentIndexTest {
  private static final int AGENTS = 40;

  private RoutingTestBed bed;
  private CoreFixture f;
  private RoutingState live;
  private RoutingService routing;
  private MessageConsumer<JsonObject> passes;
  private final LinkedBlockingQueue<JsonObject> figures = new LinkedBlockingQueue<>();

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    bed = RoutingTestBed.start(dir);
    f = bed.f;
    live = bed.live;
    routing = bed.routing;
    passes = f.vertx.eventBus().consumer(HubEvents.PASS_DONE, m -> figures.add(m.body()));
    await(passes.completion());
  }

  @AfterEach
  void stop() {
    if (bed != null) {
      bed.close();
    }
  }

  /**
   * Agents' hashes read from Redis so far, counted by Redis itself ({@code HGETALL} calls in {@code INFO commandstats}:
   * the test's Redis serves one test at a time, and nothing else of this fixture reads agents).
   */
  private long hashReads() {
    String info = await(f.redis.call(f.redis.async().info("commandstats")));
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_hgetall:")) {
        return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls="))));
      }
    }
    return 0;
  }

  /** Runs one pass and returns its figures, with {@code hashReads}: agents' hashes it read from Redis. */
  private JsonObject pass() throws InterruptedException {
    figures.clear();
    long before = hashReads();
    await(routing.pass());
    long read = hashReads() - before;
    JsonObject p = figures.poll(10, TimeUnit.SECONDS);
    assertThat(p).as("the pass published its figures").isNotNull();
    return p.put("hashReads", read);
  }

  private static RoutingState.AgentLive offline(String id) {
    Instant since = Instant.now().minus(Duration.ofMinutes(5));
    return new RoutingState.AgentLive(id, "offline", null, since, false, since, Map.of("general", 3), List.of(),
        Map.of("chat", 2), Map.of(), List.of("voice"));
  }

  private List<String> agents(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = UUID.randomUUID().toString();
      await(live.putAgent(offline(id), true));
      ids.add(id);
    }
    return ids;
  }

  @Test
  void aPassReadsOnlyTheAgentsChangedSinceTheLastOneWhicheverNodeChangedThem() throws Exception {
    List<String> ids = agents(AGENTS);

    JsonObject first = pass();
    assertThat(first.getLong("hashReads")).as("the first pass reads every agent: %s", first).isGreaterThanOrEqualTo(AGENTS);
    JsonObject quiet = pass();
    assertThat(quiet.getLong("hashReads")).as("nothing changed, no agent read from Redis: %s", quiet).isZero();
    assertThat(first.getBoolean("agentsWholeRead")).as("the first pass reads every agent once: %s", first).isTrue();
    assertThat(first.getInteger("agents")).isEqualTo(AGENTS);

    assertThat(quiet.getLong("agentsRead")).as("nothing changed, nothing read: %s", quiet).isZero();
    assertThat(quiet.getBoolean("agentsWholeRead")).isFalse();
    assertThat(quiet.getInteger("agents")).isEqualTo(AGENTS);
    assertThat(quiet.getInteger("freeAgents")).isZero();

    // One agent becomes available with its console present: the next pass reads that agent, and it is free.
    String one = ids.get(5);
    await(live.setState(one, "available", null, Instant.now()));
    await(live.heartbeat(one, Duration.ofSeconds(30), Instant.now()));
    JsonObject after = pass();
    assertThat(after.getLong("hashReads")).as("only the changed agent is read from Redis: %s", after).isEqualTo(1L);
    assertThat(after.getLong("agentsRead")).as("only the changed agent is read: %s", after).isEqualTo(1L);
    assertThat(after.getInteger("freeAgents")).isEqualTo(1);

    // Heartbeats of a console already present change nothing routing weighs: nothing to read.
    for (int i = 0; i < 5; i++) {
      await(live.heartbeat(one, Duration.ofSeconds(30), Instant.now()));
    }
    assertThat(pass().getLong("hashReads")).isZero();

    // Another node (its own RoutingState over the same Redis) puts two agents on break and back: this node reads two.
    RoutingState otherNode = new RoutingState(f.redis);
    await(otherNode.setState(ids.get(7), "break", "lunch", Instant.now()));
    await(otherNode.setState(ids.get(8), "available", null, Instant.now()));
    await(otherNode.setPresent(ids.get(8), true, Instant.now()));
    await(otherNode.setState(ids.get(7), "offline", null, Instant.now()));
    JsonObject fromOther = pass();
    assertThat(fromOther.getLong("hashReads")).as("the two agents the other node changed: %s", fromOther).isEqualTo(2L);
    assertThat(fromOther.getLong("agentsRead")).isEqualTo(2L);
    assertThat(fromOther.getInteger("freeAgents")).isEqualTo(2);

    // A new agent routing did not hold: read alone.
    agents(1);
    JsonObject added = pass();
    assertThat(added.getLong("agentsRead")).isEqualTo(1L);
    assertThat(added.getInteger("agents")).isEqualTo(AGENTS + 1);
    assertThat(added.getBoolean("agentsWholeRead")).isFalse();
  }

  @Test
  void afterRedisLostItsDataTheIndexIsReadWholeFromTheRebuiltState() throws Exception {
    List<String> onlyLive = agents(AGENTS);
    var recorded = await(f.agents.create(CoreFixture.ADMIN, new AgentDraft("indexed-" + UUID.randomUUID().toString().substring(0, 8),
        "Indexed Agent", Role.AGENT, "Indexed-password-2026!", Map.of("general", 2), Map.of(Channel.CHAT, 3))));
    await(routing.syncProfile(recorded.id()));
    assertThat(pass().getInteger("agents")).isEqualTo(AGENTS + 1);

    // Redis loses routing's data (as FLUSHALL would): every routing key goes, the epoch with it.
    await(live.clear());
    JsonObject lost = pass();
    assertThat(lost.getBoolean("agentsWholeRead")).as("a lost epoch is read whole: %s", lost).isTrue();
    assertThat(lost.getInteger("agents")).isZero();

    // Rebuilt from PostgreSQL: only the agent PostgreSQL records comes back; the index holds it, not the lost ones.
    assertThat(await(routing.rebuild(false))).isTrue();
    JsonObject rebuilt = pass();
    assertThat(rebuilt.getBoolean("agentsWholeRead")).as("a new epoch is read whole: %s", rebuilt).isTrue();
    assertThat(rebuilt.getInteger("agents")).isEqualTo(1);
    assertThat(await(live.agent(onlyLive.get(0)))).isNull();

    // From there on, incremental again.
    JsonObject next = pass();
    assertThat(next.getBoolean("agentsWholeRead")).isFalse();
    assertThat(next.getLong("hashReads")).isZero();
  }
}
