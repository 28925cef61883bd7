package io.switchboard.hub.api;

/**
 * Whether the hub routes a new interaction to an agent, as the adapter asks. Automated mail (auto-replies,
 * bulk mail, mail loops) is stored and kept in the customer's history, but nobody is asked to answer it.
 *
 * @param route true to queue the interaction for routing (the usual case)
 * @param reason for {@code route == false}: why not (for example "auto-reply (Auto-Submitted: auto-replied)"),
 *     recorded as the interaction's end reason; null when routed
 */
public record Handling(boolean route, String reason) {
  /** Route as usual. */
  public static final Handling ROUTE = new Handling(true, null);

  public Handling {
    if (!route && (reason == null || reason.isBlank())) {
      throw new IllegalArgumentException("a contact that is not routed needs a reason");
    }
    if (reason != null && reason.length() > 500) {
      reason = reason.substring(0, 500);
    }
  }

  /** Store it, but do not route it (no agent is offered it): the interaction is ended at once with {@code reason}. */
  public static Handling storeOnly(String reason) {
    return new Handling(false, reason);
  }
}
