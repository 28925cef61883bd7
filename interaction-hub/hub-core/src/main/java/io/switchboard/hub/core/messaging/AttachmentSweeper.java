package io.switchboard.hub.core.messaging;

import io.switchboard.hub.core.scheduling.PassRunner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes attachments nobody used within {@code keepUnused} (an agent uploaded a file and never sent the
 * reply), in batches, every {@code interval}. Safe on several hubs at once: rows are deleted under
 * {@code FOR UPDATE SKIP LOCKED}, and a claimed (used) attachment is never touched.
 */
public final class AttachmentSweeper extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(AttachmentSweeper.class);
  private static final int BATCH = 100;

  private final AttachmentService attachments;
  private final Duration keepUnused;
  private final Duration interval;
  private final PassRunner runner = new PassRunner(this::pass, n -> n == BATCH,
      e -> log.atWarn().setCause(e).log("attachment sweep failed; will retry"));
  private long timer;

  public AttachmentSweeper(AttachmentService attachments, Duration keepUnused, Duration interval) {
    this.attachments = attachments;
    this.keepUnused = keepUnused;
    this.interval = interval;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(0, interval.toMillis(), id -> runner.request());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private Future<Integer> pass() {
    return attachments.deleteUnused(keepUnused, BATCH).onSuccess(n -> {
      if (n > 0) {
        log.atInfo().addKeyValue("deleted", n).log("unused attachments deleted");
      }
    });
  }
}
