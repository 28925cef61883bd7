package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A waiting item in Redis that cannot be decoded (written behind routing's back, or cut short) is left out of the
 * node's waiting index with a warning instead of failing every sync: matching passes and queue positions go on for
 * everybody else. Before, the whole-set read failed on it, and every pass of every node with it.
 */
@DisplayName("an unreadable waiting item stops neither matching nor anyone else's queue position")
class UnreadableWaitingItemTest extends FreshRoutingBed {
  @Test
  void aPassOffersTheOtherWorkAndLeavesTheUnreadableItemWaiting() {
    InteractionId garbled = bed.queuedChat();
    InteractionId fine = bed.queuedChat();
    await(bed.f.redis.call(bed.f.redis.async().set(bed.f.redis.key("rt:w:" + garbled), "{\"channel\":\"chat\",\u0000")));
    bed.availableAgent(2);

    assertThat(await(bed.routing.pass())).as("offers made by the pass").isEqualTo(1);
    assertThat(await(bed.live.offer(fine.toString()))).as("the readable one is offered").isNotNull();
    assertThat(await(bed.live.offer(garbled.toString()))).as("the unreadable one is not").isNull();
    assertThat(await(bed.live.waitingIds())).containsOnlyKeys(garbled.toString());
  }
}
