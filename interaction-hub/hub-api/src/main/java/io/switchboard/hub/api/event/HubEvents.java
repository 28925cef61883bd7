package io.switchboard.hub.api.event;

/**
 * Names of the events the hub publishes on the Vert.x event bus, in {@code noun.past_verb} form. Each is
 * first written to the outbox in the same transaction as the change it reports, then relayed, so a
 * listener sees it at least once, after the change is committed.
 *
 * <p>The body of each event is a JSON object with at least {@code eventId}, {@code type} and
 * {@code occurredAt}, plus the ids named below.
 */
public final class HubEvents {
  private HubEvents() {}

  /** A new interaction was stored: {@code interactionId, conversationId, customerId, channel}. */
  public static final String INTERACTION_CREATED = "interaction.created";

  /** A message joined an open interaction: {@code interactionId, messageId}. */
  public static final String MESSAGE_RECEIVED = "message.received";

  /** Two customers were merged: {@code mergeId, survivorId, mergedId}. */
  public static final String CUSTOMER_MERGED = "customer.merged";

  /** A merge was undone: {@code mergeId, survivorId, mergedId}. */
  public static final String CUSTOMER_UNMERGED = "customer.unmerged";
}
