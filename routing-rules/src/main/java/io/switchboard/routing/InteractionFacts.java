package io.switchboard.routing;

import java.util.Map;
import java.util.Objects;

/**
 * What routing conditions can see of an interaction. In rule conditions these are the variables
 * {@code channel}, {@code attributes} (IVR and pre-chat answers, e.g. {@code attributes['ivr.choice']}),
 * {@code customer.tier}, {@code customer.language}, {@code customer.attributes}, {@code subject},
 * {@code language}, and {@code open} (calendar name → whether it is open now).
 *
 * @param channel voice, email, chat or social
 * @param language the interaction's language if known (pre-chat, IVR), else the customer's
 */
public record InteractionFacts(
    String channel,
    Map<String, String> attributes,
    String customerTier,
    String language,
    Map<String, String> customerAttributes,
    String subject) {
  public InteractionFacts {
    Objects.requireNonNull(channel, "channel");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    customerAttributes = customerAttributes == null ? Map.of() : Map.copyOf(customerAttributes);
  }
}
