package io.switchboard.hub.app.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("an agent socket's frame assembly and frame rate limit, on their own")
class FrameAssemblyTest {
  private static Buffer b(String s) {
    return Buffer.buffer(s);
  }

  @Test
  @DisplayName("a text message in three frames comes out whole when the last frame arrives")
  void fragmentsShouldBeJoinedWhenTheLastFrameArrives() {
    FrameAssembly a = new FrameAssembly(100);
    assertThat(a.text(b("{\"type\""), false)).isInstanceOf(FrameAssembly.Outcome.Incomplete.class);
    assertThat(a.continuation(b(":\"pi"), false)).isInstanceOf(FrameAssembly.Outcome.Incomplete.class);
    assertThat(a.continuation(b("ng\"}"), true)).isEqualTo(new FrameAssembly.Outcome.Text("{\"type\":\"ping\"}"));
  }

  @Test
  @DisplayName("a message over the limit is reported once when it ends, and the next message is read normally")
  void oversizedMessageShouldBeReportedOnceAtItsEnd() {
    FrameAssembly a = new FrameAssembly(10);
    assertThat(a.text(b("0123456789ab"), false)).isInstanceOf(FrameAssembly.Outcome.Incomplete.class);
    assertThat(a.continuation(b("more"), false)).isInstanceOf(FrameAssembly.Outcome.Incomplete.class);
    assertThat(a.continuation(b("end"), true)).isInstanceOf(FrameAssembly.Outcome.TooLarge.class);
    assertThat(a.text(b("{}"), true)).isEqualTo(new FrameAssembly.Outcome.Text("{}"));
  }

  @Test
  @DisplayName("a binary message is reported once, at its last frame; its continuations never join a text message")
  void binaryMessageShouldBeReportedAtItsLastFrame() {
    FrameAssembly a = new FrameAssembly(100);
    assertThat(a.binary(false)).isInstanceOf(FrameAssembly.Outcome.Incomplete.class);
    assertThat(a.continuation(b("\u0000\u0001"), false)).isInstanceOf(FrameAssembly.Outcome.Incomplete.class);
    assertThat(a.continuation(b("x"), true)).isInstanceOf(FrameAssembly.Outcome.Binary.class);
    assertThat(a.continuation(b("stray"), true)).isInstanceOf(FrameAssembly.Outcome.Incomplete.class);
  }

  @Test
  @DisplayName("a new text frame drops an unfinished message; a continuation with nothing in progress is ignored")
  void newTextFrameShouldDropAnUnfinishedMessage() {
    FrameAssembly a = new FrameAssembly(100);
    assertThat(a.continuation(b("orphan"), true)).isInstanceOf(FrameAssembly.Outcome.Incomplete.class);
    a.text(b("{\"half\":"), false);
    assertThat(a.text(b("[1]"), true)).isEqualTo(new FrameAssembly.Outcome.Text("[1]"));
  }

  @Test
  @DisplayName("the rate limit lets a burst through, refuses the next frame, and refills with time")
  void rateLimitShouldAllowTheBurstThenRefill() {
    AtomicLong now = new AtomicLong();
    FrameRateLimit rate = new FrameRateLimit(10, 3, now::get);
    assertThat(rate.take()).isTrue();
    assertThat(rate.take()).isTrue();
    assertThat(rate.take()).isTrue();
    assertThat(rate.take()).isFalse();
    now.addAndGet(100_000_000L); // a tenth of a second at 10 per second: one frame
    assertThat(rate.take()).isTrue();
    assertThat(rate.take()).isFalse();
    now.addAndGet(60_000_000_000L); // never more than the burst
    assertThat(rate.take()).isTrue();
    assertThat(rate.take()).isTrue();
    assertThat(rate.take()).isTrue();
    assertThat(rate.take()).isFalse();
  }
}
