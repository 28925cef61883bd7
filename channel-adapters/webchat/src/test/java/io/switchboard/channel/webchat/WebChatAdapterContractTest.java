package io.switchboard.channel.webchat;

import io.switchboard.channel.testkit.ChannelAdapterContract;
import io.switchboard.hub.api.spi.ChannelAdapter;

/** The web chat adapter runs the contract every channel adapter runs (the channel test kit's). */
class WebChatAdapterContractTest implements ChannelAdapterContract {
  @Override
  public ChannelAdapter newAdapter() {
    return new WebChatAdapter();
  }
}
