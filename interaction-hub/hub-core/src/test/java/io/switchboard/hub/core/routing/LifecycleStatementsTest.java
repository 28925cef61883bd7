package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.auth.Principal;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the steps of a lifecycle after intake cost PostgreSQL, counted by PostgreSQL itself ({@code pg_stat_statements},
 * loaded by the test servers): statements, and round trips (statements with BEGIN and COMMIT; one autocommitted
 * statement is one round trip and one commit, a transaction of three statements five round trips). Issue 12:
 * one lifecycle cost ~41 statements and ~7 commits; offer, accept, end and wrap-up were each a transaction of several
 * statements (and a read before it).
 */
@DisplayName("what offer, accept, end and wrap-up cost PostgreSQL")
class LifecycleStatementsTest {
  private static final int N = 20;

  private static RoutingTestBed bed;
  private static CoreFixture f;
  private static RoutingService routing;
  private static Principal.Staff agent;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    bed = RoutingTestBed.start(dir);
    f = bed.f;
    await(f.db.pool().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
    routing = bed.routing;
    agent = bed.availableAgent(50);
  }

  @AfterAll
  static void stop() {
    if (bed != null) {
      bed.close();
    }
  }

  /** Statements (BEGIN/COMMIT/ROLLBACK apart) and all calls (round trips) this database ran so far. */
  private record Counts(long statements, long roundTrips) {}

