package io.switchboard.channel.social;

import io.switchboard.channel.social.impl.BatchBuilder;
import io.switchboard.channel.social.impl.ProviderCall;
import io.switchboard.channel.social.impl.Rejection;
import io.switchboard.channel.social.impl.Settings;
import io.switchboard.channel.social.impl.Signatures;
import io.switchboard.channel.social.impl.TelegramNormalizer;
import io.switchboard.channel.social.impl.WebhookBatch;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Telegram through the Bot API.
 *
 * <ul>
 *   <li>Webhook {@code /channels/telegram/webhook}, registered with {@code setWebhook} and a
 *       {@code secret_token}: every POST must carry it in {@code X-Telegram-Bot-Api-Secret-Token}
 *       ({@code SWITCHBOARD_TELEGRAM_SECRET_TOKEN}). Messages become contacts from
 *       {@code handle(telegram, <user id>)} in thread {@code telegram:<chat id>}, with id
 *       {@code <chat id>:<message id>}; a button press ({@code callback_query}) becomes a contact with the
 *       button's text and is answered with {@code answerCallbackQuery} once stored.</li>
 *   <li>Replies: {@code POST <apiBaseUrl>/bot<token>/sendMessage} to the thread's chat
 *       ({@code SWITCHBOARD_TELEGRAM_BOT_TOKEN}). Telegram reports no delivery or read receipts to bots, so a
 *       reply stays "sent".</li>
 *   <li>Settings ({@code channels.telegram}): {@code apiBaseUrl} (default {@value #DEFAULT_API_BASE_URL}),
 *       {@code requestTimeout} (10s).</li>
 * </ul>
 */
public final class TelegramAdapter extends SocialAdapter {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TelegramAdapter.class);
  public static final String NAME = "telegram";
  public static final String DEFAULT_API_BASE_URL = "https://api.telegram.org";
  public static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";
  /** The Bot API's limit on a message text. */
  static final int MAX_TEXT = 4096;

  private final TelegramNormalizer normalizer = new TelegramNormalizer();
  private String apiBaseUrl;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  String providerName() {
    return "Telegram";
  }

  @Override
  Set<String> settingKeys() {
    return Set.of("apiBaseUrl");
  }

  @Override
  void configure(Settings settings) {
    apiBaseUrl = settings.baseUrl("apiBaseUrl", DEFAULT_API_BASE_URL);
  }

  @Override
  List<String> secretNames() {
    return List.of("BOT_TOKEN", "SECRET_TOKEN");
  }

  @Override
  Rejection authenticate(HttpServerRequest request, Buffer body) {
    String secret = context.secret("SECRET_TOKEN");
    if (secret == null) {
      return Rejection.notConfigured(envName("SECRET_TOKEN"), "webhooks cannot be authenticated and nothing is accepted");
    }
    String given = request.getHeader(SECRET_HEADER);
    if (given == null || given.isEmpty()) {
      return Rejection.unauthenticated("secret-token-missing", SECRET_HEADER + " is required");
    }
    if (!Signatures.constantTimeEquals(secret, given)) {
      return Rejection.unauthenticated("secret-token-invalid", SECRET_HEADER + " does not match the configured secret token");
    }
    return null;
  }

  @Override
  WebhookBatch normalize(JsonObject body) {
    return normalizer.normalize(body);
  }

  /**
   * Answers each button press ({@code answerCallbackQuery}), so the customer's app stops showing its progress bar.
   * Not awaited: the press is stored either way, and a failed answer only leaves the bar until it times out.
   */
  @Override
  void stored(WebhookBatch batch) {
    String token = context.secret("BOT_TOKEN");
    if (token == null) {
      return;
    }
    for (String id : batch.callbackQueries()) {
      ProviderCall.postJson(http, apiBaseUrl + "/bot" + token + "/answerCallbackQuery", Map.of(),
              new JsonObject().put("callback_query_id", id), timeout, token)
          .onComplete(ar -> {
            if (ar.failed() || !ar.result().ok()) {
              log.atWarn().addKeyValue("callbackQueryId", id)
                  .log("answerCallbackQuery failed: " + (ar.failed() ? ar.cause().getMessage() : "status " + ar.result().status()));
            }
          });
    }
  }

  @Override
  int maxTextLength() {
    return MAX_TEXT;
  }

  @Override
  Future<DeliveryResult> deliver(OutboundMessage message, String text) {
    String token = context.secret("BOT_TOKEN");
    if (token == null) {
      return Future.succeededFuture(new DeliveryResult.Failed(
          envName("BOT_TOKEN") + " is not set: the hub cannot send Telegram replies", false));
    }
    String prefix = NAME + ":";
    String chat = message.threadKey() != null && message.threadKey().startsWith(prefix)
        ? message.threadKey().substring(prefix.length()) : message.recipient().value();
    Object chatId;
    try {
      chatId = Long.parseLong(chat);
    } catch (NumberFormatException e) {
      chatId = chat; // @channelusername
    }
    JsonObject body = new JsonObject().put("chat_id", chatId).put("text", text);
    var buttons = message.quickReplies();
    if (!buttons.isEmpty()) {
      // One row of inline buttons; a tap comes back as a callback_query carrying the payload.
      io.vertx.core.json.JsonArray row = new io.vertx.core.json.JsonArray();
      buttons.forEach((payload, label) -> row.add(new JsonObject().put("text", label).put("callback_data", payload)));
      body.put("reply_markup", new JsonObject().put("inline_keyboard", new io.vertx.core.json.JsonArray().add(row)));
    }
    return ProviderCall.postJson(http, apiBaseUrl + "/bot" + token + "/sendMessage", Map.of(), body, timeout, token)
        .map(reply -> {
          JsonObject json = reply.json();
          if (reply.ok() && json != null && Boolean.TRUE.equals(json.getValue("ok"))
              && json.getValue("result") instanceof JsonObject result && result.getValue("message_id") instanceof Number id) {
            return new DeliveryResult.Delivered(chat + ":" + id.longValue());
          }
          return failure(reply);
        });
  }

  /**
   * Telegram's {@code {"ok": false, "error_code", "description", "parameters": {"retry_after"}}}: {@code retry_after}
   * becomes the failure's {@link DeliveryResult.Failed#retryAfter()}.
   */
  private static DeliveryResult.Failed failure(ProviderCall.Reply reply) {
    JsonObject json = reply.json();
    StringBuilder reason = new StringBuilder("Telegram API answered ").append(reply.status());
    Object description = json == null ? null : json.getValue("description");
    reason.append(": ").append(description == null ? "no description" : description);
    Object parameters = json == null ? null : json.getValue("parameters");
    java.time.Duration wait = null;
    if (parameters instanceof JsonObject p && p.getValue("retry_after") instanceof Number seconds) {
      wait = java.time.Duration.ofSeconds(Math.max(0, seconds.longValue()));
    } else if (reply.transientStatus()) {
      wait = reply.waitAsked();
    }
    if (wait != null) {
      reason.append(" (retry after ").append(wait.toSeconds()).append(" s)");
    }
    // 429 with retry_after: the hub waits that long before trying this message again (other chats go on).
    return new DeliveryResult.Failed(BatchBuilder.clip(reason.toString(), 1000), reply.transientStatus(), wait);
  }
}
