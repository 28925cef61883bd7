package io.switchboard.channel.webchat;

import io.switchboard.hub.api.Channel;
import io.switchboard.channel.testkit.InMemoryChannelContext;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.spi.MailSender;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("transcripts by email, through the hub's mail sender")
class WebChatTranscriptTest {

  @Test
  void theCustomerGetsTheConversationWithoutPrivateNotes() throws Exception {
    try (var hub = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of("transcriptMailbox", "chat", "transcriptSubject", "Your chat with Example Shop"),
        Map.of())) {
      hub.mailSenderThatRecords(null);
      hub.start(new WebChatAdapter());
      try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of())) {
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
      assertThat(hub.mails()).hasSize(1);
      MailSender.SystemEmail m = hub.mails().get(0);
      assertThat(m.mailbox()).isEqualTo("chat");
      assertThat(m.subject()).isEqualTo("Your chat with Example Shop");
      assertThat(m.to().address()).isEqualTo("ida@example.com");
      assertThat(m.to().name()).isEqualTo("Ida Kunde");
      assertThat(m.text()).contains("Hello Ida Kunde").contains("My invoice is wrong").contains("I have corrected it.")
          .contains("You:").contains("Agent:").doesNotContain("long-time client");
    }
  }

  @Test
  void aCustomerWithoutAnEmailCannotAskForOne() {
    try (var hub = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of())) {
      hub.mailSenderThatRecords(null);
      hub.start(new WebChatAdapter());
      try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of())) {
        c.start("Anon", null, "general");
        c.say("c1", "hi");
        c.send(new JsonObject().put("type", "end").put("transcript", true));
        JsonObject err = c.await("error");
        assertThat(err.getString("code")).isEqualTo("transcript-unavailable");
        assertThat(err.getString("message")).contains("no email");
        c.await("ended");
      }
      assertThat(hub.mails()).isEmpty();
    }
  }

  @Test
  @DisplayName("a mail sender that fails: the customer is told the transcript failed, the chat still ends")
  void aFailingMailSenderIsReported() {
    try (var hub = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of())) {
      hub.mailSenderThatRecords("the SMTP server of chat@shop.example.com could not be reached");
      hub.start(new WebChatAdapter());
      try (ChatClient c = ChatClient.connect(hub.vertx(), hub.port(), Map.of())) {
        c.start("Ida", "ida@example.com", "general");
        c.say("c1", "hi");
        c.send(new JsonObject().put("type", "end").put("transcript", true));
        assertThat(c.await("error").getString("code")).isEqualTo("transcript-failed");
        assertThat(c.await("ended").getString("transcript")).isEqualTo("failed");
      }
    }
  }
}
