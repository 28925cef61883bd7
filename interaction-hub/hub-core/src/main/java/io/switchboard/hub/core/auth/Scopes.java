package io.switchboard.hub.core.auth;

import java.util.Set;

/** What an API key may be used for. */
public final class Scopes {
  private Scopes() {}

  /** Post inbound contacts ({@code POST /api/v1/inbound}). */
  public static final String INBOUND = "inbound";

  /** Read the Prometheus metrics. */
  public static final String METRICS = "metrics";

  public static final Set<String> ALL = Set.of(INBOUND, METRICS);
}
