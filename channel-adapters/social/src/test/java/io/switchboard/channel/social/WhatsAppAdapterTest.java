package io.switchboard.channel.social;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.channel.social.impl.Signatures;
import io.switchboard.channel.testkit.FakeProvider;
import io.switchboard.channel.testkit.InMemoryChannelContext;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("WhatsApp Cloud API: webhook, statuses, replies and the 24-hour window")
class WhatsAppAdapterTest implements SocialAdapterContract {
  static final String APP_SECRET = "whatsapp-app-secret";
  static final String PHONE_NUMBER_ID = "106540352242922";
  private Harness harness;

  @BeforeEach
  void start() {
    harness = new Harness(newAdapter(), secrets(), settings());
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Override
  public Harness harness() {
    return harness;
  }

  @Override
  public SocialAdapter newAdapter() {
    return new WhatsAppAdapter();
  }

  @Override
  public Map<String, String> secrets() {
    return Map.of("APP_SECRET", APP_SECRET, "VERIFY_TOKEN", "whatsapp-verify", "ACCESS_TOKEN", "EAAG-whatsapp-token");
  }

  @Override
  public Map<String, Object> settings() {
    return Map.of("phoneNumberId", PHONE_NUMBER_ID);
  }

  @Override
  public Map<String, String> authenticated(byte[] body) {
    return Map.of(Signatures.META_HEADER, Signatures.metaSignature(APP_SECRET, body));
  }

  @Override
  public Map<String, String> forged(byte[] body) {
    return Map.of(Signatures.META_HEADER, Signatures.metaSignature("someone-elses-secret", body));
  }

  @Override
  public String customerId() {
    return "4915112345678";
  }

  @Override
  public String threadKey() {
    return "whatsapp:4915112345678";
  }

  @Override
  public JsonObject invalidRecipient() {
    return SocialProviders.graphError(131026, "Message undeliverable", null, "The recipient is not a valid WhatsApp user");
  }

  @Override
  public void assertReplyCall(FakeProvider.Call call, OutboundMessage reply) {
    assertThat(call.path()).isEqualTo("/" + PHONE_NUMBER_ID + "/messages");
    assertThat(call.headers().get("Authorization")).isEqualTo("Bearer EAAG-whatsapp-token");
    assertThat(call.body().getString("messaging_product")).isEqualTo("whatsapp");
    assertThat(call.body().getString("to")).isEqualTo("4915112345678");
    assertThat(call.body().getString("type")).isEqualTo("text");
    assertThat(call.body().getJsonObject("text").getString("body")).isEqualTo(((MessageContent.Text) reply.content()).body());
    assertThat(call.body().getString("biz_opaque_callback_data")).isEqualTo(reply.messageId().toString());
  }

  @Test
  void theTextMessageKeepsTheSendersProfileNameTheProviderTimeAndTheReceivingNumber() {
    assertThat(deliver("text.json").status()).isEqualTo(200);
    InboundContact c = harness.context.contacts().getFirst();
    assertThat(c.externalId()).isEqualTo(TextIds.of("whatsapp"));
    assertThat(c.senderName()).isEqualTo("Jana Schulz");
    assertThat(c.receivedAt()).isEqualTo(Instant.ofEpochSecond(1767225600));
    assertThat(c.content()).isEqualTo(new MessageContent.Text("Hallo, ist meine Bestellung 4711 schon unterwegs?"));
    assertThat(c.metadata()).containsEntry("whatsapp.phoneNumberId", PHONE_NUMBER_ID);
  }

  @Test
  void mediaIsKeptAsMetadataWithTheProvidersMediaId() {
    assertThat(deliver("media.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).extracting(InboundContact::content).containsExactly(
        new MessageContent.Media("image/jpeg", null, 0, "1003383421387256", "So sah das Paket aus"),
        new MessageContent.Media("application/pdf", "rechnung-4711.pdf", 0, "1003383421387257", "Rechnung"),
        new MessageContent.Media("audio/ogg; codecs=opus", null, 0, "1003383421387258", null),
        new MessageContent.Media("image/webp", null, 0, "1003383421387259", null));
  }

  @Test
  void aSharedLocationKeepsItsNameAndAddress() {
    assertThat(deliver("location.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts().getFirst().content()).isEqualTo(
        new MessageContent.Location(52.521918, 13.413215, "Packstation 123, Alexanderplatz 1, 10178 Berlin"));
  }

  @Test
  void knownTypesTheHubDoesNotRenderAreStoredAsUnsupportedContactCardsWithTheirNumbersAndButtonRepliesAsTheirTitle() {
    assertThat(deliver("unsupported.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).extracting(InboundContact::content).containsExactly(
        new MessageContent.Unsupported("reaction"),
        new MessageContent.Contact("Max Muster", java.util.List.of("+49 30 1234567"), java.util.List.of()),
        new MessageContent.Unsupported("unsupported"),
        new MessageContent.Text("Sendung verfolgen"));
  }

  @Test
  void aBatchIsStoredCompletelyInOrderWithItsStatusesBeforeItIsAcknowledged() {
    Harness.Response r = deliver("batch.json");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("stored")).isEqualTo(3);
    assertThat(harness.context.contacts()).extracting(InboundContact::externalId).containsExactly(
        "wamid.BATCH00000000000000000000000000001", "wamid.BATCH00000000000000000000000000002",
        "wamid.BATCH00000000000000000000000000003");
    assertThat(harness.context.contacts().get(1).senderName()).isEqualTo("Ahmet Kaya");
    assertThat(harness.context.contacts().get(1).threadKey()).isEqualTo("whatsapp:905321234567");
    assertThat(harness.context.updates()).containsExactly(
        new InMemoryChannelContext.DeliveryUpdate(Channel.SOCIAL, "wamid.OUTBOUND000000000000000000000001", Message.Status.DELIVERED, null));
  }

  @Test
  void aBatchWithOneMessageTheHubCannotStoreIsAnswered500AfterStoringTheOthers() {
    harness.context.failOnceFor("wamid.BATCH00000000000000000000000000002");
    assertThat(deliver("batch.json").status()).isEqualTo(500);
    assertThat(harness.context.contacts()).hasSize(2);
    Harness.Response again = deliver("batch.json");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getInteger("stored")).isEqualTo(1);
    assertThat(again.json().getInteger("duplicates")).isEqualTo(2);
    assertThat(harness.context.contacts()).hasSize(3);
  }

  @Test
  void aMessageDeliveredLateKeepsTheTimeTheCustomerSentIt() {
    assertThat(deliver("text.json").status()).isEqualTo(200);
    assertThat(deliver("out-of-order.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).extracting(InboundContact::receivedAt)
        .containsExactly(Instant.ofEpochSecond(1767225600), Instant.ofEpochSecond(1767222000));
  }

  @Test
  void statusCallbacksUpdateSentMessagesAndAFailureCarriesWhatsAppsReason() {
    Harness.Response r = deliver("statuses.json");
    assertThat(r.status()).isEqualTo(200);
    assertThat(harness.context.contacts()).isEmpty();
    assertThat(harness.context.updates()).hasSize(3);
    assertThat(harness.context.updates().get(0).status()).isEqualTo(Message.Status.DELIVERED);
    assertThat(harness.context.updates().get(1).status()).isEqualTo(Message.Status.READ);
    InMemoryChannelContext.DeliveryUpdate failed = harness.context.updates().get(2);
    assertThat(failed.providerMessageId()).isEqualTo("wamid.OUTBOUND000000000000000000000002");
    assertThat(failed.status()).isEqualTo(Message.Status.FAILED);
    assertThat(failed.reason()).contains("131047").contains("Re-engagement message").contains("24 hours");
  }

  @Test
  void theVerificationHandshakeAnswersTheChallengeOnlyForTheRightToken() {
    Harness.Response ok = harness.get("hub.mode=subscribe&hub.verify_token=whatsapp-verify&hub.challenge=1158201444");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.contentType()).startsWith("text/plain");
    assertThat(ok.body()).isEqualTo("1158201444");
    assertThat(harness.get("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444").status()).isEqualTo(403);
    assertThat(harness.get("hub.mode=unsubscribe&hub.verify_token=whatsapp-verify&hub.challenge=1").status()).isEqualTo(403);
    assertThat(harness.get("").status()).isEqualTo(403);
  }

  @Test
  void aReplyMoreThan24HoursAfterTheCustomersLastMessageIsRefusedWithoutCallingWhatsApp() {
    harness.context.clearConversation(Harness.CONVERSATION);
    harness.context.priorMessage(Harness.CONVERSATION, Message.Direction.INBOUND, Instant.now().minus(Duration.ofHours(25)));
    harness.context.priorMessage(Harness.CONVERSATION, Message.Direction.OUTBOUND, Instant.now().minus(Duration.ofHours(1)));
    DeliveryResult result = harness.send(reply("Sind Sie noch da?"));
    assertThat(result).isEqualTo(new DeliveryResult.Failed(WhatsAppAdapter.WINDOW_CLOSED, false));
    assertThat(harness.provider.calls()).isEmpty();
  }

  @Test
  void aReplyWithin24HoursOfTheCustomersLastMessageIsSent() {
    harness.context.clearConversation(Harness.CONVERSATION);
    harness.context.priorMessage(Harness.CONVERSATION, Message.Direction.INBOUND, Instant.now().minus(Duration.ofHours(23)));
    assertThat(harness.send(reply("Ja, gerne."))).isInstanceOf(DeliveryResult.Delivered.class);
  }

  @Test
  void metasRateLimitAnswersSayHowLongToWaitForThatRecipient() {
    // The pair rate limit (too many messages to one customer) comes as a 400 without a Retry-After.
    harness.provider.answerNext(400, SocialProviders.graphError(131056, "(Business Account, Consumer Account) pair rate limit hit",
        null, "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."));
    assertThat(harness.send(reply("eins"))).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(6));
    });
    // The business use-case rate limit names the minutes until access is regained.
    harness.provider.answerNextWithHeader(400, SocialProviders.graphError(80007, "(#80007) Rate limit issues", null, null),
        "X-Business-Use-Case-Usage", "{\"102290129340398\":[{\"type\":\"whatsapp\",\"call_count\":100,"
            + "\"total_cputime\":10,\"total_time\":10,\"estimated_time_to_regain_access\":4}]}");
    assertThat(harness.send(reply("zwei"))).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.retryAfter()).isEqualTo(Duration.ofMinutes(4));
    });
  }

  @Test
  void aReplyGoesOutFromTheBusinessNumberTheCustomerWroteTo() {
    OutboundMessage r = reply("Gern geschehen.");
    OutboundMessage toSecondNumber = new OutboundMessage(r.messageId(), r.interactionId(), r.conversationId(), r.recipient(),
        "whatsapp:222333444555666:4915112345678", r.inReplyTo(), null, r.content(), null,
        Map.of("social.provider", "whatsapp", "whatsapp.phoneNumberId", "222333444555666"));
    assertThat(harness.send(toSecondNumber)).isInstanceOf(DeliveryResult.Delivered.class);
    FakeProvider.Call call = harness.provider.awaitCall();
    assertThat(call.path()).isEqualTo("/222333444555666/messages");
    assertThat(call.body().getString("to")).isEqualTo("4915112345678");
  }

  @Test
  void aMessageToAnotherBusinessNumberIsItsOwnThreadAndNamesTheNumber() {
    byte[] body = new String(Harness.fixture("whatsapp/text.json"), StandardCharsets.UTF_8)
        .replace("\"phone_number_id\": \"106540352242922\"", "\"phone_number_id\": \"222333444555666\"")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(harness.post(authenticated(body), body).status()).isEqualTo(200);
    assertThat(deliver("out-of-order.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).extracting(InboundContact::threadKey)
        .containsExactly("whatsapp:222333444555666:4915112345678", "whatsapp:4915112345678");
    assertThat(harness.context.contacts().getFirst().metadata()).containsEntry("whatsapp.phoneNumberId", "222333444555666");
  }

  @Test
  void withoutAPhoneNumberIdRepliesFailNamingTheSetting() {
    try (Harness h = new Harness(newAdapter(), secrets())) {
      assertThat(h.send(reply("hello"))).isInstanceOfSatisfying(DeliveryResult.Failed.class, f -> {
        assertThat(f.retryable()).isFalse();
        assertThat(f.reason()).contains("channels.whatsapp.phoneNumberId");
      });
    }
  }

  @Test
  void aSignatureOverDifferentBytesOfTheSameJsonIsRefused() {
    byte[] body = Harness.fixture("whatsapp/text.json");
    byte[] reformatted = new JsonObject(new String(body, StandardCharsets.UTF_8)).encode().getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new HashMap<>(authenticated(body));
    assertThat(harness.post(headers, reformatted).status()).isEqualTo(401);
    assertThat(harness.context.contacts()).isEmpty();
  }
}