  private static Counts counts() {
    // The probe names pg_stat_statements, so it leaves itself out of what it counts.
    Row r = await(f.db.pool().query(
        "SELECT coalesce(sum(calls) FILTER (WHERE upper(query) NOT IN ('BEGIN', 'COMMIT', 'ROLLBACK')), 0) AS statements,"
            + " coalesce(sum(calls), 0) AS round_trips"
            + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND query NOT LIKE '%pg_stat_statements%'").execute()).iterator().next();
    return new Counts(r.getLong("statements"), r.getLong("round_trips"));
  }

  /** Statements and round trips per item of what {@code step} does to each of {@code ids}. */
  private static double[] cost(String name, List<InteractionId> ids, Consumer<List<InteractionId>> step) {
    Counts before = counts();
    step.accept(ids);
    Counts after = counts();
    double statements = (double) (after.statements() - before.statements()) / ids.size();
    double roundTrips = (double) (after.roundTrips() - before.roundTrips()) / ids.size();
    System.out.printf("%s: %.2f statements and %.2f round trips each (%d interactions)%n", name, statements, roundTrips,
        ids.size());
    return new double[] {statements, roundTrips};
  }

  private static List<InteractionId> queued(int n) {
    List<InteractionId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(bed.queuedChat());
    }
    return ids;
  }

  private static InteractionState state(InteractionId id) {
    return InteractionState.fromWire(await(f.db.pool().preparedQuery("SELECT state FROM interactions WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(id.value()))).iterator().next().getString("state"));
  }

  @Test
  void offerAcceptEndAndWrapUpEachCostOneStatementInOneTransaction() {
    List<InteractionId> ids = queued(N);

    double[] offer = cost("offer", ids, list -> {
      int offered = 0;
      for (int round = 0; round < 20 && offered < list.size(); round++) {
        offered += await(routing.pass());
      }
      assertThat(offered).isEqualTo(list.size());
    });
    double[] accept = cost("accept", ids, list -> list.forEach(id -> await(routing.accept(agent, id))));
    double[] end = cost("end", ids, list -> list.forEach(id ->
        assertThat(await(routing.end(agent, id))).isEqualTo(InteractionState.WRAP_UP)));
    double[] wrapUp = cost("wrap-up", ids, list -> list.forEach(id -> await(routing.wrapUp(agent, id, "resolved", null))));

    ids.forEach(id -> assertThat(state(id)).isEqualTo(InteractionState.ENDED));
    assertThat(await(routing.agentState(agent.agentId())).load().getOrDefault("chat", 0)).isZero();
    assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = ANY($1)",
        (Object) ids.stream().map(InteractionId::value).toArray(UUID[]::new))).as("every step still recorded (created to ended)").isEqualTo(6L * N);
    assertThat(f.count("SELECT count(*) FROM routing_decisions WHERE interaction_id = ANY($1)",
        (Object) ids.stream().map(InteractionId::value).toArray(UUID[]::new))).isEqualTo(N);

    assertThat(offer[0]).as("statements per offer").isLessThanOrEqualTo(1.0);
    assertThat(offer[1]).as("round trips (with BEGIN and COMMIT) per offer").isLessThanOrEqualTo(1.0);
    assertThat(accept[0]).as("statements per accept").isLessThanOrEqualTo(1.0);
    assertThat(accept[1]).as("round trips (with BEGIN and COMMIT) per accept").isLessThanOrEqualTo(1.0);
    assertThat(end[0]).as("statements per end").isLessThanOrEqualTo(1.0);
    assertThat(end[1]).as("round trips (with BEGIN and COMMIT) per end").isLessThanOrEqualTo(1.0);
    assertThat(wrapUp[0]).as("statements per wrap-up").isLessThanOrEqualTo(1.0);
    assertThat(wrapUp[1]).as("round trips (with BEGIN and COMMIT) per wrap-up").isLessThanOrEqualTo(1.0);
  }

  @Test
  void stepsRefusedByStateChangeNothingAndSayWhy() {
    List<InteractionId> ids = queued(1);
    InteractionId id = ids.get(0);
    Principal.Staff stranger = new Principal.Staff(new AgentId(UUID.randomUUID()), "stranger", Role.AGENT);

    // Not offered to anyone yet: no accept, no end, no wrap-up, for the agent or a stranger.
    CoreFixture.awaitFailure(routing.end(agent, id), io.switchboard.hub.api.error.NotFoundException.class);
    CoreFixture.awaitFailure(routing.wrapUp(agent, id, "resolved", null), io.switchboard.hub.api.error.NotFoundException.class);
    CoreFixture.awaitFailure(routing.accept(agent, id), io.switchboard.hub.api.error.ConflictException.class);

    int offered = 0;
    for (int round = 0; round < 20 && offered == 0; round++) {
      offered += await(routing.pass());
    }
    assertThat(state(id)).isEqualTo(InteractionState.OFFERED);
    // Offered, not accepted: ending it is not possible; a stranger cannot accept it.
    CoreFixture.awaitFailure(routing.end(agent, id), io.switchboard.hub.api.error.ConflictException.class);
    CoreFixture.awaitFailure(routing.accept(stranger, id), io.switchboard.hub.api.error.NotFoundException.class);
    await(routing.accept(agent, id));
    // A second accept, a stranger's end or wrap-up, a blank disposition: refused, nothing written.
    CoreFixture.awaitFailure(routing.accept(agent, id), io.switchboard.hub.api.error.ConflictException.class);
    CoreFixture.awaitFailure(routing.end(stranger, id), io.switchboard.hub.api.error.NotFoundException.class);
    CoreFixture.awaitFailure(routing.wrapUp(stranger, id, "resolved", null), io.switchboard.hub.api.error.NotFoundException.class);
    CoreFixture.awaitFailure(routing.wrapUp(agent, id, " ", null), io.switchboard.hub.api.error.ValidationException.class);
    assertThat(state(id)).isEqualTo(InteractionState.ASSIGNED);

    assertThat(await(routing.end(agent, id))).isEqualTo(InteractionState.WRAP_UP);
    CoreFixture.awaitFailure(routing.end(agent, id), io.switchboard.hub.api.error.ConflictException.class);
    await(routing.wrapUp(agent, id, "resolved", "a note"));
    CoreFixture.awaitFailure(routing.wrapUp(agent, id, "resolved", null), io.switchboard.hub.api.error.ConflictException.class);
    assertThat(state(id)).isEqualTo(InteractionState.ENDED);
    // created, queued, offered, assigned, wrap_up, ended
    assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = $1", id.value())).isEqualTo(6L);
    assertThat(f.count("SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action = 'interaction.wrapped_up'",
        id.toString())).isEqualTo(1L);
  }
}
