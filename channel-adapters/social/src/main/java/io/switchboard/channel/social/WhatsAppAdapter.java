package io.switchboard.channel.social;

import io.switchboard.channel.social.impl.GraphApi;
import io.switchboard.channel.social.impl.ProviderCall;
import io.switchboard.channel.social.impl.Settings;
import io.switchboard.channel.social.impl.WebhookBatch;
import io.switchboard.channel.social.impl.WhatsAppNormalizer;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * WhatsApp through Meta's Cloud API.
 *
 * <ul>
 *   <li>Webhook {@code /channels/whatsapp/webhook}: the GET handshake with {@code SWITCHBOARD_WHATSAPP_VERIFY_TOKEN};
 *       POSTs signed with the app secret ({@code SWITCHBOARD_WHATSAPP_APP_SECRET}). Customer messages become
 *       contacts from {@code handle(whatsapp, wa_id)} in thread {@code whatsapp:<wa_id>}; {@code statuses[]}
 *       update the messages the hub sent.</li>
 *   <li>Several business numbers: a message to a number other than {@code phoneNumberId} is threaded as
 *       {@code whatsapp:<its phone number id>:<wa_id>}, and every reply goes out from the number the customer wrote to
 *       (the interaction's {@code whatsapp.phoneNumberId}), so each number can have its own queue by a routing rule.</li>
 *   <li>Replies: {@code POST <apiBaseUrl>/<phone number id>/messages} with {@code SWITCHBOARD_WHATSAPP_ACCESS_TOKEN},
 *       only inside the 24-hour customer-service window: a reply more than 24 hours after the customer's last
 *       message fails at once with {@link #WINDOW_CLOSED} (shown to the agent on the message) instead of being
 *       refused by WhatsApp.</li>
 *   <li>Settings ({@code channels.whatsapp}): {@code apiBaseUrl} (default {@value #DEFAULT_API_BASE_URL}),
 *       {@code phoneNumberId} (the business number replies are sent from), {@code requestTimeout} (10s).</li>
 * </ul>
 *
 * Thread-safe; webhook handlers and sends run on the hub's Vert.x contexts and never block.
 */
public final class WhatsAppAdapter extends MetaAdapter {
  public static final String NAME = "whatsapp";
  public static final String DEFAULT_API_BASE_URL = "https://graph.facebook.com/v21.0";
  /** How long after the customer's last message a free-form reply may be sent. */
  public static final Duration WINDOW = Duration.ofHours(24);
  /** The reason a reply outside the window fails with. */
  public static final String WINDOW_CLOSED = "outside WhatsApp's 24-hour customer-service window: "
      + "the customer must write first (or use an approved template)";
  /** WhatsApp's limit on a text message body. */
  static final int MAX_TEXT = 4096;
  private static final int PAGE = 200;

  private WhatsAppNormalizer normalizer = new WhatsAppNormalizer();
  private String apiBaseUrl;
  private String phoneNumberId;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  String providerName() {
    return "WhatsApp";
  }

  @Override
  Set<String> settingKeys() {
    return Set.of("apiBaseUrl", "phoneNumberId");
  }

  @Override
  void configure(Settings settings) {
    apiBaseUrl = settings.baseUrl("apiBaseUrl", DEFAULT_API_BASE_URL);
    phoneNumberId = settings.text("phoneNumberId", null);
    normalizer = new WhatsAppNormalizer(phoneNumberId);
  }

  @Override
  List<String> secretNames() {
    return List.of("APP_SECRET", "VERIFY_TOKEN", "ACCESS_TOKEN");
  }

  @Override
  WebhookBatch normalize(JsonObject body) {
    return normalizer.normalize(body);
  }

  @Override
  int maxTextLength() {
    return MAX_TEXT;
  }

  @Override
  Future<DeliveryResult> deliver(OutboundMessage message, String text) {
    String token = context.secret("ACCESS_TOKEN");
    if (token == null) {
      return Future.succeededFuture(new DeliveryResult.Failed(
          envName("ACCESS_TOKEN") + " is not set: the hub cannot send WhatsApp replies", false));
    }
    // From the business number the customer wrote to (the interaction's attribute), else the configured one.
    String from = message.attributes().getOrDefault("whatsapp.phoneNumberId", phoneNumberId);
    if (from == null || from.isBlank()) {
      return Future.succeededFuture(new DeliveryResult.Failed(
          "switchboard.yaml: channels.whatsapp.phoneNumberId is not set: the hub does not know which number to send from", false));
    }
    return windowOpen(message.conversationId(), Instant.now().minus(WINDOW), 0).compose(open -> {
      if (!open) {
        return Future.succeededFuture(new DeliveryResult.Failed(WINDOW_CLOSED, false));
      }
      String to = message.recipient().value().startsWith("+") ? message.recipient().value().substring(1) : message.recipient().value();
      JsonObject body = new JsonObject()
          .put("messaging_product", "whatsapp")
          .put("recipient_type", "individual")
          .put("to", to)
          .put("type", "text")
          .put("text", new JsonObject().put("preview_url", false).put("body", text))
          // Not an idempotency key (the Cloud API has none), but echoed in status webhooks: ties them to our message.
          .put("biz_opaque_callback_data", message.messageId().toString());
      return ProviderCall.postJson(http, apiBaseUrl + "/" + from + "/messages",
              Map.of("Authorization", "Bearer " + token), body, timeout, token)
          .map(reply -> {
            if (!reply.ok()) {
              return GraphApi.failure("WhatsApp", reply);
            }
            JsonArray messages = reply.json() == null ? null : reply.json().getJsonArray("messages");
            Object id = messages == null || messages.isEmpty() || !(messages.getValue(0) instanceof JsonObject first)
                ? null : first.getValue("id");
            return id instanceof String s && !s.isBlank()
                ? new DeliveryResult.Delivered(s)
                : new DeliveryResult.Failed("WhatsApp API answered " + reply.status() + " without a message id", false);
          });
    });
  }

  /**
   * Whether the customer wrote in this conversation after {@code since} (reads the conversation page by page).
   * WhatsApp measures its window from its own time of the customer's message, so that time ({@link Message#sentAt()},
   * the webhook's {@code timestamp}) counts where the message has one, not when the hub received it.
   */
  private Future<Boolean> windowOpen(ConversationId conversation, Instant since, int pages) {
    return context.conversations().messages(conversation, since, PAGE).compose(messages -> {
      if (messages.stream().anyMatch(m -> m.direction() == Message.Direction.INBOUND
          && (m.sentAt() == null ? m.createdAt() : m.sentAt()).isAfter(since))) {
        return Future.succeededFuture(true);
      }
      if (messages.size() < PAGE || pages >= 50) {
        return Future.succeededFuture(false);
      }
      return windowOpen(conversation, messages.getLast().createdAt(), pages + 1);
    });
  }
}
