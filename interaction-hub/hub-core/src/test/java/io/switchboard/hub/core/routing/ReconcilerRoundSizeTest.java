package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.newMobile;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.testsupport.RedisMonitor;
import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A reconciler round costs the same however long the queue (issue 12.5, size-proof reads): it reads at most
 * {@link RoutingReconciler#ITEMS_PER_ROUND} waiting items, in turn, and the queued interactions' ids and places from
 * PostgreSQL, not their classifications. Before, every round (every 5 s) read and decoded every waiting item (one MGET of
 * them all) and every queued interaction's classification. A garbled item is still found and rewritten, within the
 * rounds that take every item in turn.
 */
@DisplayName("a reconciler round reads a bounded slice of the waiting items, and still repairs a garbled one")
class ReconcilerRoundSizeTest extends FreshRoutingBed {
  private static final int WAITING = RoutingReconciler.ITEMS_PER_ROUND + 100;
  private RedisMonitor monitor;

  @AfterEach
  void stopMonitor() throws Exception {
    if (monitor != null) {
      monitor.close();
    }
  }

  /** {@code n} chats from new customers, taken in and queued 50 at a time (the intake batches them). */
  private List<InteractionId> queued(int n) {
    List<InteractionId> out = new ArrayList<>();
    while (out.size() < n) {
      List<Future<InteractionId>> some = new ArrayList<>();
      for (int i = 0; i < Math.min(50, n - out.size()); i++) {
        some.add(bed.f.intake.accept(new InboundContact(Channel.CHAT, "chat-" + UUID.randomUUID(),
                SenderAddress.phone(newMobile()), "Waiting Customer", "t-" + UUID.randomUUID(), List.of(), null,
                new MessageContent.Text("hello"), Map.of("language", "en"), Instant.now()))
            .compose(r -> bed.routing.enqueue(r.interactionId()).map(r.interactionId())));
      }
      out.addAll(await(Future.all(some)).<InteractionId>list());
    }
    return out;
  }

  /** Waiting items (keys rt:w:*) of this bed read by MGET since the monitor started. */
  private long itemsReadByMget() {
    String prefix = bed.f.redis.key("rt:w:");
    return monitor.commands().stream().filter(c -> c.name().equals("mget"))
        .mapToLong(c -> c.arguments().stream().filter(a -> a.startsWith(prefix)).count()).sum();
  }

  /** Calls of the statement that reads every queued interaction with its classification. */
  private long wholeWaitingReads() {
    return await(bed.f.db.pool().query("SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements"
        + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        + " AND query LIKE 'SELECT id, channel, routing, waiting_since, excluded_agents FROM interactions WHERE state = ''queued'' AND routing IS NOT NULL ORDER BY%'")
        .execute()).iterator().next().getLong("n");
  }

  @Test
  void aRoundReadsABoundedSliceAndTheRoundsTogetherStillRepairAGarbledItem() {
    await(bed.f.db.pool().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
    List<InteractionId> ids = queued(WAITING);
    assertThat(await(bed.live.waitingIds())).hasSize(WAITING);
    RoutingReconciler reconciler = bed.routing.reconciler();

    monitor = RedisMonitor.watch(TestServers.get().redis());
    long wholeBefore = wholeWaitingReads();
    assertThat(await(reconciler.run())).as("nothing to repair").isEqualTo(new RoutingReconciler.Round(0, 0, false));
    assertThat(itemsReadByMget()).as("waiting items read by one round, with %d waiting", WAITING)
        .isLessThanOrEqualTo(RoutingReconciler.ITEMS_PER_ROUND);
    assertThat(wholeWaitingReads() - wholeBefore).as("every queued interaction's classification read by a round").isZero();

    // One item garbled behind routing's back: the rounds take every item in turn, so it is seen and then confirmed.
    InteractionId garbled = ids.get(ids.size() / 2);
    await(bed.f.redis.call(bed.f.redis.async().set(bed.f.redis.key("rt:w:" + garbled), "{\"channel\":\"chat\",\u0000")));
    int repairs = 0;
    int rounds = 0;
    while (repairs == 0 && rounds < 4) {
      repairs += await(reconciler.run()).repairs();
      rounds++;
    }
    assertThat(repairs).as("the garbled item rewritten within %d rounds", rounds).isEqualTo(1);
    JsonObject item = await(bed.live.item(garbled.toString()));
    assertThat(item.getString("channel")).isEqualTo("chat");
    assertThat(item.getValue("classification")).isInstanceOf(JsonObject.class);
    assertThat(itemsReadByMget()).as("items read by the %d rounds after the first", rounds)
        .isLessThanOrEqualTo((long) (rounds + 1) * (RoutingReconciler.ITEMS_PER_ROUND + 1));
    assertThat(await(reconciler.run()).repairs()).as("nothing left to repair").isZero();
  }
}
