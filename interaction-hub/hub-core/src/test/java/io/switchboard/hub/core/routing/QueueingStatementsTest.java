package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.newMobile;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.auth.Principal;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What putting a new interaction in its queue costs PostgreSQL, counted by PostgreSQL itself ({@code pg_stat_statements}),
 * and that the sticky agent it records is still the one who last answered the customer or anyone merged with it.
 * Issue 12: queueing took nine round trips one after the other (interaction, customer, golden record, members, last
 * agent, and a transaction of two writes), more than the intake itself; then four statements in three round trips; now
 * two, one read (interaction, customer and sticky agent) and one write: the rules classify in between.
 */
@DisplayName("what queueing a new interaction costs PostgreSQL")
class QueueingStatementsTest {
  private static final int N = 20;

  private static RoutingTestBed bed;
  private static CoreFixture f;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    bed = RoutingTestBed.start(dir);
    f = bed.f;
    await(f.db.pool().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
  }

  @AfterAll
  static void stop() {
    if (bed != null) {
      bed.close();
    }
  }

  private static long[] counts() {
    Row r = await(f.db.pool().query(
        "SELECT coalesce(sum(calls) FILTER (WHERE upper(query) NOT IN ('BEGIN', 'COMMIT', 'ROLLBACK')), 0) AS statements,"
            + " coalesce(sum(calls), 0) AS round_trips"
            + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND query NOT LIKE '%pg_stat_statements%'").execute()).iterator().next();
    return new long[] {r.getLong("statements"), r.getLong("round_trips")};
  }

  /** A chat taken in, not queued yet (state created). */
  private static IntakeResult takenIn(SenderAddress sender) {
    return await(f.intake.accept(new InboundContact(Channel.CHAT, "chat-" + UUID.randomUUID(), sender, "Queued Customer",
        "t-" + UUID.randomUUID(), List.of(), null, new MessageContent.Text("hello"), Map.of("language", "en"),
        Instant.now())));
  }

  @Test
  void queueingANewInteractionCostsOneReadAndOneWrite() {
    List<InteractionId> ids = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      ids.add(takenIn(SenderAddress.phone(newMobile())).interactionId());
    }
    long[] before = counts();
    ids.forEach(id -> await(bed.routing.enqueue(id)));
    long[] after = counts();
    double statements = (double) (after[0] - before[0]) / N;
    double roundTrips = (double) (after[1] - before[1]) / N;
    System.out.printf("enqueue: %.2f statements and %.2f round trips each (%d interactions)%n", statements, roundTrips, N);

    for (InteractionId id : ids) {
      assertThat(f.count("SELECT count(*) FROM interactions WHERE id = $1 AND state = 'queued' AND queue_id = 'general'",
          id.value())).isEqualTo(1L);
      assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = $1 AND from_state = 'created'"
          + " AND to_state = 'queued' AND reason = 'rule default'", id.value())).isEqualTo(1L);
      assertThat(await(bed.live.item(id.toString()))).as("waiting live").isNotNull();
    }
    assertThat(statements).as("statements per enqueue: one read (interaction, customer, sticky agent), one write")
        .isLessThanOrEqualTo(2.0);
    assertThat(roundTrips).as("round trips per enqueue: no BEGIN and COMMIT around the write").isLessThanOrEqualTo(2.0);

