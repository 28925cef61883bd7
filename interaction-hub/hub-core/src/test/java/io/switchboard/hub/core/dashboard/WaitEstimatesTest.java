package io.switchboard.hub.core.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the customer's wait estimate follows the queue's live handling rate and staffing")
class WaitEstimatesTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static JsonObject tick(String queue, double ahtSeconds, int staffed, double concurrency) {
    return new JsonObject().put("queues", new JsonArray().add(new JsonObject().put("id", queue)
        .put("staffing", new JsonObject().put("ahtSeconds", ahtSeconds).put("staffed", staffed).put("concurrency", concurrency))));
  }

  @Test
  @DisplayName("number 3 behind two agents holding three chats each, 2-minute handle time: about a minute, not 26")
  void positionTimesHandleTimeOverTheSlotsServing() {
    WaitEstimates w = new WaitEstimates(vertx);
    w.take(tick("billing", 120, 2, 3));
    assertThat(w.estimate("billing", 3)).isEqualTo(Duration.ofSeconds(60));
    assertThat(w.estimate("billing", 1)).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  @DisplayName("no estimate for a queue nobody staffs, an unknown queue, or before the first dashboard tick")
  void noEstimateWithoutARate() {
    WaitEstimates w = new WaitEstimates(vertx);
    assertThat(w.estimate("billing", 1)).isNull();
    w.take(tick("billing", 120, 0, 3));
    assertThat(w.estimate("billing", 1)).isNull();
    assertThat(w.estimate("vip", 1)).isNull();
  }

  @Test
  @DisplayName("the figures come from this node's dashboard ticks on the event bus")
  void readsTheDashboardTicks() throws Exception {
    WaitEstimates w = new WaitEstimates(vertx);
    vertx.eventBus().publish(DashboardVerticle.TICK_ADDRESS, tick("general", 300, 1, 1));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (w.estimate("general", 2) == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(w.estimate("general", 2)).isEqualTo(Duration.ofMinutes(10));
    w.close();
  }
}
