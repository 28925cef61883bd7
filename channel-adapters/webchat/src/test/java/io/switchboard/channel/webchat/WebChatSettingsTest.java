package io.switchboard.channel.webchat;

import io.switchboard.hub.api.Channel;
import io.switchboard.channel.testkit.InMemoryChannelContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("channels.webchat settings")
class WebChatSettingsTest {

  @Test
  void anEmptySectionGivesWorkingDefaults() {
    WebChatSettings s = WebChatSettings.parse(Map.of());
    assertThat(s.topics()).extracting(WebChatSettings.Topic::id).containsExactly("general", "billing", "tech-support");
    assertThat(s.allowedOrigins()).isEmpty();
    assertThat(s.limits().maxFrameBytes()).isEqualTo(16384);
    assertThat(s.limits().maxTextChars()).isEqualTo(4000);
    assertThat(s.limits().messagesPerWindow()).isEqualTo(20);
    assertThat(s.limits().window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.transcripts()).isTrue();
    assertThat(s.transcriptMailbox()).isNull();
    assertThat(s.originAllowed("https://any.example.com", null)).isTrue();
  }

  @Test
  void topicsMayBeIdsOrIdsWithLabels() {
    WebChatSettings s = WebChatSettings.parse(Map.of("topics", List.of("returns", Map.of("id", "vip", "label", "Premium line"))));
    assertThat(s.topics()).containsExactly(new WebChatSettings.Topic("returns", "Returns"),
        new WebChatSettings.Topic("vip", "Premium line"));
  }

  @Test
  void transcriptsGoThroughAMailboxOfTheEmailAdapter() {
    WebChatSettings s = WebChatSettings.parse(Map.of("transcriptMailbox", "chat", "transcripts", true));
    assertThat(s.transcriptMailbox()).isEqualTo("chat");
    assertThat(WebChatSettings.parse(Map.of("transcripts", false)).transcripts()).isFalse();
  }

  @Test
  void originsAreComparedWithoutCaseAndTrailingSlash() {
    WebChatSettings s = WebChatSettings.parse(Map.of("allowedOrigins", List.of("https://Shop.Example.com/")));
    assertThat(s.originAllowed("https://shop.example.com", null)).isTrue();
    assertThat(s.originAllowed("https://shop.example.com.evil.net", null)).isFalse();
    assertThat(s.originAllowed("http://localhost:8080", "http://localhost:8080")).isTrue();
    assertThat(WebChatSettings.parse(Map.of("allowedOrigins", List.of("*"))).allowedOrigins()).isEmpty();
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> WebChatSettings.parse(Map.of("colour", "red")))
        .hasMessageContaining("channels.webchat.colour").hasMessageContaining("unknown key");
    assertThatThrownBy(() -> WebChatSettings.parse(Map.of("limits", Map.of("maxTextChars", 0))))
        .hasMessageContaining("channels.webchat.limits.maxTextChars");
    assertThatThrownBy(() -> WebChatSettings.parse(Map.of("limits", Map.of("window", "soon"))))
        .hasMessageContaining("channels.webchat.limits.window");
    assertThatThrownBy(() -> WebChatSettings.parse(Map.of("topics", List.of("Billing Stuff"))))
        .hasMessageContaining("channels.webchat.topics");
    assertThatThrownBy(() -> WebChatSettings.parse(Map.of("topics", List.of("a", "a"))))
        .hasMessageContaining("listed twice");
    assertThatThrownBy(() -> WebChatSettings.parse(Map.of("allowedOrigins", List.of("shop.example.com/path"))))
        .hasMessageContaining("channels.webchat.allowedOrigins");
    assertThatThrownBy(() -> WebChatSettings.parse(Map.of("smtp", Map.of("host", "mail.example.com"))))
        .hasMessageContaining("channels.webchat.smtp: transcripts now go out through the email adapter")
        .hasMessageContaining("channels.webchat.transcriptMailbox");
    assertThatThrownBy(() -> WebChatSettings.parse(Map.of("transcriptMailbox", "Chat Box")))
        .hasMessageContaining("channels.webchat.transcriptMailbox");
  }

  @Test
  void anAdapterWithBadSettingsDoesNotStart() {
    try (var hub = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of("limits", Map.of("maxFrameBytes", "big")), Map.of())) {
      assertThatThrownBy(() -> hub.start(new WebChatAdapter())).hasMessageContaining("channels.webchat.limits.maxFrameBytes");
    }
    try (var hub = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of("SESSION_KEY", "short"))) {
      assertThatThrownBy(() -> hub.start(new WebChatAdapter())).hasMessageContaining("SWITCHBOARD_WEBCHAT_SESSION_KEY");
    }
  }

  @Test
  void theLanguageIsThePrimarySubtagOfTheBrowsersFirstChoice() {
    assertThat(WebChatAdapter.language("de-CH,de;q=0.9,en;q=0.5")).isEqualTo("de");
    assertThat(WebChatAdapter.language("fr")).isEqualTo("fr");
    assertThat(WebChatAdapter.language("*")).isNull();
    assertThat(WebChatAdapter.language(null)).isNull();
  }
}
