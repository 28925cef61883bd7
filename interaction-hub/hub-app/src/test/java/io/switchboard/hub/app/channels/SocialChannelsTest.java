package io.switchboard.hub.app.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.channel.social.WhatsAppAdapter;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("social channels through a real hub: webhooks in, replies out, statuses and failures on the message")
class SocialChannelsTest {
  private static final String WA_ID = "4915112345678";

  private SocialHub sb;
  private String supervisor;

  @BeforeEach
  void start() {
    sb = new SocialHub();
    supervisor = sb.login("sam");
  }

  @AfterEach
  void stop() {
    sb.close();
  }

  @Test
  void aSignedWhatsAppTextBecomesAnInteractionThatAnAgentAnswersAndWhatsAppReportsDeliveredAndRead() {
    String agent = sb.available("dilara");
    var offered = sb.expect(RoutingService.OFFER_CREATED, e -> true);
    SocialHub.Response in = sb.whatsapp(whatsappText("wamid.HUB-1", WA_ID, "Jana Schulz", Instant.now(), "Wo bleibt mein Paket?"));
    assertThat(in.status()).as(in.body()).isEqualTo(200);
    String id = SocialHub.await(offered).getString("interactionId");

    JsonObject interaction = sb.get("/api/v1/interactions/" + id, supervisor).json();
    assertThat(interaction.getString("channel")).isEqualTo("social");
    assertThat(interaction.getString("externalId")).isEqualTo("wamid.HUB-1");
    JsonObject first = interaction.getJsonArray("messages").getJsonObject(0);
    assertThat(first.getString("senderName")).isEqualTo("Jana Schulz");
    assertThat(first.getJsonObject("content").getString("text")).isEqualTo("Wo bleibt mein Paket?");
    JsonObject customer = sb.get("/api/v1/customers/" + interaction.getString("customerId"), supervisor).json();
    assertThat(customer.encode()).contains("+" + WA_ID);

    assertThat(sb.post("/api/v1/interactions/" + id + "/accept", agent, "").status()).isEqualTo(204);
    sb.provider.answerNext(200, SocialFakeProvider.whatsappAccepted(WA_ID, "wamid.REPLY-1"));
    String messageId = reply(agent, id, "Ihr Paket kommt morgen.", "sent");
    SocialFakeProvider.Call call = sb.provider.awaitCall();
    assertThat(call.path()).isEqualTo("/" + SocialHub.PHONE_NUMBER_ID + "/messages");
    assertThat(call.headers().get("Authorization")).isEqualTo("Bearer EAAG-hub-test");
    assertThat(call.body().getString("to")).isEqualTo(WA_ID);
    assertThat(call.body().getJsonObject("text").getString("body")).isEqualTo("Ihr Paket kommt morgen.");
    assertThat(call.body().getString("biz_opaque_callback_data")).isEqualTo(messageId);

    assertThat(sb.whatsapp(whatsappStatus("wamid.REPLY-1", "delivered")).status()).isEqualTo(200);
    assertThat(message(id, messageId).getString("status")).isEqualTo("delivered");
    assertThat(sb.whatsapp(whatsappStatus("wamid.REPLY-1", "read")).status()).isEqualTo(200);
    assertThat(message(id, messageId).getString("status")).isEqualTo("read");
    // A late "delivered" after "read" changes nothing.
    assertThat(sb.whatsapp(whatsappStatus("wamid.REPLY-1", "delivered")).status()).isEqualTo(200);
    assertThat(message(id, messageId).getString("status")).isEqualTo("read");
  }

  @Test
  void aReplyWhatsAppAnswers500ForStaysQueuedWithTheReasonAndIsSentWhenWhatsAppRecovers() {
    String agent = sb.available("dilara");
    String id = acceptedWhatsApp(agent, "wamid.HUB-2", Instant.now());
    sb.provider.answerNext(500, SocialFakeProvider.graphError(2, "Service temporarily unavailable", null));
    var recovered = sb.provider.holdNext();
    var sent = sb.expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "sent".equals(e.getString("status")));
    String messageId = postReply(agent, id, "Einen Moment bitte.");

    assertThat(sb.provider.awaitCall().path()).endsWith("/messages");
    sb.provider.awaitCall(); // the outbox tried again: the first failure is stored by now
    JsonObject queued = message(id, messageId);
    assertThat(queued.getString("status")).isEqualTo("queued");
    assertThat(queued.getString("statusReason")).contains("500").contains("Service temporarily unavailable");

