package io.switchboard.channel.social.impl;

import static io.switchboard.channel.social.impl.JsonFields.epochSeconds;
import static io.switchboard.channel.social.impl.JsonFields.object;
import static io.switchboard.channel.social.impl.JsonFields.objects;
import static io.switchboard.channel.social.impl.JsonFields.optInteger;
import static io.switchboard.channel.social.impl.JsonFields.optObject;
import static io.switchboard.channel.social.impl.JsonFields.optObjects;
import static io.switchboard.channel.social.impl.JsonFields.optText;
import static io.switchboard.channel.social.impl.JsonFields.text;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * WhatsApp Cloud API webhook ({@code object: whatsapp_business_account}) to inbound contacts and status updates.
 *
 * <p>Format: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components and the
 * {@code messages} webhook reference (payload examples per message type, {@code statuses} with {@code errors}).
 *
 * <p>Each {@code entry[].changes[]} whose {@code field} is {@code messages} carries {@code value.messages[]}
 * (from customers, with {@code value.contacts[]} giving their profile names) and/or {@code value.statuses[]}
 * (about messages the business sent). Other fields (template or account updates) are acknowledged and ignored.
 */
public final class WhatsAppNormalizer {
  public static final String PROVIDER = "whatsapp";

  /** Types the hub receives as a file the provider keeps. */
  private static final List<String> MEDIA = List.of("image", "audio", "video", "document", "sticker");

  private final String defaultNumber;

  /** A normaliser for a hub with one (or no configured) business number. */
  public WhatsAppNormalizer() {
    this(null);
  }

  /**
   * @param defaultNumber the configured business number ({@code channels.whatsapp.phoneNumberId}): its threads are
   *     {@code whatsapp:<wa_id>}; a message to any other number is threaded as {@code whatsapp:<number id>:<wa_id>}, so
   *     a customer writing to two numbers has two conversations, each answered from its own number
   */
  public WhatsAppNormalizer(String defaultNumber) {
    this.defaultNumber = defaultNumber;
  }

  public WebhookBatch normalize(JsonObject root) {
    String object = optText(root, "object", "");
    if (object != null && !object.equals("whatsapp_business_account")) {
      throw new MalformedPayloadException("object is '" + object + "', not whatsapp_business_account");
    }
    BatchBuilder batch = new BatchBuilder();
    List<JsonObject> entries = objects(root, "entry", "");
    for (int e = 0; e < entries.size(); e++) {
      List<JsonObject> changes = objects(entries.get(e), "changes", "entry[" + e + "]");
      for (int c = 0; c < changes.size(); c++) {
        String path = "entry[" + e + "].changes[" + c + "]";
        JsonObject change = changes.get(c);
        String field = optText(change, "field", path);
        if (field != null && !field.equals("messages")) {
          continue;
        }
        change(object(change, "value", path), path + ".value", batch);
      }
    }
    return batch.build();
  }

  private void change(JsonObject value, String path, BatchBuilder batch) {
    Map<String, String> names = new HashMap<>();
    List<JsonObject> contacts = optObjects(value, "contacts", path);
    for (int i = 0; i < contacts.size(); i++) {
      String p = path + ".contacts[" + i + "]";
      String waId = optText(contacts.get(i), "wa_id", p);
      JsonObject profile = optObject(contacts.get(i), "profile", p);
      String name = profile == null ? null : optText(profile, "name", p + ".profile");
      if (waId != null && name != null) {
        names.put(waId, name);
      }
    }
    JsonObject meta = optObject(value, "metadata", path);
    String phoneNumberId = meta == null ? null : optText(meta, "phone_number_id", path + ".metadata");

    List<JsonObject> messages = optObjects(value, "messages", path);
    for (int i = 0; i < messages.size(); i++) {
      String p = path + ".messages[" + i + "]";
      JsonObject m = messages.get(i);
      batch.each(p, m, () -> message(m, p, names, phoneNumberId, batch));
    }

    List<JsonObject> statuses = optObjects(value, "statuses", path);
    for (int i = 0; i < statuses.size(); i++) {
      String p = path + ".statuses[" + i + "]";
      JsonObject s = statuses.get(i);
      batch.each(p, s, () -> status(s, p, batch));
    }
  }

