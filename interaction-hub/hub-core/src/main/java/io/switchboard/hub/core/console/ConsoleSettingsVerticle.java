package io.switchboard.hub.core.console;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;

/**
 * Notices changes to config/console.yaml: asks {@link ConsoleSettingsService#poll} every {@code interval}
 * (2 s in the hub, like the routing rules). Polls never overlap: a tick due while the previous poll still runs
 * is skipped. Failures are logged by the service; the next tick tries again.
 */
public final class ConsoleSettingsVerticle extends VerticleBase {
  private final ConsoleSettingsService settings;
  private final Duration interval;
  private boolean polling;
  private long timer = -1;

  public ConsoleSettingsVerticle(ConsoleSettingsService settings, Duration interval) {
    this.settings = settings;
    this.interval = interval;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void tick() {
    if (polling) {
      return;
    }
    polling = true;
    settings.poll().onComplete(ar -> polling = false);
  }
}
