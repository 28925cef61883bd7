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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Messenger Platform: webhook, receipts and the Send API")
class MessengerAdapterTest implements SocialAdapterContract {
  static final String APP_SECRET = "messenger-app-secret";
  static final String PSID = "6543210987654321";
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
  public Harness harness() {
    return harness;
  }

  @Override
  public SocialAdapter newAdapter() {
    return new MessengerAdapter();
  }

  @Override
  public Map<String, String> secrets() {
    return Map.of("APP_SECRET", APP_SECRET, "VERIFY_TOKEN", "messenger-verify", "PAGE_ACCESS_TOKEN", "EAAB-page-token");
  }

  @Override
  public Map<String, String> authenticated(byte[] body) {
    return Map.of(Signatures.META_HEADER, Signatures.metaSignature(APP_SECRET, body));
  }

  @Override
  public Map<String, String> forged(byte[] body) {
    return Map.of(Signatures.META_HEADER, "sha256=" + "0".repeat(64));
  }

  @Override
  public String customerId() {
    return PSID;
  }

  @Override
  public String threadKey() {
    return "messenger:" + PSID;
  }

  @Override
  public JsonObject invalidRecipient() {
    return SocialProviders.graphError(100, "(#100) No matching user found", 2018001L, null);
  }

  @Override
  public void assertReplyCall(FakeProvider.Call call, OutboundMessage reply) {
    assertThat(call.path()).isEqualTo("/me/messages");
    assertThat(call.headers().get("Authorization")).isEqualTo("Bearer EAAB-page-token");
    assertThat(call.body().getString("messaging_type")).isEqualTo("RESPONSE");
    assertThat(call.body().getJsonObject("recipient").getString("id")).isEqualTo(PSID);
    assertThat(call.body().getJsonObject("message").getString("text")).isEqualTo(((MessageContent.Text) reply.content()).body());
    assertThat(call.body().getJsonObject("message").getString("metadata")).contains(reply.messageId().toString());
  }

  @Test
  void theTextMessageKeepsItsMidAndTheProviderTimeInMilliseconds() {
    assertThat(deliver("text.json").status()).isEqualTo(200);
    InboundContact c = harness.context.contacts().getFirst();
    assertThat(c.externalId()).isEqualTo("m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-text");
    assertThat(c.receivedAt()).isEqualTo(Instant.ofEpochMilli(1767225600123L));
    assertThat(c.metadata()).containsEntry("messenger.pageId", "109876543210987");
  }

