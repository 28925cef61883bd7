package io.switchboard.channel.social.impl;

import static io.switchboard.channel.social.impl.JsonFields.epochSeconds;
import static io.switchboard.channel.social.impl.JsonFields.id;
import static io.switchboard.channel.social.impl.JsonFields.integer;
import static io.switchboard.channel.social.impl.JsonFields.object;
import static io.switchboard.channel.social.impl.JsonFields.optInteger;
import static io.switchboard.channel.social.impl.JsonFields.optObject;
import static io.switchboard.channel.social.impl.JsonFields.optObjects;
import static io.switchboard.channel.social.impl.JsonFields.optText;
import static io.switchboard.channel.social.impl.JsonFields.text;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Telegram Bot API webhook (one {@code Update} per request) to inbound contacts.
 *
 * <p>Format: https://core.telegram.org/bots/api#update and https://core.telegram.org/bots/api#message.
 *
 * <p>{@code message}, {@code edited_message} and {@code callback_query} (a button press) become contacts; every
 * other update kind (channel posts, membership changes...) is acknowledged and ignored, as are messages from bots and
 * service messages in groups. An edit is stored as a new message marked "(edited)", with its own id
 * ({@code <chat id>:<message id>:edited:<edit date>}), so the agent sees what the customer changed.
 */
public final class TelegramNormalizer {
  public static final String PROVIDER = "telegram";

  /** Content kinds the hub keeps as a file held by Telegram, with the MIME type assumed when none is given. */
  private static final Map<String, String> FILES = orderedMap(
      "document", "application/octet-stream",
      "audio", "audio/mpeg",
      "voice", "audio/ogg",
      "video", "video/mp4",
      "video_note", "video/mp4",
      "animation", "video/mp4");

  /** Content kinds stored as unsupported (shown to the agent by name). */
  private static final List<String> UNSUPPORTED = List.of(
      "poll", "dice", "game", "story", "invoice", "paid_media", "giveaway", "giveaway_winners",
      "successful_payment", "checklist", "web_app_data", "users_shared", "chat_shared");

  public WebhookBatch normalize(JsonObject update) {
    integer(update, "update_id", "");
    BatchBuilder batch = new BatchBuilder();
    batch.each("", update, () -> {
      JsonObject message = optObject(update, "message", "");
      JsonObject edited = optObject(update, "edited_message", "");
      JsonObject callback = optObject(update, "callback_query", "");
      if (message != null) {
        message(message, "message", false, batch);
      } else if (edited != null) {
        message(edited, "edited_message", true, batch);
      } else if (callback != null) {
        callback(callback, "callback_query", batch);
      }
    });
    return batch.build();
  }

