package io.switchboard.channel.social.impl;

import io.switchboard.hub.api.Message;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages recently sent to each recipient, so that a receipt naming only a moment ("everything sent
 * before the watermark was read", as Messenger reports) can be applied to the messages it covers. Kept in
 * memory and bounded: after a restart, or on another hub node, older messages keep the status they had.
 * Thread-safe.
 */
public final class SentIndex {
  private final int perRecipient;
  private final Map<String, Deque<Sent>> byRecipient;

  private record Sent(String providerMessageId, Instant sentAt, Message.Status status) {}

  /**
   * @param recipients how many recipients to remember (the least recently used are forgotten)
   * @param perRecipient how many unread messages to remember per recipient
   */
  public SentIndex(int recipients, int perRecipient) {
    this.perRecipient = perRecipient;
    this.byRecipient = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Deque<Sent>> eldest) {
        return size() > recipients;
      }
    };
  }

  /** Remembers a message accepted by the provider; {@code sentAt} is when the request left, before the provider stamped it. */
  public synchronized void sent(String recipient, String providerMessageId, Instant sentAt) {
    Deque<Sent> q = byRecipient.computeIfAbsent(recipient, r -> new ArrayDeque<>());
    q.addLast(new Sent(providerMessageId, sentAt, Message.Status.SENT));
    while (q.size() > perRecipient) {
      q.removeFirst();
    }
  }

  /**
   * The messages to {@code recipient} sent at or before {@code until} that have not reached {@code status}
   * yet; marks them. Read messages are forgotten, since nothing comes after read.
   */
  public synchronized List<String> reached(String recipient, Instant until, Message.Status status) {
    Deque<Sent> q = byRecipient.get(recipient);
    if (q == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    List<Sent> keep = new ArrayList<>();
    for (Iterator<Sent> it = q.iterator(); it.hasNext(); ) {
      Sent s = it.next();
      if (!s.sentAt().isAfter(until) && s.status().compareTo(status) < 0) {
        out.add(s.providerMessageId());
        it.remove();
        if (status != Message.Status.READ) {
          keep.add(new Sent(s.providerMessageId(), s.sentAt(), status));
        }
      }
    }
    // Put updated entries back in sending order.
    for (int i = keep.size() - 1; i >= 0; i--) {
      q.addFirst(keep.get(i));
    }
    if (q.isEmpty()) {
      byRecipient.remove(recipient);
    }
    return out;
  }
}