  @Test
  void attachmentsBecomeOneMessageEachAndLocationsKeepTheirCoordinates() {
    assertThat(deliver("attachments.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).extracting(InboundContact::externalId).containsExactly(
        "m_attachments0000000000000000000000001", "m_attachments0000000000000000000000001#2",
        "m_location00000000000000000000000000002", "m_template00000000000000000000000000003");
    assertThat(harness.context.contacts()).extracting(InboundContact::content).containsExactly(
        new MessageContent.Media("image/*", null, 0, "https://scontent.example.net/v/t1.15752-9/photo-1.jpg", null),
        new MessageContent.Media("application/octet-stream", "invoice.pdf", 0, "https://cdn.example.net/v/t59/invoice.pdf", null),
        new MessageContent.Location(48.137154, 11.576124, "Pinned Location"),
        new MessageContent.Unsupported("template"));
  }

  @Test
  void echoesAndOptInsAreSkippedPostbacksAreTheButtonTitleAndReactionsAreUnsupported() {
    assertThat(deliver("echo-and-postback.json").status()).isEqualTo(200);
    assertThat(harness.context.contacts()).extracting(InboundContact::content).containsExactly(
        new MessageContent.Text("Talk to a person"), new MessageContent.Unsupported("reaction"));
    assertThat(harness.context.contacts().getFirst().externalId()).isEqualTo("m_postback0000000000000000000000000001");
  }

  @Test
  void deliveryReceiptsNamingTheirMessagesUpdateThem() {
    assertThat(deliver("receipts.json").status()).isEqualTo(200);
    assertThat(harness.context.updates()).containsExactly(
        new InMemoryChannelContext.DeliveryUpdate(Channel.SOCIAL, "m_outbound000000000000000000000000000001", Message.Status.DELIVERED, null));
  }

  @Test
  void watermarkReceiptsUpdateEveryReplySentBeforeTheWatermark() {
    DeliveryResult first = harness.send(reply("first"));
    DeliveryResult second = harness.send(reply("second"));
    String mid1 = ((DeliveryResult.Delivered) first).providerMessageId();
    String mid2 = ((DeliveryResult.Delivered) second).providerMessageId();
    long later = Instant.now().plusSeconds(60).toEpochMilli();
    JsonObject delivered = receipt(new JsonObject().put("delivery", new JsonObject().put("watermark", later)));
    JsonObject read = receipt(new JsonObject().put("read", new JsonObject().put("watermark", later)).put("timestamp", later));
    post(delivered);
    assertThat(harness.context.updates()).containsExactly(
        new InMemoryChannelContext.DeliveryUpdate(Channel.SOCIAL, mid1, Message.Status.DELIVERED, null),
        new InMemoryChannelContext.DeliveryUpdate(Channel.SOCIAL, mid2, Message.Status.DELIVERED, null));
    harness.context.updates().clear();
    post(read);
    post(read);
    assertThat(harness.context.updates()).containsExactly(
        new InMemoryChannelContext.DeliveryUpdate(Channel.SOCIAL, mid1, Message.Status.READ, null),
        new InMemoryChannelContext.DeliveryUpdate(Channel.SOCIAL, mid2, Message.Status.READ, null));
  }

  @Test
  void aWatermarkBeforeAReplyLeavesItAlone() {
    long before = Instant.now().minusSeconds(60).toEpochMilli();
    harness.send(reply("after the watermark"));
    post(receipt(new JsonObject().put("read", new JsonObject().put("watermark", before)).put("timestamp", before)));
    assertThat(harness.context.updates()).isEmpty();
  }

  @Test
  void theVerificationHandshakeAnswersTheChallengeOnlyForTheRightToken() {
    Harness.Response ok = harness.get("hub.mode=subscribe&hub.verify_token=messenger-verify&hub.challenge=CHALLENGE_ACCEPTED");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("CHALLENGE_ACCEPTED");
    assertThat(harness.get("hub.mode=subscribe&hub.verify_token=messenger-verif&hub.challenge=x").status()).isEqualTo(403);
  }

  private JsonObject receipt(JsonObject event) {
    return new JsonObject().put("object", "page").put("entry", new JsonArray().add(new JsonObject()
        .put("id", "109876543210987").put("time", System.currentTimeMillis())
        .put("messaging", new JsonArray().add(event
            .put("sender", new JsonObject().put("id", PSID))
            .put("recipient", new JsonObject().put("id", "109876543210987"))))));
  }

  private void post(JsonObject payload) {
    byte[] body = payload.encode().getBytes(StandardCharsets.UTF_8);
    Harness.Response r = harness.post(authenticated(body), body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  @Test
  void aReplyGoesOutFromThePageTheCustomerWroteToWithThatPagesToken() {
    try (Harness h = new Harness(newAdapter(), Map.of("APP_SECRET", APP_SECRET, "VERIFY_TOKEN", "messenger-verify",
        "PAGE_ACCESS_TOKEN", "EAAB-page-token", "PAGE_ACCESS_TOKEN_222333444", "EAAB-second-page"))) {
      OutboundMessage r = reply("Danke!");
      OutboundMessage toSecondPage = new OutboundMessage(r.messageId(), r.interactionId(), r.conversationId(), r.recipient(),
          r.threadKey(), r.inReplyTo(), null, r.content(), null,
          Map.of("social.provider", "messenger", "messenger.pageId", "222333444"));
      assertThat(h.send(toSecondPage)).isInstanceOf(io.switchboard.hub.api.spi.DeliveryResult.Delivered.class);
      FakeProvider.Call call = h.provider.awaitCall();
      assertThat(call.path()).isEqualTo("/222333444/messages");
      assertThat(call.headers().get("Authorization")).isEqualTo("Bearer EAAB-second-page");
    }
  }
}
