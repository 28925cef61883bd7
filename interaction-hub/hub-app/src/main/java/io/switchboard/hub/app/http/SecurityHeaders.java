package io.switchboard.hub.app.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headers on every answer. A Content-Security-Policy that allows scripts only from the hub itself (the console's
 * one inline block, its import map, by hash: it is data, not code, and browsers take import maps inline only), no
 * plugins, no framing, no base or form targets elsewhere; the console's pages are revalidated on every load (never
 * cached as immutable, so a new version reaches every agent); API answers, login tokens included, are never stored
 * ({@code Cache-Control: no-store}).
 */
final class SecurityHeaders {
  private static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>(.*?)</script>", Pattern.DOTALL);

  private final String csp;

  SecurityHeaders(String publicUrl) {
    List<String> hashes = new ArrayList<>();
    for (String page : List.of("console/index.html")) {
      hashes.addAll(inlineScriptHashes(page));
    }
    StringBuilder script = new StringBuilder("'self'");
    hashes.forEach(h -> script.append(" 'sha256-").append(h).append("'"));
    String connect = "'self'";
    if (publicUrl != null && !publicUrl.isBlank()) {
      String ws = publicUrl.strip().replaceFirst("^http", "ws").replaceAll("/+$", "");
      connect += " " + ws;
    }
    this.csp = "default-src 'self'; script-src " + script + "; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:;"
        + " connect-src " + connect + "; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
        + " form-action 'self'";
  }

  /** The policy sent with every answer. */
  String policy() {
    return csp;
  }

  Handler<RoutingContext> handler() {
    return ctx -> {
      String path = ctx.request().path();
      var headers = ctx.response().headers();
      headers.set("X-Content-Type-Options", "nosniff")
          .set("Referrer-Policy", "no-referrer")
          .set("X-Frame-Options", "DENY")
          .set("Content-Security-Policy", csp);
      boolean api = path.startsWith("/api/");
      boolean console = !api && !path.startsWith("/webjars/") && !path.startsWith("/channels/")
          && !path.equals("/health") && !path.equals("/metrics");
      ctx.addHeadersEndHandler(v -> {
        if (api) {
          headers.set("Cache-Control", "no-store");
        } else if (console) {
          // The static handler marks what it serves immutable for a day; the console must update on the next load.
          headers.set("Cache-Control", "no-cache");
        }
      });
      ctx.next();
    };
  }

  /** Base64 SHA-256 of each inline script block of a page on the classpath (none when the page is absent). */
  static List<String> inlineScriptHashes(String resource) {
    List<String> out = new ArrayList<>();
    try (InputStream in = SecurityHeaders.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return out;
      }
      String html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Matcher m = INLINE_SCRIPT.matcher(html);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      while (m.find()) {
        out.add(Base64.getEncoder().encodeToString(sha.digest(m.group(1).getBytes(StandardCharsets.UTF_8))));
      }
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot read " + resource + " for its Content-Security-Policy", e);
    }
    return out;
  }
}