  private void message(JsonObject m, String p, Map<String, String> names, String phoneNumberId, BatchBuilder batch) {
    String id = text(m, "id", p);
    String from = text(m, "from", p);
    Instant at = epochSeconds(m, "timestamp", p);
    String type = text(m, "type", p);
    List<MessageContent> contents = type.equals("contacts") ? contactCards(m, p) : List.of(content(m, type, p));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("social.provider", PROVIDER);
    if (phoneNumberId != null && !phoneNumberId.isBlank()) {
      metadata.put("whatsapp.phoneNumberId", phoneNumberId);
    }
    // One stored message per part (several shared contact cards); the first keeps the provider's id.
    for (int i = 0; i < contents.size(); i++) {
      String externalId = i == 0 ? id : id + "#" + (i + 1);
      MessageContent content = contents.get(i);
      String thread = phoneNumberId == null || phoneNumberId.isBlank() || defaultNumber == null
          || phoneNumberId.equals(defaultNumber) ? PROVIDER + ":" + from : PROVIDER + ":" + phoneNumberId + ":" + from;
      batch.contact(p, () -> new InboundContact(Channel.SOCIAL, externalId, SenderAddress.handle(PROVIDER, from),
          BatchBuilder.clip(names.get(from), 200), thread, List.of(), null, content, metadata, at));
    }
  }

  /** Each card of a {@code contacts} message: its formatted name, phone numbers (or WhatsApp ids) and emails. */
  private static List<MessageContent> contactCards(JsonObject m, String path) {
    List<JsonObject> cards = optObjects(m, "contacts", path);
    List<MessageContent> out = new java.util.ArrayList<>();
    for (int i = 0; i < cards.size(); i++) {
      String p = path + ".contacts[" + i + "]";
      JsonObject card = cards.get(i);
      JsonObject name = optObject(card, "name", p);
      String formatted = null;
      if (name != null) {
        formatted = optText(name, "formatted_name", p + ".name");
        if (formatted == null || formatted.isBlank()) {
          String first = optText(name, "first_name", p + ".name");
          String last = optText(name, "last_name", p + ".name");
          formatted = ((first == null ? "" : first) + " " + (last == null ? "" : last)).strip();
        }
      }
      List<String> phones = new java.util.ArrayList<>();
      List<JsonObject> ps = optObjects(card, "phones", p);
      for (int j = 0; j < ps.size(); j++) {
        String phone = optText(ps.get(j), "phone", p + ".phones[" + j + "]");
        String waId = optText(ps.get(j), "wa_id", p + ".phones[" + j + "]");
        String number = phone != null && !phone.isBlank() ? phone.strip() : waId == null || waId.isBlank() ? null : "+" + waId.strip();
        if (number != null) {
          phones.add(BatchBuilder.clip(number, 64));
        }
      }
      List<String> emails = new java.util.ArrayList<>();
      List<JsonObject> es = optObjects(card, "emails", p);
      for (int j = 0; j < es.size(); j++) {
        String email = optText(es.get(j), "email", p + ".emails[" + j + "]");
        if (email != null && !email.isBlank()) {
          emails.add(BatchBuilder.clip(email, 254));
        }
      }
      String n = BatchBuilder.clip(formatted, 200);
      out.add(n == null && phones.isEmpty() && emails.isEmpty()
          ? new MessageContent.Unsupported("contacts") : new MessageContent.Contact(n, phones, emails));
    }
    if (out.isEmpty()) {
      out.add(new MessageContent.Unsupported("contacts"));
    }
    return out;
  }

