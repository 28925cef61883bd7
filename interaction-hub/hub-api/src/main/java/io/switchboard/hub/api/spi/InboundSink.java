package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.vertx.core.Future;

/**
 * The hub's intake, as an adapter sees it. Safe to call from any thread; the future completes on a Vert.x
 * context once the contact is stored (or recognised as a duplicate).
 */
@FunctionalInterface
public interface InboundSink {

  /**
   * Stores one contact.
   *
   * @return the result; failed with {@link io.switchboard.hub.api.error.ValidationException} for a contact
   *     the hub refuses (the adapter should not retry it), or with another exception when the store is
   *     unavailable (the adapter should not acknowledge the provider, so that it re-delivers)
   */
  Future<io.switchboard.hub.api.IntakeResult> accept(InboundContact contact);

  /** Convenience for adapters that only need to know it is stored. */
  default Future<Void> acceptAndForget(InboundContact contact) {
    return accept(contact).map((IntakeResult r) -> null);
  }
}
