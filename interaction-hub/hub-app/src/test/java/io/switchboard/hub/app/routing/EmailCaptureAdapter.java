package io.switchboard.hub.app.routing;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Future;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in email adapter that captures what the hub hands it. Not on the test classpath's service list:
 * {@link EmailRepliesApiTest} starts its hub with a class loader that adds {@code email-capture/}, so other
 * tests still see no email adapter.
 */
public final class EmailCaptureAdapter implements ChannelAdapter {
  static final BlockingQueue<OutboundMessage> SENT = new LinkedBlockingQueue<>();

  @Override
  public String name() {
    return "email-capture";
  }

  @Override
  public Channel channel() {
    return Channel.EMAIL;
  }

  @Override
  public Kind kind() {
    return Kind.MESSAGE;
  }

  @Override
  public Future<Void> start(ChannelContext context) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    return Future.succeededFuture();
  }

  @Override
  public Future<DeliveryResult> send(OutboundMessage message) {
    SENT.add(message);
    return Future.succeededFuture(new DeliveryResult.Delivered("<" + message.messageId() + "@capture.test>"));
  }

  /** The next message handed over, waiting up to 20 s. */
  static OutboundMessage next() {
    try {
      OutboundMessage m = SENT.poll(20, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no message was handed to the email adapter");
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
