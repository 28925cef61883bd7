package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.spi.ConversationReader;
import io.switchboard.hub.core.dashboard.WaitEstimates;
import io.switchboard.hub.core.routing.RoutingService;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * What a channel adapter may read back for its customer: the messages of a conversation the customer may see (never
 * private notes; at most 500 at a time, oldest first after {@code after}) and a waiting interaction's place in its
 * queue with the estimated wait (the place from routing, the wait from the queue's live handling rate and staffing).
 */
public final class ChannelConversations implements ConversationReader {
  private static final int MAX_MESSAGES = 500;

  private final Stores stores;
  private final RoutingService routing;
  private final WaitEstimates waits;

  public ChannelConversations(Stores stores, RoutingService routing, WaitEstimates waits) {
    this.stores = stores;
    this.routing = routing;
    this.waits = waits;
  }

  @Override
  public Future<List<Message>> messages(ConversationId conversation, Instant after, int limit) {
    return stores.messages().ofConversation(stores.db().pool(), conversation, after, Math.max(1, Math.min(limit, MAX_MESSAGES)));
  }

  @Override
  public Future<QueuePosition> position(InteractionId interaction) {
    return routing.position(interaction).map(p -> p == null ? null
        : new QueuePosition(p.queue(), p.position(), p.waiting(), waits.estimate(p.queue(), p.position())));
  }
}
