package io.switchboard.channel.webchat;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("transcripts by email")
class WebChatTranscriptTest {
  @RegisterExtension
  static GreenMailExtension mail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  @Test
  void theCustomerGetsTheConversationWithoutPrivateNotes() throws Exception {
    Map<String, Object> smtp = Map.of("host", "127.0.0.1", "port", mail.getSmtp().getPort(), "from", "chat@shop.example.com");
    try (var hub = new RecordingChannelContext(Map.of("smtp", smtp, "transcriptSubject", "Your chat with Example Shop"), Map.of())) {
      hub.start();
      try (ChatClient c = ChatClient.connect(hub.vertx, hub.port(), Map.of())) {
        assertThat(c.await("hello").getBoolean("transcripts")).isTrue();
        String sid = c.start("Ida Kunde", "ida@example.com", "billing").getString("sessionId");
        c.say("c1", "My invoice is wrong");
        var conv = hub.conversationOf(sid);
        hub.agentWrites(conv, "customer is a long-time client", true);
        hub.deliver(hub.agentWrites(conv, "I have corrected it.", false), sid);
        c.await("message", m -> "agent".equals(m.getString("from")));
        c.send(new JsonObject().put("type", "end").put("transcript", true));
        assertThat(c.await("ended").getString("transcript")).isEqualTo("sent");
      }
      assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
      MimeMessage m = mail.getReceivedMessages()[0];
      assertThat(m.getSubject()).isEqualTo("Your chat with Example Shop");
      assertThat(m.getAllRecipients()[0].toString()).contains("ida@example.com");
      assertThat(m.getFrom()[0].toString()).isEqualTo("chat@shop.example.com");
      String body = GreenMailUtil.getBody(m);
      assertThat(body).contains("Hello Ida Kunde").contains("My invoice is wrong").contains("I have corrected it.")
          .contains("You:").contains("Agent:").doesNotContain("long-time client");
    }
  }

  @Test
  void aCustomerWithoutAnEmailCannotAskForOne() {
    Map<String, Object> smtp = Map.of("host", "127.0.0.1", "port", mail.getSmtp().getPort(), "from", "chat@shop.example.com");
    try (var hub = new RecordingChannelContext(Map.of("smtp", smtp), Map.of())) {
      hub.start();
      try (ChatClient c = ChatClient.connect(hub.vertx, hub.port(), Map.of())) {
        c.start("Anon", null, "general");
        c.say("c1", "hi");
        c.send(new JsonObject().put("type", "end").put("transcript", true));
        JsonObject err = c.await("error");
        assertThat(err.getString("code")).isEqualTo("transcript-unavailable");
        assertThat(err.getString("message")).contains("no email");
        c.await("ended");
      }
      assertThat(mail.getReceivedMessages()).isEmpty();
    }
  }
}
