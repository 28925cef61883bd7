package io.switchboard.channel.social.impl;

import static io.switchboard.channel.social.impl.JsonFields.epochMillis;
import static io.switchboard.channel.social.impl.JsonFields.id;
import static io.switchboard.channel.social.impl.JsonFields.object;
import static io.switchboard.channel.social.impl.JsonFields.objects;
import static io.switchboard.channel.social.impl.JsonFields.optObject;
import static io.switchboard.channel.social.impl.JsonFields.optObjects;
import static io.switchboard.channel.social.impl.JsonFields.optStrings;
import static io.switchboard.channel.social.impl.JsonFields.optText;
import static io.switchboard.channel.social.impl.JsonFields.text;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Messenger Platform webhook ({@code object: page}) to inbound contacts and receipts.
 *
 * <p>Format: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events ({@code messages},
 * {@code messaging_postbacks}, {@code message_reactions}, {@code message_deliveries}, {@code message_reads}).
 *
 * <p>Each {@code entry[].messaging[]} event has {@code sender.id} (the customer's page-scoped id, PSID, or
 * the page itself for echoes), {@code recipient.id} and a {@code timestamp} in milliseconds. Echoes of the
 * page's own messages are skipped (the hub stored them when it sent them); opt-ins, referrals, hand-overs and
 * other events that carry no customer message are acknowledged and ignored.
 */
public final class MessengerNormalizer {
  public static final String PROVIDER = "messenger";

  public WebhookBatch normalize(JsonObject root) {
    String object = optText(root, "object", "");
    if (object != null && !object.equals("page")) {
      throw new MalformedPayloadException("object is '" + object + "', not page");
    }
    BatchBuilder batch = new BatchBuilder();
    List<JsonObject> entries = objects(root, "entry", "");
    for (int e = 0; e < entries.size(); e++) {
      List<JsonObject> events = optObjects(entries.get(e), "messaging", "entry[" + e + "]");
      for (int i = 0; i < events.size(); i++) {
        JsonObject ev = events.get(i);
        String path = "entry[" + e + "].messaging[" + i + "]";
        batch.each(path, ev, () -> event(ev, path, batch));
      }
    }
    return batch.build();
  }

  private void event(JsonObject ev, String path, BatchBuilder batch) {
    String sender = id(object(ev, "sender", path), "id", path + ".sender");
    String page = id(object(ev, "recipient", path), "id", path + ".recipient");

    JsonObject delivery = optObject(ev, "delivery", path);
    if (delivery != null) {
      String p = path + ".delivery";
      for (String mid : optStrings(delivery, "mids", p)) {
        batch.status(new WebhookBatch.StatusUpdate(mid, Message.Status.DELIVERED, null));
      }
      if (delivery.getValue("watermark") != null) {
        batch.watermark(new WebhookBatch.Watermark(sender, epochMillis(delivery, "watermark", p), Message.Status.DELIVERED));
      }
      return;
    }
    JsonObject read = optObject(ev, "read", path);
    if (read != null) {
      batch.watermark(new WebhookBatch.Watermark(sender, epochMillis(read, "watermark", path + ".read"), Message.Status.READ));
      return;
    }

    JsonObject message = optObject(ev, "message", path);
    JsonObject postback = optObject(ev, "postback", path);
    JsonObject reaction = optObject(ev, "reaction", path);
    if (message == null && postback == null && reaction == null) {
      return; // optin, referral, account linking, hand-over...: no customer message
    }
    Instant at = epochMillis(ev, "timestamp", path);
    Map<String, String> metadata = Map.of("social.provider", PROVIDER, "messenger.pageId", page);

    if (message != null) {
      String p = path + ".message";
      if (JsonFields.flag(message, "is_echo", p)) {
        return;
      }
      String mid = text(message, "mid", p);
      List<MessageContent> parts = new ArrayList<>();
      String text = optText(message, "text", p);
      if (text != null && !text.isEmpty()) {
        parts.add(new MessageContent.Text(text));
      }
      List<JsonObject> attachments = optObjects(message, "attachments", p);
      for (int i = 0; i < attachments.size(); i++) {
        MessageContent c = attachment(attachments.get(i), p + ".attachments[" + i + "]");
        // A link share arrives as text plus a "fallback" preview of the same link: the text says it all.
        if (!(c instanceof MessageContent.Unsupported u && u.providerType().equals("fallback") && !parts.isEmpty())) {
          parts.add(c);
        }
      }
      if (parts.isEmpty()) {
        parts.add(new MessageContent.Unsupported("message"));
      }
      // One stored message per part; the first keeps the provider's id, so re-deliveries still dedupe.
      for (int i = 0; i < parts.size(); i++) {
        String externalId = i == 0 ? mid : mid + "#" + (i + 1);
        MessageContent c = parts.get(i);
        contact(batch, p, externalId, sender, c, metadata, at);
      }
    } else if (postback != null) {
      String p = path + ".postback";
      String mid = optText(postback, "mid", p);
      String title = optText(postback, "title", p);
      String externalId = mid != null && !mid.isBlank() ? mid : "postback:" + sender + ":" + at.toEpochMilli();
      MessageContent c = title == null || title.isBlank()
          ? new MessageContent.Unsupported("postback") : new MessageContent.Text(title);
      contact(batch, p, externalId, sender, c, metadata, at);
    } else {
      String p = path + ".reaction";
      String reacted = optText(reaction, "mid", p);
      String externalId = "reaction:" + sender + ":" + (reacted == null ? "" : reacted + ":") + at.toEpochMilli();
      contact(batch, p, externalId, sender, new MessageContent.Unsupported("reaction"), metadata, at);
    }
  }

  private static void contact(BatchBuilder batch, String path, String externalId, String psid, MessageContent content,
      Map<String, String> metadata, Instant at) {
    batch.contact(path, () -> new InboundContact(Channel.SOCIAL, externalId, SenderAddress.handle(PROVIDER, psid), null,
        PROVIDER + ":" + psid, List.of(), null, content, new LinkedHashMap<>(metadata), at));
  }

  private static MessageContent attachment(JsonObject a, String path) {
    String type = text(a, "type", path);
    JsonObject payload = optObject(a, "payload", path);
    String p = path + ".payload";
    switch (type) {
      case "image", "audio", "video", "file" -> {
        if (payload == null) {
          throw new MalformedPayloadException(p + " is required (an object)");
        }
        String url = optText(payload, "url", p);
        Object sticker = payload.getValue("sticker_id");
        String ref = url != null && !url.isBlank() ? url : sticker != null ? "sticker:" + sticker : null;
        if (ref == null) {
          throw new MalformedPayloadException(p + ".url is required (a non-empty string)");
        }
        String mediaType = switch (type) {
          case "file" -> "application/octet-stream";
          default -> type + "/*";
        };
        return new MessageContent.Media(mediaType, optText(payload, "title", p), 0, ref, null);
      }
      case "location" -> {
        // Older clients share a location as an attachment with payload.coordinates.
        JsonObject coords = payload == null ? null : optObject(payload, "coordinates", p);
        if (coords == null) {
          return new MessageContent.Unsupported("location");
        }
        try {
          return new MessageContent.Location(JsonFields.number(coords, "lat", p + ".coordinates"),
              JsonFields.number(coords, "long", p + ".coordinates"), optText(a, "title", path));
        } catch (IllegalArgumentException e) {
          throw new MalformedPayloadException(p + ".coordinates: " + e.getMessage());
        }
      }
      default -> {
        return new MessageContent.Unsupported(type); // template, fallback, reel, ig_reel, ...
      }
    }
  }
}
