package io.switchboard.hub.app.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.spi.ChannelLeases;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link ChannelLeases} does: one holder per name until it runs out, renewed only by its holder. */
interface ChannelLeasesContract {

  /** A fresh lease space (no lease held yet). */
  ChannelLeases leases();

  @Test
  default void aFreeLeaseIsTakenAndAnotherHolderIsRefused() {
    ChannelLeases leases = leases();
    assertThat(await(leases.acquire("mailbox:support", "node-a", Duration.ofSeconds(30)))).isTrue();
    assertThat(await(leases.acquire("mailbox:support", "node-b", Duration.ofSeconds(30)))).isFalse();
    assertThat(await(leases.acquire("mailbox:sales", "node-b", Duration.ofSeconds(30)))).as("another name is free").isTrue();
  }

  @Test
  default void theHolderRenewsItsLease() {
    ChannelLeases leases = leases();
    assertThat(await(leases.acquire("call:1", "node-a", Duration.ofSeconds(30)))).isTrue();
    assertThat(await(leases.acquire("call:1", "node-a", Duration.ofSeconds(30)))).isTrue();
    assertThat(await(leases.acquire("call:1", "node-b", Duration.ofSeconds(30)))).isFalse();
  }

  @Test
  default void aReleasedLeaseIsFreeAndOnlyItsHolderCanReleaseIt() {
    ChannelLeases leases = leases();
    assertThat(await(leases.acquire("call:2", "node-a", Duration.ofSeconds(30)))).isTrue();
    await(leases.release("call:2", "node-b"));
    assertThat(await(leases.acquire("call:2", "node-b", Duration.ofSeconds(30)))).as("a stranger's release changes nothing").isFalse();
    await(leases.release("call:2", "node-a"));
    assertThat(await(leases.acquire("call:2", "node-b", Duration.ofSeconds(30)))).isTrue();
  }

  @Test
  default void aLeaseThatRanOutIsTakenOver() throws InterruptedException {
    ChannelLeases leases = leases();
    assertThat(await(leases.acquire("call:3", "node-a", Duration.ofMillis(50)))).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean taken = false;
    while (!taken && System.nanoTime() < deadline) {
      Thread.sleep(20);
      taken = await(leases.acquire("call:3", "node-b", Duration.ofSeconds(30)));
    }
    assertThat(taken).as("node-b takes over once node-a's lease ran out").isTrue();
    assertThat(await(leases.acquire("call:3", "node-a", Duration.ofSeconds(30)))).as("the old holder lost it").isFalse();
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
