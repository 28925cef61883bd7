package io.switchboard.channel.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("channels.email settings: several mailboxes, bad values named by mailbox and field, passwords from the environment")
class EmailSettingsTest {
  private static Map<String, Object> box(String name, Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("address", name + "@example.com");
    m.put("imap", Map.of("host", "imap.example.com"));
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static void bad(Map<String, Object> settings, String message) {
    assertThatThrownBy(() -> EmailSettings.parse(settings)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  @DisplayName("nothing configured: no mailbox, safe defaults")
  void defaults() {
    EmailSettings s = EmailSettings.defaults();
    assertThat(s.mailboxes()).isEmpty();
    assertThat(s.defaultMailbox()).isNull();
    assertThat(s.automation().route()).isFalse();
    assertThat(s.rateLimit().messages()).isEqualTo(20);
    assertThat(s.limits().maxStoredBytes()).isEqualTo(20L << 20);
  }

  @Test
  @DisplayName("several mailboxes with their own servers, routing attributes and the default")
  void severalMailboxes() {
    EmailSettings s = EmailSettings.parse(Map.of("mailboxes", List.of(
        box("support", "imap", Map.of("host", "imap.example.com", "afterStore", "move", "moveTo", "Done"),
            "smtp", Map.of("host", "smtp.example.com"), "attributes", Map.of("topic", "general")),
        box("billing", "default", true, "smtp", Map.of("host", "smtp.example.com", "tls", "ssl", "sentFolder", "Sent")))));
    assertThat(s.mailboxes()).extracting(EmailSettings.Mailbox::name).containsExactly("support", "billing");
    assertThat(s.defaultMailbox().name()).isEqualTo("billing");
    assertThat(s.mailbox("support").imap().port()).isEqualTo(993);
    assertThat(s.mailbox("support").imap().afterStore()).isEqualTo(EmailSettings.AfterStore.MOVE);
    assertThat(s.mailbox("support").smtp().port()).isEqualTo(587);
    assertThat(s.mailbox("billing").smtp().port()).isEqualTo(465);
    assertThat(s.mailbox("support").attributes()).containsEntry("topic", "general");
  }

  @Test
  @DisplayName("a bad value stops with the mailbox and the field named")
  void badValuesAreNamed() {
    String p = "switchboard.yaml: channels.email.";
    bad(Map.of("mailboxes", List.of(box("support", "imap", Map.of("host", "x", "port", 0)))),
        p + "mailboxes[support].imap.port: must be a whole number from 1 to 65535 (got 0)");
    bad(Map.of("mailboxes", List.of(box("support", "imap", Map.of("host", "x", "tls", "maybe")))),
        p + "mailboxes[support].imap.tls: must be one of [ssl, starttls, none] (got maybe)");
    bad(Map.of("mailboxes", List.of(box("support", "imap", Map.of("host", "x", "afterStore", "move")))),
        p + "mailboxes[support].imap.moveTo: is required with afterStore: move (the folder to move to)");
    bad(Map.of("mailboxes", List.of(box("support", "imap", Map.of("port", 993)))), p + "mailboxes[support].imap.host: is required");
    bad(Map.of("mailboxes", List.of(box("support", "address", "not-an-address"))),
        p + "mailboxes[support].address: is required: the mailbox's address, such as support@example.com");
    bad(Map.of("mailboxes", List.of(box("support", "password", "secret"))),
        p + "mailboxes[support].password: unknown key (known: [address, attributes, default, displayName, imap, name, smtp, subjectToken])");
    bad(Map.of("mailboxes", List.of(box("support"), box("support"))), p + "mailboxes[support].name: is used by two mailboxes");
    bad(Map.of("mailboxes", List.of(Map.of("address", "a@example.com"))),
        p + "mailboxes[0].name: is required: lower-case letters, digits, '-' and '_', at most 40");
    bad(Map.of("mailboxes", List.of(box("support", "imap", Map.of("host", "x", "pollInterval", "soon")))),
        p + "mailboxes[support].imap.pollInterval: must be a duration such as 500ms, 10s, 5m or 1h (got soon)");
    bad(Map.of("mailboxes", List.of(box("support", "attributes", Map.of("mailbox", "x")))),
        p + "mailboxes[support].attributes.mailbox: not an attribute name (letters, digits, '_', '.', '-'; 'mailbox' and 'automated' are set by the adapter)");
    bad(Map.of("mailboxes", "support"), p + "mailboxes: must be a list of mailboxes");
    bad(Map.of("automation", Map.of("vacationSubjects", List.of("(unclosed"))),
        p + "automation.vacationSubjects: '(unclosed' is not a regular expression: Unclosed group");
    bad(Map.of("limits", Map.of("maxStoredBytes", "lots")), p + "limits.maxStoredBytes: must be a size from 0 to 62914560 bytes, such as 20MiB (got lots)");
    bad(Map.of("imap", Map.of()), p + "imap: unknown key (known: [automation, backoff, lease, limits, mailboxes, rateLimit])");
  }

  @Test
  @DisplayName("passwords come only from the environment: a mailbox without one does not start, naming the variable")
  void passwordsFromTheEnvironment() {
    try (FakeHub hub = new FakeHub()) {
      Map<String, Object> settings = Map.of("mailboxes", List.of(box("support-desk")));
      var failed = new EmailAdapter().start(hub.node(settings, Map.of())).toCompletionStage().toCompletableFuture();
      assertThatThrownBy(failed::join).hasMessageContaining(
          "switchboard.yaml: channels.email.mailboxes[support-desk].imap: no password: set SWITCHBOARD_EMAIL_SUPPORT_DESK_PASSWORD");
      EmailAdapter ok = new EmailAdapter();
      ok.start(hub.node(Map.of("mailboxes", List.of(box("support-desk", "imap", Map.of("host", "127.0.0.1", "port", 1, "tls", "none"))),
          "backoff", Map.of("first", "1s")), Map.of("SUPPORT_DESK_IMAP_PASSWORD", "pw"))).toCompletionStage().toCompletableFuture().join();
      ok.stop().toCompletionStage().toCompletableFuture().join();
    }
  }
}
