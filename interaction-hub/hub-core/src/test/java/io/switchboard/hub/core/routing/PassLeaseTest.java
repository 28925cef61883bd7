package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.redis.RoutingState;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue #12: a matching pass holds the per-queue lease (Redis) only while it decides and reserves; the reservation script
 * is the atomic guard, so the next pass, on this node or another, does not wait for PostgreSQL to record the offers
 * of the pass before it. The slow write is real: the interaction's row is locked by another transaction, so the offer's
 * statement waits on the lock until the test lets it go.
 */
@DisplayName("the matching lease is given up once the reservations are made")
class PassLeaseTest extends FreshRoutingBed {
  /** Statements of this database waiting on a lock, as PostgreSQL sees them. */
  private long waitingOnLocks() {
    return bed.f.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
  }

  /** Waits (up to 20 s, polling PostgreSQL) until a statement of this database waits on a lock. */
  private void awaitLockWait() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (waitingOnLocks() == 0) {
      assertThat(System.nanoTime()).as("an offer's statement waits on the locked row").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void aPassWhoseOfferWaitsOnPostgreSqlHoldsUpNeitherThisNodesNextPassNorAnotherNodes() throws Exception {
    List<Principal.Staff> agents = List.of(bed.availableAgent(1), bed.availableAgent(1), bed.availableAgent(1));
    RoutingService nodeA = bed.routing;
    RoutingService nodeB = bed.otherNode();
    InteractionId slow = bed.queuedChat();

    // Another transaction holds the first interaction's row: recording its offer waits until it ends.
    SqlConnection locker = await(bed.f.db.pool().getConnection());
    Transaction tx = await(locker.begin());
    Future<Integer> slowPass;
    try {
      await(locker.preparedQuery("SELECT id FROM interactions WHERE id = $1 FOR UPDATE").execute(Tuple.of(slow.value())));
      slowPass = nodeA.pass();
      awaitLockWait();
      assertThat(slowPass.isComplete()).as("the first pass still waits for PostgreSQL").isFalse();
      assertThat(await(bed.live.offer(slow.toString()))).as("the first pass reserved its agent in Redis").isNotNull();

      // Another node's pass takes its turn and offers the next interaction meanwhile.
      InteractionId second = bed.queuedChat();
      assertThat(await(nodeB.pass())).as("another node's pass while the first one's offer is being written").isEqualTo(1);
      // So does this node's own next pass.
      InteractionId third = bed.queuedChat();
      assertThat(await(nodeA.pass())).as("this node's next pass while its first one's offer is being written").isEqualTo(1);
      assertThat(slowPass.isComplete()).as("the first pass still waits for PostgreSQL").isFalse();

      await(tx.commit());
      assertThat(await(slowPass)).as("the first pass's offer, recorded once the row is free").isEqualTo(1);

      // Each interaction offered once, each to an agent of its own (capacity 1), in Redis and in PostgreSQL.
      Set<String> holders = new HashSet<>();
      for (InteractionId id : List.of(slow, second, third)) {
        RoutingState.Offer offer = await(bed.live.offer(id.toString()));
        assertThat(offer).as("live offer of %s", id).isNotNull();
        holders.add(offer.agentId());
        assertThat(bed.f.count("SELECT count(*) FROM offers WHERE interaction_id = $1 AND agent_id = $2", id.value(),
            java.util.UUID.fromString(offer.agentId()))).as("recorded offer of %s", id).isEqualTo(1L);
        assertThat(bed.f.count("SELECT count(*) FROM interactions WHERE id = $1 AND state = 'offered'", id.value())).isEqualTo(1L);
      }
      assertThat(holders).containsExactlyInAnyOrderElementsOf(agents.stream().map(a -> a.agentId().toString()).toList());
      assertThat(await(nodeB.pass()) + await(nodeA.pass())).as("nothing left to offer").isZero();
    } finally {
      locker.close();
    }
  }
}
