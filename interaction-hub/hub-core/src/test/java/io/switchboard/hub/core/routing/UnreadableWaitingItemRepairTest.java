package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A waiting item in Redis that cannot be decoded (bad JSON, NUL bytes, a huge value, a classification that is not one,
 * no item at all) for an interaction PostgreSQL says waits: the reconciler rewrites it from PostgreSQL, while the rest
 * of its round goes on, instead of leaving it out of routing forever or failing every round on it. A rebuild rewrites it
 * too.
 */
@DisplayName("an unreadable waiting item is rewritten from PostgreSQL by the reconciler and by a rebuild")
class UnreadableWaitingItemRepairTest extends FreshRoutingBed {
  private void setItem(InteractionId id, String text) {
    await(bed.f.redis.call(bed.f.redis.async().set(bed.f.redis.key("rt:w:" + id), text)));
  }

  private boolean readable(InteractionId id) {
    JsonObject item = await(bed.live.item(id.toString()));
    return item != null && "chat".equals(item.getString("channel")) && item.getValue("classification") instanceof JsonObject;
  }

  @Test
  void theReconcilerRewritesUnreadableItemsOfWaitingWorkAndRepairsTheRest() {
    InteractionId nul = bed.queuedChat();
    InteractionId huge = bed.queuedChat();
    InteractionId notAClassification = bed.queuedChat();
    InteractionId noItem = bed.queuedChat();
    InteractionId unlisted = bed.queuedChat();
    InteractionId fine = bed.queuedChat();
    setItem(nul, "{\"channel\":\"chat\",\u0000\u0001");
    setItem(huge, "{\"channel\":\"" + "x".repeat(2_000_000));
    setItem(notAClassification, "{\"channel\":\"chat\",\"classification\":\"vip\",\"excluded\":[]}");
    await(bed.f.redis.call(bed.f.redis.async().del(bed.f.redis.key("rt:w:" + noItem))));
    // Out of the waiting set, its item garbled: the reconciler puts it back (reading the old item for its sticky agent).
    await(bed.f.redis.call(bed.f.redis.async().zrem(bed.f.redis.key("rt:waiting"), unlisted.toString())));
    setItem(unlisted, "[1,2");
    // An unreadable item of an interaction PostgreSQL does not know: removed in the same round.
    String stray = UUID.randomUUID().toString();
    await(bed.live.enqueue(stray, new JsonObject().put("channel", "chat"), java.time.Instant.now()));
    setItem(new InteractionId(UUID.fromString(stray)), "\u0000");

    RoutingReconciler.Round first = await(bed.routing.reconciler().run());
    assertThat(first.repairs()).as("a difference is repaired when the next round sees it again").isZero();
    RoutingReconciler.Round second = await(bed.routing.reconciler().run());
    assertThat(second.repairs()).as("repairs of the second round").isEqualTo(6);

    for (InteractionId id : new InteractionId[] {nul, huge, notAClassification, noItem, unlisted, fine}) {
      assertThat(readable(id)).as("item of %s rewritten from PostgreSQL", id).isTrue();
    }
    assertThat(await(bed.live.waitingIds())).containsOnlyKeys(nul.toString(), huge.toString(), notAClassification.toString(),
        noItem.toString(), unlisted.toString(), fine.toString());
    assertThat(await(bed.routing.reconciler().run())).as("nothing left to repair, nothing failing").isEqualTo(new RoutingReconciler.Round(0, 0, false));

    bed.availableAgent(6);
    assertThat(await(bed.routing.pass())).as("every interaction can be offered again").isEqualTo(6);
  }

  @Test
  void aRebuildRewritesAnUnreadableItem() {
    InteractionId garbled = bed.queuedChat();
    setItem(garbled, "{\"channel\":\"chat\",\u0000");

    assertThat(await(bed.routing.rebuild(true))).isTrue();

    assertThat(readable(garbled)).isTrue();
    bed.availableAgent(1);
    assertThat(await(bed.routing.pass())).isEqualTo(1);
  }
}
