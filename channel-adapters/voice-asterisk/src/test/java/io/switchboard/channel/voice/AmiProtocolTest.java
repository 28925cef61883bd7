package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.testsupport.RealAsterisk;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter's AMI client against a test peer speaking Asterisk's side of AMI over TCP: answers that come back in
 * another order than the actions were sent reach their own action, and a huge line from Asterisk neither hangs an
 * action nor leaves the client unusable.
 */
class AmiProtocolTest {
  @TempDir
  Path dir;

  final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
  AmiPeer peer;
  Vertx vertx;
  AsteriskAdapter adapter;

  AsteriskAdapter start(BiFunction<Map<String, String>, java.io.OutputStream, Boolean> script) throws Exception {
    peer = new AmiPeer(script);
    Path ivr = dir.resolve("ivr.yaml");
    Files.writeString(ivr, """
        entryPoints:
          - { name: main, numbers: [default], menu: main }
        menus:
          main:
            prompts: [beep]
        """);
    vertx = Vertx.vertx();
    FakeHub hub = new FakeHub(vertx, Map.of("agiPort", RealAsterisk.freePort(), "agiBind", "127.0.0.1", "amiPort", peer.port(),
        "ivrFile", ivr.toString(), "reconcileEvery", "0s"));
    adapter = new AsteriskAdapter();
    adapter.start(hub).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    await("AMI connected", () -> adapter.ami().connected());
    return adapter;
  }

  @AfterEach
  void stop() throws Exception {
    if (adapter != null) {
      adapter.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (peer != null) {
      peer.close();
    }
    threads.shutdownNow();
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  @Test
  void answersOutOfOrderReachTheActionTheyAnswer() throws Exception {
    CountDownLatch bothAsked = new CountDownLatch(2);
    Map<String, String>[] first = new Map[1];
    start((a, out) -> {
      if (!"hangup".equalsIgnoreCase(a.get("action"))) {
        return false;
      }
      bothAsked.countDown();
      if ("first".equals(a.get("channel"))) {
        first[0] = a; // answered after the second one
        return true;
      }
      // The second action is answered first, with an error; then the first, with success.
      AmiPeer.write(out, "Response: Error\r\nActionID: " + a.get("actionid") + "\r\nMessage: No such channel\r\n\r\n");
      AmiPeer.write(out, "Response: Success\r\nActionID: " + first[0].get("actionid") + "\r\nMessage: Channel Hungup\r\n\r\n");
      return true;
    });
    CompletableFuture<Boolean> one = CompletableFuture.supplyAsync(() -> adapter.ami().hangup("first"), threads);
    await("the first action reached the peer", () -> first[0] != null);
    CompletableFuture<Boolean> two = CompletableFuture.supplyAsync(() -> adapter.ami().hangup("second"), threads);
    assertThat(two.get(10, TimeUnit.SECONDS)).as("the second action got its own answer (an error)").isFalse();
    assertThat(one.get(10, TimeUnit.SECONDS)).as("the first action got its own answer (success)").isTrue();
  }

  @Test
  void aHugeLineFromAsteriskHangsNoActionAndTheClientStaysUsable() throws Exception {
    String huge = "x".repeat(2 * 1024 * 1024);
    start((a, out) -> {
      if ("big".equals(a.get("channel"))) {
        AmiPeer.write(out, "Event: Noise\r\nJunk: " + huge + "\r\n\r\n");
        AmiPeer.write(out, "Response: Success\r\nActionID: " + a.get("actionid") + "\r\n\r\n");
        return true;
      }
      return false;
    });
    long asked = System.nanoTime();
    CompletableFuture<Boolean> big = CompletableFuture.supplyAsync(() -> adapter.ami().hangup("big"), threads);
    big.get(20, TimeUnit.SECONDS); // answered or refused, but never hanging
    System.out.printf("action behind a 2 MiB line answered in %d ms%n", (System.nanoTime() - asked) / 1_000_000);
    await("the client is connected again (or still)", () -> adapter.ami().connected());
    assertThat(adapter.ami().hangup("after")).as("a later action works").isTrue();
  }
}
