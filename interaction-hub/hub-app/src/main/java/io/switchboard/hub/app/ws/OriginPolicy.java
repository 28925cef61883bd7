package io.switchboard.hub.app.ws;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which web pages may open the agent socket: pages of the hub itself (the Origin names the host the
 * request was sent to), the hub's public URL, and the origins listed in {@code http.allowedOrigins}
 * ({@code *} allows any). Requests without an Origin header come from programs, not browsers (a browser
 * always sends it on a WebSocket handshake), and are allowed: the token still has to be valid.
 */
final class OriginPolicy {
  private final Set<String> allowed = new HashSet<>();
  private final boolean any;

  OriginPolicy(List<String> allowedOrigins, String publicUrl) {
    boolean star = false;
    for (String o : allowedOrigins == null ? List.<String>of() : allowedOrigins) {
      if (o.strip().equals("*")) {
        star = true;
      } else {
        String n = normalize(o.strip());
        if (n != null) {
          allowed.add(n);
        }
      }
    }
    if (publicUrl != null && !publicUrl.isBlank()) {
      String n = normalize(publicUrl.strip());
      if (n != null) {
        allowed.add(n);
      }
    }
    this.any = star;
  }

  boolean allows(String origin, String host) {
    if (origin == null || any) {
      return true;
    }
    String o = normalize(origin.strip());
    if (o == null) {
      return false;
    }
    if (allowed.contains(o)) {
      return true;
    }
    if (host == null || host.isBlank()) {
      return false;
    }
    URI u = URI.create(o);
    String sameHost = normalize(u.getScheme() + "://" + host.strip());
    return o.equals(sameHost);
  }

  /** {@code scheme://host[:port]} in lower case without the scheme's default port; null when unreadable. */
  static String normalize(String origin) {
    try {
      URI u = new URI(origin);
      String scheme = u.getScheme();
      String host = u.getHost();
      if (scheme == null || host == null) {
        return null;
      }
      scheme = scheme.toLowerCase(Locale.ROOT);
      int port = u.getPort();
      if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
        port = -1;
      }
      return scheme + "://" + host.toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port);
    } catch (Exception e) {
      return null;
    }
  }
}
