package io.switchboard.hub.api.event;

/**
 * The one catalogue of event bus addresses of hub events, in {@code noun.past_verb} form. Classes that publish an
 * event may keep a constant of their own for it, but it refers to this one: the names are written here only.
 *
 * <p>Three kinds:
 * <ul>
 *   <li><b>Stored events</b> ({@link #INTERACTION_CREATED}, {@link #MESSAGE_RECEIVED}, {@link #CUSTOMER_MERGED},
 *       {@link #CUSTOMER_UNMERGED}): first written to the outbox in the same transaction as the change they report,
 *       then relayed, so a listener sees each at least once, after the change is committed. Their body is a JSON
 *       object with at least {@code eventId}, {@code type} and {@code occurredAt}, plus the ids named below.</li>
 *   <li><b>Live events</b> (the rest): published on the node where the thing happened, after it happened; at most
 *       once. The ones consoles and dashboards follow are carried to every node (hub-core's {@code ClusterEvents}):
 *       {@link #everyNode(String) cluster.X} carries {@code X} from every node, this one included.</li>
 *   <li><b>Typing</b> ({@link #CUSTOMER_TYPING}, {@link #AGENT_TYPING}): live and not stored; a lost one only hides
 *       an indicator for a few seconds.</li>
 * </ul>
 */
public final class HubEvents {
  private HubEvents() {}

  /** Prefix of the addresses that carry an event from every node: {@code cluster.<event>}. */
  public static final String EVERY_NODE_PREFIX = "cluster.";

  /** The address on which {@code event} arrives from every hub node, this one included: {@code cluster.<event>}. */
  public static String everyNode(String event) {
    return EVERY_NODE_PREFIX + event;
  }

  // ------------------------------------------------------------------ stored events (outbox)

  /** A new interaction was stored: {@code interactionId, conversationId, customerId, channel}. */
  public static final String INTERACTION_CREATED = "interaction.created";

  /** A message joined an open interaction: {@code interactionId, messageId}. */
  public static final String MESSAGE_RECEIVED = "message.received";

  /** Two customers were merged: {@code mergeId, survivorId, mergedId}. */
  public static final String CUSTOMER_MERGED = "customer.merged";

  /** A merge was undone: {@code mergeId, survivorId, mergedId}. */
  public static final String CUSTOMER_UNMERGED = "customer.unmerged";

  // ------------------------------------------------------------------ routing

  /** An interaction entered its queue: {@code interactionId, queue, rule, priority}. */
  public static final String INTERACTION_QUEUED = "interaction.queued";

  /** An offer was made: {@code interactionId, agentId, expiresAt}. */
  public static final String OFFER_CREATED = "offer.created";

  /** An offer ended without acceptance: {@code interactionId, agentId, reason}. */
  public static final String OFFER_WITHDRAWN = "offer.withdrawn";

  /** An offer was accepted: {@code interactionId, agentId}. */
  public static final String OFFER_ACCEPTED = "offer.accepted";

  /**
   * This node finished a matching pass: {@code offers, durationNanos, decisionNanos}, and how it went: {@code waiting}
   * (interactions waiting), {@code freeAgents} (agents who could take work; none: the waiting were not looked at),
   * {@code itemsRead} (waiting items this pass read from Redis: only those changed since the last pass),
   * {@code wholeRead} (whether it read the whole waiting set: first pass, rebuilt live state) and {@code eventLoop}
   * (whether it ran on an event loop thread: never, routing runs on a worker context of its own).
   */
  public static final String PASS_DONE = "routing.pass_done";

  /** An agent's routing state changed: {@code agentId, state, reason}. */
  public static final String AGENT_STATE_CHANGED = "agent.state_changed";

  /** An agent's load changed: {@code agentId, load, capacity} (channel → count). */
  public static final String AGENT_LOAD_CHANGED = "agent.load_changed";

  /** An assigned interaction was transferred: {@code interactionId, fromAgentId, toQueue, toAgentId, by, reason}. */
  public static final String INTERACTION_TRANSFERRED = "interaction.transferred";

