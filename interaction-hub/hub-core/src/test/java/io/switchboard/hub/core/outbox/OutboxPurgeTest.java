package io.switchboard.hub.core.outbox;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.core.CoreFixture;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox is purged after delivery (issue 12.5): entries published longer ago than the retention are deleted by the
 * relay; entries published more recently, and pending ones however old (a delivery still being retried, an event
 * never relayed), stay.
 */
class OutboxPurgeTest {
  private static CoreFixture f;

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static long entry(String topic, String createdAgo, String publishedAgo) {
    return await(f.db.pool().preparedQuery(
            "INSERT INTO outbox (topic, payload, created_at, next_attempt_at, published_at)"
                + " VALUES ($1, '{}'::jsonb, now() - $2::text::interval, now() + interval '1 day',"
                + " CASE WHEN $3::text IS NULL THEN NULL ELSE now() - $3::text::interval END) RETURNING id")
        .execute(Tuple.of(topic, createdAgo, publishedAgo))).iterator().next().getLong("id");
  }

  private static boolean exists(long id) {
    return f.count("SELECT count(*) FROM outbox WHERE id = $1", id) == 1;
  }

  @Test
  void publishedEntriesPastTheRetentionArePurgedAndPendingOnesNever() {
    long old1 = entry("test.purge", "3 hours", "2 hours");
    long old2 = entry("delivery.send", "5 hours", "90 minutes");
    long recent = entry("test.purge", "3 hours", "10 minutes");
    long pendingOld = entry("delivery.send", "30 days", null);

    String relay = await(f.vertx.deployVerticle(
        new OutboxRelay(f.stores, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMillis(200))));
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (exists(old1) || exists(old2)) {
        assertThat(System.nanoTime()).as("purged within 30 s").isLessThan(deadline);
        try {
          Thread.sleep(50); // polling the table, with the deadline above
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    } finally {
      await(f.vertx.undeploy(relay));
    }

    assertThat(exists(recent)).as("published 10 minutes ago, retention 1 h").isTrue();
    assertThat(exists(pendingOld)).as("pending, however old").isTrue();
  }

  @Test
  void purgingDeletesInBatchesUntilNothingIsLeft() {
    for (int i = 0; i < 7; i++) {
      entry("test.batch", "3 days", "2 days");
    }

    int first = await(f.stores.outbox().purgePublished(f.db.pool(), Duration.ofDays(1), 5));
    int second = await(f.stores.outbox().purgePublished(f.db.pool(), Duration.ofDays(1), 5));
    int third = await(f.stores.outbox().purgePublished(f.db.pool(), Duration.ofDays(1), 5));

    assertThat(first).isEqualTo(5);
    assertThat(second).isGreaterThanOrEqualTo(2);
    assertThat(third).isZero();
    assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'test.batch'")).isZero();
  }
}
