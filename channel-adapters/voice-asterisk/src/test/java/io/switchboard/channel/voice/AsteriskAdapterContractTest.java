package io.switchboard.channel.voice;

import io.switchboard.channel.testkit.ChannelAdapterContract;
import io.switchboard.hub.api.spi.ChannelAdapter;

/**
 * The voice adapter runs the contract every channel adapter runs (the channel test kit's), here unconfigured (no
 * {@code channels.voice} section: nothing listens, no Asterisk needed); its calls are tested against a real
 * Asterisk in {@link AsteriskCallFlowTest}.
 */
class AsteriskAdapterContractTest implements ChannelAdapterContract {
  @Override
  public ChannelAdapter newAdapter() {
    return new AsteriskAdapter();
  }
}
