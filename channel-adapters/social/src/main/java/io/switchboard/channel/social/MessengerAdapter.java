package io.switchboard.channel.social;

import io.switchboard.channel.social.impl.GraphApi;
import io.switchboard.channel.social.impl.MessengerNormalizer;
import io.switchboard.channel.social.impl.ProviderCall;
import io.switchboard.channel.social.impl.SentIndex;
import io.switchboard.channel.social.impl.Settings;
import io.switchboard.channel.social.impl.WebhookBatch;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Facebook Messenger through the Messenger Platform.
 *
 * <ul>
 *   <li>Webhook {@code /channels/messenger/webhook}: the GET handshake with {@code SWITCHBOARD_MESSENGER_VERIFY_TOKEN};
 *       POSTs signed with the app secret ({@code SWITCHBOARD_MESSENGER_APP_SECRET}). Messages become contacts
 *       from {@code handle(messenger, PSID)} in thread {@code messenger:<PSID>}; delivery receipts (by
 *       {@code mids} or watermark) and read receipts (watermark) update the messages the hub sent.</li>
 *   <li>Replies: Send API {@code POST <apiBaseUrl>/<page id>/messages} from the page the customer wrote to (the
 *       interaction's {@code messenger.pageId}; {@code /me/messages} when unknown), {@code messaging_type: RESPONSE},
 *       with that page's {@code SWITCHBOARD_MESSENGER_PAGE_ACCESS_TOKEN_<page id>}, else
 *       {@code SWITCHBOARD_MESSENGER_PAGE_ACCESS_TOKEN}. Messenger itself refuses replies more than 24 hours
 *       after the customer's last message; its reason is stored on the message.</li>
 *   <li>Settings ({@code channels.messenger}): {@code apiBaseUrl} (default {@value #DEFAULT_API_BASE_URL}),
 *       {@code requestTimeout} (10s).</li>
 * </ul>
 *
 * Watermark receipts are matched against the messages this hub node sent recently (kept in memory); with
 * several nodes, or after a restart, receipts that name their messages ({@code delivery.mids}) still apply.
 */
public final class MessengerAdapter extends MetaAdapter {
  public static final String NAME = "messenger";
  public static final String DEFAULT_API_BASE_URL = "https://graph.facebook.com/v21.0";
  /** The Send API's limit on a text message. */
  static final int MAX_TEXT = 2000;

  private final MessengerNormalizer normalizer = new MessengerNormalizer();
  private final SentIndex sent = new SentIndex(10_000, 100);
  private String apiBaseUrl;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  String providerName() {
    return "Messenger";
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
    return List.of("APP_SECRET", "VERIFY_TOKEN", "PAGE_ACCESS_TOKEN");
  }

  @Override
  WebhookBatch normalize(JsonObject body) {
    return normalizer.normalize(body);
  }

  @Override
  List<WebhookBatch.StatusUpdate> resolve(WebhookBatch.Watermark watermark) {
    return sent.reached(watermark.recipient(), watermark.until(), watermark.status()).stream()
        .map(mid -> new WebhookBatch.StatusUpdate(mid, watermark.status(), null))
        .toList();
  }

  @Override
  int maxTextLength() {
    return MAX_TEXT;
  }

  @Override
  Future<DeliveryResult> deliver(OutboundMessage message, String text) {
    // From the page the customer wrote to: that page's own token (PAGE_ACCESS_TOKEN_<page id>) where one is set,
    // else the default token (which then must be that page's).
    String page = message.attributes().get("messenger.pageId");
    String pageToken = page == null || !page.matches("[0-9]{1,32}") ? null : context.secret("PAGE_ACCESS_TOKEN_" + page);
    String token = pageToken != null ? pageToken : context.secret("PAGE_ACCESS_TOKEN");
    if (token == null) {
      return Future.succeededFuture(new DeliveryResult.Failed(
          envName("PAGE_ACCESS_TOKEN") + " is not set: the hub cannot send Messenger replies", false));
    }
    String sender = page == null || !page.matches("[0-9]{1,32}") ? "me" : page;
    String psid = message.recipient().value();
    JsonObject body = new JsonObject()
        .put("recipient", new JsonObject().put("id", psid))
        .put("messaging_type", "RESPONSE")
        // metadata comes back in the message echo; the Send API has no idempotency key.
        .put("message", new JsonObject().put("text", text).put("metadata", "switchboard:" + message.messageId()));
    var buttons = message.quickReplies();
    if (!buttons.isEmpty()) {
      // Quick replies: a tap comes back as a message with the label as its text.
      io.vertx.core.json.JsonArray quick = new io.vertx.core.json.JsonArray();
      buttons.forEach((payload, label) -> quick.add(new JsonObject().put("content_type", "text").put("title", label).put("payload", payload)));
      body.getJsonObject("message").put("quick_replies", quick);
    }
    Instant leaving = Instant.now();
    return ProviderCall.postJson(http, apiBaseUrl + "/" + sender + "/messages", Map.of("Authorization", "Bearer " + token), body,
            timeout, token)
        .map(reply -> {
          if (!reply.ok()) {
            return GraphApi.failure("Messenger", reply);
          }
          Object mid = reply.json() == null ? null : reply.json().getValue("message_id");
          if (!(mid instanceof String s) || s.isBlank()) {
            return new DeliveryResult.Failed("Messenger API answered " + reply.status() + " without a message_id", false);
          }
          sent.sent(psid, s, leaving);
          return new DeliveryResult.Delivered(s);
        });
  }
}
