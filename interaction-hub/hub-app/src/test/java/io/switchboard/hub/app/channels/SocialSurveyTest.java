package io.switchboard.hub.app.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The social survey through a whole hub and a fake Telegram Bot API: after the contact ends, the customer gets the
 * question with buttons 1 to 5 in their chat; the button (or a text "4") is the answer, stored on the interaction and
 * not taken in as a new contact; a re-delivered answer is recognised; any other message closes the survey and is a
 * contact as usual.
 */
@DisplayName("CSAT on social channels: a quick-reply question, answered by the next message or button")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SocialSurveyTest {
  private SocialHub sb;
  private String supervisor;

  @BeforeEach
  void start() {
    sb = new SocialHub("""
        surveys:
          queues:
            general:
              channels: [social]
              question: "How did we do?"
        """);
    supervisor = sb.login("sam");
  }

  @AfterEach
  void stop() {
    sb.close();
  }

  private String telegramUpdate(long chat, int updateId, int messageId, String text) {
    return new JsonObject().put("update_id", updateId).put("message", new JsonObject()
        .put("message_id", messageId)
        .put("from", new JsonObject().put("id", chat).put("is_bot", false).put("first_name", "Lena"))
        .put("chat", new JsonObject().put("id", chat).put("type", "private"))
        .put("date", Instant.now().getEpochSecond())
        .put("text", text)).encode();
  }

  private SocialHub.Response telegram(String update) {
    return sb.webhook("telegram", update, Map.of("X-Telegram-Bot-Api-Secret-Token", SocialHub.TELEGRAM_SECRET_TOKEN));
  }

  /** A Telegram contact handled and ended by an agent; returns the interaction id once its survey question went out. */
  private String handledAndSurveyed(String agent, long chat, int updateId) {
    var offered = sb.expect(RoutingService.OFFER_CREATED, e -> true);
    assertThat(telegram(telegramUpdate(chat, updateId, updateId, "Hallo")).status()).isEqualTo(200);
    String id = SocialHub.await(offered).getString("interactionId");
    assertThat(sb.post("/api/v1/interactions/" + id + "/accept", agent, "").status()).isEqualTo(204);
    var ended = sb.post("/api/v1/interactions/" + id + "/end", agent, "");
    assertThat(ended.status()).as(ended.body()).isEqualTo(200);
    return id;
  }

  /** Until the hub has recorded the question as sent (just after the provider took it). */
  private void awaitSent(String interaction) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (var c = io.switchboard.hub.testsupport.TestServers.connect(sb.hub.postgresUrl());
          var st = c.prepareStatement("SELECT status FROM csat_surveys WHERE interaction_id = ?::uuid")) {
        st.setString(1, interaction);
        try (var rs = st.executeQuery()) {
          if (rs.next() && rs.getString(1).equals("sent")) {
            return;
          }
        }
      } catch (java.sql.SQLException e) {
        throw new AssertionError(e);
      }
      assertThat(System.nanoTime()).as("survey sent within 30 s").isLessThan(deadline);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private int interactionCount() {
    return sb.get("/api/v1/interactions?limit=200", supervisor).json().getJsonArray("items").size();
  }

  @Test
  void theQuestionGoesOutWithButtonsAndAButtonPressIsTheAnswerNotANewContact() {
    String agent = sb.available("dilara");
    String id = handledAndSurveyed(agent, 717171, 91001);
    SocialFakeProvider.Call question = sb.provider.awaitCall();
    assertThat(question.path()).isEqualTo("/bot" + SocialHub.TELEGRAM_BOT_TOKEN + "/sendMessage");
    assertThat(question.body().getString("text")).startsWith("How did we do?").contains("1 (poor) to 5 (excellent)");
    JsonArray row = question.body().getJsonObject("reply_markup").getJsonArray("inline_keyboard").getJsonArray(0);
    assertThat(row).hasSize(5);
    assertThat(row.getJsonObject(3).getString("text")).isEqualTo("4");
    assertThat(row.getJsonObject(3).getString("callback_data")).isEqualTo("csat:4");
    awaitSent(id);
    int before = interactionCount();

    String press = new JsonObject().put("update_id", 91002).put("callback_query", new JsonObject()
        .put("id", "cbq-91002").put("from", new JsonObject().put("id", 717171).put("is_bot", false).put("first_name", "Lena"))
        .put("chat_instance", "-1").put("data", "csat:4")
        .put("message", new JsonObject().put("message_id", 500).put("chat", new JsonObject().put("id", 717171).put("type", "private"))
            .put("date", Instant.now().getEpochSecond()).put("text", question.body().getString("text"))
            .put("reply_markup", question.body().getJsonObject("reply_markup")))).encode();
    assertThat(telegram(press).status()).isEqualTo(200);
    assertThat(sb.provider.awaitCall().path()).endsWith("/answerCallbackQuery");
    String alice = sb.login("alice");
    JsonObject detail = sb.get("/api/v1/interactions/" + id, supervisor).json();
    String customer = detail.getString("customerId");
    JsonObject last = sb.get("/api/v1/customers/" + customer + "/kpis", alice).json().getJsonObject("lastCsat");
    assertThat(last.getInteger("rating")).isEqualTo(4);
    assertThat(last.getString("channel")).isEqualTo("social");
    assertThat(interactionCount()).as("the answer is not a new contact").isEqualTo(before);

    // The provider delivering the same press again changes nothing and starts nothing.
    assertThat(telegram(press).status()).isEqualTo(200);
    assertThat(interactionCount()).isEqualTo(before);
  }

  @Test
  void aTypedNumberAnswersAndAnyOtherMessageClosesTheSurveyAndIsAContact() {
    String agent = sb.available("dilara");
    String first = handledAndSurveyed(agent, 727272, 92001);
    sb.provider.awaitCall();
    awaitSent(first);
    int before = interactionCount();
    assertThat(telegram(telegramUpdate(727272, 92002, 92002, " 5/5 ")).status()).isEqualTo(200);
    assertThat(interactionCount()).isEqualTo(before);
    String customer = sb.get("/api/v1/interactions/" + first, supervisor).json().getString("customerId");
    assertThat(sb.get("/api/v1/customers/" + customer + "/kpis", supervisor).json().getJsonObject("lastCsat").getInteger("rating"))
        .isEqualTo(5);

    // Another customer ignores the question and writes about something else: a new contact, the survey closed.
    String second = handledAndSurveyed(agent, 737373, 93001);
    sb.provider.awaitCall();
    awaitSent(second);
    int now = interactionCount();
    var offered = sb.expect(RoutingService.OFFER_CREATED, e -> true);
    assertThat(telegram(telegramUpdate(737373, 93002, 93002, "I have another question about my order")).status()).isEqualTo(200);
    SocialHub.await(offered);
    assertThat(interactionCount()).isEqualTo(now + 1);
    String other = sb.get("/api/v1/interactions/" + second, supervisor).json().getString("customerId");
    assertThat(sb.get("/api/v1/customers/" + other + "/kpis", supervisor).json().getValue("lastCsat")).isNull();
    // A "3" now is an ordinary message of that new contact, not a late answer.
    assertThat(telegram(telegramUpdate(737373, 93003, 93003, "3")).status()).isEqualTo(200);
    assertThat(sb.get("/api/v1/customers/" + other + "/kpis", supervisor).json().getValue("lastCsat")).isNull();
  }
}
