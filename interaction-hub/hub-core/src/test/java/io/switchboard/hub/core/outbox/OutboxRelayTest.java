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
 * The relay takes due events with a lease and marks them published once they are on the bus (issue 12: two statements
 * a pass, no transaction held open): in id order, each once, attempts counted once; entries of other families and
 * entries another node holds (leased, not due) are left alone; an entry whose node died after leasing it is relayed
 * when its lease ends (at least once).
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
    assertThat(row(held).getValue("published_at")).as("not due (held by another node)").isNull();
  }

  @Test
  void anEntryLeasedByANodeThatDiedIsRelayedWhenItsLeaseEnds() {
    long orphan = entry("event.test.relayed", 7, -1);
    // A node leased it and died before publishing it.
    assertThat(await(f.stores.outbox().lease(f.db.pool(), "event.%", 10, OutboxRelay.DIRECT_GRACE))).hasSize(1);

    deployRelay();
    OutboxRelay.wake(f.vertx);
    try {
      Thread.sleep(400); // a few passes of the relay (100 ms apart)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    assertThat(heard).as("leased by the dead node: not due yet").isEmpty();

    await(f.db.pool().preparedQuery("UPDATE outbox SET next_attempt_at = now() - interval '1 second' WHERE id = $1")
        .execute(Tuple.of(orphan)));
    within(Duration.ofSeconds(20), () -> row(orphan).getValue("published_at") != null);

    assertThat(heard).containsExactly(7);
    assertThat(row(orphan).getInteger("attempts")).as("the dead node's lease and this one").isEqualTo(2);
  }
}
