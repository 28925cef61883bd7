package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.ChannelAdapter;
import java.util.Optional;

/** Finds the adapter that delivers to a recipient on a channel (the hub's running adapters). */
@FunctionalInterface
public interface AdapterDirectory {
  Optional<ChannelAdapter> forRecipient(Channel channel, SenderAddress recipient);
}
