package io.switchboard.channel.webchat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * One customer's chat on this node: the facts of its resume token, its open sockets (one per browser tab),
 * the agent messages it was shown (so receipts can only name those), where it stands in the queue, and
 * whether it ended. Thread-safe: sockets of one session may live on different event loops, and the hub
 * calls {@code send} from its own. Never calls out while holding its lock.
 */
final class ChatSession {
  private static final int MAX_REMEMBERED = 2000;

  /** Where the session's interaction stands, as far as the customer is told. */
  enum QueueState {
    /** No message stored yet. */
    NONE,
    /** Its interaction was created; routing has not queued it yet. */
    PENDING,
    /** In the queue: position updates are pushed. */
    WAITING,
    /** Out of the queue (offered to an agent, or ended) but no agent has written yet. */
    LEFT,
    /** An agent wrote: no more queue updates. */
    ANSWERED
  }

  private final String id;
  private SessionFacts facts;
  private boolean ended;
  /** The satisfaction survey put after the end, until it is answered or the sockets close. */
  private io.switchboard.hub.api.spi.Surveys.Invitation survey;
  private Instant lastActivity;
  private QueueState queueState = QueueState.NONE;
  private Instant pendingSince;
  private final Set<CustomerSocket> sockets = new CopyOnWriteArraySet<>();
  /** Agent message ids shown to this session, oldest first, with whether "read" was reported. */
  private final LinkedHashMap<String, Boolean> agentMessages = new LinkedHashMap<>();
  /** The customer's own messages the agent has not answered yet (their "read" tick is inferred from a reply). */
  private final LinkedHashSet<String> unansweredCustomerMessages = new LinkedHashSet<>();

  ChatSession(SessionFacts facts, Instant now) {
    this.id = facts.sessionId();
    this.facts = facts;
    this.lastActivity = now;
    if (facts.interactionId() != null) {
      queueState = QueueState.LEFT;
    }
  }

  String id() {
    return id;
  }

  synchronized SessionFacts facts() {
    return facts;
  }

  /** Records the conversation and interaction the hub stored a message in; true when either is new. */
  synchronized boolean stored(String conversationId, String interactionId, boolean created, Instant now) {
    lastActivity = now;
    if (created) {
      queueState = QueueState.PENDING;
      pendingSince = now;
    }
    if (conversationId.equals(facts.conversationId()) && interactionId.equals(facts.interactionId())) {
      return false;
    }
    facts = facts.withConversation(conversationId, interactionId);
    return true;
  }

  synchronized void survey(io.switchboard.hub.api.spi.Surveys.Invitation invitation) {
    survey = invitation;
  }

  /** The open survey of an ended chat, or null. */
  synchronized io.switchboard.hub.api.spi.Surveys.Invitation survey() {
    return survey;
  }

  synchronized boolean ended() {
    return ended;
  }

  /** Marks the session ended; false when it was already. */
  synchronized boolean end() {
    if (ended) {
      return false;
    }
    ended = true;
    return true;
  }

  synchronized void touch(Instant now) {
    lastActivity = now;
  }

  synchronized Instant lastActivity() {
    return lastActivity;
  }

  boolean attach(CustomerSocket socket, int max) {
    synchronized (this) {
      if (sockets.size() >= max) {
        return false;
      }
      sockets.add(socket);
      return true;
    }
  }

  void detach(CustomerSocket socket) {
    sockets.remove(socket);
  }

  List<CustomerSocket> sockets() {
    return List.copyOf(sockets);
  }

  /** Remembers an agent message as shown to this session. */
  synchronized void shown(String agentMessageId) {
    agentMessages.putIfAbsent(agentMessageId, false);
    trim(agentMessages);
  }

  synchronized boolean wasShown(String agentMessageId) {
    return agentMessages.containsKey(agentMessageId);
  }

  /**
   * The agent messages up to and including {@code upTo} not yet reported read, marking them reported; empty
   * when {@code upTo} was never shown to this session.
   */
  synchronized List<String> readUpTo(String upTo) {
    if (!agentMessages.containsKey(upTo)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Boolean> e : agentMessages.entrySet()) {
      if (!e.getValue()) {
        e.setValue(true);
        out.add(e.getKey());
      }
      if (e.getKey().equals(upTo)) {
        break;
      }
    }
    return out;
  }

  synchronized void customerWrote(String messageId) {
    unansweredCustomerMessages.add(messageId);
    if (unansweredCustomerMessages.size() > MAX_REMEMBERED) {
      Iterator<String> it = unansweredCustomerMessages.iterator();
      it.next();
      it.remove();
    }
  }

  /** An agent answered: the customer's earlier messages count as read; returns them. Ends queue updates. */
  synchronized List<String> agentAnswered() {
    queueState = QueueState.ANSWERED;
    List<String> out = List.copyOf(unansweredCustomerMessages);
    unansweredCustomerMessages.clear();
    return out;
  }

  synchronized QueueState queueState() {
    return queueState;
  }

  /**
   * Applies a queue position read from the hub ({@code null}: not waiting) and returns the frame to push,
   * or null for none. A position that arrives after an agent already wrote is ignored.
   */
  synchronized JsonObject queueFrame(WaitingPlace place, Instant now, java.time.Duration pendingGrace) {
    switch (queueState) {
      case NONE, ANSWERED -> {
        return null;
      }
      case PENDING -> {
        if (place != null) {
          queueState = QueueState.WAITING;
          return place.frame();
        }
        if (pendingSince != null && now.isAfter(pendingSince.plus(pendingGrace))) {
          queueState = QueueState.LEFT;
        }
        return null;
      }
      case WAITING -> {
        if (place != null) {
          return place.frame();
        }
        queueState = QueueState.LEFT;
        return Frames.queueLeft();
      }
      default -> {
        if (place != null) {
          queueState = QueueState.WAITING;
          return place.frame();
        }
        return null;
      }
    }
  }

  /** A customer's place in the queue, as pushed in {@code queue} frames. */
  record WaitingPlace(String queue, int position, int waiting, Long estimatedWaitSeconds) {
    JsonObject frame() {
      return Frames.queue(queue, position, waiting, estimatedWaitSeconds);
    }
  }

  private static void trim(LinkedHashMap<String, Boolean> m) {
    while (m.size() > MAX_REMEMBERED) {
      Iterator<String> it = m.keySet().iterator();
      it.next();
      it.remove();
    }
  }
}
