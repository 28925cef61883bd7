package io.switchboard.hub.api;

import java.util.Locale;

/** Staff roles, each allowed what the ones before it are. */
public enum Role {
  AGENT,
  SUPERVISOR,
  ADMIN;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when this role may do what {@code required} may. */
  public boolean atLeast(Role required) {
    return ordinal() >= required.ordinal();
  }

  /**
   * Parses a wire name, case-insensitively.
   *
   * @throws IllegalArgumentException for an unknown role
   */
  public static Role fromWire(String name) {
    for (Role r : values()) {
      if (r.wireName().equalsIgnoreCase(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown role '" + name + "'; expected agent, supervisor or admin");
  }
}
