package io.switchboard.hub.core.intake;

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
    assertThatThrownBy(() -> new IntakeService.Batching(4, 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IntakeService.Batching(4, 1, null)).isInstanceOf(NullPointerException.class);
  }

  private static void awaitBatches(List<?> started, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (started.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(started).hasSize(n);
  }
}
