package io.switchboard.hub.core.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.hub.api.error.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group commit's line when the batch ahead is stuck (PostgreSQL holds a lock, or does not answer): a contact waiting
 * behind it is refused as unavailable after {@code maxWait} instead of waiting without a bound (every intake of the
 * node waited behind one blocked batch, and the HTTP client gave up first); a contact already in a batch is not.
 */
class GroupCommitTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Submits on an event loop, as the hub does, and hands back the result as a CompletableFuture. */
  private static <R> CompletableFuture<R> submitted(Vertx vertx, GroupCommit<String, R> line, String value, String key) {
    CompletableFuture<R> out = new CompletableFuture<>();
    vertx.runOnContext(v -> line.submit(value, Set.of(key)).onComplete(r -> {
      if (r.succeeded()) {
        out.complete(r.result());
      } else {
        out.completeExceptionally(r.cause());
      }
    }));
    return out;
  }

  @Test
  void contactsWaitingBehindAStuckBatchAreRefusedAsUnavailableAndTheLineGoesOnAfterIt() throws Exception {
    List<List<GroupCommit.Item<String, String>>> started = new CopyOnWriteArrayList<>();
    GroupCommit<String, String> line = new GroupCommit<>(4, 1, Duration.ofMillis(500), started::add);

    CompletableFuture<String> stuck = submitted(vertx, line, "a", "k-a");
    CompletableFuture<String> second = submitted(vertx, line, "b", "k-b");
    CompletableFuture<String> third = submitted(vertx, line, "c", "k-c");

    for (CompletableFuture<String> waiting : List.of(second, third)) {
      assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(UnavailableException.class).hasMessageContaining("behind intakes still being written");
    }
    assertThat(stuck).as("the stuck batch's own contact is not refused by the wait").isNotDone();
    assertThat(started).hasSize(1);
    assertThat(line.stats().expired()).isEqualTo(2);

    // The stuck batch ends: the line is free, and the next contact goes at once.
    vertx.runOnContext(v -> started.get(0).get(0).complete(Future.succeededFuture("stored a")));
    assertThat(stuck.get(30, TimeUnit.SECONDS)).isEqualTo("stored a");
    CompletableFuture<String> next = submitted(vertx, line, "d", "k-d");
    awaitBatches(started, 2);
    vertx.runOnContext(v -> started.get(1).get(0).complete(Future.succeededFuture("stored " + started.get(1).get(0).value)));
    assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo("stored d");
    assertThat(line.stats().expired()).as("refused contacts never reach a batch").isEqualTo(2);
    assertThat(started.stream().flatMap(List::stream).map(i -> i.value)).containsExactly("a", "d");
  }

  @Test
  void aContactInABatchThatTakesLongerThanTheWaitIsNotRefused() throws Exception {
    GroupCommit<String, String> line = new GroupCommit<>(4, 1, Duration.ofMillis(200), batch ->
        // PostgreSQL is slow, not stuck: the batch ends after several times the wait.
        vertx.setTimer(1_500, id -> batch.forEach(i -> i.complete(Future.succeededFuture("stored " + i.value)))));
    CompletableFuture<String> first = submitted(vertx, line, "a", "k-a");
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("stored a");
    assertThat(line.stats().expired()).isZero();
  }

  @Test
  void aWaitThatIsNotPositiveIsRefused() {
    assertThatThrownBy(() -> new GroupCommit<String, String>(4, 1, Duration.ZERO, b -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait");
    assertThatThrownBy(() -> new GroupCommit<String, String>(4, 1, Duration.ofSeconds(-1), b -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait");
    assertThatThrownBy(() -> new io.switchboard.hub.core.intake.IntakeService.Batching(4, 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new io.switchboard.hub.core.intake.IntakeService.Batching(4, 1, null)).isInstanceOf(NullPointerException.class);
  }

  /** A probe timer's id: Vert.x hands out timer ids in order, so two probes count the timers set between them. */
  private long timerProbe() {
    long id = vertx.setTimer(3_600_000, x -> { });
    vertx.cancelTimer(id);
    return id;
  }

  @Test
  void theLineSetsNoTimerForAContactThatGoesAtOnceAndOneForContactsWaitingTogether() throws Exception {
    List<List<GroupCommit.Item<String, String>>> started = new CopyOnWriteArrayList<>();
    GroupCommit<String, String> line = new GroupCommit<>(64, 1, Duration.ofSeconds(30), started::add);

    // Contacts one after the other, each written before the next arrives: each goes at once, alone.
    long probe = timerProbe();
    for (int i = 0; i < 20; i++) {
      CompletableFuture<String> alone = submitted(vertx, line, "alone-" + i, "k-alone-" + i);
      awaitBatches(started, i + 1);
      GroupCommit.Item<String, String> item = started.get(i).get(0);
      vertx.runOnContext(v -> item.complete(Future.succeededFuture("stored " + item.value)));
      assertThat(alone.get(30, TimeUnit.SECONDS)).isEqualTo("stored alone-" + i);
    }
    assertThat(timerProbe() - probe - 1).as("Vert.x timers set for 20 contacts that each went at once").isZero();

    // Fifty contacts arrive while a batch is in flight: they wait, and go together as the next batch.
    probe = timerProbe();
    CompletableFuture<String> first = submitted(vertx, line, "first", "k-first");
    awaitBatches(started, 21);
    List<CompletableFuture<String>> behind = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> allSubmitted = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      for (int i = 0; i < 50; i++) {
        CompletableFuture<String> out = new CompletableFuture<>();
        line.submit("behind-" + i, Set.of("k-behind-" + i)).onComplete(r -> {
          if (r.succeeded()) {
            out.complete(r.result());
          } else {
            out.completeExceptionally(r.cause());
          }
        });
        behind.add(out);
      }
      allSubmitted.complete(null);
    });
    allSubmitted.get(30, TimeUnit.SECONDS);
    vertx.runOnContext(v -> started.get(20).get(0).complete(Future.succeededFuture("stored first")));
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("stored first");
    awaitBatches(started, 22);
    assertThat(started.get(21)).hasSize(50);
    vertx.runOnContext(v -> started.get(21).forEach(i -> i.complete(Future.succeededFuture("stored " + i.value))));
    for (CompletableFuture<String> f : behind) {
      assertThat(f.get(30, TimeUnit.SECONDS)).startsWith("stored behind-");
    }
    assertThat(timerProbe() - probe - 1).as("Vert.x timers set for 51 contacts, 50 of them waiting behind a batch")
        .isEqualTo(1);
    assertThat(line.stats().expired()).isZero();
  }

  @Test
  void aContactThatJoinsTheLineLaterWaitsItsOwnFullWaitNotTheOldestOnes() throws Exception {
    List<List<GroupCommit.Item<String, String>>> started = new CopyOnWriteArrayList<>();
    GroupCommit<String, String> line = new GroupCommit<>(4, 1, Duration.ofSeconds(1), started::add);
    CompletableFuture<String> stuck = submitted(vertx, line, "a", "k-a");
    CompletableFuture<String> early = submitted(vertx, line, "b", "k-b");
    // A third contact joins the line half a wait later (a Vert.x timer, so the test thread does not sleep).
    CompletableFuture<Long> lateJoined = new CompletableFuture<>();
    CompletableFuture<Long> lateRefused = new CompletableFuture<>();
    vertx.setTimer(500, id -> {
      lateJoined.complete(System.nanoTime());
      line.submit("c", Set.of("k-c")).onComplete(r -> lateRefused.complete(System.nanoTime()));
    });
    assertThatThrownBy(() -> early.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(UnavailableException.class);
    long waited = lateRefused.get(30, TimeUnit.SECONDS) - lateJoined.get();
    assertThat(waited).as("the late contact waited its own second, not what was left of the first one's")
        .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
    assertThat(line.stats().expired()).isEqualTo(2);
    assertThat(stuck).isNotDone();
    assertThat(started).hasSize(1);
  }

  private static void awaitBatches(List<?> started, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (started.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(started).hasSize(n);
  }
}
