package io.switchboard.hub.core.routing;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.newMobile;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.event.HubEvents;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12: queueing new interactions and matching passes run on contexts of their own ({@link QueueIntakeVerticle} and
 * {@link RoutingVerticle}), so a burst of new contacts does not hold up the pass that offers waiting work, nor a pass
 * the queueing. Queueing is held up for real here: routing's clock makes any reading made while queueing (with {@link
 * QueueIntake} on the stack) wait at a gate the test opens, which holds whatever thread queues.
 */
@DisplayName("queueing and matching run on contexts of their own")
class QueueingContextTest {
  /** The system clock, except that a reading made while queueing waits while the gate is closed. */
  static final class GatedClock extends Clock {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);
    volatile boolean closed;

    @Override
    public Instant instant() {
      if (closed && open.getCount() > 0 && StackWalker.getInstance()
          .walk(frames -> frames.anyMatch(f -> f.getClassName().equals(QueueIntake.class.getName())))) {
        entered.countDown();
        try {
          open.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Instant.now();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private final GatedClock clock = new GatedClock();
  private RoutingTestBed bed;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    bed = RoutingTestBed.start(dir, RoutingTestBed.ONE_QUEUE, clock);
  }

  @AfterEach
  void stop() {
    clock.open.countDown();
    if (bed != null) {
      bed.close();
    }
  }

  @Test
  void aPassOffersWaitingWorkWhileQueueingANewContactIsHeldUp() throws Exception {
    InteractionId waiting = bed.queuedChat();
    LinkedBlockingQueue<JsonObject> offers = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<JsonObject> queued = new LinkedBlockingQueue<>();
    await(bed.f.vertx.eventBus().<JsonObject>consumer(HubEvents.OFFER_CREATED, m -> offers.add(m.body())).completion());
    await(bed.f.vertx.eventBus().<JsonObject>consumer(HubEvents.INTERACTION_QUEUED, m -> queued.add(m.body())).completion());
    // Passes come from events only (the tick, the reconciler and the rules poll an hour away).
    Duration hour = Duration.ofHours(1);
    await(bed.f.vertx.deployVerticle(new RoutingVerticle(bed.routing, hour, hour, hour), RoutingVerticle.deploymentOptions()));

    // A new contact arrives; its queueing is held up at the gate.
    clock.closed = true;
    var fresh = await(bed.f.intake.accept(new InboundContact(Channel.CHAT, "chat-" + UUID.randomUUID(),
        SenderAddress.phone(newMobile()), "Held Customer", "t-" + UUID.randomUUID(), List.of(), null,
        new MessageContent.Text("hello"), Map.of("language", "en"), Instant.now())));
    assertThat(clock.entered.await(20, TimeUnit.SECONDS)).as("queueing the new contact reached the gate").isTrue();

    // An agent becomes available: the pass it asks for offers the interaction that was already waiting.
    bed.availableAgent(1);
    JsonObject offer = offers.poll(20, TimeUnit.SECONDS);
    assertThat(offer).as("an offer made while queueing is held up").isNotNull();
    assertThat(offer.getString("interactionId")).isEqualTo(waiting.toString());
    assertThat(queued.stream().map(q -> q.getString("interactionId"))).doesNotContain(fresh.interactionId().toString());

    // Queueing goes on once the gate opens; a second agent takes the new contact.
    clock.open.countDown();
    JsonObject q = queued.poll(20, TimeUnit.SECONDS);
    assertThat(q).isNotNull();
    assertThat(q.getString("interactionId")).isEqualTo(fresh.interactionId().toString());
    bed.availableAgent(1);
    JsonObject second = offers.poll(20, TimeUnit.SECONDS);
    assertThat(second).as("the new contact offered once queued").isNotNull();
    assertThat(second.getString("interactionId")).isEqualTo(fresh.interactionId().toString());
  }
}
