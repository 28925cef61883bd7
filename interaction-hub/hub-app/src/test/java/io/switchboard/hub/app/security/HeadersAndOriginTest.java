package io.switchboard.hub.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("security: CSP without inline script, no immutable console HTML, no-store answers, origin checks (#11.9)")
class HeadersAndOriginTest {
  private static TestHub hub;
  private static int port;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    port = hub.hub().httpPort();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static RawHttp.Answer get(String path) {
    return RawHttp.request(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port);
  }

  @Test
  void consoleDashboardAndDemoPagesHaveAPolicyThatAllowsNoInlineScript() throws Exception {
    for (String page : new String[] {"/", "/index.html", "/demo/webchat.html"}) {
      var r = get(page);
      assertThat(r.status()).as(page).isEqualTo(200);
      String csp = RawHttp.header(r.head(), "Content-Security-Policy");
      assertThat(csp).as("CSP of %s", page).isNotNull().contains("script-src 'self'").contains("object-src 'none'")
          .contains("frame-ancestors 'none'").doesNotContain("'unsafe-inline' ;").doesNotContain("unsafe-eval");
      String scriptSrc = csp.replaceAll(".*script-src ([^;]*);.*", "$1");
      assertThat(scriptSrc).doesNotContain("unsafe-inline");
      String cache = RawHttp.header(r.head(), "Cache-Control");
      assertThat(cache == null ? "" : cache).as("caching of %s", page).doesNotContain("immutable");
    }
    // The console page has no inline script but its import map (data), which the policy names by hash.
    String html;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("console/index.html")) {
      html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    var inline = Pattern.compile("<script(?![^>]*\\bsrc=)([^>]*)>", Pattern.DOTALL).matcher(html);
    while (inline.find()) {
      assertThat(inline.group(1)).as("an inline script in console/index.html").contains("importmap");
    }
    assertThat(RawHttp.header(get("/").head(), "Content-Security-Policy")).containsPattern("'sha256-[A-Za-z0-9+/=]+'");
  }

  @Test
  void loginAnswersAndTheApiAreNeverStored() {
    var login = RawHttp.login("127.0.0.1", port, "alice", "alice-demo-pw");
    assertThat(login.status()).isEqualTo(200);
    assertThat(RawHttp.header(login.head(), "Cache-Control")).isEqualTo("no-store");
    var failed = RawHttp.login("127.0.0.1", port, "alice", "wrong-password-here");
    assertThat(RawHttp.header(failed.head(), "Cache-Control")).isEqualTo("no-store");
    assertThat(RawHttp.header(get("/api/v1/queues").head(), "Cache-Control")).isEqualTo("no-store");
  }

  private static RawHttp.Answer upgrade(int port, String host, String origin) {
    return RawHttp.request(port, "GET /ws/agent HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: " + origin);
  }

  @Test
  void theAgentSocketDoesNotTrustAHostHeaderThatMatchesTheOrigin() {
    // A page on an attacker's site whose DNS name points at the hub: Host and Origin agree, both the attacker's.
    assertThat(upgrade(port, "evil.example", "http://evil.example").status()).isEqualTo(403);
    assertThat(upgrade(port, "evil.example:" + port, "http://evil.example:" + port).status()).isEqualTo(403);
    // The hub's own pages on this machine still connect.
    assertThat(upgrade(port, "127.0.0.1:" + port, "http://127.0.0.1:" + port).status()).isEqualTo(101);
    assertThat(upgrade(port, "localhost:" + port, "http://localhost:" + port).status()).isEqualTo(101);
  }

  @Test
  void withAPublicUrlOnlyItsPagesOpenTheAgentSocket() {
    try (TestHub pub = TestHub.start(Map.of("SWITCHBOARD_PUBLIC_URL", "https://hub.example.com"))) {
      int p = pub.hub().httpPort();
      assertThat(upgrade(p, "hub.example.com", "https://hub.example.com").status()).isEqualTo(101);
      assertThat(upgrade(p, "127.0.0.1:" + p, "http://127.0.0.1:" + p).status()).isEqualTo(403);
      assertThat(upgrade(p, "evil.example", "https://evil.example").status()).isEqualTo(403);
    }
  }
}
