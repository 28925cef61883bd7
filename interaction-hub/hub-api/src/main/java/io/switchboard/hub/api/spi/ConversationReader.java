package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What an adapter may read back from the hub about its own conversations: the messages a customer should
 * see (private notes are never returned), for a chat that resumes after a reconnect or a transcript, and
 * where a waiting interaction stands in its queue.
 */
public interface ConversationReader {

  /**
   * Messages of the conversation created after {@code after} (or all when null), oldest first, without
   * internal notes; at most {@code limit}.
   */
  Future<List<Message>> messages(ConversationId conversation, Instant after, int limit);

  /**
   * Where an interaction stands while it waits: null when it does not wait (not yet queued, offered, answered, ended).
   * Cheap to ask for every waiting customer: the hub answers every adapter of a node from one ranking of the waiting
   * work made at most about once a second, so the answer may be that old. Fails when the hub cannot tell (its live
   * routing state is unreachable, or this interaction's own entry there cannot be read); ask again later.
   */
  Future<QueuePosition> position(InteractionId interaction);

  /**
   * A waiting interaction's place: 1 is next; the estimate is from the queue's recent answer times and the
   * agents serving it, null when there is too little to go on.
   */
  record QueuePosition(String queue, int position, int waiting, Duration estimatedWait) {}
}
