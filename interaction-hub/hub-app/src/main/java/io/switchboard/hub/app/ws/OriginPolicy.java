package io.switchboard.hub.app.ws;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which web pages may open the agent socket: the hub's public URL ({@code http.publicUrl}) and the origins listed in
 * {@code http.allowedOrigins} ({@code *} allows any). Without a public URL, pages of the hub on this machine
 * ({@code http://localhost:<port>}, {@code http://127.0.0.1:<port>}, {@code http://[::1]:<port>}, the port the request
 * came in on). The Host header is never trusted: a page on an attacker's site reached through a DNS name pointing at
 * the hub would send a Host that matches its own Origin. Requests without an Origin header come from programs, not
 * browsers (a browser always sends it on a WebSocket handshake), and are allowed: the token still has to be valid.
 */
final class OriginPolicy {
  private final Set<String> allowed = new HashSet<>();
  private final boolean any;
  private final boolean hasPublicUrl;

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
    String pub = publicUrl == null || publicUrl.isBlank() ? null : normalize(publicUrl.strip());
    if (pub != null) {
      allowed.add(pub);
    }
    this.hasPublicUrl = pub != null;
    this.any = star;
  }

  /**
   * @param localPort the port the request arrived on (the socket's, not the Host header's); used only when no public
   *     URL is configured
   */
  boolean allows(String origin, int localPort) {
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
    if (hasPublicUrl || localPort <= 0) {
      return false;
    }
    return o.equals("http://localhost:" + localPort) || o.equals("http://127.0.0.1:" + localPort)
        || o.equals("http://[::1]:" + localPort);
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
