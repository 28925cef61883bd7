package io.switchboard.channel.social;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.channel.testkit.ChannelAdapterContract;
import io.switchboard.channel.testkit.FakeProvider;
import io.switchboard.channel.testkit.InMemoryChannelContext;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every social adapter does, run against each of them over real HTTP: webhooks are authenticated
 * before anything is stored, malformed ones store nothing, re-deliveries dedupe, a store outage makes the
 * provider deliver again, replies reach the provider and its failures are classified for the outbox. Each
 * also runs the contract of every channel adapter (the channel test kit's {@link ChannelAdapterContract}).
 */
interface SocialAdapterContract extends ChannelAdapterContract {

  /** The running adapter, with all its secrets set. */
  Harness harness();

  @Override
  SocialAdapter newAdapter();

  Map<String, String> secrets();

  @Override
  default Map<String, String> startSecrets() {
    return secrets();
  }

  /** The adapter's settings besides the API base URL. */
  default Map<String, Object> settings() {
    return Map.of();
  }

  /** Headers that authenticate {@code body} as the provider's. */
  Map<String, String> authenticated(byte[] body);

  /** Headers that look right but are not the provider's. */
  Map<String, String> forged(byte[] body);

  /** Fixture folder under fixtures/ (the adapter's name). */
  default String fixtures() {
    return newAdapter().name();
  }

  /** The customer's id on this provider as the text fixture has it. */
  String customerId();

  /** The thread key of the text fixture's conversation. */
  String threadKey();

  /** The provider's error for an invalid recipient (status 400). */
  JsonObject invalidRecipient();

  /** Checks the provider call a reply made. */
  void assertReplyCall(FakeProvider.Call call, OutboundMessage reply);

  default OutboundMessage reply(String text) {
    return new OutboundMessage(MessageId.random(), InteractionId.random(), Harness.CONVERSATION,
        SenderAddress.handle(newAdapter().name(), customerId()), threadKey(), List.of(), null, new MessageContent.Text(text));
  }

  default Harness.Response deliver(String fixture) {
    byte[] body = Harness.fixture(fixtures() + "/" + fixture);
    return harness().post(authenticated(body), body);
  }

  @Test
  default void aSignedTextMessageIsStoredAsOneContactOfItsThread() {
    Harness.Response r = deliver("text.json");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getInteger("stored")).isEqualTo(1);
    assertThat(harness().context.contacts()).hasSize(1);
    InboundContact c = harness().context.contacts().getFirst();
    assertThat(c.channel()).isEqualTo(Channel.SOCIAL);
    assertThat(c.sender().kind()).isEqualTo(IdentityKind.HANDLE);
    assertThat(c.sender().provider()).isEqualTo(newAdapter().name());
    assertThat(c.sender().value()).isEqualTo(customerId());
    assertThat(c.threadKey()).isEqualTo(threadKey());
    assertThat(c.content()).isInstanceOf(MessageContent.Text.class);
    assertThat(c.metadata()).containsEntry("social.provider", newAdapter().name());
  }

  @Test
  default void anUnsignedDeliveryIsRefusedWith401AndNothingIsStored() {
    Harness.Response r = harness().post(Map.of(), Harness.fixture(fixtures() + "/text.json"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(harness().context.contacts()).isEmpty();
  }

  @Test
  default void aWronglySignedDeliveryIsRefusedWith401AndNothingIsStored() {
    byte[] body = Harness.fixture(fixtures() + "/text.json");
    Harness.Response r = harness().post(forged(body), body);
    assertThat(r.status()).isEqualTo(401);
    assertThat(harness().context.contacts()).isEmpty();
  }

  @Test
  default void malformedJsonIsRefusedWith400AndNothingIsStored() {
    Harness.Response r = deliver("malformed.json");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("type")).isEqualTo("urn:switchboard:problem:malformed-payload");
    assertThat(harness().context.contacts()).isEmpty();
  }

  /** How many messages of {@code wrong-shape.json} are well formed (the others lack a required field). */
  default int wellFormedInWrongShape() {
    return 1;
  }

  @Test
  default void aMessageOfTheWrongShapeIsSetAsideForSupervisorsAndTheRestOfTheDeliveryIsStored() {
    Harness.Response r = deliver("wrong-shape.json");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getInteger("stored")).isEqualTo(wellFormedInWrongShape());
    assertThat(r.json().getInteger("quarantined")).isEqualTo(1);
    assertThat(harness().context.contacts()).hasSize(wellFormedInWrongShape());
    assertThat(harness().context.quarantined()).singleElement().satisfies(q -> {
      assertThat(q.reason()).startsWith("malformed: ").contains("is required");
      assertThat(q.mediaType()).isEqualTo("application/json");
      assertThat(q.raw().length()).isPositive();
    });
    // Delivered again: set aside once.
    assertThat(deliver("wrong-shape.json").status()).isEqualTo(200);
    assertThat(harness().context.quarantined()).hasSize(1);
  }

  @Test
  default void aDeliveryThatIsNoJsonObjectIsRefusedWith400AndNothingOfItIsStored() {
    for (String notAnObject : List.of("[1, 2]", "null", "\"text\"", "")) {
      byte[] b = notAnObject.getBytes(StandardCharsets.UTF_8);
      assertThat(harness().post(authenticated(b), b).status()).as(notAnObject).isEqualTo(400);
    }
  }

  @Test
  default void theSameMessageDeliveredTwiceIsStoredOnce() {
    assertThat(deliver("text.json").status()).isEqualTo(200);
    Harness.Response again = deliver("text.json");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getInteger("duplicates")).isEqualTo(1);
    assertThat(harness().context.contacts()).hasSize(1);
  }

  @Test
  default void aDeliveryTheHubCannotStoreIsAnswered500AndStoredWhenDeliveredAgain() {
    String id = TextIds.of(fixtures());
    harness().context.failOnceFor(id);
    Harness.Response failed = deliver("text.json");
    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.json().getString("type")).isEqualTo("urn:switchboard:problem:store-unavailable");
    assertThat(harness().context.contacts()).isEmpty();
    assertThat(deliver("text.json").status()).isEqualTo(200);
    assertThat(harness().context.contacts()).extracting(InboundContact::externalId).containsExactly(id);
  }

  @Test
  default void aMessageTheHubRefusesIsSetAsideForSupervisorsAndAcknowledgedSoTheProviderDoesNotDeliverItForever() {
    harness().context.refuse(TextIds.of(fixtures()));
    Harness.Response r = deliver("text.json");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("refused")).isEqualTo(1);
    assertThat(r.json().getInteger("quarantined")).isEqualTo(1);
    assertThat(harness().context.contacts()).isEmpty();
    assertThat(harness().context.quarantined()).singleElement()
        .satisfies(q -> assertThat(q.reason()).startsWith("refused by the hub: "));
  }

  @Test
  default void withoutItsSecretsTheAdapterStartsAnswers503AndRepliesNameTheMissingVariable() {
    try (Harness bare = new Harness(newAdapter(), Map.of(), settings())) {
      byte[] body = Harness.fixture(fixtures() + "/text.json");
      Harness.Response r = bare.post(authenticated(body), body);
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.json().getString("detail")).contains("SWITCHBOARD_" + newAdapter().name().toUpperCase());
      assertThat(bare.context.contacts()).isEmpty();
      DeliveryResult result = bare.send(reply("hello"));
      assertThat(result).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
        assertThat(f.retryable()).isFalse();
        assertThat(f.reason()).contains("SWITCHBOARD_" + newAdapter().name().toUpperCase());
      });
      assertThat(bare.provider.calls()).isEmpty();
    }
  }

  @Test
  default void aReplyReachesTheProviderAndIsKnownByTheProvidersId() {
    OutboundMessage reply = reply("Ihre Sendung ist unterwegs.");
    DeliveryResult result = harness().send(reply);
    assertThat(result).isInstanceOf(DeliveryResult.Delivered.class);
    assertThat(((DeliveryResult.Delivered) result).providerMessageId()).isNotBlank();
    assertReplyCall(harness().provider.awaitCall(), reply);
  }

  @Test
  default void anInvalidRecipientIsAFinalFailureWithTheProvidersReason() {
    harness().provider.answerNext(400, invalidRecipient());
    DeliveryResult result = harness().send(reply("hello"));
    assertThat(result).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
      assertThat(f.retryable()).isFalse();
      assertThat(f.reason()).contains("400");
    });
  }

  @Test
  default void aProviderServerErrorIsRetryable() {
    harness().provider.answerNext(500, new JsonObject().put("error", new JsonObject().put("message", "internal")));
    assertThat(harness().send(reply("hello"))).isInstanceOfSatisfying(DeliveryResult.Failed.class,
        f -> assertThat(f.retryable()).isTrue());
  }

  @Test
  default void rateLimitingIsRetryable() {
    harness().provider.answerNext(429, newAdapter().name().equals("telegram")
        ? SocialProviders.telegramError(429, "Too Many Requests: retry after 3")
        : SocialProviders.graphError(4, "(#4) Application request limit reached", null, null));
    assertThat(harness().send(reply("hello"))).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.reason()).contains("429");
    });
  }

  @Test
  default void aRateLimitAnswerTellsTheHubHowLongToWaitBeforeTryingThatMessageAgain() {
    if (newAdapter().name().equals("telegram")) {
      harness().provider.answerNext(429, SocialProviders.telegramError(429, "Too Many Requests: retry after 37")
          .put("parameters", new io.vertx.core.json.JsonObject().put("retry_after", 37)));
    } else {
      harness().provider.answerNextWithHeader(429, SocialProviders.graphError(4, "(#4) Application request limit reached", null, null),
          "Retry-After", "37");
    }
    assertThat(harness().send(reply("hello"))).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.retryAfter()).isEqualTo(java.time.Duration.ofSeconds(37));
    });
  }

  @Test
  default void anUnreachableProviderIsRetryable() {
    try (Harness h = new Harness(newAdapter(), secrets(), with(settings(), "apiBaseUrl", "http://127.0.0.1:1"))) {
      assertThat(h.send(reply("hello"))).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
        assertThat(f.retryable()).isTrue();
        assertThat(f.reason()).doesNotContain(secrets().values().toArray(String[]::new));
      });
    }
  }

  @Test
  default void repliesInARowAllCompleteWhicheverThreadOrContextSendsThem() {
    // The hub calls send on its Vert.x context, a test on its own thread; consecutive replies share the
    // adapter's pooled connection to the provider whoever sends them, and the provider may answer before the
    // sending thread has finished setting up the call: the answer must still be read.
    Harness h = harness();
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      OutboundMessage m = reply("reply " + i);
      DeliveryResult result;
      if (i % 2 == 0) {
        result = h.send(m);
      } else {
        io.vertx.core.Promise<DeliveryResult> p = io.vertx.core.Promise.promise();
        h.vertx.getOrCreateContext().runOnContext(v -> h.adapter.send(m).onComplete(p));
        result = InMemoryChannelContext.await(p.future());
      }
      assertThat(result).as("reply %d", i).isInstanceOf(DeliveryResult.Delivered.class);
      ids.add(((DeliveryResult.Delivered) result).providerMessageId());
    }
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(h.provider.calls()).hasSize(12);
  }

  @Test
  default void aProviderThatDoesNotAnswerIsARetryableFailureWithinTheRequestTimeout() {
    try (Harness h = new Harness(newAdapter(), secrets(), with(settings(), "requestTimeout", "1s"))) {
      h.provider.holdNext();
      assertFailsRetryablyWithinTheTimeout(h);
    }
  }

  @Test
  default void aProviderThatStopsHalfwayThroughItsAnswerIsARetryableFailureWithinTheRequestTimeout() {
    try (Harness h = new Harness(newAdapter(), secrets(), with(settings(), "requestTimeout", "1s"))) {
      h.provider.stallNext();
      assertFailsRetryablyWithinTheTimeout(h);
      // The half-answered request was given up, so its connection does not block the next reply.
      assertThat(h.send(reply("again"))).isInstanceOf(DeliveryResult.Delivered.class);
    }
  }

  private void assertFailsRetryablyWithinTheTimeout(Harness h) {
    long start = System.nanoTime();
    DeliveryResult result = h.send(reply("hello"));
    java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);
    assertThat(result).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.reason()).doesNotContain(secrets().values().toArray(String[]::new));
    });
    // 1 s configured; the bound only tells "gave up on its own" from "hung until the test's 20 s".
    assertThat(took).isLessThan(java.time.Duration.ofSeconds(10));
    assertThat(h.provider.calls()).hasSize(1);
  }

  @Test
  default void aReplyLongerThanTheProviderTakesFailsWithoutCallingIt() {
    DeliveryResult result = harness().send(reply("x".repeat(harness().adapter.maxTextLength() + 1)));
    assertThat(result).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
      assertThat(f.retryable()).isFalse();
      assertThat(f.reason()).contains(String.valueOf(harness().adapter.maxTextLength()));
    });
    assertThat(harness().provider.calls()).isEmpty();
  }

  @Test
  default void anUnknownSettingFailsTheStartNamingTheFileAndTheKey() {
    SocialAdapter a = newAdapter();
    var vertx = io.vertx.core.Vertx.vertx();
    try {
      var ctx = new InMemoryChannelContext(vertx, a.name(), io.switchboard.hub.api.Channel.SOCIAL, Map.of("apiBaseURL", "http://x"), secrets());
      assertThatThrownBy(() -> InMemoryChannelContext.await(a.start(ctx)))
          .hasMessageContaining("switchboard.yaml: channels." + a.name() + ".apiBaseURL");
      ctx.close();
    } finally {
      InMemoryChannelContext.await(vertx.close());
    }
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> m = new java.util.HashMap<>(base);
    m.put(key, value);
    return m;
  }

  /** The external id of each provider's text fixture. */
  final class TextIds {
    private TextIds() {}

    static String of(String provider) {
      return switch (provider) {
        case "whatsapp" -> "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBBMUI2QzdEOEU5RjAxMjM0NTYA";
        case "messenger" -> "m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-text";
        default -> "123456789:52";
      };
    }
  }
}
