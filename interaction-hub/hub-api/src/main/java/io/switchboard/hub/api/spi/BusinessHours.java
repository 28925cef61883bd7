package io.switchboard.hub.api.spi;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The business calendars of routing.yaml as an adapter sees them (the version in force, so a reloaded routing.yaml
 * applies at once): an IVR uses them for opening hours per entry point.
 */
public interface BusinessHours {

  /** No calendars at all (adapter tests, a hub without routing rules). */
  BusinessHours NONE = new BusinessHours() {
    @Override
    public Set<String> calendars() {
      return Set.of();
    }

    @Override
    public Optional<Boolean> isOpen(String calendar, Instant at) {
      return Optional.empty();
    }
  };

  /** The names of the calendars defined now. */
  Set<String> calendars();

  /** Whether {@code calendar} is open at {@code at}; empty when no calendar has that name (now). */
  Optional<Boolean> isOpen(String calendar, Instant at);
}
