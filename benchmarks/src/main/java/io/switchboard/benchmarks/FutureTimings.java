package io.switchboard.benchmarks;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Timing asynchronous work from a benchmark's main thread: waiting for a future, the median of repeated runs. */
public final class FutureTimings {
  private FutureTimings() {}

  /** The future's result, waiting at most {@code timeout}. */
  public static <T> T await(Future<T> f, Duration timeout) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The median wall time in milliseconds of {@code runs} runs of {@code run}, one after the other, after one warm-up run. */
  public static double medianMillis(int runs, Supplier<? extends Future<?>> run, Duration timeout) throws Exception {
    await(run.get(), timeout); // warm-up
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      await(run.get(), timeout);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[runs / 2];
  }
}
