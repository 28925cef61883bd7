package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.ConversationReader.QueuePosition;
import io.switchboard.hub.testsupport.MovableClock;
import io.switchboard.routing.Classification;
import io.switchboard.routing.RelaxationAction;
import io.switchboard.routing.RelaxationStep;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12 item 5: a waiting customer's place in the queue ({@link RoutingService#position}), asked by every waiting
 * web chat session on every queue update and by every waiting caller. It read the whole waiting set from Redis (ZRANGE
 * and MGET of every item), decoded every item and counted the queue's answers in PostgreSQL for each session that
 * asked: the cost grew with sessions × waiting. Now a node ranks the waiting set once per interval, for every session
 * that asks, from its own index brought up to date from the change log (only what changed is read).
 *
 * <p>Work is counted by the servers themselves: Redis commands in {@code INFO commandstats} (the test's Redis serves one
 * test at a time, and nothing of this fixture runs passes), statements in {@code pg_stat_statements}. The clock is the
 * test's, so "within the interval" does not depend on how fast the machine is.
 */
@DisplayName("queue positions: one shared ranking per interval, ranked as the matcher ranks")
class QueuePositionsTest {
  private static final int WAITING = 300;
  private static final int SESSIONS = 60;

  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-06T12:00:00Z"));
  private RoutingTestBed bed;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    bed = RoutingTestBed.start(dir, RoutingTestBed.ONE_QUEUE, clock);
    await(bed.f.db.pool().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
  }

  @AfterEach
  void stop() {
    if (bed != null) {
      bed.close();
    }
  }

