package io.switchboard.channel.voice;

import static io.switchboard.voice.testkit.AsteriskCalls.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.spi.InteractionLifecycleEvent;
import io.switchboard.voice.testkit.PrivateAsterisk;
import io.switchboard.voice.testkit.TestPhones;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The post-call survey through a real Asterisk 22 (skipped where none is installed): caller and agent are Local
 * channels (the caller's {@code ;1} half gets its keys by AMI {@code PlayDTMF}); after the agent's leg hangs up the
 * caller's session goes on, asks for a rating and hands the key to the hub's {@code Surveys}.
 */
class CallSurveyFlowTest {
  static final AgentId AGENT = AgentId.random();

  @RegisterExtension
  static final AdapterOnAsterisk voice = new AdapterOnAsterisk(PrivateAsterisk.with(TestPhones.context("test-phones")
          .answers("1001"))
      .callerPrefix("survey-caller").ivr("""
          entryPoints:
            - name: sales
              numbers: ["5550100"]
              menu: main
          menus:
            main:
              prompts: [beep]
              timeout: 3s
              options:
                "1": { set: { topic: billing }, goto: queue }
          waiting:
            announceEvery: 0
          survey:                       # the IVR file's own question: "press" then the digits 1 to 5 spoken (SayDigits)
            question: [beep, vm-press, {digits: "12345"}]
            timeout: 8s
          """), Map.of("ringTimeout", "10s"))
      .phone(AGENT, "Local/1001@test-phones/n");

  /** A caller bridged with the agent; returns the caller phone's uniqueid (the ;1 half). */
  static String talking(String callerId, boolean surveyed) throws Exception {
    String phone = voice.dial("5550100", callerId);
    Call call = voice.queue(phone, "1");
    if (surveyed) {
      voice.hub.surveyed.add(call.interaction);
    }
    voice.bridge(call, AGENT, null);
    return phone;
  }

  static void agentHangsUp(String phone) throws Exception {
    String leg = voice.callOf(phone).agentChannel;
    assertThat(leg).isNotNull();
    voice.calls.hangUp(leg);
  }

  @Test
  void afterTheAgentHangsUpTheCallerRatesTheCallOnceAndTheRatingReachesTheInteraction() throws Exception {
    String phone = talking("+4930111000", true);
    InteractionId id = voice.callOf(phone).interaction;
    agentHangsUp(phone);
    await("the hub hears the call ended", () -> voice.hub.left.contains(id + " call ended"));
    await("the caller is asked for a rating", () -> voice.hub.surveyInvites.contains(id + " voice"));
    // The agent wraps up meanwhile: the hub ends the interaction; the caller rating the call is not hung up.
    voice.adapter.onInteractionEvent(new InteractionLifecycleEvent.Ended(id, "agent wrapped up"));
    voice.calls.press(phone, "4");
    await("the rating is stored", () -> voice.hub.ratings.containsKey(id));
    voice.calls.pressNow(phone, "2"); // a second key during the thank-you
    await("the caller's phone is hung up after the thank-you", () -> voice.calls.hungUp(phone));
    assertThat(voice.hub.ratings).containsEntry(id, 4);
    assertThat(voice.hub.surveyAnswers).containsExactly(id + " 4");
    assertThat(voice.hub.surveyInvites).containsOnlyOnce(id + " voice");
  }

  @Test
  void aCallerWhoHangsUpDuringTheQuestionLeavesNoRatingAndTheCallEnds() throws Exception {
    String phone = talking("+4930222000", true);
    InteractionId id = voice.callOf(phone).interaction;
    agentHangsUp(phone);
    await("the caller is asked for a rating", () -> voice.hub.surveyInvites.contains(id + " voice"));
    voice.calls.hangUp(phone);
    await("the call is over", () -> voice.callOf(phone) == null || voice.callOf(phone).state == Call.State.ENDED);
    await("the caller's phone is gone", () -> voice.calls.hungUp(phone));
    assertThat(voice.hub.ratings).doesNotContainKey(id);
    assertThat(voice.hub.surveyAnswers).noneMatch(a -> a.startsWith(id + " "));
  }

  @Test
  void aCallerOfAQueueWithoutSurveyIsHungUpWhenTheAgentHangsUp() throws Exception {
    String phone = talking("+4930333000", false);
    InteractionId id = voice.callOf(phone).interaction;
    agentHangsUp(phone);
    await("the caller's phone is hung up", () -> voice.calls.hungUp(phone));
    assertThat(voice.hub.surveyInvites).containsExactly(id + " voice").hasSize(1);
    assertThat(voice.hub.surveyAnswers).noneMatch(a -> a.startsWith(id + " "));
  }
}
