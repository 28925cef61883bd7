package io.switchboard.channel.voice;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.action.HangupAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.action.PlayDtmfAction;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.junit.jupiter.api.Test;

/**
 * Not part of the build (no Test suffix): concurrent calls one node holds in the IVR and the queue, and the time from
 * an agent's answer to the bridge, against a real Asterisk on the same machine.
 *
 * <pre>./mvnw -o -pl channel-adapters/voice-asterisk test -Dtest=VoiceBenchmark -Dvoice.calls=200 -Dvoice.bridges=20</pre>
 */
class VoiceBenchmark {

  @Test
  void callsHeldAndAnswerToBridge() throws Exception {
    assumeTrue(RealAsterisk.home() != null, "no Asterisk installed");
    int calls = Integer.getInteger("voice.calls", 100);
    int bridges = Integer.getInteger("voice.bridges", 10);
    int agiPort = RealAsterisk.freePort();
    AgentId agent = AgentId.random();
    Map<String, Long> bridgedAt = new ConcurrentHashMap<>();
    try (RealAsterisk asterisk = RealAsterisk.start(RealAsterisk.sampleDialplan(agiPort) + """
        [test-phones]
        exten => 1001,1,Answer()
         same => n,Wait(600)
        """)) {
      asterisk.ami().addEventListener(e -> {
        if (e instanceof BridgeEnterEvent b && b.getUniqueId() != null && b.getUniqueId().startsWith("bench-")) {
          bridgedAt.putIfAbsent(b.getUniqueId(), System.nanoTime());
        }
      });
      Path ivr = Files.createTempFile("ivr-", ".yaml");
      Files.writeString(ivr, """
          entryPoints:
            - { name: bench, numbers: [default], menu: main }
          menus:
            main:
              prompts: [beep]
              timeout: 10s
              options:
                "1": { goto: queue }
          waiting: { announceEvery: 30s }
          """);
      Vertx vertx = Vertx.vertx();
      FakeHub hub = new FakeHub(vertx, Map.of("agiPort", agiPort, "agiBind", "127.0.0.1", "amiPort", asterisk.amiPort,
          "ivrFile", ivr.toString(), "pollInterval", "300ms"));
      hub.endpoints.put(agent, "Local/1001@test-phones/n");
      AsteriskAdapter adapter = new AsteriskAdapter();
      adapter.start(hub).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      while (!adapter.ami().connected()) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      long t0 = System.nanoTime();
      List<String> phones = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        String phone = "bench-" + i;
        OriginateAction o = new OriginateAction();
        o.setChannel("Local/5550100@switchboard-in/n");
        o.setApplication("Wait");
        o.setData("600");
        o.setCallerId("Bench <+49301000" + String.format("%04d", i) + ">");
        o.setAsync(true);
        o.setChannelId(phone);
        o.setOtherChannelId(phone + "-2");
        o.setTimeout(60_000L);
        asterisk.ami().sendAction(o, 10_000);
        phones.add(phone);
      }
      awaitCount("calls in the IVR", () -> adapter.calls().values().stream().filter(c -> c.menu != null).count(), calls, 300);
      long inIvr = System.nanoTime();
      for (String phone : phones) {
        asterisk.ami().sendAction(new PlayDtmfAction(phone, "1"), 10_000);
      }
      awaitCount("calls waiting in the queue", () -> adapter.calls().values().stream().filter(c -> c.state == Call.State.WAITING).count(), calls, 300);
      long queuedAll = System.nanoTime();
      Runtime rt = Runtime.getRuntime();
      System.gc();
      long heapMb = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
      int platformThreads = Thread.activeCount();

      // Answer-to-bridge: offer calls one by one to an agent whose phone answers at once.
      List<Long> answerToBridgeMs = new ArrayList<>();
      for (int i = 0; i < bridges; i++) {
        String phone = phones.get(i);
        Call call = adapter.calls().get(phone + "-2");
        InteractionId id = call.interaction;
        int answeredBefore = hub.answered.size();
        adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, agent));
        awaitCount("agent answered", () -> hub.answered.size(), answeredBefore + 1, 60);
        long answered = System.nanoTime();
        awaitCount("bridged", () -> bridgedAt.containsKey(phone + "-2") ? 1 : 0, 1, 60);
        answerToBridgeMs.add((bridgedAt.get(phone + "-2") - answered) / 1_000_000);
        asterisk.ami().sendAction(new HangupAction(phone), 10_000);
      }
      answerToBridgeMs.sort(Long::compare);
      System.out.printf("""
          VOICE BENCHMARK
            calls: %d (Local channels; adapter, FastAGI and Asterisk on this machine)
            all in the IVR after: %d ms; all waiting in the queue (music on hold) after pressing 1: %d ms
            heap used while holding them: %d MiB; live platform threads: %d (sessions run on virtual threads)
            answer-to-bridge over %d calls: median %d ms, max %d ms (poll interval 300 ms)
          """, calls, (inIvr - t0) / 1_000_000, (queuedAll - inIvr) / 1_000_000, heapMb, platformThreads,
          bridges, answerToBridgeMs.get(answerToBridgeMs.size() / 2), answerToBridgeMs.get(answerToBridgeMs.size() - 1));
      for (String phone : phones) {
        asterisk.ami().sendAction(new HangupAction(phone), 10_000);
      }
      adapter.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitCount(String what, java.util.function.LongSupplier count, long target, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (count.getAsLong() < target) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + ": " + count.getAsLong() + " of " + target);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