    recovered.complete(null);
    assertThat(SocialHub.await(sent).getString("messageId")).isEqualTo(messageId);
    JsonObject done = message(id, messageId);
    assertThat(done.getString("status")).isEqualTo("sent");
    assertThat(done.getString("statusReason")).isNull();
  }

  @Test
  void aReplyWhatsAppRefusesWith400FailsWithWhatsAppsReasonAndIsNotRetried() {
    String agent = sb.available("dilara");
    String id = acceptedWhatsApp(agent, "wamid.HUB-3", Instant.now());
    sb.provider.answerNext(400, SocialFakeProvider.graphError(131026, "Message undeliverable",
        "The recipient is not a valid WhatsApp user"));
    var failed = sb.expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "failed".equals(e.getString("status")));
    String messageId = postReply(agent, id, "Hallo?");
    JsonObject event = SocialHub.await(failed);
    assertThat(event.getString("messageId")).isEqualTo(messageId);
    JsonObject m = message(id, messageId);
    assertThat(m.getString("status")).isEqualTo("failed");
    assertThat(m.getString("statusReason")).contains("400").contains("131026").contains("not a valid WhatsApp user");
    assertThat(sb.provider.calls()).hasSize(1);
  }

  @Test
  void aReplyMoreThan24HoursAfterTheCustomersLastWhatsAppMessageFailsWithTheWindowAsReasonWithoutCallingWhatsApp() {
    String agent = sb.available("dilara");
    String id = acceptedWhatsApp(agent, "wamid.HUB-4", Instant.now().minus(Duration.ofHours(25)));
    var failed = sb.expect(MessageService.MESSAGE_STATUS_CHANGED, e -> "failed".equals(e.getString("status")));
    String messageId = postReply(agent, id, "Sind Sie noch da?");
    SocialHub.await(failed);
    JsonObject m = message(id, messageId);
    assertThat(m.getString("status")).isEqualTo("failed");
    assertThat(m.getString("statusReason")).isEqualTo(WhatsAppAdapter.WINDOW_CLOSED);
    assertThat(sb.provider.calls()).isEmpty();
  }

  @Test
  void unsignedAndWronglySignedWebhooksAre401AndStoreNothing() {
    int before = interactions().size();
    String body = whatsappText("wamid.HUB-5", WA_ID, "Mallory", Instant.now(), "fake");
    SocialHub.Response unsigned = sb.webhook("whatsapp", body, Map.of());
    assertThat(unsigned.status()).isEqualTo(401);
    assertThat(unsigned.contentType()).startsWith("application/problem+json");
    SocialHub.Response forged = sb.webhook("whatsapp", body,
        Map.of("X-Hub-Signature-256", "sha256=" + SocialHub.hmac("not-the-app-secret", body)));
    assertThat(forged.status()).isEqualTo(401);
    assertThat(interactions()).hasSize(before);
  }

  @Test
  void aWebhookThatIsNoJsonIs400StoresNothingAndIsSetAsideForSupervisors() {
    int before = interactions().size();
    assertThat(sb.whatsapp("{\"object\": \"whatsapp_business_account\", \"entry\": [").status()).isEqualTo(400);
    assertThat(interactions()).hasSize(before);
    assertThat(quarantine()).singleElement().satisfies(q -> assertThat(q.getString("reason")).contains("malformed"));
  }

  @Test
  void aWhatsAppBatchWithSendersLibphonenumberCallsInvalidAndOneUnreadableMessageStoresEveryReadableOne() {
    int before = interactions().size();
    // +44 7700 900xxx is a reserved UK range, +1 999 an unallocated one: WhatsApp delivered them, so they are real.
    String body = whatsappText("wamid.HUB-RANGE-1", "447700900123", "Drama Dan", Instant.now(), "from a reserved range")
        .replace("\"messages\": [ {", """
            "messages": [
              { "from": "19999999999", "id": "wamid.HUB-RANGE-2", "timestamp": "%d", "type": "text", "text": { "body": "new range" } },
              { "from": "4915112345678", "timestamp": "%d", "type": "text", "text": { "body": "no id" } },
              {""".formatted(Instant.now().getEpochSecond(), Instant.now().getEpochSecond()));

    SocialHub.Response r = sb.whatsapp(body);

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getInteger("stored")).isEqualTo(2);
    assertThat(r.json().getInteger("quarantined")).isEqualTo(1);
    List<JsonObject> all = interactions();
    assertThat(all).hasSize(before + 2);
    JsonObject drama = all.stream().filter(i -> "wamid.HUB-RANGE-1".equals(i.getString("externalId"))).findFirst().orElseThrow();
    JsonObject customer = sb.get("/api/v1/customers/" + drama.getString("customerId"), supervisor).json();
    assertThat(customer.encode()).contains("+447700900123").contains("Drama Dan");
    assertThat(quarantine()).singleElement().satisfies(q -> {
      assertThat(q.getString("channel")).isEqualTo("social");
      assertThat(q.getString("reason")).contains("messages[1].id");
      assertThat(q.getJsonObject("facts").getString("from")).isEqualTo("4915112345678");
    });
    // Delivered again: duplicates, and the unreadable message is kept once.
    SocialHub.Response again = sb.whatsapp(body);
    assertThat(again.json().getInteger("duplicates")).isEqualTo(2);
    assertThat(quarantine()).hasSize(1);
  }

  @Test
  void aWebhookUpToMetasDocumentedThreeMegabytesIsAccepted() {
    // Meta sends webhook bodies of up to 3 MB; here a message with a large referral body the hub does not keep.
    String body = whatsappText("wamid.HUB-BIG", WA_ID, "Jana Schulz", Instant.now(), "big one")
        .replace("\"type\": \"text\",", "\"type\": \"text\", \"referral\": { \"body\": \"" + "x".repeat(2_500_000) + "\" },");
    assertThat(body.length()).isGreaterThan(2_500_000);
    SocialHub.Response r = sb.whatsapp(body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getInteger("stored")).isEqualTo(1);
  }

  private List<JsonObject> quarantine() {
    SocialHub.Response r = sb.get("/api/v1/quarantine", supervisor);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonArray("items").stream().map(i -> (JsonObject) i).toList();
  }

  @Test
  void aMessageDeliveredTwiceIsOneInteractionWithOneMessage() {
    int before = interactions().size();
    String body = whatsappText("wamid.HUB-7", WA_ID, "Jana Schulz", Instant.now(), "Hallo");
    assertThat(sb.whatsapp(body).status()).isEqualTo(200);
    SocialHub.Response again = sb.whatsapp(body);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getInteger("duplicates")).isEqualTo(1);
    List<JsonObject> all = interactions();
    assertThat(all).hasSize(before + 1);
    JsonObject mine = all.stream().filter(i -> "wamid.HUB-7".equals(i.getString("externalId"))).findFirst().orElseThrow();
    assertThat(sb.get("/api/v1/interactions/" + mine.getString("id"), supervisor).json().getJsonArray("messages")).hasSize(1);
  }

  @Test
  void telegramUpdatesNeedTheSecretTokenAndBecomeInteractionsAnsweredInTheirChat() {
    String agent = sb.available("dilara");
    int before = interactions().size();
    String update = new JsonObject().put("update_id", 90001).put("message", new JsonObject()
        .put("message_id", 17)
        .put("from", new JsonObject().put("id", 424242).put("is_bot", false).put("first_name", "Lena").put("language_code", "de"))
        .put("chat", new JsonObject().put("id", 424242).put("type", "private"))
        .put("date", Instant.now().getEpochSecond())
        .put("text", "Hallo aus Telegram")).encode();
    assertThat(sb.webhook("telegram", update, Map.of("X-Telegram-Bot-Api-Secret-Token", "wrong")).status()).isEqualTo(401);
    assertThat(sb.webhook("telegram", update, Map.of()).status()).isEqualTo(401);
    assertThat(interactions()).hasSize(before);

    var offered = sb.expect(RoutingService.OFFER_CREATED, e -> true);
    assertThat(sb.webhook("telegram", update, Map.of("X-Telegram-Bot-Api-Secret-Token", SocialHub.TELEGRAM_SECRET_TOKEN)).status())
        .isEqualTo(200);
    String id = SocialHub.await(offered).getString("interactionId");
    assertThat(sb.get("/api/v1/interactions/" + id, supervisor).json().getString("externalId")).isEqualTo("424242:17");
    assertThat(sb.post("/api/v1/interactions/" + id + "/accept", agent, "").status()).isEqualTo(204);
    reply(agent, id, "Guten Tag!", "sent");
    SocialFakeProvider.Call call = sb.provider.awaitCall();
    assertThat(call.path()).isEqualTo("/bot" + SocialHub.TELEGRAM_BOT_TOKEN + "/sendMessage");
    assertThat(((Number) call.body().getValue("chat_id")).longValue()).isEqualTo(424242L);
    assertThat(call.body().getString("text")).isEqualTo("Guten Tag!");
  }

  @Test
  void aTelegramButtonPressIsAnsweredAndAContactCardIsStoredWithItsNumberForTheAgentToAddToTheCustomer() {
    JsonObject from = new JsonObject().put("id", 515151).put("is_bot", false).put("first_name", "Lena");
    JsonObject chat = new JsonObject().put("id", 515151).put("type", "private");
    String card = new JsonObject().put("update_id", 90101).put("message", new JsonObject()
        .put("message_id", 30).put("from", from).put("chat", chat).put("date", Instant.now().getEpochSecond())
        .put("contact", new JsonObject().put("phone_number", "+49 151 23456789").put("first_name", "Lena")
            .put("last_name", "Vogel"))).encode();
    assertThat(telegram(card).status()).isEqualTo(200);
    String id = interactions().stream().filter(i -> "515151:30".equals(i.getString("externalId"))).findFirst()
        .orElseThrow().getString("id");
    JsonObject interaction = sb.get("/api/v1/interactions/" + id, supervisor).json();
    JsonObject content = interaction.getJsonArray("messages").getJsonObject(0).getJsonObject("content");
    assertThat(content.getString("type")).isEqualTo("contact");
    assertThat(content.getString("name")).isEqualTo("Lena Vogel");
    assertThat(content.getJsonArray("phones")).containsExactly("+49 151 23456789");
    // What the console's "Add to customer" does with it.
    String customer = "/api/v1/customers/" + interaction.getString("customerId");
    assertThat(sb.post(customer + "/identities", supervisor,
        new JsonObject().put("kind", "phone").put("value", content.getJsonArray("phones").getString(0)).encode()).status())
        .isEqualTo(201);
    assertThat(sb.get(customer, supervisor).body()).contains("+4915123456789");

    String press = new JsonObject().put("update_id", 90102).put("callback_query", new JsonObject()
        .put("id", "cbq-90102").put("from", from).put("chat_instance", "-1").put("data", "rate:5")
        .put("message", new JsonObject().put("message_id", 31).put("chat", chat).put("date", Instant.now().getEpochSecond())
            .put("text", "Wie zufrieden waren Sie?")
            .put("reply_markup", new JsonObject().put("inline_keyboard", new io.vertx.core.json.JsonArray()
                .add(new io.vertx.core.json.JsonArray().add(new JsonObject().put("text", "Sehr zufrieden").put("callback_data", "rate:5"))))))).encode();
    assertThat(telegram(press).status()).isEqualTo(200);
    SocialFakeProvider.Call answer = sb.provider.awaitCall();
    assertThat(answer.path()).isEqualTo("/bot" + SocialHub.TELEGRAM_BOT_TOKEN + "/answerCallbackQuery");
    assertThat(answer.body().getString("callback_query_id")).isEqualTo("cbq-90102");
    assertThat(sb.get("/api/v1/interactions/" + id, supervisor).json().getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getJsonObject("content").getString("text"))).contains("Sehr zufrieden");
  }

  private SocialHub.Response telegram(String update) {
    return sb.webhook("telegram", update, Map.of("X-Telegram-Bot-Api-Secret-Token", SocialHub.TELEGRAM_SECRET_TOKEN));
  }

  @Test
  void messengerAnswersTheVerificationHandshakeAndRefusesDeliveriesWhileItsAppSecretIsMissing() {
    SocialHub.Response ok = sb.send(sb.builder("/channels/messenger/webhook?hub.mode=subscribe&hub.verify_token="
        + SocialHub.MESSENGER_VERIFY_TOKEN + "&hub.challenge=1158201444", null).GET());
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.contentType()).startsWith("text/plain");
    assertThat(ok.body()).isEqualTo("1158201444");
    SocialHub.Response wrong = sb.send(sb.builder(
        "/channels/messenger/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444", null).GET());
    assertThat(wrong.status()).isEqualTo(403);

    String event = new JsonObject().put("object", "page").put("entry", new JsonArray().add(new JsonObject()
        .put("id", "109876543210987").put("time", System.currentTimeMillis())
        .put("messaging", new JsonArray().add(new JsonObject()
            .put("sender", new JsonObject().put("id", "6543210987654321"))
            .put("recipient", new JsonObject().put("id", "109876543210987"))
            .put("timestamp", System.currentTimeMillis())
            .put("message", new JsonObject().put("mid", "m_hub_1").put("text", "hi")))))).encode();
    SocialHub.Response refused = sb.webhook("messenger", event, Map.of("X-Hub-Signature-256", "sha256=" + SocialHub.hmac("x", event)));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.json().getString("detail")).contains("SWITCHBOARD_MESSENGER_APP_SECRET");
  }

  // ------------------------------------------------------------------ helpers

  /** A WhatsApp text delivered, offered to the agent and accepted; returns the interaction id. */
  private String acceptedWhatsApp(String agent, String wamid, Instant sentAt) {
    var offered = sb.expect(RoutingService.OFFER_CREATED, e -> true);
    SocialHub.Response in = sb.whatsapp(whatsappText(wamid, WA_ID, "Jana Schulz", sentAt, "Hallo"));
    assertThat(in.status()).as(in.body()).isEqualTo(200);
    String id = SocialHub.await(offered).getString("interactionId");
    assertThat(sb.post("/api/v1/interactions/" + id + "/accept", agent, "").status()).isEqualTo(204);
    return id;
  }

  /** Writes a reply and waits until it has the given status; returns its message id. */
  private String reply(String agent, String interactionId, String text, String status) {
    var reached = sb.expect(MessageService.MESSAGE_STATUS_CHANGED, e -> status.equals(e.getString("status")));
    String messageId = postReply(agent, interactionId, text);
    assertThat(SocialHub.await(reached).getString("messageId")).isEqualTo(messageId);
    return messageId;
  }

  private String postReply(String agent, String interactionId, String text) {
    SocialHub.Response r = sb.post("/api/v1/interactions/" + interactionId + "/messages", agent,
        new JsonObject().put("text", text).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().getString("status")).isEqualTo("queued");
    return r.json().getString("id");
  }

  private JsonObject message(String interactionId, String messageId) {
    JsonArray messages = sb.get("/api/v1/interactions/" + interactionId, supervisor).json().getJsonArray("messages");
    return messages.stream().map(m -> (JsonObject) m).filter(m -> messageId.equals(m.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no message " + messageId + " in " + messages.encodePrettily()));
  }

  private List<JsonObject> interactions() {
    SocialHub.Response r = sb.get("/api/v1/interactions?limit=200", supervisor);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonArray("items").stream().map(i -> (JsonObject) i).toList();
  }

  /** A WhatsApp Cloud API webhook with one text message, formatted as Meta sends it. */
  static String whatsappText(String wamid, String waId, String name, Instant at, String text) {
    return """
        {
          "object": "whatsapp_business_account",
          "entry": [ {
            "id": "102290129340398",
            "changes": [ {
              "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "4930901820", "phone_number_id": "%s" },
                "contacts": [ { "profile": { "name": "%s" }, "wa_id": "%s" } ],
                "messages": [ {
                  "from": "%s",
                  "id": "%s",
                  "timestamp": "%d",
                  "type": "text",
                  "text": { "body": "%s" }
                } ]
              },
              "field": "messages"
            } ]
          } ]
        }
        """.formatted(SocialHub.PHONE_NUMBER_ID, name, waId, waId, wamid, at.getEpochSecond(), text);
  }

  /** A WhatsApp status callback for one message the business sent. */
  static String whatsappStatus(String wamid, String status) {
    return """
        {
          "object": "whatsapp_business_account",
          "entry": [ {
            "id": "102290129340398",
            "changes": [ {
              "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "4930901820", "phone_number_id": "%s" },
                "statuses": [ { "id": "%s", "status": "%s", "timestamp": "%d", "recipient_id": "%s" } ]
              },
              "field": "messages"
            } ]
          } ]
        }
        """.formatted(SocialHub.PHONE_NUMBER_ID, wamid, status, Instant.now().getEpochSecond(), WA_ID);
  }
}
