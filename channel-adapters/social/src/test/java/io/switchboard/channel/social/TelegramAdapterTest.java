package io.switchboard.channel.social;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.channel.testkit.FakeProvider;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Telegram Bot API: webhook with secret token, updates and sendMessage")
class TelegramAdapterTest implements SocialAdapterContract {
  static final String BOT_TOKEN = "7000000001:AAE-test-bot-token";
  static final String SECRET_TOKEN = "telegram-secret-token_123";
  private Harness harness;

  @BeforeEach
  void start() {
    harness = new Harness(newAdapter(), secrets());
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Override
  public int wellFormedInWrongShape() {
    return 0; // one update, one message
  }

  @Override
  public Harness harness() {
    return harness;
  }

  @Override
  public SocialAdapter newAdapter() {
    return new TelegramAdapter();
  }

  @Override
  public Map<String, String> secrets() {
    return Map.of("BOT_TOKEN", BOT_TOKEN, "SECRET_TOKEN", SECRET_TOKEN);
  }

  @Override
  public Map<String, String> authenticated(byte[] body) {
    return Map.of(TelegramAdapter.SECRET_HEADER, SECRET_TOKEN);
  }

  @Override
  public Map<String, String> forged(byte[] body) {
    return Map.of(TelegramAdapter.SECRET_HEADER, SECRET_TOKEN + "x");
  }

  @Override
  public String customerId() {
    return "123456789";
  }

  @Override
  public String threadKey() {
    return "telegram:123456789";
  }

  @Override
  public JsonObject invalidRecipient() {
    return SocialProviders.telegramError(400, "Bad Request: chat not found");
  }

  @Override
  public void assertReplyCall(FakeProvider.Call call, OutboundMessage reply) {
    assertThat(call.path()).isEqualTo("/bot" + BOT_TOKEN + "/sendMessage");
    assertThat(((Number) call.body().getValue("chat_id")).longValue()).isEqualTo(123456789L);
    assertThat(call.body().getString("text")).isEqualTo(((MessageContent.Text) reply.content()).body());
  }

  @Test
  void theTextMessageIsKnownByChatAndMessageIdAndCarriesTheNameAndLanguage() {
    assertThat(deliver("text.json").status()).isEqualTo(200);
    InboundContact c = harness.context.contacts().getFirst();
    assertThat(c.externalId()).isEqualTo("123456789:52");
    assertThat(c.senderName()).isEqualTo("Lena Vogel");
    assertThat(c.receivedAt()).isEqualTo(Instant.ofEpochSecond(1767225600));
    assertThat(c.metadata()).containsEntry("language", "de").containsEntry("telegram.chatType", "private");
  }

  @Test
  void photosKeepTheLargestSizeDocumentsTheirNameAndLocationsTheirCoordinates() {
    for (String f : new String[] {"photo.json", "document.json", "location.json", "poll.json"}) {
      assertThat(deliver(f).status()).isEqualTo(200);
    }
    assertThat(harness.context.contacts()).extracting(InboundContact::content).containsExactly(
        new MessageContent.Media("image/jpeg", null, 98234, "AgACAgIAAxkBAAMFlarge", "Das Etikett"),
        new MessageContent.Media("application/pdf", "vertrag.pdf", 48213, "BQACAgIAAxkBAAMGdoc", null),
        new MessageContent.Location(53.551086, 9.993682, null),
        new MessageContent.Unsupported("poll"));
  }

  @Test
  void anEditIsStoredAsANewMessageMarkedEdited() {
    assertThat(deliver("text.json").status()).isEqualTo(200);
    assertThat(deliver("edited.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).hasSize(2);
    InboundContact edit = harness.context.contacts().get(1);
    assertThat(edit.externalId()).isEqualTo("123456789:52:edited:1767225720");
    assertThat(edit.receivedAt()).isEqualTo(Instant.ofEpochSecond(1767225720));
    assertThat(((MessageContent.Text) edit.content()).body()).startsWith("(edited) ").contains("4711");
  }

  @Test
  void updatesThatAreNoCustomerMessageAreAcknowledgedAndIgnored() {
    assertThat(deliver("group-service.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).isEmpty();
  }

  @Test
  void aButtonPressIsStoredAsTheButtonsTextAndAnsweredSoTheCustomersAppStopsWaiting() {
    Harness.Response r = deliver("callback-query.json");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(harness.context.contacts()).singleElement().satisfies(c -> {
      assertThat(c.externalId()).isEqualTo("123456789:callback:4382bfdwdsb323b2d9");
      assertThat(c.threadKey()).isEqualTo("telegram:123456789");
      assertThat(c.sender().value()).isEqualTo("123456789");
      assertThat(c.senderName()).isEqualTo("Lena Vogel");
      assertThat(c.content()).isEqualTo(new MessageContent.Text("Sehr zufrieden"));
      assertThat(c.metadata()).containsEntry("telegram.callbackData", "rate:5");
    });
    FakeProvider.Call answer = harness.provider.awaitCall();
    assertThat(answer.path()).isEqualTo("/bot" + BOT_TOKEN + "/answerCallbackQuery");
    assertThat(answer.body().getString("callback_query_id")).isEqualTo("4382bfdwdsb323b2d9");
    // Delivered again: a duplicate, answered again (the first answer may have been lost).
    assertThat(deliver("callback-query.json").json().getInteger("duplicates")).isEqualTo(1);
    assertThat(harness.provider.awaitCall().path()).endsWith("/answerCallbackQuery");
  }

  @Test
  void aSharedContactIsStoredWithThePhoneNumberItCarries() {
    assertThat(deliver("contact.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).singleElement().satisfies(c -> {
      assertThat(c.externalId()).isEqualTo("123456789:61");
      assertThat(c.content()).isEqualTo(new MessageContent.Contact("Lena Vogel", List.of("+49 151 23456789"), List.of()));
    });
  }

  @Test
  void theProvidersIdOfAReplyIsChatAndMessageIdLikeInboundOnes() {
    DeliveryResult r = harness.send(reply("Das geht im Kundenkonto unter Adressen."));
    assertThat(((DeliveryResult.Delivered) r).providerMessageId()).matches("123456789:\\d+");
  }

  @Test
  void aBotBlockedByTheCustomerIsAFinalFailure() {
    harness.provider.answerNext(403, SocialProviders.telegramError(403, "Forbidden: bot was blocked by the user"));
    assertThat(harness.send(reply("hello"))).isEqualTo(
        new DeliveryResult.Failed("Telegram API answered 403: Forbidden: bot was blocked by the user", false));
  }

  @Test
  void theWebhookHasNoHandshake() {
    assertThat(harness.get("").status()).isEqualTo(405);
  }
}
