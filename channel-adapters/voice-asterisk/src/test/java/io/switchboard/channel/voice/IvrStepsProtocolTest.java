package io.switchboard.channel.voice;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.testsupport.RealAsterisk;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IVR's own steps over FastAGI without an Asterisk (a test peer plays Asterisk's side): "press 1 to be called
 * back" while waiting, opening hours with the after-hours branch, "enter your customer number", and hang-ups at each
 * of those steps.
 */
class IvrStepsProtocolTest {
  @TempDir
  Path dir;
  Vertx vertx;
  FakeHub hub;
  AsteriskAdapter adapter;
  int port;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("ivr.yaml"), """
        entryPoints:
          - name: sales
            numbers: ["5550100"]
            menu: main
            callback: { key: "1", prompts: [custom/cb-offer], confirm: [custom/cb-confirm] }
          - name: billing-only
            numbers: ["5550101"]
            menu: main
            callback: { key: "1", prompts: [custom/cb-offer], confirm: [custom/cb-confirm], queues: [billing] }
          - name: general-only
            numbers: ["5550102"]
            menu: main
            callback: { key: "1", prompts: [custom/cb-offer], confirm: [custom/cb-confirm], queues: [general] }
          - name: members
            numbers: ["5550200"]
            menu: main
            customerNumber: { prompts: [custom/enter-number], minDigits: 3, maxDigits: 6, timeout: 2s, retries: 1, invalid: [custom/number-invalid] }
          - name: night
            numbers: ["5550300"]
            menu: main
            hours: closed-cal
            afterHours: { action: message, prompts: [custom/closed] }
          - name: night-callback
            numbers: ["5550301"]
            menu: main
            hours: closed-cal
            afterHours: { action: callback, prompts: [custom/closed-cb], key: "2", timeout: 2s, confirm: [custom/cb-confirm] }
          - name: night-hangup
            numbers: ["5550302"]
            menu: main
            hours: closed-cal
          - name: day
            numbers: ["5550303"]
            menu: main
            hours: support
            afterHours: { action: message, prompts: [custom/closed] }
        menus:
          main:
            prompts: [custom/menu]
            options:
              "9": { set: { ivr.topic: billing }, goto: queue }
        waiting: { announceEvery: 0 }
        """);
    port = RealAsterisk.freePort();
    vertx = Vertx.vertx();
    hub = new FakeHub(vertx, Map.of("agiPort", port, "agiBind", "127.0.0.1", "amiPort", RealAsterisk.freePort(),
        "ivrFile", dir.resolve("ivr.yaml").toString()));
    hub.calendars.put("closed-cal", false);
    adapter = new AsteriskAdapter();
    adapter.start(hub).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    adapter.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Asterisk's side of a call: {@code keys} says which key (or 'H' for a hang-up) a sound is answered with; each
   * WAIT FOR DIGIT takes the next of {@code digits} ('H' hangs up, '-' is no key), and hangs up when none are left.
   */
  static Function<String, String> caller(String linkedId, Map<String, Character> keys, String digits) {
    Deque<Character> pressed = new ArrayDeque<>();
    digits.chars().forEach(c -> pressed.add((char) c));
    return cmd -> {
      if (cmd.startsWith("GET FULL VARIABLE")) {
        return "200 result=1 (" + linkedId + ")";
      }
      if (cmd.startsWith("STREAM FILE")) {
        String sound = cmd.split("\"")[1];
        Character k = keys.get(sound);
        if (k == null) {
          return "200 result=0 endpos=1200";
        }
        return k == 'H' ? null : "200 result=" + (int) k + " endpos=1200";
      }
      if (cmd.startsWith("WAIT FOR DIGIT")) {
        Character k = pressed.poll();
        if (k == null || k == 'H') {
          return "511 Command Not Permitted on a dead channel or intercept routine";
        }
        return "200 result=" + (k == '-' ? 0 : (int) k);
      }
      return "200 result=0";
    };
  }

  FastAgiPeer call(String uniqueId, String callerId, String dnis, Map<String, Character> keys, String digits) throws Exception {
    return new FastAgiPeer().session(port, FastAgiPeer.env(uniqueId, callerId, dnis), caller(uniqueId, keys, digits));
  }

  static List<String> sounds(FastAgiPeer peer) {
    return peer.commands.stream().filter(c -> c.startsWith("STREAM FILE")).map(c -> c.split("\"")[1]).toList();
  }

  // ------------------------------------------------------------------ callback while waiting

  @Test
  void theCallbackKeyWhileWaitingEndsTheCallAndKeepsThePlaceAsACallback() throws Exception {
    var peer = call("1800.1", "+4930123456", "5550100", Map.of("custom/menu", '9'), "--1");
    assertThat(sounds(peer)).containsSubsequence("custom/menu", "custom/cb-offer", "custom/cb-confirm");
    assertThat(peer.commands).anyMatch(c -> c.startsWith("HANGUP"));
    FastAgiProtocolTest.await(() -> adapter.calls().isEmpty());
    assertThat(adapter.callbacks()).singleElement().satisfies(c -> {
      assertThat(c.state).isEqualTo(Call.State.CALLBACK);
      assertThat(c.callbackNumber).isEqualTo("+4930123456");
      assertThat(hub.changesOf(c.interaction)).singleElement().satisfies(a -> assertThat(a)
          .containsEntry("voice.callback", "requested").containsEntry("voice.callbackNumber", "+4930123456")
          .containsKey("voice.callbackRequestedAt"));
    });
    assertThat(hub.attributeUpdatesReasons()).singleElement().asString().endsWith("callback requested to +4930123456");
    assertThat(hub.left).as("a callback is not abandoned").isEmpty();
    assertThat(hub.contacts).hasSize(1);
  }

  @Test
  void theCallbackKeyPressedDuringTheOfferWorksToo() throws Exception {
    var peer = call("1801.1", "+4930123457", "5550100", Map.of("custom/menu", '9', "custom/cb-offer", '1'), "");
    assertThat(sounds(peer)).containsSubsequence("custom/cb-offer", "custom/cb-confirm");
    assertThat(adapter.callbacks()).hasSize(1);
    assertThat(hub.left).isEmpty();
  }

  @Test
  void aHangUpDuringTheCallbackOfferIsAnAbandonWithTheTimeWaited() throws Exception {
    call("1802.1", "+4930123458", "5550100", Map.of("custom/menu", '9', "custom/cb-offer", 'H'), "");
    FastAgiProtocolTest.await(() -> hub.left.size() == 1);
    assertThat(hub.left).singleElement().asString().contains("caller hung up after waiting");
    assertThat(adapter.callbacks()).isEmpty();
    assertThat(hub.attributeChanges).isEmpty();
    FastAgiProtocolTest.await(() -> adapter.calls().isEmpty());
  }

  @Test
  void aHangUpDuringTheCallbackConfirmationKeepsTheCallback() throws Exception {
    call("1803.1", "+4930123459", "5550100", Map.of("custom/menu", '9', "custom/cb-confirm", 'H'), "1");
    FastAgiProtocolTest.await(() -> adapter.calls().isEmpty());
    assertThat(adapter.callbacks()).hasSize(1);
    assertThat(hub.left).isEmpty();
  }

  @Test
  void aCallerWithoutAUsableNumberIsOfferedNoCallbackAndTheKeyDoesNothing() throws Exception {
    var peer = call("1804.1", "anonymous", "5550100", Map.of("custom/menu", '9'), "1-");
    assertThat(sounds(peer)).doesNotContain("custom/cb-offer", "custom/cb-confirm");
    assertThat(adapter.callbacks()).isEmpty();
    FastAgiProtocolTest.await(() -> hub.left.size() == 1);
    assertThat(hub.left).singleElement().asString().contains("caller hung up after waiting");
  }

  @Test
  void whenTheHubCannotRecordTheCallbackTheCallerKeepsWaiting() throws Exception {
    hub.failAttributes = true;
    // The key is pressed, the hub fails; the caller waits on (music again) and later hangs up: an ordinary abandon.
    var peer = call("1805.1", "+4930123456", "5550100", Map.of("custom/menu", '9'), "1--");
    assertThat(sounds(peer)).doesNotContain("custom/cb-confirm");
    assertThat(peer.commands.stream().filter(c -> c.startsWith("SET MUSIC ON"))).hasSizeGreaterThanOrEqualTo(2);
    assertThat(adapter.callbacks()).isEmpty();
    FastAgiProtocolTest.await(() -> hub.left.size() == 1);
    assertThat(hub.left).singleElement().asString().contains("caller hung up after waiting");
  }

  @Test
  void aCallbackOfferForOtherQueuesIsNotMadeAndItsKeyDoesNothing() throws Exception {
    // The hub has the call in queue "general"; this entry point offers callbacks in "billing" only.
    var peer = call("1806.1", "+4930123456", "5550101", Map.of("custom/menu", '9'), "1-");
    assertThat(sounds(peer)).doesNotContain("custom/cb-offer", "custom/cb-confirm");
    assertThat(adapter.callbacks()).isEmpty();
    FastAgiProtocolTest.await(() -> hub.left.size() == 1);
    // In its queue the offer is made.
    var other = call("1807.1", "+4930123457", "5550102", Map.of("custom/menu", '9'), "1");
    assertThat(sounds(other)).contains("custom/cb-offer", "custom/cb-confirm");
    assertThat(adapter.callbacks()).hasSize(1);
  }

  // ------------------------------------------------------------------ after hours

  @Test
  void afterHoursTheMessageIsPlayedAndTheCallHungUpWithoutAnInteraction() throws Exception {
    var peer = call("1810.1", "+4930123456", "5550300", Map.of(), "");
    assertThat(sounds(peer)).containsExactly("custom/closed");
    assertThat(peer.commands).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.contacts).isEmpty();
  }

  @Test
  void afterHoursTheCallbackKeyTakesTheCallInAsACallback() throws Exception {
    var peer = call("1811.1", "+4930123456", "5550301", Map.of("custom/closed-cb", '2'), "");
    assertThat(sounds(peer)).containsExactly("custom/closed-cb", "custom/cb-confirm");
    assertThat(peer.commands).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.contacts).singleElement().satisfies(c -> assertThat(c.metadata())
        .containsEntry("voice.callback", "requested").containsEntry("voice.callbackNumber", "+4930123456")
        .containsEntry("voice.afterHours", "true").containsEntry("voice.entryPoint", "night-callback"));
    FastAgiProtocolTest.await(() -> adapter.calls().isEmpty());
    assertThat(adapter.callbacks()).singleElement().satisfies(c -> assertThat(c.state).isEqualTo(Call.State.CALLBACK));
    assertThat(hub.left).isEmpty();
  }

  @Test
  void afterHoursWithoutTheKeyTheCallerIsHungUpWithoutAnInteraction() throws Exception {
    var peer = call("1812.1", "+4930123456", "5550301", Map.of(), "-");
    assertThat(sounds(peer)).containsExactly("custom/closed-cb");
    assertThat(peer.commands).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.contacts).isEmpty();
  }

  @Test
  void afterHoursACallerWithoutANumberHearsThatNoCallbackIsPossible() throws Exception {
    var peer = call("1813.1", "anonymous", "5550301", Map.of(), "");
    assertThat(sounds(peer)).containsExactly("unidentified-no-callback");
    assertThat(hub.contacts).isEmpty();
  }

  @Test
  void afterHoursHangUpIsTheDefault() throws Exception {
    var peer = call("1814.1", "+4930123456", "5550302", Map.of(), "");
    assertThat(sounds(peer)).isEmpty();
    assertThat(peer.commands).anyMatch(c -> c.startsWith("HANGUP"));
    assertThat(hub.contacts).isEmpty();
  }

  @Test
  void duringOpeningHoursTheMenuIsPlayed() throws Exception {
    var peer = call("1815.1", "+4930123456", "5550303", Map.of("custom/menu", '9'), "");
    assertThat(sounds(peer)).startsWith("custom/menu").doesNotContain("custom/closed");
    assertThat(hub.contacts).hasSize(1);
  }

  @Test
  void aCalendarThatRoutingNoLongerHasCountsAsOpen() throws Exception {
    hub.calendars.remove("closed-cal"); // routing.yaml was changed after the IVR was read
    var peer = call("1816.1", "+4930123456", "5550300", Map.of("custom/menu", '9'), "");
    assertThat(sounds(peer)).startsWith("custom/menu");
    assertThat(hub.contacts).hasSize(1);
  }

  @Test
  void aHangUpDuringTheAfterHoursOfferCreatesNothing() throws Exception {
    call("1817.1", "+4930123456", "5550301", Map.of("custom/closed-cb", 'H'), "");
    FastAgiProtocolTest.await(() -> adapter.calls().isEmpty());
    assertThat(hub.contacts).isEmpty();
    assertThat(adapter.callbacks()).isEmpty();
  }

  @Test
  void anEntryPointNamingACalendarRoutingDoesNotHaveStopsTheStartWithFileAndLine() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        entryPoints:
          - name: sales
            numbers: [default]
            menu: main
            hours: nights
        menus:
          main: { prompts: [beep] }
        """);
    var other = new AsteriskAdapter();
    var started = other.start(new FakeHub(vertx, Map.of("agiPort", RealAsterisk.freePort(), "ivrFile", bad.toString())));
    var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
        () -> started.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertThat(e.getCause().getMessage()).contains(bad + ":5: entryPoints[0].hours: names no calendar 'nights' of routing.yaml");
  }

  // ------------------------------------------------------------------ customer number

  @Test
  void aKnownCustomerNumberIdentifiesTheCallerThroughIntake() throws Exception {
    hub.customerNumbers.add("4711");
    var peer = call("1820.1", "+4930123456", "5550200", Map.of("custom/enter-number", '4', "custom/menu", '9'), "711#");
    assertThat(sounds(peer)).containsSubsequence("custom/enter-number", "custom/menu").doesNotContain("custom/number-invalid");
    assertThat(hub.lookups).containsExactly("customer-number:4711");
    InboundContact c = hub.contacts.getFirst();
    assertThat(c.sender().kind()).isEqualTo(IdentityKind.HANDLE);
    assertThat(c.sender().provider()).isEqualTo("customer-number");
    assertThat(c.sender().value()).isEqualTo("4711");
    assertThat(c.metadata()).containsEntry("voice.customerNumber", "4711").containsEntry("voice.customerNumberResult", "identified")
        .containsEntry("ivr.topic", "billing");
  }

  @Test
  void theNumberEndsAtItsMaximumLengthWithoutHash() throws Exception {
    hub.customerNumbers.add("123456");
    call("1821.1", "+4930123456", "5550200", Map.of("custom/menu", '9'), "123456");
    assertThat(hub.lookups).containsExactly("customer-number:123456");
    assertThat(hub.contacts.getFirst().metadata()).containsEntry("voice.customerNumber", "123456");
  }

  @Test
  void unknownOrMalformedNumbersAreRetriedThenTheCallGoesOnUnidentified() throws Exception {
    // First try: a number no customer has; second (last) try: too short. Then on to the menu.
    var peer = call("1822.1", "+4930123456", "5550200", Map.of("custom/menu", '9'), "999#12#");
    assertThat(sounds(peer)).containsSubsequence("custom/enter-number", "custom/number-invalid", "custom/enter-number", "custom/menu");
    assertThat(sounds(peer).stream().filter("custom/number-invalid"::equals)).hasSize(1);
    assertThat(hub.lookups).containsExactly("customer-number:999");
    InboundContact c = hub.contacts.getFirst();
    assertThat(c.sender().kind()).isEqualTo(IdentityKind.PHONE);
    assertThat(c.metadata()).containsEntry("voice.customerNumberResult", "unidentified").doesNotContainKey("voice.customerNumber");
  }

  @Test
  void starStartsTheNumberAgainAndNoDigitsAtAllIsAFailedTry() throws Exception {
    hub.customerNumbers.add("555");
    var peer = call("1823.1", "+4930123456", "5550200", Map.of("custom/menu", '9'), "-12*555#");
    assertThat(sounds(peer).stream().filter("custom/number-invalid"::equals)).hasSize(1);
    assertThat(hub.lookups).containsExactly("customer-number:555");
    assertThat(hub.contacts.getFirst().metadata()).containsEntry("voice.customerNumber", "555");
  }

  @Test
  void whenTheHubCannotLookTheNumberUpTheCallGoesOnUnidentifiedAtOnce() throws Exception {
    hub.failLookups = true;
    var peer = call("1825.1", "+4930123456", "5550200", Map.of("custom/menu", '9'), "4711#");
    assertThat(sounds(peer)).doesNotContain("custom/number-invalid");
    assertThat(hub.lookups).containsExactly("customer-number:4711");
    InboundContact c = hub.contacts.getFirst();
    assertThat(c.sender().kind()).isEqualTo(IdentityKind.PHONE);
    assertThat(c.metadata()).containsEntry("voice.customerNumberResult", "lookup-failed").doesNotContainKey("voice.customerNumber");
  }

  @Test
  void aHangUpDuringCustomerNumberEntryCreatesNothing() throws Exception {
    call("1824.1", "+4930123456", "5550200", Map.of("custom/enter-number", '4'), "7H");
    FastAgiProtocolTest.await(() -> adapter.calls().isEmpty());
    assertThat(hub.contacts).isEmpty();
    assertThat(hub.left).isEmpty();
    assertThat(hub.lookups).isEmpty();
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void controlCharactersInTheDialledNumberOrCallerIdAreNotTakenAsNumbers() throws Exception {
    var env = FastAgiPeer.env("1830.1", "+49301\u0000234", "5550\u0007100");
    env.put("agi_dnid", "5550\u0007100");
    var peer = new FastAgiPeer().session(port, env, caller("1830.1", Map.of(), ""));
    // No entry point for an unusable number (this IVR has no default): the caller is told and hung up.
    assertThat(sounds(peer)).containsExactly("ss-noservice");
    assertThat(hub.contacts).isEmpty();
    var env2 = FastAgiPeer.env("1831.1", "+49301\u0001234", "5550100");
    new FastAgiPeer().session(port, env2, caller("1831.1", Map.of("custom/menu", '9'), ""));
    assertThat(hub.contacts).singleElement().satisfies(c -> assertThat(c.sender().kind()).isEqualTo(IdentityKind.HANDLE));
  }

  @Test
  void aUniqueIdThatIsNoAsteriskIdIsRefused() throws Exception {
    var peer = new FastAgiPeer().session(port, FastAgiPeer.env("1832.1;DROP", "+4930123456", "5550100"), caller("x", Map.of(), ""));
    assertThat(peer.commands).anyMatch(c -> c.startsWith("HANGUP")).noneMatch(c -> c.startsWith("ANSWER"));
    assertThat(hub.contacts).isEmpty();
  }
}