  private void status(JsonObject s, String p, BatchBuilder batch) {
    String id = text(s, "id", p);
    Message.Status status = switch (text(s, "status", p)) {
      case "sent" -> Message.Status.SENT;
      case "delivered" -> Message.Status.DELIVERED;
      case "read" -> Message.Status.READ;
      case "failed" -> Message.Status.FAILED;
      default -> null; // "deleted", "warning" and future states change nothing the hub shows
    };
    if (status != null) {
      batch.status(new WebhookBatch.StatusUpdate(id, status,
          status == Message.Status.FAILED ? errors(optObjects(s, "errors", p), p + ".errors") : null));
    }
  }

  private static MessageContent content(JsonObject m, String type, String path) {
    if (type.equals("text")) {
      return new MessageContent.Text(text(object(m, "text", path), "body", path + ".text"));
    }
    if (MEDIA.contains(type)) {
      String p = path + "." + type;
      JsonObject media = object(m, type, path);
      String mime = optText(media, "mime_type", p);
      Long size = optInteger(media, "file_size", p);
      return new MessageContent.Media(mime == null || mime.isBlank() ? type : mime, optText(media, "filename", p),
          size == null ? 0 : size, text(media, "id", p), optText(media, "caption", p));
    }
    if (type.equals("location")) {
      String p = path + ".location";
      JsonObject loc = object(m, "location", path);
      StringJoiner label = new StringJoiner(", ");
      for (String key : List.of("name", "address")) {
        String s = optText(loc, key, p);
        if (s != null && !s.isBlank()) {
          label.add(s.strip());
        }
      }
      try {
        return new MessageContent.Location(JsonFields.number(loc, "latitude", p), JsonFields.number(loc, "longitude", p),
            label.length() == 0 ? null : label.toString());
      } catch (IllegalArgumentException e) {
        throw new MalformedPayloadException(p + ": " + e.getMessage());
      }
    }
    if (type.equals("button")) {
      // A tap on a quick-reply button of a template: the customer "said" the button's text.
      JsonObject button = object(m, "button", path);
      return new MessageContent.Text(text(button, "text", path + ".button"));
    }
    if (type.equals("interactive")) {
      JsonObject interactive = object(m, "interactive", path);
      for (String reply : List.of("button_reply", "list_reply")) {
        JsonObject r = optObject(interactive, reply, path + ".interactive");
        if (r != null) {
          return new MessageContent.Text(text(r, "title", path + ".interactive." + reply));
        }
      }
      return new MessageContent.Unsupported("interactive");
    }
    // reaction, order, system, referral-only, "unsupported"/"unknown" and types added later:
    // stored as such so the agent sees that something arrived.
    return new MessageContent.Unsupported(type);
  }

  /** The provider's errors as one line: "131047 Re-engagement message: More than 24 hours have passed...". */
  static String errors(List<JsonObject> errors, String path) {
    if (errors.isEmpty()) {
      return "WhatsApp reported the message as failed without a reason";
    }
    StringJoiner out = new StringJoiner("; ");
    for (int i = 0; i < errors.size(); i++) {
      JsonObject e = errors.get(i);
      String p = path + "[" + i + "]";
      StringBuilder one = new StringBuilder();
      Long code = optInteger(e, "code", p);
      if (code != null) {
        one.append(code).append(' ');
      }
      String title = optText(e, "title", p);
      String message = optText(e, "message", p);
      one.append(title != null ? title : "error");
      if (message != null && !message.equals(title)) {
        one.append(": ").append(message);
      }
      JsonObject data = optObject(e, "error_data", p);
      String details = data == null ? null : optText(data, "details", p + ".error_data");
      if (details != null && !details.isBlank()) {
        one.append(" (").append(details.strip()).append(')');
      }
      out.add(one.toString().strip());
    }
    return BatchBuilder.clip(out.toString(), 1000);
  }
}
