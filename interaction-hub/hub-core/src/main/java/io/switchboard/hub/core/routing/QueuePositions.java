package io.switchboard.hub.core.routing;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.routing.WaitingInteraction;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where waiting interactions stand in their queues, for everyone who asks: every waiting web chat session on every
 * queue update, every waiting caller before an announcement. One ranking per node serves them all.
 *
 * <p>Cost: a ranking ({@link Ranking}) is made at most once per {@code maxAge} (one second in the hub), and only when
 * someone asks; while one is being made, everyone who asks waits for it instead of starting another. It is made from
 * this node's own {@link WaitingIndex}, brought up to date from the waiting set's change log in Redis, so a ranking
 * reads only the items that changed since the last one (the whole set at the first, after live state was rebuilt, or
 * when the log has forgotten past this node's last look), then sorts what waits: O(waiting × log waiting) CPU per
 * interval, whatever the number of sessions asking. A session's question is then a lookup.
 *
 * <p>Order: the {@link io.switchboard.routing.Matcher}'s — priority in force after the relaxation steps due at the
 * ranking's time, highest first, then longest wait, then interaction id — among the interactions of the same queue
 * (the classification's queue). Position 1 is next.
 *
 * <p>Freshness: a position is at most {@code maxAge} plus one read old. Live state is in Redis, shared by every node, so
 * each node's ranking sees the work queued, offered or moved by any node at its next read. An interaction that has just
 * started waiting may be unknown (null) until then; one just offered may still be told its last place.
 *
 * <p>Bad input: an item that cannot be decoded (see {@link WaitingIndex#unreadable()}) is left out of everyone's count,
 * and asking for its own position fails with an {@link IllegalStateException} naming it; nobody else is affected. A
 * ranking that cannot be made (Redis down) fails the questions waiting for it, and the next question tries again.
 *
 * <p>Threading: {@link #position} may be called from any thread (event loops, the voice adapter's virtual threads). The
 * index is touched only by the one read in flight; the ranking, once made, is immutable.
 */
final class QueuePositions {
  /** How long a ranking serves in the hub. */
  static final Duration MAX_AGE = Duration.ofSeconds(1);

  /** A waiting interaction's place: its queue, its position (1 = next) and how many wait in that queue. */
  record Place(String queue, int position, int waiting) {}

  /**
   * Every waiting interaction's place, made at {@code at}, and the interactions whose item could not be read (id →
   * why). Immutable.
   */
  record Ranking(Instant at, Map<String, Place> places, Map<String, String> unreadable) {}

  private static final Comparator<Ranked> ORDER = Comparator.<Ranked>comparingInt(r -> r.priority).reversed()
      .thenComparing(r -> r.w.waitingSince())
      .thenComparing(r -> r.w.interactionId());

  private record Ranked(WaitingInteraction w, int priority) {}

  private final WaitingIndex index;
  private final Clock clock;
  private final Duration maxAge;
  /** Guarded by this. */
  private Ranking current;
  /** Guarded by this: the ranking being made, or null. */
  private Future<Ranking> making;
  private long rankings;

  QueuePositions(WaitingIndex index, Clock clock, Duration maxAge) {
    this.index = index;
    this.clock = clock;
    this.maxAge = maxAge;
  }

  /**
   * Where {@code id} stands: null when it does not wait (never did, was offered, answered, ended, or is not yet in the
   * ranking). Fails with {@link IllegalStateException} when its own item in Redis cannot be read.
   */
  Future<Place> position(InteractionId id) {
    String key = id.toString();
    return ranking().compose(r -> {
      String why = r.unreadable().get(key);
      if (why != null) {
        return Future.failedFuture(new IllegalStateException("the waiting item of interaction " + key
            + " in live routing state cannot be read (" + why + "); its position is unknown until routing writes it again"));
      }
      return Future.succeededFuture(r.places().get(key));
    });
  }

  /** How many rankings this node made so far (tests, metrics). */
  synchronized long rankings() {
    return rankings;
  }

  /** The ranking in force: the current one while it is young enough, else the one being made, else a new one. */
  Future<Ranking> ranking() {
    Promise<Ranking> promise;
    Instant now;
    synchronized (this) {
      now = clock.instant();
      if (current != null && !now.isBefore(current.at()) && now.isBefore(current.at().plus(maxAge))) {
        return Future.succeededFuture(current);
      }
      if (making != null) {
        return making;
      }
      promise = Promise.promise();
      making = promise.future();
      rankings++;
    }
    Future<Ranking> made;
    try {
      made = index.sync().map(waiting -> rank(waiting, index.unreadable(), now));
    } catch (RuntimeException e) {
      made = Future.failedFuture(e);
    }
    made.onComplete(ar -> {
      synchronized (this) {
        if (ar.succeeded()) {
          current = ar.result();
        }
        making = null;
      }
      promise.handle(ar);
    });
    return promise.future();
  }

  /** Ranks the waiting interactions of each queue at {@code now}, in the matcher's order. */
  static Ranking rank(Collection<WaitingInteraction> waiting, Map<String, String> unreadable, Instant now) {
    Map<String, List<Ranked>> byQueue = new HashMap<>();
    Map<String, String> bad = new HashMap<>(unreadable);
    for (WaitingInteraction w : waiting) {
      try {
        Duration waited = Duration.between(w.waitingSince(), now);
        int priority = w.classification().at(waited.isNegative() ? Duration.ZERO : waited).priority();
        byQueue.computeIfAbsent(w.classification().queue(), q -> new ArrayList<>()).add(new Ranked(w, priority));
      } catch (RuntimeException e) {
        bad.put(w.interactionId(), e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    Map<String, Place> places = new HashMap<>(Math.max(16, waiting.size() * 4 / 3 + 1));
    byQueue.forEach((queue, list) -> {
      list.sort(ORDER);
      for (int i = 0; i < list.size(); i++) {
        places.put(list.get(i).w.interactionId(), new Place(queue, i + 1, list.size()));
      }
    });
    return new Ranking(now, java.util.Collections.unmodifiableMap(places), java.util.Collections.unmodifiableMap(bad));
  }
}
