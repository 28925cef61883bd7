package io.switchboard.hub.core.customer;

import io.switchboard.hub.api.Customer;
import io.switchboard.hub.api.Identity;
import java.util.List;

/**
 * A customer with every identity of its golden record (its own and those of the customers merged into it).
 */
public record CustomerView(Customer customer, List<Identity> identities) {
  public CustomerView {
    identities = List.copyOf(identities);
  }
}
