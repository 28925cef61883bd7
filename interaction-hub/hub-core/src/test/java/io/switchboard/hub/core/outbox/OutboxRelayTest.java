package io.switchboard.hub.core.outbox;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.core.CoreFixture;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay claims due events, publishes them and marks them published in one transaction: in id order, each once,
 * attempts counted once; entries of other families and entries not due are left alone (its claim reads its own
 * family's due entries only, V90); an entry another node holds is skipped, and relayed once that node's transaction
 * dies (at least once).
 */
class OutboxRelayTest {
  private CoreFixture f;
  private String relay;
  private final List<Integer> heard = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    f = CoreFixture.start();
    f.vertx.eventBus().<JsonObject>consumer("test.relayed", m -> heard.add(m.body().getInteger("n")));
  }

  @AfterEach
  void stop() {
    if (relay != null) {
      await(f.vertx.undeploy(relay));
    }
    f.close();
  }

  private void deployRelay() {
    relay = await(f.vertx.deployVerticle(new OutboxRelay(f.stores, Duration.ofMillis(100), Duration.ofDays(1),
        Duration.ofHours(1))));
  }

  private long entry(String topic, int n, double dueInSeconds) {
    return await(f.db.pool().preparedQuery("INSERT INTO outbox (topic, payload, next_attempt_at)"
            + " VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id")
        .execute(Tuple.of(topic, new JsonObject().put("n", n), dueInSeconds))).iterator().next().getLong("id");
  }

  private Row row(long id) {
    return await(f.db.pool().preparedQuery("SELECT attempts, published_at FROM outbox WHERE id = $1")
        .execute(Tuple.of(id))).iterator().next();
  }

  private static void within(Duration limit, BooleanSupplier done) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("within %s", limit).isLessThan(deadline);
      try {
        Thread.sleep(20); // polling, with the deadline above
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void dueEventsArePublishedInIdOrderEachOnceAndMarkedWithOneAttempt() {
    long a = entry("event.test.relayed", 1, -5);
    long b = entry("event.test.relayed", 2, -10);
    long c = entry("event.test.relayed", 3, -1);
    long delivery = entry("delivery.send", 99, -10);
    long held = entry("event.test.relayed", 4, 3600);

    deployRelay();
    within(Duration.ofSeconds(20), () -> heard.size() >= 3 && row(c).getValue("published_at") != null);
    OutboxRelay.wake(f.vertx);
    within(Duration.ofSeconds(5), () -> f.count("SELECT count(*) FROM outbox WHERE topic LIKE 'event.%'"
        + " AND published_at IS NULL") == 1);

    assertThat(heard).containsExactly(1, 2, 3);
    for (long id : new long[] {a, b, c}) {
      assertThat(row(id).getInteger("attempts")).isEqualTo(1);
      assertThat(row(id).getValue("published_at")).isNotNull();
    }
    assertThat(row(delivery).getValue("published_at")).as("another family's").isNull();
    assertThat(row(delivery).getInteger("attempts")).isZero();
    assertThat(row(held).getValue("published_at")).as("not due").isNull();
  }

  @Test
  void anEntryAnotherNodeHoldsIsSkippedAndRelayedOnceThatNodesTransactionDies() {
    long orphan = entry("event.test.relayed", 7, -1);
    io.vertx.sqlclient.SqlConnection other = await(f.db.pool().getConnection());
    try {
      // Another node claimed it and is publishing; then it dies (its transaction rolls back).
      io.vertx.sqlclient.Transaction tx = await(other.begin());
      assertThat(await(f.stores.outbox().claim(other, "event.%", 10))).hasSize(1);

      deployRelay();
      OutboxRelay.wake(f.vertx);
      try {
        Thread.sleep(400); // a few passes of the relay (100 ms apart)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      assertThat(heard).as("held by the other node: skipped").isEmpty();
      await(tx.rollback());
    } finally {
      other.close();
    }
    within(Duration.ofSeconds(20), () -> row(orphan).getValue("published_at") != null);

    assertThat(heard).containsExactly(7);
    assertThat(row(orphan).getInteger("attempts")).isEqualTo(1);
  }
}
