package io.switchboard.channel.voice;

import static io.switchboard.voice.testkit.AsteriskCalls.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.InteractionState;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.hub.api.spi.OpenInteraction;
import io.switchboard.hub.api.spi.CallAction;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.Recording;
import io.switchboard.voice.testkit.TestPhones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.asteriskjava.manager.action.MixMonitorAction;
import org.asteriskjava.manager.action.StopMixMonitorAction;
import org.asteriskjava.manager.event.ChanSpyStartEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each phone hears while a supervisor listens, whispers or barges, through a real Asterisk 22 (skipped where none
 * is installed). Caller, agent and supervisor are Local channels whose phones each say a steady tone of their own
 * ({@link TestPhones#saysTone}: caller {@value #CALLER_HZ} Hz, agent {@value #AGENT_HZ} Hz, supervisor
 * {@value #SUPERVISOR_HZ} Hz).
 * Once the supervisor's phone spies on the call, every phone records what it hears for a few seconds (AMI
 * {@code MixMonitor}, the read direction of the phone's own half of the Local channel), and the tones in each
 * recording are found with a Goertzel filter ({@link Recording}).
 */
class SupervisorAudioTest {
  static final int CALLER_HZ = 500;
  static final int AGENT_HZ = 1100;
  static final int SUPERVISOR_HZ = 1700;
  /** How much of what a phone hears is recorded. */
  static final double SECONDS = 3;
  /** A tone is heard in at least this share of the recording's windows, and not heard in at most {@link #ABSENT}. */
  static final double HEARD = 0.5;
  static final double ABSENT = 0.05;

  static final AgentId AGENT = AgentId.random();
  static final AgentId SUPERVISOR = AgentId.random();
  static final AtomicInteger callers = new AtomicInteger();
  /** The customers a callback dials: each answers and says the caller's tone. */
  static final String CUSTOMERS = "_+49301008XX";

  @RegisterExtension
  static final AdapterOnAsterisk voice = new AdapterOnAsterisk(PrivateAsterisk.with(TestPhones.context("audio-phones")
          .saysTone("caller", CALLER_HZ).saysTone("agent", AGENT_HZ).saysTone("supervisor", SUPERVISOR_HZ)
          .saysTone(CUSTOMERS, CALLER_HZ))
      .callerPrefix("audio-caller").ivr("""
          entryPoints:
            - { name: sales, numbers: ["5550100"], menu: main }
          menus:
            main:
              prompts: [beep]
              timeout: 10s
              options:
                "1": { goto: queue }
          waiting: { announceEvery: 0 }
          callbacks: { dial: "Local/{number}@audio-phones", attempts: 1, ringTimeout: 10s, agentPrompts: [beep] }
          """), Map.of("ringTimeout", "15s"))
      .phone(AGENT, "Local/agent@audio-phones/n").phone(SUPERVISOR, "Local/supervisor@audio-phones/n");

  @TempDir
  static Path dir;

  /** What the caller, the agent and the supervisor heard while the supervisor spied on their call in this mode. */
  record Heard(Recording caller, Recording agent, Recording supervisor) {}

  static Heard spyAndRecord(CallAction mode) throws Exception {
    String phone = voice.dial("5550100", "+49301000" + (700 + callers.incrementAndGet()), "audio-phones", "caller");
    Call call = voice.bridge(voice.queue(phone, "1"), AGENT, null);
    return spyAndRecord(mode, call, phone, phone);
  }

  /**
   * As {@link #spyAndRecord(CallAction)} for a callback that talks: the agent's phone is rung first, then its leg dials
   * the customer (who says the caller's tone), and the supervisor spies on the agent's leg of the callback.
   */
  static Heard spyOnCallbackAndRecord(CallAction mode) throws Exception {
    // A callback the hub has waiting (as after a caller pressed the callback key), taken on by reconciliation.
    InteractionId id = InteractionId.random();
    String number = "+49301008" + (10 + callers.incrementAndGet());
    voice.hub.open.add(new OpenInteraction(id, "1765000000." + callers.get(), InteractionState.QUEUED,
        Map.of("voice.callback", "requested", "voice.callbackNumber", number)));
    try {
      voice.adapter.reconcile();
    } finally {
      voice.hub.open.clear();
    }
    Call call = voice.adapter.callbacks().stream().filter(c -> id.equals(c.interaction)).findFirst().orElseThrow();
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Offered(id, AGENT));
    await("the agent's leg dialled the customer, who answered", () -> call.state == Call.State.CALLBACK_TALKING
        && call.customerChannel != null && call.customerLegId != null && call.agentChannel != null);
    await("the customer and the agent's leg share a bridge", () -> voice.calls.bridged(call.customerLegId));
    // The customer's phone is the ;2 half of the Local channel the agent's leg dialled (its ;1 half is in the bridge).
    String customerPhone = otherHalf(call.customerChannel);
    return spyAndRecord(mode, call, customerPhone, call.customerChannel);
  }

  /**
   * The supervisor spies on the call in {@code mode}; then every phone records what it hears. {@code callerPhone}: the
   * caller's (or a callback's customer's) own half; {@code hangUp}: the channel hung up at the end.
   */
  static Heard spyAndRecord(CallAction mode, Call call, String callerPhone, String hangUp) throws Exception {
    String agentLeg = call.agentChannel;
    voice.control(call, mode, SUPERVISOR);
    await(mode + ": the supervisor's phone spies on the agent's leg", () -> voice.calls.seen(ChanSpyStartEvent.class,
        c -> agentLeg.equals(c.getSpyeeChannel())));
    // Each phone's own half of its Local channel: what it reads is what the far end sends it, i.e. what it hears.
    Map<String, String> phones = new LinkedHashMap<>();
    phones.put("caller", callerPhone);
    phones.put("agent", otherHalf(agentLeg));
    String spyer = voice.calls.events().stream().filter(e -> e instanceof ChanSpyStartEvent c && agentLeg.equals(c.getSpyeeChannel()))
        .map(e -> ((ChanSpyStartEvent) e).getSpyerChannel()).findFirst().orElseThrow();
    phones.put("supervisor", otherHalf(spyer));
    Map<String, Path> heard = new LinkedHashMap<>();
    for (var p : phones.entrySet()) {
      Path file = dir.resolve(mode.name().toLowerCase() + "-" + p.getKey() + "-heard.wav");
      Path both = dir.resolve(mode.name().toLowerCase() + "-" + p.getKey() + ".wav");
      var r = voice.asterisk.real().ami().sendAction(new MixMonitorAction(p.getValue(), both.toString(), "r(" + file + ")"), 10_000);
      assertThat(r.getResponse()).as("MixMonitor on %s's phone %s: %s", p.getKey(), p.getValue(), r.getMessage()).isEqualTo("Success");
      heard.put(p.getKey(), file);
    }
    long bytes = 44 + (long) (SECONDS * 8_000 * 2);
    await("every phone recorded " + SECONDS + " s of what it hears", Duration.ofSeconds(90), () -> heard.values().stream()
        .allMatch(f -> f.toFile().length() >= bytes));
    for (String channel : phones.values()) {
      voice.asterisk.real().ami().sendAction(new StopMixMonitorAction(channel), 10_000);
    }
    voice.calls.hangUp(hangUp);
    await("the hub hears the call ended", () -> voice.left(call.interaction));
    Heard h = new Heard(Recording.read(heard.get("caller")), Recording.read(heard.get("agent")),
        Recording.read(heard.get("supervisor")));
    System.out.printf("%s%s (%.1f s each): caller hears %s; agent hears %s; supervisor hears %s%n", mode,
        call.callbackNumber != null && call.channel == null ? " on a callback" : "", h.caller().seconds(),
        tones(h.caller()), tones(h.agent()), tones(h.supervisor()));
    return h;
  }

  /** The other half of a Local channel: {@code Local/x@ctx-0000001a;2} for {@code ...;1}. */
  static String otherHalf(String localChannel) {
    assertThat(localChannel).matches("Local/.*;1");
    return localChannel.substring(0, localChannel.length() - 1) + "2";
  }

  static String tones(Recording r) {
    return "caller %.2f, agent %.2f, supervisor %.2f".formatted(r.presence(CALLER_HZ), r.presence(AGENT_HZ),
        r.presence(SUPERVISOR_HZ));
  }

  @Test
  void listeningTheSupervisorHearsCallerAndAgentAndNeitherHearsTheSupervisor() throws Exception {
    Heard h = spyAndRecord(CallAction.LISTEN);
    assertThat(h.supervisor().presence(CALLER_HZ)).as("the supervisor hears the caller").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(AGENT_HZ)).as("the supervisor hears the agent").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(AGENT_HZ)).as("the caller hears the agent").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.agent().presence(CALLER_HZ)).as("the agent hears the caller").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(SUPERVISOR_HZ)).as("the caller does not hear the supervisor").isLessThanOrEqualTo(ABSENT);
    assertThat(h.agent().presence(SUPERVISOR_HZ)).as("the agent does not hear the supervisor").isLessThanOrEqualTo(ABSENT);
  }

  @Test
  void whisperingTheAgentHearsTheSupervisorAndTheCallerDoesNot() throws Exception {
    Heard h = spyAndRecord(CallAction.WHISPER);
    assertThat(h.agent().presence(SUPERVISOR_HZ)).as("the agent hears the supervisor").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.agent().presence(CALLER_HZ)).as("the agent still hears the caller").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(SUPERVISOR_HZ)).as("the caller does not hear the supervisor").isLessThanOrEqualTo(ABSENT);
    assertThat(h.caller().presence(AGENT_HZ)).as("the caller still hears the agent").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(CALLER_HZ)).as("the supervisor hears the caller").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(AGENT_HZ)).as("the supervisor hears the agent").isGreaterThanOrEqualTo(HEARD);
  }

  @Test
  void bargingCallerAndAgentBothHearTheSupervisor() throws Exception {
    Heard h = spyAndRecord(CallAction.BARGE);
    assertThat(h.agent().presence(SUPERVISOR_HZ)).as("the agent hears the supervisor").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(SUPERVISOR_HZ)).as("the caller hears the supervisor").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(AGENT_HZ)).as("the caller still hears the agent").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.agent().presence(CALLER_HZ)).as("the agent still hears the caller").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(CALLER_HZ)).as("the supervisor hears the caller").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(AGENT_HZ)).as("the supervisor hears the agent").isGreaterThanOrEqualTo(HEARD);
  }

  @Test
  void listeningToATalkingCallbackTheSupervisorHearsCustomerAndAgentAndNeitherHearsTheSupervisor() throws Exception {
    Heard h = spyOnCallbackAndRecord(CallAction.LISTEN);
    assertThat(h.supervisor().presence(CALLER_HZ)).as("the supervisor hears the customer").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(AGENT_HZ)).as("the supervisor hears the agent").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(AGENT_HZ)).as("the customer hears the agent").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.agent().presence(CALLER_HZ)).as("the agent hears the customer").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(SUPERVISOR_HZ)).as("the customer does not hear the supervisor").isLessThanOrEqualTo(ABSENT);
    assertThat(h.agent().presence(SUPERVISOR_HZ)).as("the agent does not hear the supervisor").isLessThanOrEqualTo(ABSENT);
  }

  @Test
  void whisperingOnATalkingCallbackTheAgentHearsTheSupervisorAndTheCustomerDoesNot() throws Exception {
    Heard h = spyOnCallbackAndRecord(CallAction.WHISPER);
    assertThat(h.agent().presence(SUPERVISOR_HZ)).as("the agent hears the supervisor").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.agent().presence(CALLER_HZ)).as("the agent still hears the customer").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(SUPERVISOR_HZ)).as("the customer does not hear the supervisor").isLessThanOrEqualTo(ABSENT);
    assertThat(h.caller().presence(AGENT_HZ)).as("the customer still hears the agent").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(CALLER_HZ)).as("the supervisor hears the customer").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(AGENT_HZ)).as("the supervisor hears the agent").isGreaterThanOrEqualTo(HEARD);
  }

  @Test
  void bargingIntoATalkingCallbackCustomerAndAgentBothHearTheSupervisor() throws Exception {
    Heard h = spyOnCallbackAndRecord(CallAction.BARGE);
    assertThat(h.agent().presence(SUPERVISOR_HZ)).as("the agent hears the supervisor").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(SUPERVISOR_HZ)).as("the customer hears the supervisor").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.caller().presence(AGENT_HZ)).as("the customer still hears the agent").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.agent().presence(CALLER_HZ)).as("the agent still hears the customer").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(CALLER_HZ)).as("the supervisor hears the customer").isGreaterThanOrEqualTo(HEARD);
    assertThat(h.supervisor().presence(AGENT_HZ)).as("the supervisor hears the agent").isGreaterThanOrEqualTo(HEARD);
  }
}
