package io.switchboard.channel.social;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * How the social providers answer, for the channel test kit's {@code FakeProvider}: successes as WhatsApp Cloud API
 * ({@code POST /<phone number id>/messages}), Messenger Send API ({@code POST /me/messages}) and Telegram
 * ({@code POST /bot<token>/sendMessage}) give them, and their error bodies.
 */
final class SocialProviders {
  private SocialProviders() {
  }

  /** A successful answer of the provider the path belongs to (Telegram's bot API, Messenger, else WhatsApp). */
  static JsonObject success(String path, JsonObject request, long n) {
    if (path.startsWith("/bot")) {
      return new JsonObject().put("ok", true).put("result", new JsonObject().put("message_id", n)
          .put("from", new JsonObject().put("id", 5550001).put("is_bot", true).put("first_name", "Switchboard"))
          .put("chat", new JsonObject().put("id", request.getValue("chat_id")).put("type", "private"))
          .put("date", System.currentTimeMillis() / 1000).put("text", request.getString("text")));
    }
    if (path.equals("/me/messages") || request.containsKey("recipient")) {
      JsonObject recipient = request.getJsonObject("recipient", new JsonObject());
      return new JsonObject().put("recipient_id", recipient.getString("id")).put("message_id", "m_fake" + n);
    }
    String to = request.getString("to");
    return new JsonObject().put("messaging_product", "whatsapp")
        .put("contacts", new JsonArray().add(new JsonObject().put("input", to).put("wa_id", to)))
        .put("messages", new JsonArray().add(new JsonObject().put("id", "wamid.FAKE" + n)));
  }

  /** A Graph API error as WhatsApp and Messenger send it. */
  static JsonObject graphError(long code, String message, Long subcode, String details) {
    JsonObject error = new JsonObject().put("message", message).put("type", "OAuthException").put("code", code)
        .put("fbtrace_id", "AbCdEfGhIjK");
    if (subcode != null) {
      error.put("error_subcode", subcode);
    }
    if (details != null) {
      error.put("error_data", new JsonObject().put("messaging_product", "whatsapp").put("details", details));
    }
    return new JsonObject().put("error", error);
  }

  /** A Bot API error. */
  static JsonObject telegramError(int code, String description) {
    JsonObject e = new JsonObject().put("ok", false).put("error_code", code).put("description", description);
    if (code == 429) {
      e.put("parameters", new JsonObject().put("retry_after", 3));
    }
    return e;
  }
}
