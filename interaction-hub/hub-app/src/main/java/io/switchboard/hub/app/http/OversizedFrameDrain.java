package io.switchboard.hub.app.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lets a client that sent a frame over the server's frame limit read the answer before the connection goes.
 *
 * <p>When one frame passes {@link HttpApiVerticle#WEBSOCKET_FRAME_LIMIT}, Netty's decoder reports it and from then on
 * discards every byte that arrives; Vert.x hands the error to the socket's handler (which writes its documented
 * error and a 1009 close) and closes the TCP connection at once. The client is usually still sending the rest of its
 * frame, so closing with unread bytes makes the kernel answer with a reset, and a reset makes the client drop what it
 * had not read yet: the error and the close frame are lost and the client sees 1006, "abnormal closure".
 *
 * <p>This handler sits just before Vert.x's own. After such an error it holds back closes of the connection until the
 * client has gone quiet ({@link #QUIET_MS} without a byte) or {@link #MAX_HOLD_MS} have passed, whichever comes first,
 * or until the client closes first. The decoder keeps discarding what arrives meanwhile, so nothing of the frame is
 * buffered, and a client that never stops sending is cut after the hold.
 *
 * <p>Threading: Netty calls it on the connection's event loop only.
 */
public final class OversizedFrameDrain extends ChannelDuplexHandler {
  /** The client counts as done sending after this long without a byte. */
  static final long QUIET_MS = 300;
  /** A client that keeps sending is cut after this long. */
  static final long MAX_HOLD_MS = 10_000;

  private final List<ChannelPromise> heldCloses = new ArrayList<>();
  private boolean draining;
  private long drainingSince;
  private long lastBytes;
  private ScheduledFuture<?> check;

  /** The handler's name in the connection's pipeline. */
  static final String NAME = "switchboard-oversized-frame-drain";
  /** The name Vert.x gives its own handler, the last in the pipeline. */
  private static final String VERTX_HANDLER = "handler";

  /**
   * Installs the handler on the connection of a WebSocket just upgraded from {@code request}; call it from the
   * upgrade's callback (the connection's event loop). Does nothing where the connection is not a Netty one.
   */
  public static void install(HttpServerRequest request) {
    if (request.connection() instanceof ConnectionBase connection) {
      ChannelPipeline pipeline = connection.channel().pipeline();
      if (pipeline.get(NAME) == null && pipeline.context(VERTX_HANDLER) != null) {
        pipeline.addBefore(VERTX_HANDLER, NAME, new OversizedFrameDrain());
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException && !draining && ctx.channel().isActive()) {
      draining = true;
      drainingSince = System.nanoTime();
      lastBytes = drainingSince;
      scheduleCheck(ctx);
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // The decoder fires this after every read, also while it discards: bytes are still coming.
    lastBytes = System.nanoTime();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (!draining || !ctx.channel().isActive()) {
      ctx.close(promise);
      return;
    }
    ctx.flush();
    heldCloses.add(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelCheck();
    releaseHeld(ctx);
    super.channelInactive(ctx);
  }

  private void scheduleCheck(ChannelHandlerContext ctx) {
    check = ctx.executor().schedule(() -> {
      long now = System.nanoTime();
      boolean quiet = now - lastBytes >= TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
      boolean tooLong = now - drainingSince >= TimeUnit.MILLISECONDS.toNanos(MAX_HOLD_MS);
      if (quiet || tooLong) {
        draining = false;
        ctx.flush();
        ctx.close().addListener(f -> releaseHeld(ctx));
      } else {
        scheduleCheck(ctx);
      }
    }, QUIET_MS / 3, TimeUnit.MILLISECONDS);
  }

  private void cancelCheck() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  /** Completes the closes held back: the connection is closed now. */
  private void releaseHeld(ChannelHandlerContext ctx) {
    draining = false;
    List<ChannelPromise> held = new ArrayList<>(heldCloses);
    heldCloses.clear();
    for (ChannelPromise p : held) {
      ctx.close(p);
    }
  }
}
