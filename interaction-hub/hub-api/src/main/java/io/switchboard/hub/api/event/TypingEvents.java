package io.switchboard.hub.api.event;

/**
 * Event bus addresses for typing indicators between a channel adapter that has them (web chat) and the
 * agent console. Unlike {@link HubEvents} they are not stored: a lost typing event only hides an
 * indicator for a few seconds.
 */
public final class TypingEvents {
  private TypingEvents() {}

  /**
   * The customer started or stopped typing; published by the adapter:
   * {@code {"interactionId", "conversationId", "sessionId", "on"}}. The hub carries it to every node.
   */
  public static final String CUSTOMER_TYPING = "chat.customer_typing";

  /**
   * The agent working the interaction started or stopped typing; published by the hub on every node (whichever
   * node the agent's console is connected to), for the adapter that holds the customer's connection:
   * {@code {"interactionId", "on"}}. Adapters without the conversation ignore it.
   */
  public static final String AGENT_TYPING = "chat.agent_typing";
}
