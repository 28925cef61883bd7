package io.switchboard.hub.core.scheduling;

import io.switchboard.hub.api.error.UnavailableException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Group commit (issue 12): items submitted while {@code maxInFlight} batches are already being written wait, and go
 * together as the next batch (at most {@code maxBatch}); with a batch slot free an item goes at once, alone — no timer,
 * no delay when idle. The caller's {@code run} receives each batch and completes every {@link Item} of it.
 *
 * <p>Items name <em>keys</em> (for intake: the message's channel and external id, the sender's identities, the
 * provider's thread). An item never goes in a batch with, or while a batch is in flight with, an item sharing one of
 * its keys, and never before an earlier waiting item sharing one: such items are written one after the other, in the
 * order submitted, exactly as one-by-one writes would be (the second sees what the first stored).
 *
 * <p>An item that waits longer than {@code maxWait} for its batch (the batches before it are stuck: PostgreSQL holds a
 * lock, or does not answer) is taken out of the line and fails with an {@link UnavailableException}, as a request
 * that waited that long for a pooled connection does: the caller is answered 503 with Retry-After instead of waiting
 * without a bound behind the stuck batch. An item already in a batch is never failed by its wait. One Vert.x timer
 * watches the whole line (armed for the oldest waiting item's deadline, and only while an item waits), not one timer per
 * item: a contact that goes at once costs no timer, and a busy line about one per {@code maxWait}.
 *
 * <p>Thread-safe: items may be submitted from any thread or event loop. Each item's future completes on the Vert.x
 * context it was submitted from (or on whatever thread completes it, when submitted from outside Vert.x).
 *
 * @param <T> what an item carries
 * @param <R> its result
 */
public final class GroupCommit<T, R> {
  private final int maxBatch;
  private final int maxInFlight;
  private final long maxWaitMillis;
  private final long maxWaitNanos;
  private final Consumer<List<Item<T, R>>> run;
  private final ArrayDeque<Item<T, R>> waiting = new ArrayDeque<>();
  private final Set<String> inFlightKeys = new HashSet<>();
  private int inFlight;
  /** The line's one timer (armed while an item with a context waits), or -1. */
  private long sweep = -1;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong items = new AtomicLong();
  private final AtomicLong largest = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();

  /**
   * @param run writes one batch; it must complete every item of it, whatever happens (an item left incomplete holds
   *     its keys and its batch slot for ever)
   */
  public GroupCommit(int maxBatch, int maxInFlight, java.time.Duration maxWait, Consumer<List<Item<T, R>>> run) {
    if (maxBatch < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("maxBatch and maxInFlight must be at least 1");
    }
    if (maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("maxWait must be positive: " + maxWait);
    }
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.maxWaitMillis = Math.max(1, maxWait.toMillis());
    this.maxWaitNanos = maxWait.toNanos();
    this.run = run;
  }

  /**
   * Queues {@code value} under {@code keys}; its result comes when its batch has been written, or an
   * {@link UnavailableException} when it waited {@code maxWait} without its batch starting (submitted on a Vert.x
   * context; from outside one it waits without a bound).
   */
  public Future<R> submit(T value, Set<String> keys) {
    Item<T, R> item = new Item<>(value, keys, Vertx.currentContext(), System.nanoTime() + maxWaitNanos);
    synchronized (this) {
      waiting.add(item);
    }
    drain();
    synchronized (this) {
      armSweep(); // only when something still waits: a contact that went at once needs no timer
    }
    return item.result.future();
  }

  /**
   * Arms the line's timer for the deadline of the oldest item that waits with a context, unless armed already or none
   * waits. Items are in arrival order and all wait {@code maxWait}, so the first such item has the earliest deadline.
   */
  private void armSweep() {
    if (sweep >= 0) {
      return;
    }
    for (Item<T, R> item : waiting) {
      if (item.context != null) {
        long delayMillis = Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(item.deadline - System.nanoTime()) + 1);
        sweep = item.context.owner().setTimer(delayMillis, id -> sweep());
        return;
      }
    }
  }

  /** Takes the items whose wait is over out of the line and fails them, then arms the timer for the next deadline. */
  private void sweep() {
    List<Item<T, R>> over = new ArrayList<>();
    synchronized (this) {
      sweep = -1;
      long now = System.nanoTime();
      for (Iterator<Item<T, R>> it = waiting.iterator(); it.hasNext(); ) {
        Item<T, R> item = it.next();
        if (item.context != null && now - item.deadline >= 0) {
          it.remove();
          over.add(item);
        }
      }
      armSweep();
    }
    for (Item<T, R> item : over) {
      expired.incrementAndGet();
      item.fail(new UnavailableException("PostgreSQL does not answer: the contact waited " + maxWaitMillis
          + " ms behind intakes still being written"));
    }
    if (!over.isEmpty()) {
      drain(); // items they held back by a shared key may go now
    }
  }

  /** Batches formed, items written through batches, the largest batch so far, and items failed for waiting too long. */
  public record Stats(long batches, long items, long largest, long expired) {}

  public Stats stats() {
    return new Stats(batches.get(), items.get(), largest.get(), expired.get());
  }

  /** Starts as many batches as there are free slots and waiting items that may go. */
  private void drain() {
    while (true) {
      List<Item<T, R>> batch;
      synchronized (this) {
        if (inFlight >= maxInFlight || waiting.isEmpty()) {
          return;
        }
        batch = form();
        if (batch.isEmpty()) {
          return; // everything waiting shares a key with a batch in flight: its end drains again
        }
        inFlight++;
      }
      batches.incrementAndGet();
      items.addAndGet(batch.size());
      largest.accumulateAndGet(batch.size(), Math::max);
      AtomicInteger open = new AtomicInteger(batch.size());
      for (Item<T, R> item : batch) {
        item.onDone = () -> {
          if (open.decrementAndGet() == 0) {
            finished(batch);
          }
        };
      }
      try {
        run.accept(batch);
      } catch (RuntimeException e) {
        batch.forEach(item -> item.complete(Future.failedFuture(e)));
      }
    }
  }

  /** Takes the next batch from the waiting items, in order, leaving those that share a key with an earlier one. */
  private List<Item<T, R>> form() {
    List<Item<T, R>> batch = new ArrayList<>();
    Set<String> blocked = new HashSet<>(inFlightKeys);
    Iterator<Item<T, R>> it = waiting.iterator();
    // Looking further than a few batches ahead buys little and costs a scan of every waiting item each time.
    int looked = 0;
    while (it.hasNext() && batch.size() < maxBatch && looked++ < 4 * maxBatch) {
      Item<T, R> item = it.next();
      boolean free = true;
      for (String k : item.keys) {
        if (blocked.contains(k)) {
          free = false;
          break;
        }
      }
      // Either way its keys are blocked from here on: a later item sharing one waits for it.
      blocked.addAll(item.keys);
      if (free) {
        it.remove();
        batch.add(item);
      }
    }
    batch.forEach(item -> inFlightKeys.addAll(item.keys));
    return batch;
  }

  private void finished(List<Item<T, R>> batch) {
    synchronized (this) {
      inFlight--;
      batch.forEach(item -> inFlightKeys.removeAll(item.keys));
    }
    drain();
  }

  /** One submitted value; {@link #complete} it exactly once. */
  public static final class Item<T, R> {
    /** What was submitted. */
    public final T value;
    private final Set<String> keys;
    private final Context context;
    private final Promise<R> result = Promise.promise();
    private final AtomicInteger completions = new AtomicInteger();
    private final long deadline;
    private Runnable onDone;

    private Item(T value, Set<String> keys, Context context, long deadline) {
      this.value = value;
      this.keys = keys;
      this.context = context;
      this.deadline = deadline;
    }

    /** Hands the item its result (on the context it came from); later calls are ignored. */
    public void complete(AsyncResult<R> outcome) {
      if (completions.getAndIncrement() != 0) {
        return;
      }
      if (context == null || context == Vertx.currentContext()) {
        result.handle(outcome);
      } else {
        context.runOnContext(v -> result.handle(outcome));
      }
      onDone.run();
    }

    /** Fails an item that never went into a batch (no batch to tell). */
    private void fail(Throwable failure) {
      if (completions.getAndIncrement() != 0) {
        return;
      }
      if (context == null || context == Vertx.currentContext()) {
        result.fail(failure);
      } else {
        context.runOnContext(v -> result.fail(failure));
      }
    }
  }
}
