package io.switchboard.hub.app.security;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("security: NUL, lone surrogates and overlong UTF-8 are refused with 422 naming the field (#11.7)")
class BadTextApiTest {
  private static TestHub hub;
  private static String agent;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    agent = bearer(hub.login("alice", "alice-demo-pw"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static void assertRefused(TestHub.Response r, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo(field);
  }

  @Test
  void aNulInANameATextOrAnIdIs422NamingTheField() {
    assertRefused(hub.post("/api/v1/customers", agent, "{\"displayName\":\"Nora\\u0000New\"}"), "displayName");
    String inbound = new JsonObject().put("channel", "chat").put("externalId", "nul-\u0000-1")
        .put("sender", new JsonObject().put("kind", "email").put("value", "nul@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "hi")).encode();
    assertRefused(hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), inbound), "externalId");
    String text = new JsonObject().put("channel", "chat").put("externalId", "nul-2")
        .put("sender", new JsonObject().put("kind", "email").put("value", "nul@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "a\u0000b")).encode();
    assertRefused(hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), text), "content.text");
  }

  @Test
  void aNulInASearchIs422NamingTheParameter() {
    assertRefused(hub.get("/api/v1/customers?q=ab%00cd", agent), "q");
  }

  @Test
  void aLoneSurrogateIsRefused() {
    assertRefused(hub.post("/api/v1/customers", agent, "{\"displayName\":\"half \\ud800 a character\"}"), "displayName");
    assertRefused(hub.post("/api/v1/customers", agent, "{\"displayName\":\"low \\udc00 first\"}"), "displayName");
  }

  @Test
  void overlongUtf8IsRefusedNamingTheField() {
    for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0x81}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}}) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.writeBytes("{\"displayName\":\"Nora ".getBytes(StandardCharsets.UTF_8));
      body.writeBytes(bad);
      body.writeBytes(" New\"}".getBytes(StandardCharsets.UTF_8));
      var r = RawHttp.post("127.0.0.1", hub.hub().httpPort(), "/api/v1/customers", agent, body.toByteArray());
      assertThat(r.status()).as(r.body()).isEqualTo(422);
      assertThat(new JsonObject(r.body()).getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("displayName");
    }
  }
}
