package io.switchboard.hub.core.scheduling;

import io.vertx.core.Future;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * Runs a repeated job (a relay pass, a matching pass) one pass at a time on one Vert.x context: a request
 * that arrives while a pass runs is remembered and served by one more pass right after, so bursts of wake-ups
 * coalesce and nothing is missed. Not thread-safe: call {@link #request()} from the owning verticle's
 * context only.
 */
public final class PassRunner {
  private final Supplier<Future<Integer>> pass;
  private final IntPredicate moreWork;
  private final Consumer<Throwable> onFailure;
  private boolean running;
  private boolean again;

  /**
   * @param pass one pass, returning how much it did
   * @param moreWork given a pass's result, whether to run again at once (a full batch)
   * @param onFailure told when a pass fails; the next request retries
   */
  public PassRunner(Supplier<Future<Integer>> pass, IntPredicate moreWork, Consumer<Throwable> onFailure) {
    this.pass = pass;
    this.moreWork = moreWork;
    this.onFailure = onFailure;
  }

  /** Runs a pass now, or right after the one under way. */
  public void request() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    pass.get().onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        onFailure.accept(ar.cause());
      } else if (again || moreWork.test(ar.result())) {
        request();
      }
    });
  }
}
