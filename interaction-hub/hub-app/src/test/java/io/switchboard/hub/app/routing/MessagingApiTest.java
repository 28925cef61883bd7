package io.switchboard.hub.app.routing;

import static io.switchboard.hub.app.TestHub.apiKey;
import static io.switchboard.hub.app.TestHub.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.app.TestHub;
import io.switchboard.hub.core.messaging.MessageService;
import io.switchboard.hub.core.routing.RoutingService;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("agents' replies and private notes")
class MessagingApiTest {
  private TestHub hub;
  private RoutingFixture fx;
  private String alice;
  private String interaction;

  @BeforeEach
  void start() {
    hub = TestHub.start(Map.of(), RoutingFixture.RULES.replace("offerTimeout: 1500ms", "offerTimeout: 60s"));
    fx = new RoutingFixture(hub);
    alice = fx.available("alice");
    var offered = fx.expect(RoutingService.OFFER_CREATED, e -> true);
    // An email contact: the email adapter runs, but no mailbox is configured, so nothing can send a reply.
    var r = hub.post("/api/v1/inbound", apiKey(TestHub.DEMO_API_KEY), new JsonObject().put("channel", "email")
        .put("externalId", "<m-1@example.com>").put("subject", "Invoice 42")
        .put("sender", new JsonObject().put("kind", "email").put("value", "Mail.Customer@example.com"))
        .put("content", new JsonObject().put("type", "text").put("text", "wrong amount"))
        .put("metadata", new JsonObject().put("topic", "billing")).encode());
    interaction = r.json().getString("interactionId");
    RoutingFixture.await(offered);
  }

  @AfterEach
  void stop() {
    fx.close();
    hub.close();
  }

  private TestHub.Response write(String token, String body) {
    return hub.post("/api/v1/interactions/" + interaction + "/messages", token, body);
  }

  @Test
  void repliesNeedTheInteractionToBeWorkedByTheWriter() {
    assertThat(write(alice, "{\"text\":\"hello\"}").status()).as("offered, not yet accepted").isEqualTo(409);
    assertThat(hub.post("/api/v1/interactions/" + interaction + "/accept", alice, "").status()).isEqualTo(204);
    String bob = bearer(hub.login("bob", "bob-demo-pw"));
    assertThat(write(bob, "{\"text\":\"not mine\"}").status()).isEqualTo(404);
    assertThat(write(alice, "{}").status()).isEqualTo(422);
    assertThat(write(alice, "{\"text\":\"\"}").status()).isEqualTo(422);
    assertThat(write(alice, "{\"text\":1}").status()).isEqualTo(400);
    assertThat(write(alice, "{\"text\":\"x\",\"cc\":\"y\"}").status()).isEqualTo(400);
    assertThat(write(alice, "{\"text\":\"" + "x".repeat(70_000) + "\"}").status()).isEqualTo(422);
    assertThat(write(alice, "{\"text\":\"x\",\"privateNote\":\"yes\"}").status()).isEqualTo(400);
  }

  @Test
  void aReplyNothingCanDeliverIsRefusedUpFrontWithTheReasonAndANoteIsStillKept() {
    assertThat(hub.post("/api/v1/interactions/" + interaction + "/accept", alice, "").status()).isEqualTo(204);
    // The agent is told before writing: the interaction says replies cannot go out, and why.
    JsonObject reply = hub.get("/api/v1/interactions/" + interaction, alice).json().getJsonObject("reply");
    assertThat(reply.getString("state")).isEqualTo("unavailable");
    assertThat(reply.getString("reason")).contains("no mailbox is set up for email");
    var note = write(alice, "{\"text\":\"customer sounded upset\",\"privateNote\":true}");
    assertThat(note.status()).isEqualTo(201);
    assertThat(note.json().getBoolean("private")).isTrue();
    assertThat(note.json().getString("direction")).isEqualTo("internal");
    var refused = write(alice, "{\"text\":\"We have corrected the invoice.\"}");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.isProblem()).isTrue();
    assertThat(refused.json().getString("detail")).contains("replies cannot go out").contains("no mailbox is set up for email");

    var detail = hub.get("/api/v1/interactions/" + interaction, alice).json().getJsonArray("messages");
    assertThat(detail.stream().map(m -> (JsonObject) m).filter(m -> "outbound".equals(m.getString("direction")))).isEmpty();
    JsonObject storedNote = detail.stream().map(m -> (JsonObject) m).filter(m -> m.getBoolean("private")).findFirst().orElseThrow();
    assertThat(storedNote.getString("status")).isEqualTo("received");
    // Supervisors may add notes to anyone's interaction.
    assertThat(write(bearer(hub.login("sam", "sam-demo-pw")), "{\"text\":\"coaching note\",\"privateNote\":true}").status()).isEqualTo(201);
  }
}
