package io.switchboard.channel.voice;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.voice.testkit.AsteriskCalls;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Not part of the build (no Test suffix): concurrent calls one node holds in the IVR and the queue, and the time from
 * an agent's answer to the bridge, against a real Asterisk on the same machine.
 *
 * <pre>./mvnw -o -pl channel-adapters/voice-asterisk test -Dtest=VoiceBenchmark -Dvoice.calls=200 -Dvoice.bridges=20</pre>
 */
class VoiceBenchmark {
  static final AgentId AGENT = AgentId.random();

  @RegisterExtension
  static final AdapterOnAsterisk voice = new AdapterOnAsterisk(PrivateAsterisk.with(TestPhones.context("test-phones")
          .answers("1001"))
      .callerPrefix("bench").ivr("""
          entryPoints:
            - { name: bench, numbers: [default], menu: main }
          menus:
            main:
              prompts: [beep]
              timeout: 10s
              options:
                "1": { goto: queue }
          waiting: { announceEvery: 30s }
          """), Map.of("pollInterval", "300ms"))
      .phone(AGENT, "Local/1001@test-phones/n");

  @Test
  void callsHeldAndAnswerToBridge() throws Exception {
    int calls = Integer.getInteger("voice.calls", 100);
    int bridges = Integer.getInteger("voice.bridges", 10);
    AsteriskAdapter adapter = voice.adapter;
    Map<String, Long> bridgedAt = new ConcurrentHashMap<>();
    voice.asterisk.real().ami().addEventListener(e -> {
      if (e instanceof BridgeEnterEvent b && b.getUniqueId() != null && b.getUniqueId().startsWith("bench-")) {
        bridgedAt.putIfAbsent(b.getUniqueId(), System.nanoTime());
      }
    });
    long t0 = System.nanoTime();
    List<String> phones = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      phones.add(voice.calls.dial("5550100", "+49301000" + String.format("%04d", i)));
    }
    awaitCount("calls in the IVR", () -> adapter.calls().values().stream().filter(c -> c.menu != null).count(), calls, 300);
    long inIvr = System.nanoTime();
    for (String phone : phones) {
      voice.calls.press(phone, "1");
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
      Call call = voice.callOf(phone);
      InteractionId id = call.interaction;
      int answeredBefore = voice.hub.answered.size();
      adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, AGENT));
      awaitCount("agent answered", () -> voice.hub.answered.size(), answeredBefore + 1, 60);
      long answered = System.nanoTime();
      awaitCount("bridged", () -> bridgedAt.containsKey(phone + "-2") ? 1 : 0, 1, 60);
      answerToBridgeMs.add((bridgedAt.get(phone + "-2") - answered) / 1_000_000);
      voice.calls.hangUp(phone);
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
      voice.calls.hangUp(phone);
    }
  }

  private static void awaitCount(String what, java.util.function.LongSupplier count, long target, int seconds)
      throws InterruptedException {
    AsteriskCalls.await(what + " (" + target + ")", Duration.ofSeconds(seconds), () -> count.getAsLong() >= target);
  }
}