    // Queueing again changes nothing: no second transition, still one live item.
    ids.forEach(id -> await(bed.routing.enqueue(id)));
    for (InteractionId id : ids) {
      assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = $1 AND to_state = 'queued'",
          id.value())).isEqualTo(1L);
    }
  }

  /** Calls so far of the statement that queues interactions in PostgreSQL. */
  private static long queueingWrites() {
    return await(f.db.pool().query("SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements"
        + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        + " AND query LIKE '%AS x(id, queue_id, priority, routing, since, reason)%UPDATE interactions i SET state =%'")
        .execute()).iterator().next().getLong("n");
  }

  /**
   * New interactions queued together (as the queueing verticle batches those that arrive while a batch is written) are
   * written with one statement, one commit, whatever their number; each is queued exactly as alone, and those that are no
   * longer new in the batch are left as they are (one already queued is put back live, one ended is not touched).
   */
  @Test
  void aBatchOfNewInteractionsIsQueuedWithOneWrite() {
    List<InteractionId> ids = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      ids.add(takenIn(SenderAddress.phone(newMobile())).interactionId());
    }
    InteractionId alreadyQueued = takenIn(SenderAddress.phone(newMobile())).interactionId();
    await(bed.routing.enqueue(alreadyQueued));
    // Its live entry lost (as when Redis failed after the commit).
    await(bed.f.redis.call(bed.f.redis.async().del(bed.f.redis.key("rt:w:" + alreadyQueued))));
    await(bed.f.redis.call(bed.f.redis.async().zrem(bed.f.redis.key("rt:waiting"), alreadyQueued.toString())));
    InteractionId ended = takenIn(SenderAddress.phone(newMobile())).interactionId();
    await(f.db.pool().preparedQuery("UPDATE interactions SET state = 'ended' WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(ended.value())));
    List<InteractionId> batch = new ArrayList<>(ids);
    batch.add(alreadyQueued);
    batch.add(ended);
    batch.add(new InteractionId(UUID.randomUUID()));

    long writesBefore = queueingWrites();
    await(bed.routing.enqueueAll(batch));
    assertThat(queueingWrites() - writesBefore).as("queueing writes for a batch of %d", batch.size()).isEqualTo(1);

    for (InteractionId id : ids) {
      assertThat(f.count("SELECT count(*) FROM interactions WHERE id = $1 AND state = 'queued' AND queue_id = 'general'"
          + " AND waiting_since = created_at AND routing IS NOT NULL", id.value())).isEqualTo(1L);
      assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = $1 AND from_state = 'created'"
          + " AND to_state = 'queued' AND reason = 'rule default'", id.value())).isEqualTo(1L);
      JsonObject item = await(bed.live.item(id.toString()));
      assertThat(item.getString("channel")).isEqualTo("chat");
      assertThat(item.getJsonObject("classification").getString("queue")).isEqualTo("general");
    }
    assertThat(await(bed.live.waitingIds())).containsKeys(ids.stream().map(InteractionId::toString).toArray(String[]::new))
        .as("the queued one is waiting live again").containsKey(alreadyQueued.toString())
        .doesNotContainKey(ended.toString());
    assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = $1 AND to_state = 'queued'",
        alreadyQueued.value())).as("no second transition for the one already queued").isEqualTo(1L);
    assertThat(f.count("SELECT count(*) FROM interactions WHERE id = $1 AND state = 'ended'", ended.value())).isEqualTo(1L);

    // The same batch again changes nothing and writes nothing.
    long again = queueingWrites();
    await(bed.routing.enqueueAll(batch));
    assertThat(queueingWrites() - again).isZero();
    assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = ANY($1) AND to_state = 'queued'",
        (Object) ids.stream().map(InteractionId::value).toArray(UUID[]::new))).isEqualTo((long) N);
  }

  @Test
  void theStickyAgentIsTheOneWhoLastAnsweredTheCustomerOrAnyoneMergedWithIt() {
    Principal.Staff agent = bed.availableAgent(50);
    // Customer A is answered by the agent.
    SenderAddress a = SenderAddress.phone(newMobile());
    IntakeResult first = takenIn(a);
    await(bed.routing.enqueue(first.interactionId()));
    int offered = 0;
    for (int round = 0; round < 20 && offered == 0; round++) {
      offered += await(bed.routing.pass());
    }
    await(bed.routing.accept(agent, first.interactionId()));

    // A's next contact remembers the agent.
    IntakeResult again = takenIn(a);
    await(bed.routing.enqueue(again.interactionId()));
    assertThat(lastAgent(again.interactionId())).isEqualTo(agent.agentId().toString());

    // Customer B, unknown to the agent, is merged into A: B's next contact goes to A's agent too; a stranger C's does not.
    SenderAddress b = SenderAddress.phone(newMobile());
    IntakeResult fromB = takenIn(b);
    CustomerId customerB = fromB.customerId();
    await(f.customers.merge(CoreFixture.ADMIN, first.customerId(), customerB));
    IntakeResult bAgain = takenIn(b);
    await(bed.routing.enqueue(bAgain.interactionId()));
    assertThat(lastAgent(bAgain.interactionId())).isEqualTo(agent.agentId().toString());
    assertThat(await(f.stores.routing().stickyAgent(f.db.pool(), customerB.value(), Instant.now().minusSeconds(3600),
        null))).contains(agent.agentId().value());

    IntakeResult fromC = takenIn(SenderAddress.phone(newMobile()));
    await(bed.routing.enqueue(fromC.interactionId()));
    assertThat(lastAgent(fromC.interactionId())).isNull();
    // Outside the window: nobody; an unknown customer: nobody.
    assertThat(await(f.stores.routing().stickyAgent(f.db.pool(), first.customerId().value(), Instant.now().plusSeconds(60),
        null))).isEmpty();
    assertThat(await(f.stores.routing().stickyAgent(f.db.pool(), UUID.randomUUID(), Instant.now().minusSeconds(3600),
        null))).isEmpty();

    // Bad data: merges that form a cycle (A into B, B into A) have no golden record; the chain and the members are
    // followed a bounded number of steps, so the look-ups end: no golden record, and the cycle's members still count.
    await(f.db.pool().preparedQuery("UPDATE customers SET merged_into = $2 WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(first.customerId().value(), customerB.value())));
    try {
      assertThat(await(f.stores.customers().resolve(f.db.pool(), customerB))).isEmpty();
      assertThat(await(f.stores.customers().members(f.db.pool(), customerB))).contains(customerB, first.customerId());
      assertThat(await(f.stores.routing().stickyAgent(f.db.pool(), customerB.value(), Instant.now().minusSeconds(3600),
          null))).contains(agent.agentId().value());
    } finally {
      await(f.db.pool().preparedQuery("UPDATE customers SET merged_into = NULL WHERE id = $1")
          .execute(io.vertx.sqlclient.Tuple.of(first.customerId().value())));
    }
  }

  @Test
  void queueingWhatCannotBeQueuedChangesNothingAndAMissingCustomerIsNoObstacle() {
    // No such interaction: nothing happens, nothing fails.
    InteractionId unknown = new InteractionId(UUID.randomUUID());
    await(bed.routing.enqueue(unknown));
    assertThat(await(bed.live.item(unknown.toString()))).isNull();

    // An interaction that ended before it was queued stays ended, out of the queue.
    IntakeResult ended = takenIn(SenderAddress.phone(newMobile()));
    await(f.db.pool().preparedQuery("UPDATE interactions SET state = 'abandoned', ended_at = now() WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(ended.interactionId().value())));
    await(bed.routing.enqueue(ended.interactionId()));
    assertThat(f.count("SELECT count(*) FROM interactions WHERE id = $1 AND state = 'abandoned'", ended.interactionId().value()))
        .isEqualTo(1L);
    assertThat(await(bed.live.item(ended.interactionId().toString()))).isNull();

    // The customer row gone (bad data: a foreign key guards it): the rules see no customer, the interaction is queued.
    IntakeResult orphan = takenIn(SenderAddress.phone(newMobile()));
    await(f.db.pool().withConnection(c -> c.query("SET session_replication_role = replica").execute()
        .compose(x -> c.preparedQuery("DELETE FROM customers WHERE id = $1")
            .execute(io.vertx.sqlclient.Tuple.of(orphan.customerId().value())))
        .eventually(() -> c.query("SET session_replication_role = DEFAULT").execute())));
    await(bed.routing.enqueue(orphan.interactionId()));
    assertThat(f.count("SELECT count(*) FROM interactions WHERE id = $1 AND state = 'queued'", orphan.interactionId().value()))
        .isEqualTo(1L);
    assertThat(lastAgent(orphan.interactionId())).isNull();
  }

  private static String lastAgent(InteractionId id) {
    JsonObject item = await(bed.live.item(id.toString()));
    assertThat(item).as("waiting live").isNotNull();
    return item.getString("lastAgent");
  }
}
