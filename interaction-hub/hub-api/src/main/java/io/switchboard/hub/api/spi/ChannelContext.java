package io.switchboard.hub.api.spi;

import io.vertx.core.Vertx;
import java.util.Map;

/** What the hub gives an adapter when it starts it. */
public interface ChannelContext {

  /** The hub's Vert.x instance. */
  Vertx vertx();

  /** Where inbound contacts go. */
  InboundSink inbound();

  /** The adapter's own section of switchboard.yaml (with SWITCHBOARD_* overrides applied); may be empty. */
  Map<String, Object> settings();
}
