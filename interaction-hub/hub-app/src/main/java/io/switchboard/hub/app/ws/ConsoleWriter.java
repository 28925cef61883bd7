package io.switchboard.hub.app.ws;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing side of one agent socket: numbers every frame ({@code seq}), runs outgoing events through one chain of
 * futures ({@link #enqueue}) so they keep their order, and handles back-pressure. When the socket's write queue is
 * full, events are dropped and a snapshot is owed ({@link #owe}); the connection sends it when the queue drains; a
 * queue that stays full longer than the grace closes the socket (4408). Replies, hello and snapshots are written
 * even when the queue is full ({@link #sendEssential}): they are few and answer the client.
 *
 * <p>Used on the socket's event loop only.
 */
final class ConsoleWriter {
  private static final Logger log = LoggerFactory.getLogger(ConsoleWriter.class);

  private final AgentConnection connection;
  private final ServerWebSocket ws;
  private final Vertx vertx;
  private final Duration grace;
  private long seq;
  private Future<Void> tail = Future.succeededFuture();
  private boolean needsResync;
  /** Why the next snapshot is owed while {@link #needsResync}: overflow, or a snapshot that could not be read. */
  private String resyncCause;
  /** A snapshot is queued or being read (so the drain handler and the tick do not ask for another). */
  private boolean snapshotQueued;
  private long graceTimer = -1;

  ConsoleWriter(AgentConnection connection, ServerWebSocket ws, Vertx vertx, Duration grace) {
    this.connection = connection;
    this.ws = ws;
    this.vertx = vertx;
    this.grace = grace;
  }

  /** Runs {@code step} after everything queued before it; a failed step is logged and the chain goes on. */
  void enqueue(Supplier<Future<?>> step) {
    tail = tail.transform(ar -> {
      if (connection.closed()) {
        return Future.<Void>succeededFuture();
      }
      Future<?> f;
      try {
        f = step.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      return f.<Void>mapEmpty().recover(e -> {
        log.atWarn().setCause(e).addKeyValue("agentId", connection.agentId()).log("could not push an event to an agent console");
        return Future.succeededFuture();
      });
    });
  }

  /** Writes an event unless the console is not keeping up; then it is dropped and a snapshot follows. */
  boolean sendEvent(JsonObject frame) {
    if (!connection.open() || needsResync) {
      return false;
    }
    if (ws.writeQueueFull()) {
      log.atInfo().addKeyValue("agentId", connection.agentId()).log("agent console is not reading; holding events until it catches up");
      owe("overflow");
      return false;
    }
    write(frame);
    return true;
  }

  /** Writes replies, hello and snapshots even when the queue is full: they are few and answer the client. */
  void sendEssential(JsonObject frame) {
    if (connection.closed()) {
      return;
    }
    write(frame);
  }

  /** Writes a frame with the next sequence number. */
  void write(JsonObject frame) {
    frame.put("seq", ++seq);
    ws.writeTextMessage(frame.encode()).onFailure(e ->
        log.atDebug().setCause(e).addKeyValue("agentId", connection.agentId()).log("could not write to an agent console"));
    if (ws.writeQueueFull()) {
      armGrace();
    }
  }

  /** Whether the socket's write queue is full (the console is not reading). */
  boolean full() {
    return ws.writeQueueFull();
  }

  /** Events are held back until a snapshot with this cause has been written. */
  void owe(String cause) {
    if (!needsResync) {
      resyncCause = cause;
    }
    needsResync = true;
    if (ws.writeQueueFull()) {
      armGrace();
    }
  }

  /** A snapshot was written: events flow again. */
  void resynced() {
    needsResync = false;
    resyncCause = null;
  }

  /** Why a snapshot is owed (overflow, or the cause of one that could not be read); null when none is. */
  String resyncCause() {
    return resyncCause;
  }

  /** Whether a snapshot is owed and none is on its way. */
  boolean owesSnapshot() {
    return needsResync && !snapshotQueued;
  }

  void snapshotQueued(boolean queued) {
    snapshotQueued = queued;
  }

  /** The write queue drained: the grace ends, and an owed snapshot is sent. */
  void drained() {
    cancelGrace();
    if (owesSnapshot() && connection.open()) {
      log.atInfo().addKeyValue("agentId", connection.agentId()).log("agent console caught up; sending a snapshot");
      connection.requestSnapshot(resyncCause, null);
    }
  }

  private void armGrace() {
    if (graceTimer != -1 || connection.closed()) {
      return;
    }
    graceTimer = vertx.setTimer(grace.toMillis(), t -> {
      graceTimer = -1;
      if (ws.writeQueueFull()) {
        log.atWarn().addKeyValue("agentId", connection.agentId()).addKeyValue("remote", connection.remote())
            .addKeyValue("graceMs", grace.toMillis()).log("closing an agent console that stopped reading");
        connection.terminate(Frames.CLOSE_TOO_SLOW, "the console did not read its frames");
      }
    });
  }

  /** Stops the back-pressure timer (the socket drained or closed). */
  void cancelGrace() {
    if (graceTimer != -1) {
      vertx.cancelTimer(graceTimer);
      graceTimer = -1;
    }
  }
}