  /** Redis commands served so far (every command but INFO), from {@code INFO commandstats}. */
  private long redisCalls() {
    String info = await(bed.f.redis.call(bed.f.redis.async().info("commandstats")));
    long sum = 0;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
        int at = line.indexOf("calls=") + 6;
        sum += Long.parseLong(line.substring(at, line.indexOf(',', at)));
      }
    }
    return sum;
  }

  /** Statements this database ran so far (the probe itself left out). */
  private long statements() {
    Row r = await(bed.f.db.pool().query("SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements"
        + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        + " AND query NOT LIKE '%pg_stat_statements%'").execute()).iterator().next();
    return r.getLong("n");
  }

  private static Classification cls(String queue, int priority, RelaxationStep... steps) {
    return new Classification("rule-" + queue, queue, priority, List.of(), List.of(steps), 1);
  }

  private static JsonObject item(Classification c) {
    return new JsonObject().put("channel", "chat").put("classification", RoutingJson.classification(c))
        .putNull("lastAgent").put("excluded", new JsonArray());
  }

  /** Puts an interaction in the live waiting set, waiting since {@code ago} before the test clock's now. */
  private String waiting(Classification c, Duration ago) {
    return waiting(UUID.randomUUID().toString(), c, ago);
  }

  private String waiting(String id, Classification c, Duration ago) {
    await(bed.live.enqueue(id, item(c), clock.instant().minus(ago)));
    return id;
  }

  private QueuePosition position(String id) {
    return await(bed.routing.position(InteractionId.parse(id)));
  }

  @Test
  @DisplayName("sessions asking within one interval share one read of the waiting set; no statement per session")
  void manySessionsAskingCostOneReadPerIntervalNotOnePerSession() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < WAITING; i++) {
      ids.add(waiting(cls("general", 0), Duration.ofSeconds(WAITING - i)));
    }

    long redisBefore = redisCalls();
    long sqlBefore = statements();
    // SESSIONS sessions ask at once (as one queue-update tick of the web chat does), then again one by one.
    List<Future<QueuePosition>> asked = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      asked.add(bed.routing.position(InteractionId.parse(ids.get(i * (WAITING / SESSIONS)))));
    }
    await(Future.all(asked));
    for (int i = 0; i < SESSIONS; i++) {
      assertThat(asked.get(i).result().position()).isEqualTo(i * (WAITING / SESSIONS) + 1);
      assertThat(asked.get(i).result().waiting()).isEqualTo(WAITING);
    }
    for (int i = 0; i < SESSIONS; i++) {
      position(ids.get(i));
    }
    long redis = redisCalls() - redisBefore;
    long sql = statements() - sqlBefore;
    System.out.printf("%d sessions asked twice over %d waiting: %d Redis commands, %d PostgreSQL statements%n",
        SESSIONS, WAITING, redis, sql);
    assertThat(redis).as("Redis commands for %d sessions asking twice within one interval", SESSIONS).isLessThanOrEqualTo(4);
    assertThat(sql).as("PostgreSQL statements for %d sessions asking (the estimate comes from the dashboard's figures)",
        SESSIONS).isZero();

    // The next interval: one read again, of what changed only (nothing here), whoever asks and however often.
    clock.advance(Duration.ofMillis(1500));
    long before = redisCalls();
    for (int i = 0; i < SESSIONS; i++) {
      position(ids.get(i));
    }
    long next = redisCalls() - before;
    assertThat(next).as("Redis commands in the next interval, nothing changed").isLessThanOrEqualTo(2);

    // One interaction leaves: the next interval reads that change, not the whole set.
    await(bed.live.dequeue(ids.get(0)));
    clock.advance(Duration.ofMillis(1500));
    before = redisCalls();
    assertThat(position(ids.get(0))).as("it no longer waits").isNull();
    assertThat(position(ids.get(1)).position()).isEqualTo(1);
    assertThat(position(ids.get(WAITING - 1))).isEqualTo(new QueuePosition("general", WAITING - 1, WAITING - 1, null));
    assertThat(redisCalls() - before).as("cursor, change log and the changed item").isLessThanOrEqualTo(4);
  }

  @Test
  @DisplayName("ranked as the matcher ranks: priority in force after relaxation, then longest wait, then id; per queue")
  void positionsFollowTheMatchersOrder() {
    // general: a priority 5 that came last is first; then the longest waits of priority 0.
    String early = waiting(cls("general", 0), Duration.ofSeconds(50));
    String late = waiting(cls("general", 0), Duration.ofSeconds(10));
    String urgent = waiting(cls("general", 5), Duration.ofSeconds(1));
    // A priority 0 whose step at 60 s raises it by 10 comes due in 30 s.
    String rising = waiting(cls("general", 0, new RelaxationStep(Duration.ofSeconds(60),
        List.of(new RelaxationAction.RaisePriority(10)))), Duration.ofSeconds(30));
    // billing: two of one priority waiting since the same millisecond: the lower id goes first.
    Duration same = Duration.ofSeconds(20);
    String a = waiting("00000000-0000-4000-8000-00000000000a", cls("billing", 1), same);
    String b = waiting("00000000-0000-4000-8000-00000000000b", cls("billing", 1), same);

    assertThat(position(urgent)).isEqualTo(new QueuePosition("general", 1, 4, null));
    assertThat(position(early).position()).isEqualTo(2);
    assertThat(position(rising).position()).isEqualTo(3);
    assertThat(position(late).position()).isEqualTo(4);
    assertThat(position(a)).isEqualTo(new QueuePosition("billing", 1, 2, null));
    assertThat(position(b)).isEqualTo(new QueuePosition("billing", 2, 2, null));
    assertThat(position(UUID.randomUUID().toString())).as("an interaction that does not wait").isNull();

    // 31 s later the step is in force: priority 10 goes ahead of the priority 5.
    clock.advance(Duration.ofSeconds(31));
    assertThat(position(rising)).isEqualTo(new QueuePosition("general", 1, 4, null));
    assertThat(position(urgent).position()).isEqualTo(2);
    assertThat(position(early).position()).isEqualTo(3);

    // The first is offered (it leaves the waiting set): within a second nobody counts it.
    await(bed.live.dequeue(rising));
    clock.advance(Duration.ofMillis(1100));
    assertThat(position(rising)).isNull();
    assertThat(position(urgent)).isEqualTo(new QueuePosition("general", 1, 3, null));
    assertThat(position(late)).isEqualTo(new QueuePosition("general", 3, 3, null));
  }

  @Test
  @DisplayName("a bad item in Redis fails only its own interaction's position; the others are ranked")
  void aBadItemBreaksNoOtherSession() throws Exception {
    String first = waiting(cls("general", 0), Duration.ofSeconds(40));
    String garbled = waiting(cls("general", 0), Duration.ofSeconds(30));
    String last = waiting(cls("general", 0), Duration.ofSeconds(10));
    // The item's text is no JSON (written behind routing's back), read by the first, whole read.
    await(bed.f.redis.call(bed.f.redis.async().set(bed.f.redis.key("rt:w:" + garbled), "{not json\u0000")));
    // A non-UUID id with a NUL in the waiting set: ranked like any other, breaks nothing.
    waiting("odd\u0000id", cls("general", 0), Duration.ofSeconds(35));

    assertThat(position(first)).isEqualTo(new QueuePosition("general", 1, 3, null));
    assertThat(position(last)).isEqualTo(new QueuePosition("general", 3, 3, null));
    assertThatFailsClearly(garbled);

    // An item that is JSON but has no usable classification arrives through the change log (an incremental read).
    String noClassification = UUID.randomUUID().toString();
    await(bed.live.enqueue(noClassification, new JsonObject().put("channel", "chat").put("classification", "oops"),
        clock.instant().minus(Duration.ofSeconds(5))));
    clock.advance(Duration.ofMillis(1100));
    assertThatFailsClearly(noClassification);
    assertThat(position(last)).isEqualTo(new QueuePosition("general", 3, 3, null));

    // Routing puts the garbled interaction back right: it is ranked again.
    await(bed.live.enqueue(garbled, item(cls("general", 0)), clock.instant().minus(Duration.ofSeconds(31))));
    clock.advance(Duration.ofMillis(1100));
    assertThat(position(garbled)).isEqualTo(new QueuePosition("general", 3, 4, null));
    assertThat(position(last)).isEqualTo(new QueuePosition("general", 4, 4, null));
  }

  @Test
  @DisplayName("two nodes over the same Redis tell the same places, each seeing the other's changes within a second")
  void twoNodesAgree() {
    RoutingService other = new RoutingService(bed.f.vertx, bed.f.stores, new io.switchboard.hub.store.redis.RoutingState(bed.f.redis),
        bed.rules, clock);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(waiting(cls("general", 0), Duration.ofSeconds(50 - i)));
    }
    for (int i = 0; i < 5; i++) {
      assertThat(position(ids.get(i))).isEqualTo(new QueuePosition("general", i + 1, 5, null));
      assertThat(await(other.position(InteractionId.parse(ids.get(i))))).isEqualTo(position(ids.get(i)));
    }
    // The other node's live state: the first is offered, and a priority 3 arrives.
    var otherLive = new io.switchboard.hub.store.redis.RoutingState(bed.f.redis);
    await(otherLive.unlistWaiting(ids.get(0)));
    String urgent = UUID.randomUUID().toString();
    await(otherLive.enqueue(urgent, item(cls("general", 3)), clock.instant()));
    clock.advance(Duration.ofMillis(1100));
    assertThat(position(ids.get(0))).isNull();
    assertThat(position(urgent)).isEqualTo(new QueuePosition("general", 1, 5, null));
    for (String id : ids.subList(1, 5)) {
      assertThat(await(other.position(InteractionId.parse(id)))).isEqualTo(position(id));
    }
    assertThat(position(ids.get(4))).isEqualTo(new QueuePosition("general", 5, 5, null));
  }

  private void assertThatFailsClearly(String id) throws Exception {
    var f = bed.routing.position(InteractionId.parse(id)).toCompletionStage().toCompletableFuture();
    try {
      f.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected the position of " + id + " to fail");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
      assertThat(e.getCause().getMessage()).contains(id).contains("cannot be read");
    }
  }
}
