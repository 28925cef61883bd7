package io.switchboard.channel.email;

import io.switchboard.channel.testkit.ChannelAdapterContract;
import io.switchboard.hub.api.spi.ChannelAdapter;

/** The email adapter (with no mailbox set up) runs the contract every channel adapter runs (the channel test kit's). */
class EmailAdapterContractTest implements ChannelAdapterContract {
  @Override
  public ChannelAdapter newAdapter() {
    return new EmailAdapter();
  }
}
