package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.event.HubEvents;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.embedded.EmbeddedRedisServer;
import io.switchboard.hub.store.redis.RoutingState;
import io.switchboard.hub.testsupport.RedisMonitor;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12: the Redis commands one contact's lifecycle sends, step by step (queue, the matching pass that offers it to
 * the one free agent, accept, end, wrap-up, the pass after), and a sweep over several present agents. A Redis of the
 * test's own is watched with MONITOR ({@link RedisMonitor}: every command a client sends; a script is one command, what
 * it runs inside Redis is not listed); passes are run by hand, so no tick, sweep or reconciler adds its own.
 *
 * <p>What a step need not send: a read of what this node's own script has just written and answered (the waiting item it
 * queued or reserved, the agent hash its reservation or finish changed, the load after an offer), and the change
 * counters read apart from the lease (the lease script answers them).
 */
@DisplayName("a contact's lifecycle sends few Redis commands")
class RedisCommandsPerLifecycleTest {
  private EmbeddedRedisServer redis;
  private RoutingTestBed bed;
  private RedisMonitor monitor;
  private int seen;
  private final LinkedBlockingQueue<JsonObject> loads = new LinkedBlockingQueue<>();

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    redis = EmbeddedRedisServer.startThrowaway();
    bed = RoutingTestBed.start(dir, RoutingTestBed.ONE_QUEUE, Clock.systemUTC(), redis.url());
    await(bed.f.vertx.eventBus().<JsonObject>consumer(HubEvents.AGENT_LOAD_CHANGED, m -> loads.add(m.body())).completion());
  }

  @AfterEach
  void stop() throws Exception {
    if (monitor != null) {
      monitor.close();
    }
    if (bed != null) {
      bed.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** The commands sent since the last call, as "name key" lines (a script by its first key), SCRIPT LOAD left out. */
  private List<String> step(String what) {
    List<RedisMonitor.Command> all = monitor.commands();
    // SCRIPT LOAD is left out: once per script per node (the first run of each here), not per contact.
    List<String> out = all.subList(seen, all.size()).stream().filter(c -> !c.name().equals("script"))
        .map(c -> c.name() + " " + c.key().replaceFirst("^[^:]*:", "").replaceFirst("(rt:[a-z-]+:)[0-9a-f-]{36}$", "$1*"))
        .toList();
    seen = all.size();
    System.out.printf("%-55s %2d: %s%n", what, out.size(), String.join(", ", out));
    return out;
  }

  private JsonObject loadTold() throws InterruptedException {
    JsonObject load = loads.poll(10, TimeUnit.SECONDS);
    assertThat(load).as("agent.load_changed told").isNotNull();
    return load;
  }

  @Test
  void eachStepOfALifecycleSendsItsBudgetOfCommands() throws Exception {
    Principal.Staff agent = bed.availableAgent(2);
    // The pass's indexes hold every agent and waiting item once (a first sync reads them whole).
    assertThat(await(bed.routing.pass())).isZero();
    monitor = RedisMonitor.watch(redis);

    InteractionId id = bed.queuedChat();
    List<String> queue = step("queue one chat");

    assertThat(await(bed.routing.pass())).isEqualTo(1);
    assertThat(loadTold().getJsonObject("load").getInteger("chat")).as("the load told after the offer").isEqualTo(1);
    List<String> offer = step("the pass that offers it to the one free agent");

    await(bed.routing.accept(agent, id));
    List<String> accept = step("accept");

    assertThat(await(bed.routing.end(agent, id))).isEqualTo(InteractionState.WRAP_UP);
    List<String> end = step("end");

    await(bed.routing.wrapUp(agent, id, "resolved", null));
    assertThat(loadTold().getJsonObject("load").getInteger("chat")).as("the load told after the wrap-up").isZero();
    List<String> wrapUp = step("wrap-up");

    assertThat(await(bed.routing.pass())).isZero();
    List<String> after = step("the pass after (agent free, nothing waits)");

    assertThat(await(bed.routing.pass())).isZero();
    List<String> quiet = step("a pass with nothing changed");

    assertThat(queue).as("queueing: the enqueue script").hasSize(1);
    assertThat(offer).as("offering: the lease (answering the change counters), the reservation, the lease given up;"
        + " no read of the item queued, the item reserved or the agent reserved").hasSize(3);
    assertThat(accept).as("accept: the accept script").hasSize(1);
    assertThat(end).as("end (wrap-up required): nothing in Redis").isEmpty();
    assertThat(wrapUp).as("wrap-up: the finish script, which answers the load").hasSize(1);
    assertThat(after).as("the pass after: the lease and its release; the agent changed by this node's own scripts is"
        + " not read again").hasSize(2);
    assertThat(quiet).as("a quiet pass: the lease and its release").hasSize(2);
    assertThat(loads).as("no other load told").isEmpty();
  }

  @Test
  void aChangeMadeByAnotherNodeIsStillReadAfterThisNodesOwn() throws Exception {
    Principal.Staff agent = bed.availableAgent(2);
    assertThat(await(bed.routing.pass())).isZero();
    bed.queuedChat();
    assertThat(await(bed.routing.pass())).isEqualTo(1);
    monitor = RedisMonitor.watch(redis);

    // Another node puts the agent on break after this node's reservation, and queues a chat of its own.
    RoutingState otherNode = new RoutingState(bed.f.redis);
    await(otherNode.setState(agent.agentId().toString(), "break", "lunch", Instant.now()));
    RoutingService other = bed.otherNode();
    var r = await(bed.f.intake.accept(new io.switchboard.hub.api.InboundContact(io.switchboard.hub.api.Channel.CHAT,
        "chat-" + java.util.UUID.randomUUID(), io.switchboard.hub.api.SenderAddress.phone(io.switchboard.hub.core.CoreFixture.newMobile()),
        "Other Customer", "t-" + java.util.UUID.randomUUID(), List.of(), null, new io.switchboard.hub.api.MessageContent.Text("hi"),
        java.util.Map.of("language", "en"), Instant.now())));
    await(other.enqueue(r.interactionId()));
    step("the other node's changes");

    assertThat(await(bed.routing.pass())).as("the agent is on break: nothing offered").isZero();
    List<String> pass = step("this node's pass");
    assertThat(pass.stream().filter(c -> c.startsWith("hgetall rt:a:")).count()).as("the agent the other node changed is read")
        .isEqualTo(1);

    await(otherNode.setState(agent.agentId().toString(), "available", null, Instant.now()));
    assertThat(await(bed.routing.pass())).as("available again: the other node's chat is offered, as read").isEqualTo(1);
    List<String> second = step("this node's pass after the agent is back");
    assertThat(second.stream().filter(c -> c.startsWith("get rt:w:")).collect(Collectors.toList()))
        .as("the other node's waiting item is read; the one this node reserved is not read back").hasSize(1);
  }

  @Test
  void aSweepChecksThePresenceOfEveryPresentAgentInOneCommand() throws Exception {
    for (int i = 0; i < 4; i++) {
      bed.availableAgent(1);
    }
    await(bed.routing.sweep());
    monitor = RedisMonitor.watch(redis);
    await(bed.routing.sweep());
    List<String> sweep = step("a sweep over four present agents");
    assertThat(sweep.stream().filter(c -> c.startsWith("exists ") || c.startsWith("mget rt:presence:")).count())
        .as("presence of four agents: one command").isEqualTo(1);
  }

  /** Commands Redis ran, a script's own included, by INFO commandstats (the scripts, INFO and SCRIPT themselves left out). */
  private long commandsRun() {
    String info = await(bed.f.redis.call(bed.f.redis.async().info("commandstats")));
    long n = 0;
    for (String line : info.split("\r?\n")) {
      int calls = line.indexOf(":calls=");
      if (line.startsWith("cmdstat_") && calls > 0 && !java.util.Set.of("evalsha", "eval", "info", "script")
          .contains(line.substring(8, calls).replaceFirst("\\|.*", ""))) {
        n += Long.parseLong(line.substring(calls + 7, line.indexOf(',', calls)));
      }
    }
    return n;
  }

  @Test
  void aHeartbeatOfAnAgentAlreadyPresentRunsTwoCommandsInRedis() throws Exception {
    // Every console beats once a second: the beat of an agent already present sets its presence and finds the flag set.
    Principal.Staff agent = bed.availableAgent(1);
    await(bed.routing.heartbeat(agent.agentId(), true));
    long before = commandsRun();
    await(bed.routing.heartbeat(agent.agentId(), true));
    long run = commandsRun() - before;
    System.out.printf("a beat of a present agent: %d commands run in Redis%n", run);
    assertThat(run).as("SET presence, HGET present").isEqualTo(2);
    assertThat(await(bed.routing.agentState(agent.agentId())).present()).isTrue();
  }
}
