package io.switchboard.hub.core.messaging;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.agent.AgentDraft;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.core.interaction.InteractionQueries;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What an agent's reply costs PostgreSQL from the write to the console's frames, counted by PostgreSQL itself
 * ({@code pg_stat_statements}, as {@code LifecycleStatementsTest} counts): statements, and round trips (statements
 * with BEGIN and COMMIT). Issue 12: a reply cost ~13 round trips (five reads, the agent with its skills, queues and
 * capacity for its name, then a transaction of three inserts), its delivery ~9 (five reads, then a transaction of
 * two updates) and each of its two console frames 2 (the message, then its interaction).
 */
@DisplayName("what a reply, its delivery and its console frames cost PostgreSQL")
class ReplyStatementsTest {
  private static final int N = 10;

  private static CoreFixture f;
  private static Principal.Staff agent;
  private static MessageService messages;
  private static InteractionQueries queries;

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
    await(f.db.pool().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
    String username = "reply" + UUID.randomUUID().toString().substring(0, 6);
    Agent a = await(f.agents.create(CoreFixture.ADMIN, new AgentDraft(username, "Rhea Replies", Role.AGENT,
        "reply-test-password", Map.of("general", 3), Map.of(Channel.CHAT, 5))));
    agent = new Principal.Staff(a.id(), username, Role.AGENT);
    messages = new MessageService(f.vertx, f.stores, f.normalizer);
    queries = new InteractionQueries(f.stores);
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private record Counts(long statements, long roundTrips, long leases) {}

  /** Statements (BEGIN/COMMIT/ROLLBACK apart), all calls (round trips), and the outbox leases among them. */
  private static Counts counts() {
    Row r = await(f.db.pool().query(
        "SELECT coalesce(sum(calls) FILTER (WHERE upper(query) NOT IN ('BEGIN', 'COMMIT', 'ROLLBACK')), 0) AS statements,"
            + " coalesce(sum(calls), 0) AS round_trips,"
            + " coalesce(sum(calls) FILTER (WHERE query LIKE '%outbox%' AND query LIKE '%SKIP LOCKED%'), 0) AS leases"
            + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND query NOT LIKE '%pg_stat_statements%'").execute()).iterator().next();
    return new Counts(r.getLong("statements"), r.getLong("round_trips"), r.getLong("leases"));
  }

  /** Statements and round trips per item of {@code step} (leases of the outbox apart, reported on their own). */
  private static double[] cost(String name, int items, Runnable step) {
    Counts before = counts();
    step.run();
    Counts after = counts();
    long leases = after.leases() - before.leases();
    double statements = (double) (after.statements() - before.statements() - leases) / items;
    double roundTrips = (double) (after.roundTrips() - before.roundTrips() - leases) / items;
    System.out.printf("%s: %.2f statements and %.2f round trips each, %d outbox leases besides (%d items)%n", name,
        statements, roundTrips, leases, items);
    return new double[] {statements, roundTrips, leases};
  }

  /** A chat from a new customer, assigned to {@code to}. */
  static InteractionId assignedChat(Principal.Staff to) {
    String id = "reply-" + UUID.randomUUID();
    var r = await(f.intake.accept(new InboundContact(Channel.CHAT, id, SenderAddress.phone(CoreFixture.newMobile()),
        "Carla Customer", "session-" + id, List.of(), null, new MessageContent.Text("where is my order?"), Map.of(),
        Instant.now())));
    await(f.db.pool().preparedQuery("UPDATE interactions SET state = 'assigned', agent_id = $2 WHERE id = $1")
        .execute(Tuple.of(r.interactionId().value(), to.agentId().value())));
    return r.interactionId();
  }

  @Test
  void aReplyItsDeliveryAndEachOfItsFramesCostOneReadAndOneWrite() {
    List<InteractionId> ids = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      ids.add(assignedChat(agent));
    }
    List<Message> replies = new ArrayList<>();
    double[] reply = cost("reply", N, () -> ids.forEach(id -> replies.add(await(messages.write(agent, id, "it ships today", false)))));

    DeliveryRelayTest.CountingAdapter provider = new DeliveryRelayTest.CountingAdapter(() -> true);
    double[] delivery = cost("delivery", N, () -> {
      // A relay that passes only when woken: one pass delivers the ten (one lease).
      String deployment = await(f.vertx.deployVerticle(new DeliveryRelay(f.stores, (channel, recipient) -> Optional.of(provider),
          Duration.ofHours(1), Duration.ofSeconds(30))));
      DeliveryRelay.wake(f.vertx);
      // The probe names pg_stat_statements in a comment, so it is not counted.
      awaitTrue("every reply sent", () -> f.count("/* pg_stat_statements: not counted */ SELECT count(*) FROM messages"
          + " WHERE id = ANY($1) AND status = 'sent'",
          (Object) replies.stream().map(m -> m.id().value()).toArray(UUID[]::new)) == N);
      await(f.vertx.undeploy(deployment));
    });
    assertThat(provider.sends.get()).isEqualTo(N);

    double[] frame = cost("message frame", N, () -> replies.forEach(m -> {
      var found = await(queries.messageAndWorker(m.id())).orElseThrow();
      assertThat(found.worker()).isEqualTo(agent.agentId());
      assertThat(found.message().status()).isEqualTo(Message.Status.SENT);
      assertThat(found.message().senderName()).isEqualTo("Rhea Replies");
    }));

    assertThat(reply[0]).as("statements per reply").isLessThanOrEqualTo(2.0);
    assertThat(reply[1]).as("round trips (with BEGIN and COMMIT) per reply").isLessThanOrEqualTo(2.0);
    assertThat(delivery[0]).as("statements per delivery, the lease apart").isLessThanOrEqualTo(2.0);
    assertThat(delivery[1]).as("round trips (with BEGIN and COMMIT) per delivery, the lease apart").isLessThanOrEqualTo(2.0);
    assertThat(delivery[2]).as("outbox leases for the ten").isLessThanOrEqualTo(2.0);
    assertThat(frame[0]).as("statements per message frame").isLessThanOrEqualTo(1.0);
    assertThat(frame[1]).as("round trips per message frame").isLessThanOrEqualTo(1.0);
  }

  static void awaitTrue(String what, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
