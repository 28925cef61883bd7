package io.switchboard.hub.core.access;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.core.auth.Principal;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What each role may do to customer records beyond reading and editing names, languages and notes, configured per
 * right as the least role that has it ({@code security.rights.<right>: agent|supervisor|admin}). The defaults give
 * each to supervisors: merging two customers cannot be undone by agents, identities decide whose history a contact
 * joins, and the tier moves a customer into the VIP queue.
 */
public final class Rights {
  /** The configurable rights. */
  public enum Right {
    /** Merge two customers into one. */
    MERGE_CUSTOMERS("mergeCustomers"),
    /** Undo a merge. */
    UNMERGE_CUSTOMERS("unmergeCustomers"),
    /** Link identities to an existing customer or unlink them. */
    EDIT_IDENTITIES("editIdentities"),
    /** Set or change a customer's tier (which routing may use, such as the VIP queue). */
    EDIT_TIER("editTier");

    private final String key;

    Right(String key) {
      this.key = key;
    }

    /** The name under {@code security.rights}. */
    public String key() {
      return key;
    }
  }

  private final Map<Right, Role> least;

  public Rights(Map<Right, Role> least) {
    EnumMap<Right, Role> m = new EnumMap<>(Right.class);
    for (Right r : Right.values()) {
      m.put(r, least.getOrDefault(r, Role.SUPERVISOR));
    }
    this.least = Map.copyOf(m);
  }

  /** Least privilege: every right to supervisors and admins. */
  public static Rights defaults() {
    return new Rights(Map.of());
  }

  public Role leastRole(Right right) {
    return least.get(right);
  }

  public boolean has(Principal p, Right right) {
    return switch (p) {
      case Principal.Staff s -> s.role().atLeast(least.get(right));
      case Principal.System s -> true;
      case Principal.Integration i -> false;
    };
  }

  /** Throws {@link ForbiddenException} unless {@code p} has {@code right}. */
  public void require(Principal p, Right right) {
    if (!has(p, right)) {
      throw new ForbiddenException("this needs the right '" + right.key() + "' (the "
          + least.get(right).wireName() + " role or higher; security.rights." + right.key() + ")");
    }
  }

  /** The right named {@code key} (as in the configuration), or null. */
  public static Right byKey(String key) {
    for (Right r : Right.values()) {
      if (r.key.equalsIgnoreCase(key.strip())) {
        return r;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    least.forEach((r, role) -> b.append(r.key).append('=').append(role.wireName().toLowerCase(Locale.ROOT)).append(' '));
    return b.toString().strip();
  }
}
