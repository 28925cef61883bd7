package io.switchboard.channel.email;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * At most {@code limit} messages per sender within a sliding window per mailbox; more count as a mail loop and are
 * stored but not routed. Counted in memory by the node that reads the mailbox (one at a time): a node taking over
 * starts counting afresh. At most 10,000 senders are tracked (the least recently seen are forgotten).
 */
final class SenderRateLimit {
  private static final int MAX_SENDERS = 10_000;

  private final int limit;
  private final long windowMillis;
  private final Map<String, Deque<Long>> seen = new LinkedHashMap<>(16, 0.75f, true);

  SenderRateLimit(EmailSettings.RateLimit settings) {
    this.limit = settings.messages();
    this.windowMillis = settings.window().toMillis();
  }

  /** Counts one message from {@code sender} at {@code nowMillis}; true when it is within the limit. */
  synchronized boolean allow(String sender, long nowMillis) {
    String key = sender.toLowerCase(Locale.ROOT);
    Deque<Long> times = seen.computeIfAbsent(key, k -> new ArrayDeque<>());
    while (!times.isEmpty() && times.peekFirst() <= nowMillis - windowMillis) {
      times.pollFirst();
    }
    times.addLast(nowMillis);
    if (seen.size() > MAX_SENDERS) {
      Iterator<String> oldest = seen.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    return times.size() <= limit;
  }

  /** The reason given for a message over the limit. */
  String reason(String sender) {
    return "more than " + limit + " messages from " + sender + " within " + human(Duration.ofMillis(windowMillis))
        + " (a mail loop?)";
  }

  private static String human(Duration d) {
    if (d.toHours() > 0 && d.toMinutesPart() == 0) {
      return d.toHours() + " h";
    }
    if (d.toMinutes() > 0 && d.toSecondsPart() == 0) {
      return d.toMinutes() + " min";
    }
    return d.toSeconds() + " s";
  }
}
