package io.switchboard.channel.webchat;

import io.switchboard.hub.api.Channel;
import io.switchboard.channel.testkit.InMemoryChannelContext;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the widget script")
class WebChatWidgetTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private InMemoryChannelContext hub;

  @BeforeEach
  void start() {
    hub = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of());
    hub.start(new WebChatAdapter());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.baseUrl() + path));
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void isServedAsJavaScriptThatAnySiteMayEmbedAndIsCached() throws Exception {
    HttpResponse<String> r = get("/widget.js", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("Cross-Origin-Resource-Policy")).hasValue("cross-origin");
    assertThat(r.body()).contains("/socket?v=1");
    String etag = r.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/widget.js", etag).statusCode()).isEqualTo(304);
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/widget.js"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void putsTextOnThePageOnlyAsText() throws Exception {
    String js = get("/widget.js", null).body();
    assertThat(js).doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML")
        .doesNotContain("document.write").doesNotContain("eval(");
    assertThat(js).contains("textNode.textContent = m.text");
  }

  @Test
  void isAccessible() throws Exception {
    String js = get("/widget.js", null).body();
    assertThat(js).contains("'aria-live': 'polite'").contains("role: 'log'").contains("'aria-expanded'")
        .contains("'for': 'sb-name'").contains("'for': 'sb-email'").contains("'for': 'sb-topic'").contains("'for': 'sb-compose'")
        .contains("ev.key === 'Escape'");
  }
}