  /** A waiting interaction was moved to another queue: {@code interactionId, fromQueue, toQueue, by}. */
  public static final String INTERACTION_MOVED = "interaction.moved";

  // ------------------------------------------------------------------ interactions and messages

  /** A customer ended a contact: {@code interactionId, reason, abandoned, agentId, at, adapter}. */
  public static final String CUSTOMER_LEFT = "interaction.customer_left";

  /**
   * The agent ended the customer side of an interaction ({@code end}, or {@code wrap-up} straight from the
   * conversation): {@code interactionId, agentId, channel, reason}. Carried to every node; the web chat adapter
   * holding the customer's session closes it and puts the satisfaction survey in the widget.
   */
  public static final String AGENT_ENDED = "interaction.agent_ended";

  /** An adapter changed an interaction's attributes. */
  public static final String ATTRIBUTES_CHANGED = "interaction.attributes_changed";

  /** A message was added by staff: {@code interactionId, messageId, private}. */
  public static final String MESSAGE_CREATED = "message.created";

  /** An outbound message's status changed: {@code messageId, status, reason}. */
  public static final String MESSAGE_STATUS_CHANGED = "message.status_changed";

  /** This node tried a delivery: {@code channel, outcome} ({@code sent, retry, failed, unrecorded}). */
  public static final String DELIVERY_ATTEMPTED = "delivery.attempted";

  /** An adapter set a message aside for supervisors (this node): {@code adapter, source, reason}. */
  public static final String QUARANTINE_STORED = "quarantine.stored";

  /** A customer answered a satisfaction survey: {@code interactionId, customerId, rating, comment}. */
  public static final String CSAT_ANSWERED = "csat.answered";

  // ------------------------------------------------------------------ channels

  /**
   * The customer started or stopped typing; published by the adapter:
   * {@code {"interactionId", "conversationId", "sessionId", "on"}}. Carried to every node.
   */
  public static final String CUSTOMER_TYPING = "chat.customer_typing";

  /**
   * The agent working the interaction started or stopped typing: {@code {"interactionId", "on"}}, published by the
   * node of the agent's console. Adapters listen on {@link #everyNode(String) everyNode(AGENT_TYPING)}, which
   * carries it from whichever node the agent is connected to; adapters without the conversation ignore it.
   */
  public static final String AGENT_TYPING = "chat.agent_typing";

  /** Messages between the instances of one channel adapter on every node: {@code {"adapter", "topic", "body"}}. */
  public static final String CHANNEL_BROADCAST = "channel.broadcast";

  /**
   * A call's state changed (ringing, talking, on_hold, ended), as the voice adapter holding it tells the hub:
   * {@code {"interactionId", "agentId", "state", "since", "talkingSince", "recording"}}.
   */
  public static final String CALL_STATE = "call.state";

  // ------------------------------------------------------------------ accounts and settings

  /** An account's sessions may have changed (logout, revocation, disable, password or role): {@code agentId, reason}. */
  public static final String ACCOUNT_CHANGED = "auth.account_changed";

  /**
   * API keys were revoked: {@code {"apiKeyId"}} for one key, {@code {"all": true}} when several were (the demo's when
   * the demo is switched off). Bridged to every node; each drops the keys it holds in memory.
   */
  public static final String API_KEY_REVOKED = "auth.api_key_revoked";

  /**
   * Redis lost its data (the routing reconciler found its epoch marker gone: a restart without persistence, a flush),
   * and the login sessions kept there with it: {@code {"reason"}}. Bridged to every node; each drops the sessions it
   * holds in memory and every agent socket checks its session at once (and closes, its session being gone).
   */
  public static final String SESSIONS_LOST = "auth.sessions_lost";

  /** New console settings are in force on this node: {@code sha256, loadedAt, dispositions, cannedResponses}. */
  public static final String CONSOLE_SETTINGS_CHANGED = "console_settings.changed";
}