  /**
   * A press of an inline keyboard button: answered with {@code answerCallbackQuery} after it is stored (so the
   * customer's app stops showing its progress bar), and stored as the text of the button pressed (found by its
   * {@code callback_data} in the message's keyboard; the data itself when the keyboard is not there). The update
   * carries no time: the hub's receipt time is used.
   */
  private void callback(JsonObject q, String path, BatchBuilder batch) {
    String id = text(q, "id", path);
    batch.callbackQuery(id);
    JsonObject from = object(q, "from", path);
    String userId = id(from, "id", path + ".from");
    JsonObject message = optObject(q, "message", path);
    JsonObject chat = message == null ? null : optObject(message, "chat", path + ".message");
    String chatId = chat == null ? userId : id(chat, "id", path + ".message.chat");
    String chatType = chat == null ? null : optText(chat, "type", path + ".message.chat");
    String data = optText(q, "data", path);
    String game = optText(q, "game_short_name", path);
    MessageContent content;
    String label = message == null || data == null ? null : buttonText(message, data);
    if (label != null) {
      content = new MessageContent.Text(label);
    } else if (data != null && !data.isBlank()) {
      content = new MessageContent.Text(data);
    } else {
      content = new MessageContent.Unsupported(game != null ? "game" : "callback_query");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("social.provider", PROVIDER);
    if (chatType != null) {
      metadata.put("telegram.chatType", chatType);
    }
    if (data != null) {
      metadata.put("telegram.callbackData", BatchBuilder.clip(data, 256));
    }
    String language = optText(from, "language_code", path + ".from");
    if (language != null && !language.isBlank() && language.length() <= 35) {
      metadata.put("language", language);
    }
    String name = name(from, path + ".from");
    batch.contact(path, () -> new InboundContact(Channel.SOCIAL, chatId + ":callback:" + id,
        SenderAddress.handle(PROVIDER, userId), BatchBuilder.clip(name, 200), PROVIDER + ":" + chatId, List.of(), null,
        content, metadata, Instant.now()));
  }

  /** The text of the inline keyboard button whose callback_data is {@code data}, or null. */
  private static String buttonText(JsonObject message, String data) {
    JsonObject markup = message.getValue("reply_markup") instanceof JsonObject j ? j : null;
    Object rows = markup == null ? null : markup.getValue("inline_keyboard");
    if (!(rows instanceof io.vertx.core.json.JsonArray keyboard)) {
      return null;
    }
    for (Object row : keyboard) {
      if (row instanceof io.vertx.core.json.JsonArray buttons) {
        for (Object b : buttons) {
          if (b instanceof JsonObject button && data.equals(button.getValue("callback_data"))
              && button.getValue("text") instanceof String text && !text.isBlank()) {
            return text;
          }
        }
      }
    }
    return null;
  }

  private void message(JsonObject m, String path, boolean edit, BatchBuilder batch) {
    long messageId = integer(m, "message_id", path);
    JsonObject chat = object(m, "chat", path);
    String chatId = id(chat, "id", path + ".chat");
    String chatType = optText(chat, "type", path + ".chat");
    Instant sent = epochSeconds(m, "date", path);
    JsonObject from = optObject(m, "from", path);
    if (from == null || JsonFields.flag(from, "is_bot", path + ".from")) {
      return; // anonymous group admins, channels speaking in groups, other bots: not a customer
    }
    String userId = id(from, "id", path + ".from");
    MessageContent content = content(m, path, "private".equals(chatType));
    if (content == null) {
      return;
    }
    String externalId;
    Instant at;
    if (edit) {
      at = m.getValue("edit_date") != null ? epochSeconds(m, "edit_date", path) : sent;
      externalId = chatId + ":" + messageId + ":edited:" + at.getEpochSecond();
      if (content instanceof MessageContent.Text t) {
        content = new MessageContent.Text("(edited) " + t.body());
      }
    } else {
      at = sent;
      externalId = chatId + ":" + messageId;
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("social.provider", PROVIDER);
    if (chatType != null) {
      metadata.put("telegram.chatType", chatType);
    }
    String language = optText(from, "language_code", path + ".from");
    if (language != null && !language.isBlank() && language.length() <= 35) {
      metadata.put("language", language);
    }
    String name = name(from, path + ".from");
    MessageContent c = content;
    batch.contact(path, () -> new InboundContact(Channel.SOCIAL, externalId, SenderAddress.handle(PROVIDER, userId),
        BatchBuilder.clip(name, 200), PROVIDER + ":" + chatId, List.of(), null, c, metadata, at));
  }

  /** The content, or null for a service message outside a private chat (members joining, pinned messages...). */
  private static MessageContent content(JsonObject m, String path, boolean privateChat) {
    String caption = optText(m, "caption", path);
    String text = optText(m, "text", path);
    if (text != null) {
      return new MessageContent.Text(text);
    }
    List<JsonObject> photo = optObjects(m, "photo", path);
    if (!photo.isEmpty()) {
      // Telegram sends one entry per size, smallest first: keep the largest.
      int last = photo.size() - 1;
      JsonObject p = photo.get(last);
      String pp = path + ".photo[" + last + "]";
      Long size = optInteger(p, "file_size", pp);
      return new MessageContent.Media("image/jpeg", null, size == null ? 0 : size, text(p, "file_id", pp), caption);
    }
    JsonObject sticker = optObject(m, "sticker", path);
    if (sticker != null) {
      String p = path + ".sticker";
      String type = JsonFields.flag(sticker, "is_animated", p) ? "application/x-tgsticker"
          : JsonFields.flag(sticker, "is_video", p) ? "video/webm" : "image/webp";
      Long size = optInteger(sticker, "file_size", p);
      return new MessageContent.Media(type, null, size == null ? 0 : size, text(sticker, "file_id", p),
          optText(sticker, "emoji", p));
    }
    for (Map.Entry<String, String> kind : FILES.entrySet()) {
      JsonObject f = optObject(m, kind.getKey(), path);
      if (f != null) {
        String p = path + "." + kind.getKey();
        String mime = optText(f, "mime_type", p);
        Long size = optInteger(f, "file_size", p);
        return new MessageContent.Media(mime == null || mime.isBlank() ? kind.getValue() : mime, optText(f, "file_name", p),
            size == null ? 0 : size, text(f, "file_id", p), caption);
      }
    }
    JsonObject contact = optObject(m, "contact", path);
    if (contact != null) {
      String p = path + ".contact";
      String first = optText(contact, "first_name", p);
      String last = optText(contact, "last_name", p);
      String phone = text(contact, "phone_number", p);
      return new MessageContent.Contact(BatchBuilder.clip(((first == null ? "" : first) + " " + (last == null ? "" : last)), 200),
          List.of(BatchBuilder.clip(phone, 64)), List.of());
    }
    JsonObject venue = optObject(m, "venue", path);
    JsonObject location = venue != null ? object(venue, "location", path + ".venue") : optObject(m, "location", path);
    if (location != null) {
      String p = venue != null ? path + ".venue.location" : path + ".location";
      String label = null;
      if (venue != null) {
        String title = optText(venue, "title", path + ".venue");
        String address = optText(venue, "address", path + ".venue");
        label = title == null ? address : address == null ? title : title + ", " + address;
      }
      try {
        return new MessageContent.Location(JsonFields.number(location, "latitude", p), JsonFields.number(location, "longitude", p), label);
      } catch (IllegalArgumentException e) {
        throw new MalformedPayloadException(p + ": " + e.getMessage());
      }
    }
    for (String kind : UNSUPPORTED) {
      if (m.getValue(kind) != null) {
        return new MessageContent.Unsupported(kind);
      }
    }
    return privateChat ? new MessageContent.Unsupported("message") : null;
  }

  private static String name(JsonObject from, String path) {
    String first = optText(from, "first_name", path);
    String last = optText(from, "last_name", path);
    String full = ((first == null ? "" : first) + " " + (last == null ? "" : last)).strip();
    if (!full.isEmpty()) {
      return full;
    }
    String username = optText(from, "username", path);
    return username == null ? null : "@" + username;
  }

  private static Map<String, String> orderedMap(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
