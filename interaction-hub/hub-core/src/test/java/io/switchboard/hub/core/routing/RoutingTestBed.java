package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.newMobile;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.agent.AgentDraft;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.redis.RoutingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The routing runtime over real servers, as hub-core's routing tests set it up: a {@link CoreFixture}, a routing.yaml
 * (by default one queue, {@code general}, with skill {@code general}) and its {@link RulesService}, live state in Redis
 * and a {@link RoutingService} whose live state has been rebuilt. {@link #otherNode()} gives a second node over the same
 * PostgreSQL and Redis. One per test class ({@code @BeforeAll}) or per test; {@link #close()} stops it.
 */
final class RoutingTestBed implements AutoCloseable {
  /** One queue, {@code general}, that every interaction goes to; offers wait 60 s; no after-call work. */
  static final String ONE_QUEUE = """
      settings:
        offerTimeout: 60s
        pauseAgentOnOfferTimeout: true
        stickyAgentWindow: 24h
        afterCallWork: 0s
        wrapUpRequired: true
      skills: [general]
      queues:
        - id: general
          name: General
          serviceLevel: { percent: 80, within: 30s }
          maxWait: 15m
      rules:
        - name: default
          queue: general
      """;

  final CoreFixture f;
  final RulesService rules;
  final RoutingState live;
  final RoutingService routing;

  private RoutingTestBed(CoreFixture f, RulesService rules, Clock clock) {
    this.f = f;
    this.rules = rules;
    this.live = new RoutingState(f.redis);
    this.routing = new RoutingService(f.vertx, f.stores, live, rules, clock);
  }

  /** Starts one with the {@link #ONE_QUEUE} rules written to {@code dir}. */
  static RoutingTestBed start(Path dir) throws Exception {
    return start(dir, ONE_QUEUE);
  }

  /** Starts one with {@code rulesYaml} written to {@code dir}/routing.yaml. */
  static RoutingTestBed start(Path dir, String rulesYaml) throws Exception {
    return start(dir, rulesYaml, Clock.systemUTC());
  }

  /** Starts one with {@code rulesYaml} written to {@code dir}/routing.yaml and routing reading {@code clock}. */
  static RoutingTestBed start(Path dir, String rulesYaml, Clock clock) throws Exception {
    return start(dir, rulesYaml, clock, null);
  }

  /** As {@link #start(Path, String, Clock)}, on the Redis at {@code redisUrl} (null: the JVM's shared one). */
  static RoutingTestBed start(Path dir, String rulesYaml, Clock clock, String redisUrl) throws Exception {
    CoreFixture f = CoreFixture.start(redisUrl);
    try {
      Path file = dir.resolve("routing.yaml");
      Files.writeString(file, rulesYaml);
      RulesService rules = new RulesService(f.vertx, f.stores, file);
      await(rules.start());
      RoutingTestBed bed = new RoutingTestBed(f, rules, clock);
      await(bed.routing.rebuild(false));
      return bed;
    } catch (Exception | Error e) {
      f.close();
      throw e;
    }
  }

  /** Another hub node over the same PostgreSQL, Redis and rules: its own live-state client, node id and indexes. */
  RoutingService otherNode() {
    return new RoutingService(f.vertx, f.stores, new RoutingState(f.redis), rules, Clock.systemUTC());
  }

  /**
   * A new agent with skill {@code general} 3 and {@code chatCapacity} chats, available with its console present (it set
   * its own state).
   */
  Principal.Staff availableAgent(int chatCapacity) {
    String username = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    var created = await(f.agents.create(CoreFixture.ADMIN, new AgentDraft(username, "Agent " + username, Role.AGENT,
        "Routing-password-2026!", Map.of("general", 3), Map.of(Channel.CHAT, chatCapacity))));
    Principal.Staff agent = new Principal.Staff(created.id(), username, Role.AGENT);
    await(routing.setState(agent, agent.agentId(), AgentState.AVAILABLE, null));
    return agent;
  }

  /** A new chat from a new customer, taken in and queued. */
  InteractionId queuedChat() {
    var r = await(f.intake.accept(new InboundContact(Channel.CHAT, "chat-" + UUID.randomUUID(),
        SenderAddress.phone(newMobile()), "Routed Customer", "t-" + UUID.randomUUID(), List.of(), null,
        new MessageContent.Text("hello"), Map.of("language", "en"), Instant.now())));
    await(routing.enqueue(r.interactionId()));
    return r.interactionId();
  }

  @Override
  public void close() {
    f.close();
  }
}
