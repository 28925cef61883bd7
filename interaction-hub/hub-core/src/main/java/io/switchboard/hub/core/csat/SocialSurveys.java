package io.switchboard.hub.core.csat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.store.Stores;
import io.switchboard.hub.core.messaging.AdapterDirectory;
import io.switchboard.hub.store.SurveyStore.Survey;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Social surveys (docs/reports.md "CSAT"): the question goes to the customer's thread through the social adapter it
 * came from, with quick-reply buttons 1 to 5 ({@link OutboundMessage#QUICK_REPLIES}: Telegram inline buttons,
 * Messenger quick replies; WhatsApp gets the text, which asks for a number). The answer is the customer's next message
 * or button on that thread ({@link SurveyAnswers}).
 */
public final class SocialSurveys implements SurveySender.Outlet {
  /** The buttons: payload {@code csat:N}, label N. */
  static final String BUTTONS = "csat:1=1|csat:2=2|csat:3=3|csat:4=4|csat:5=5";

  private final Stores stores;
  private final AdapterDirectory adapters;

  public SocialSurveys(Stores stores, AdapterDirectory adapters) {
    this.stores = stores;
    this.adapters = adapters;
  }

  @Override
  public Future<Void> send(Survey survey, SurveySettings.QueueSurvey wording) {
    var sql = stores.db().pool();
    InteractionId id = new InteractionId(survey.interactionId());
    return stores.interactions().find(sql, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new IllegalStateException("the interaction is gone"));
      }
      var i = found.get();
      return stores.messages().replyAddress(sql, i.conversationId()).compose(address -> {
        if (address.isEmpty()) {
          return Future.failedFuture(new IllegalStateException("the customer has no address on this channel"));
        }
        var adapter = adapters.forRecipient(Channel.SOCIAL, address.get());
        if (adapter.isEmpty()) {
          return Future.failedFuture(new IllegalStateException(AdapterDirectory.noAdapter(Channel.SOCIAL, address.get())));
        }
        Map<String, String> attributes = new HashMap<>(i.attributes());
        attributes.put(OutboundMessage.QUICK_REPLIES, BUTTONS);
        String text = wording.question() + "\nPlease answer with a number from 1 (poor) to 5 (excellent).";
        return adapter.get().send(new OutboundMessage(MessageId.random(), id, i.conversationId(), address.get(), survey.threadKey(),
            List.of(), null, new MessageContent.Text(text), null, attributes, null)).compose(r -> switch (r) {
              case DeliveryResult.Delivered d -> Future.<Void>succeededFuture();
              case DeliveryResult.Failed f -> Future.<Void>failedFuture(new IllegalStateException(f.reason()));
            });
      });
    });
  }
}
