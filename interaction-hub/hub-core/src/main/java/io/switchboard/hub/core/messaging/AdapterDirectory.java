package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.SendReadiness;
import java.util.Map;
import java.util.Optional;

/** Finds the adapter that delivers to a recipient on a channel (the hub's running adapters). */
@FunctionalInterface
public interface AdapterDirectory {
  Optional<ChannelAdapter> forRecipient(Channel channel, SenderAddress recipient);

  /**
   * Whether a reply on {@code channel} to {@code recipient} (null when the customer left no address) in an
   * interaction with these attributes can go out now: the adapter's own answer, or unavailable when no adapter
   * of the channel runs.
   */
  default SendReadiness readiness(Channel channel, SenderAddress recipient, Map<String, String> attributes) {
    if (recipient == null) {
      return SendReadiness.unavailable("the customer has no address on this channel to reply to");
    }
    return forRecipient(channel, recipient).map(a -> a.sendReadiness(attributes))
        .orElseGet(() -> SendReadiness.unavailable(noAdapter(channel, recipient)));
  }

  /** The reason given when no adapter delivers to {@code recipient}. */
  static String noAdapter(Channel channel, SenderAddress recipient) {
    return "no " + channel.wireName() + " adapter delivers to "
        + (recipient.kind() == IdentityKind.HANDLE ? recipient.provider() : recipient.kind().wireName()) + " on this hub";
  }
}
