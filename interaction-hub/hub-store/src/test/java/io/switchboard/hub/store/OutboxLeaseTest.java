package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A lease or a claim takes the due entries of one topic family and nothing else (V90 keys the pending index by family):
 * not another family's, not a topic of its family the pattern leaves out, not one leased, locked or published; patterns
 * that name no single family are refused; two takers at once never share an entry.
 */
class OutboxLeaseTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private StoreFixture f;

  @BeforeEach
  void start() {
    f = new StoreFixture();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private long entry(String topic, double dueInSeconds, boolean published) {
    return Await.result(f.pool.preparedQuery("INSERT INTO outbox (topic, payload, next_attempt_at, published_at)"
            + " VALUES ($1, '{}'::jsonb, now() + make_interval(secs => $2), CASE WHEN $3 THEN now() END) RETURNING id")
        .execute(Tuple.of(topic, dueInSeconds, published))).iterator().next().getLong("id");
  }

  private List<Long> lease(String pattern, int limit) {
    List<Long> ids = new ArrayList<>();
    Await.result(f.stores.outbox().lease(f.pool, pattern, limit, LEASE)).forEach(e -> ids.add(e.id()));
    return ids;
  }

  private Row row(long id) {
    return Await.result(f.pool.preparedQuery("SELECT attempts, published_at, next_attempt_at > now() AS leased FROM outbox"
        + " WHERE id = $1").execute(Tuple.of(id))).iterator().next();
  }

  @Test
  void aLeaseTakesTheDueEntriesOfItsPatternOnlyOldestFirst() {
    long webhook1 = entry("webhook.deliver", -10, false);
    entry("webhook.other", -10, false);
    entry("delivery.send", -10, false);
    entry("event.interaction.created", -10, false);
    entry("webhook.deliver", 60, false);
    entry("webhook.deliver", -10, true);
    long webhook2 = entry("webhook.deliver", -1, false);
    long webhook3 = entry("webhook.deliver", -1, false);

    List<Long> first = lease("webhook.deliver", 2);
    List<Long> second = lease("webhook.deliver", 5);

    assertThat(first).containsExactlyInAnyOrder(webhook1, webhook2);
    assertThat(second).containsExactly(webhook3);
    assertThat(lease("webhook.deliver", 5)).as("leased, not due again yet").isEmpty();
    assertThat(row(webhook1).getInteger("attempts")).isEqualTo(1);
    assertThat(row(webhook1).getBoolean("leased")).isTrue();
  }

  @Test
  void aFamilyPatternTakesEveryTopicOfItsFamilyAndNoOther() {
    long send = entry("delivery.send", -1, false);
    long retry = entry("delivery.retry", -1, false);
    entry("deliveryx.send", -1, false);
    entry("event.delivery.sent", -1, false);

    assertThat(lease("delivery.%", 10)).containsExactlyInAnyOrder(send, retry);
  }

  @Test
  void patternsNamingNoSingleFamilyAreRefused() {
    for (String bad : new String[] {null, "%", "event", ".%", "ev%.x", "e_ent.%", "%.deliver", "a\\.b"}) {
      assertThatThrownBy(() -> f.stores.outbox().lease(f.pool, bad, 1, LEASE)).as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> f.stores.outbox().claim(f.pool, bad, 1)).as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aClaimLocksTheDueEntriesOfItsFamilyOnlyAndAnotherClaimSkipsThem() {
    long first = entry("event.interaction.created", -1, false);
    long second = entry("event.message.created", -1, false);
    entry("delivery.send", -1, false);
    entry("eventx.y", -1, false);
    entry("event.later", 60, false);
    entry("event.done", -1, true);

    List<Long> held = new ArrayList<>();
    List<Long> other = new ArrayList<>();
    Await.result(f.pool.withTransaction(tx -> f.stores.outbox().claim(tx, "event.%", 10).compose(mine -> {
      mine.forEach(e -> held.add(e.id()));
      return f.stores.outbox().claim(f.pool, "event.%", 10).map(theirs -> {
        theirs.forEach(e -> other.add(e.id()));
        return null;
      });
    })));

    assertThat(held).containsExactly(first, second);
    assertThat(other).as("locked by the first claim's transaction").isEmpty();
    assertThat(row(first).getInteger("attempts")).as("a claim counts nothing by itself").isZero();
  }

  @Test
  void twoTakersAtOnceNeverShareAnEntry() {
    List<Long> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(entry("delivery.send", -1, false));
    }
    List<Future<List<OutboxStore.Entry>>> takers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      takers.add(f.stores.outbox().lease(f.pool, "delivery.%", 80, LEASE));
    }
    List<Long> taken = new ArrayList<>();
    for (Future<List<OutboxStore.Entry>> t : takers) {
      Await.result(t).forEach(e -> taken.add(e.id()));
    }

    assertThat(taken).doesNotHaveDuplicates().hasSize(200).containsExactlyInAnyOrderElementsOf(all);
  }
}
