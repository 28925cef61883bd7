package io.switchboard.hub.core.intake;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.newMobile;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult.Outcome;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.store.Database;
import io.switchboard.hub.store.Stores;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How often PostgreSQL plans the intake's statements, counted by PostgreSQL ({@code pg_stat_statements} with
 * {@code track_planning}): a statement the hub's pool keeps prepared is planned a few times per connection (the plan
 * cache's first custom plans and its generic one), one sent afresh is parsed, analysed and planned on every call.
 * Issue 12: the intake's write (ten data-modifying CTEs, 2,207 characters) was longer than vertx-pg-client's default
 * limit for cached statements (2,048) and was planned on every intake, 0.7 ms of PostgreSQL's CPU each time.
 */
class IntakePlanningTest {
  private static final int POOL = 2;
  private static final int N = 40;
  private static CoreFixture f;
  private static Database db;
  private static IntakeService intake;

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
    String name = await(f.db.pool().query("SELECT current_database()").execute()).iterator().next().getString(0);
    await(f.db.pool().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
    // Planning is counted by the backends opened after this: the pool below opens its connections afterwards.
    await(f.db.pool().query("ALTER DATABASE \"" + name + "\" SET pg_stat_statements.track_planning = on").execute());
    PgConnectOptions o = f.db.options();
    // A pool built as the hub builds its own (Database.connect), so the test sees the hub's connection options.
    db = Database.connect(f.vertx, "postgresql://" + o.getUser() + "@" + o.getHost() + ":" + o.getPort() + "/"
        + o.getDatabase(), o.getPassword(), POOL);
    intake = new IntakeService(f.vertx, Stores.over(db), f.normalizer);
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
    if (f != null) {
      f.close();
    }
  }

  /** Calls and plans so far of this database's statements starting with {@code prefix}. */
  private static long[] callsAndPlans(String prefix) {
    Row r = await(f.db.pool().preparedQuery(
        "SELECT coalesce(sum(calls), 0) AS calls, coalesce(sum(plans), 0) AS plans FROM pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE $1")
        .execute(Tuple.of(prefix + "%"))).iterator().next();
    return new long[] {r.getLong("calls"), r.getLong("plans")};
  }

  private static InboundContact contact() {
    return new InboundContact(Channel.CHAT, "plan-" + UUID.randomUUID(), SenderAddress.phone(newMobile()),
        "Plan Counter", "t-" + UUID.randomUUID(), List.of(), null, new MessageContent.Text("hello"),
        Map.of("language", "en"), Instant.now());
  }

  @Test
  void theIntakesStatementsArePlannedAFewTimesPerConnectionNotOnEveryCall() {
    long[] writeBefore = callsAndPlans("WITH new_customer AS");
    long[] lookBefore = callsAndPlans("WITH RECURSIVE dup AS");

    for (int i = 0; i < N; i++) {
      assertThat(await(intake.accept(contact())).outcome()).isEqualTo(Outcome.CREATED);
    }

    long[] write = callsAndPlans("WITH new_customer AS");
    long[] look = callsAndPlans("WITH RECURSIVE dup AS");
    System.out.printf("intake write: %d calls, %d plans; look: %d calls, %d plans (%d contacts, pool of %d)%n",
        write[0] - writeBefore[0], write[1] - writeBefore[1], look[0] - lookBefore[0], look[1] - lookBefore[1], N, POOL);
    assertThat(write[0] - writeBefore[0]).as("write calls").isEqualTo(N);
    assertThat(look[0] - lookBefore[0]).as("look calls").isEqualTo(N);
    // PostgreSQL's plan cache plans a prepared statement's first five executions on a connection with their
    // parameters and then builds its generic plan once: at most six plans per connection when the generic plan is
    // kept (it is for both statements), however many intakes follow. Before the fix the write was planned 40 times.
    assertThat(write[1] - writeBefore[1]).as("write plans").isLessThanOrEqualTo(6L * POOL);
    assertThat(look[1] - lookBefore[1]).as("look plans").isLessThanOrEqualTo(6L * POOL);
  }
}
