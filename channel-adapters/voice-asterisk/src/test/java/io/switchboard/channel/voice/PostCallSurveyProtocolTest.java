package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The post-call survey step over FastAGI without an Asterisk (a test peer plays the caller's channel after the agent
 * hung up): one valid key stored exactly once, a wrong key or none retried once, hang-ups, a survey answered before,
 * a queue that asks nothing.
 */
class PostCallSurveyProtocolTest {
  Vertx vertx;
  FakeHub hub;
  VirtualThreadAgiServer server;
  Thread serverThread;
  int port;
  final InteractionId id = InteractionId.random();
  final LinkedBlockingQueue<Integer> results = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    port = RealAsterisk.freePort();
    vertx = Vertx.vertx();
    hub = new FakeHub(vertx, Map.of("agiPort", port, "amiPort", RealAsterisk.freePort()));
    hub.surveyed.add(id);
    server = new VirtualThreadAgiServer((request, channel) ->
        (req, ch) -> results.add((custom == null ? new PostCallSurvey(hub.surveys(), Duration.ofSeconds(1))
            : new PostCallSurvey(hub.surveys(), custom)).run(id, ch)));
    server.setPort(port);
    server.setAddress(InetAddress.getByName("127.0.0.1"));
    serverThread = Thread.ofPlatform().daemon().start(() -> {
      try {
        server.startup();
      } catch (Exception e) {
        // stopped
      }
    });
    assertThat(server.bound.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdown();
    serverThread.join(10_000);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * The caller's channel: STREAM FILE of {@code during} is interrupted by {@code duringKey} ('H' hangs up); each WAIT
   * FOR DIGIT takes the next of {@code digits} ('-' no key, 'H' hang-up; none left: hang-up).
   */
  static Function<String, String> caller(String during, char duringKey, String digits, Runnable onWait) {
    Deque<Character> pressed = new ArrayDeque<>();
    digits.chars().forEach(c -> pressed.add((char) c));
    return cmd -> {
      if (cmd.startsWith("STREAM FILE")) {
        String sound = cmd.split("\"")[1];
        if (sound.equals(during)) {
          return duringKey == 'H' ? null : "200 result=" + (int) duringKey + " endpos=800";
        }
        return "200 result=0 endpos=1200";
      }
      if (cmd.startsWith("WAIT FOR DIGIT")) {
        onWait.run();
        Character k = pressed.poll();
        if (k == null || k == 'H') {
          return "511 Command Not Permitted on a dead channel or intercept routine";
        }
        return "200 result=" + (k == '-' ? 0 : (int) k);
      }
      if (cmd.startsWith("CHANNEL STATUS")) {
        return "200 result=6";
      }
      return "200 result=0";
    };
  }

  FastAgiPeer session(Function<String, String> answer) throws Exception {
    return new FastAgiPeer().session(port, FastAgiPeer.env("1733480000.42", "+4930123456", "5550100"), answer);
  }

  int result() throws InterruptedException {
    Integer r = results.poll(20, TimeUnit.SECONDS);
    assertThat(r).as("the survey step returned").isNotNull();
    return r;
  }

  static List<String> sounds(FastAgiPeer peer) {
    return IvrStepsProtocolTest.sounds(peer);
  }

  static long waits(FastAgiPeer peer) {
    return peer.commands.stream().filter(c -> c.startsWith("WAIT FOR DIGIT")).count();
  }

  /** The IVR file's survey section, when a test sets one. */
  volatile Ivr.Survey custom;

  @Test
  void theIvrFilesPromptsAndTimeoutAreUsed() throws Exception {
    custom = IvrParser.parse("ivr.yaml", """
        entryPoints: [{ name: any, numbers: [default], menu: main }]
        menus: { main: { prompts: [beep] } }
        waiting: { announceEvery: 0 }
        survey:
          question: [custom/rate-us, {digits: "15"}]
          timeout: 3s
          invalid: [custom/try-again]
          thanks: [custom/thanks]
          goodbye: [custom/bye]
        """).survey();
    FastAgiPeer peer = session(caller("", ' ', "-3", () -> { }));
    assertThat(result()).isEqualTo(3);
    assertThat(hub.ratings).containsExactly(Map.entry(id, 3));
    assertThat(sounds(peer)).containsExactly("custom/rate-us", "custom/try-again", "custom/rate-us", "custom/thanks");
    assertThat(peer.commands).anyMatch(c -> c.startsWith("SAY DIGITS \"15\""));
    assertThat(peer.commands).filteredOn(c -> c.startsWith("WAIT FOR DIGIT")).allMatch(c -> c.equals("WAIT FOR DIGIT 3000"));

    results.clear();
    hub.ratings.clear();
    hub.surveyAnswers.clear();
    FastAgiPeer twoMisses = session(caller("", ' ', "-9", () -> { }));
    assertThat(result()).isZero();
    assertThat(sounds(twoMisses)).endsWith("custom/try-again", "custom/rate-us", "custom/bye");
  }

  @Test
  void aValidKeyIsStoredOnceAndASecondKeyIsNotEvenRead() throws Exception {
    FastAgiPeer peer = session(caller("", ' ', "45", () -> { }));
    assertThat(result()).isEqualTo(4);
    assertThat(hub.surveyInvites).containsExactly(id + " voice");
    assertThat(hub.surveyAnswers).containsExactly(id + " 4");
    assertThat(hub.ratings).containsExactly(Map.entry(id, 4));
    assertThat(sounds(peer)).containsExactlyElementsOf(
        java.util.stream.Stream.concat(PostCallSurvey.QUESTION.stream(), PostCallSurvey.THANKS.stream()).toList());
    assertThat(waits(peer)).as("no key read after the first valid one").isEqualTo(1);
    // The question is interruptible by any key; the thank-you by none.
    assertThat(peer.commands.stream().filter(c -> c.contains("auth-thankyou")).findFirst().orElseThrow()).contains("\"auth-thankyou\" \"\"");
  }

  @Test
  void aKeyPressedDuringTheQuestionIsTheRating() throws Exception {
    FastAgiPeer peer = session(caller("vm-press", '2', "", () -> { }));
    assertThat(result()).isEqualTo(2);
    assertThat(hub.ratings).containsExactly(Map.entry(id, 2));
    assertThat(waits(peer)).isZero();
    assertThat(sounds(peer)).doesNotContain("digits/1").contains("auth-thankyou");
  }

  @Test
  void aWrongKeyIsAskedAgainOnceAndTheSecondValidKeyIsStored() throws Exception {
    FastAgiPeer peer = session(caller("", ' ', "93", () -> { }));
    assertThat(result()).isEqualTo(3);
    assertThat(hub.surveyAnswers).containsExactly(id + " 3");
    assertThat(sounds(peer)).containsSubsequence("digits/5", "pm-invalid-option", "beep", "digits/5", "auth-thankyou");
  }

  @Test
  void twoWrongKeysOrNoKeyStoreNothing() throws Exception {
    for (String keys : List.of("7#", "--", "0*", "6-")) {
      results.clear();
      FastAgiPeer peer = session(caller("", ' ', keys, () -> { }));
      assertThat(result()).as(keys).isZero();
      assertThat(sounds(peer)).as(keys).containsOnlyOnce("pm-invalid-option").endsWith("vm-goodbye").doesNotContain("auth-thankyou");
      assertThat(waits(peer)).as(keys).isEqualTo(2);
    }
    assertThat(hub.surveyAnswers).isEmpty();
    assertThat(hub.ratings).isEmpty();
  }

  @Test
  void aCallerHangingUpStoresNothingAndRaisesNothing() throws Exception {
    session(caller("beep", 'H', "", () -> { }));
    assertThat(result()).isZero();
    session(caller("", ' ', "H", () -> { }));
    assertThat(result()).isZero();
    session(caller("", ' ', "9H", () -> { }));
    assertThat(result()).isZero();
    assertThat(hub.surveyAnswers).isEmpty();
    assertThat(hub.ratings).isEmpty();
  }

  @Test
  void aCallerWhoHungUpBeforeTheSurveyOpensNone() throws Exception {
    FastAgiPeer peer = session(cmd -> cmd.startsWith("CHANNEL STATUS")
        ? "511 Command Not Permitted on a dead channel or intercept routine" : "200 result=0");
    assertThat(result()).isZero();
    assertThat(hub.surveyInvites).isEmpty();
    assertThat(sounds(peer)).isEmpty();
  }

  @Test
  void aSurveyAnsweredBeforeIsNotAskedAgainAndADifferentLateAnswerIsRefused() throws Exception {
    session(caller("", ' ', "5", () -> { }));
    assertThat(result()).isEqualTo(5);
    // The same call again (a duplicate session): the hub has the answer, nothing is asked.
    FastAgiPeer again = session(caller("", ' ', "1", () -> { }));
    assertThat(result()).isZero();
    assertThat(sounds(again)).isEmpty();
    assertThat(hub.ratings).containsExactly(Map.entry(id, 5));

    // Answered elsewhere while this caller was being asked: the key is refused by the hub, the first answer stays.
    hub.ratings.remove(id);
    FastAgiPeer raced = session(caller("", ' ', "2", () -> hub.ratings.put(id, 4)));
    assertThat(result()).isZero();
    assertThat(hub.ratings).containsEntry(id, 4);
    assertThat(sounds(raced)).endsWith("vm-goodbye").doesNotContain("auth-thankyou");
  }

  @Test
  void aQueueThatAsksNothingHearsNothing() throws Exception {
    hub.surveyed.clear();
    FastAgiPeer peer = session(caller("", ' ', "4", () -> { }));
    assertThat(result()).isZero();
    assertThat(hub.surveyInvites).containsExactly(id + " voice");
    assertThat(sounds(peer)).isEmpty();
    assertThat(hub.surveyAnswers).isEmpty();
  }
}
