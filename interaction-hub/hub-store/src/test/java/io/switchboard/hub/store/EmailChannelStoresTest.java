package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.ConversationToken;
import io.switchboard.hub.api.spi.ChannelCursors.Cursor;
import io.switchboard.hub.api.spi.Quarantine;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("stores of the email channel: cursors, quarantine, threading lookups")
class EmailChannelStoresTest {
  private final StoreFixture f = new StoreFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  @DisplayName("a cursor only moves forward within its epoch; a new epoch replaces it; adapters never share one")
  void cursorsMoveForward() {
    CursorStore cursors = f.stores.cursors();
    assertThat(Await.result(cursors.get(f.pool, "email", "support:INBOX"))).isEmpty();
    assertThat(Await.result(cursors.advance(f.pool, "email", "support:INBOX", 7, 10)).position()).isEqualTo(10);
    // A reader that lost its lease and writes late cannot move it back.
    Cursor behind = Await.result(cursors.advance(f.pool, "email", "support:INBOX", 7, 4));
    assertThat(behind.epoch()).isEqualTo(7);
    assertThat(behind.position()).isEqualTo(10);
    assertThat(Await.result(cursors.advance(f.pool, "email", "support:INBOX", 7, 12)).position()).isEqualTo(12);
    // The server renumbered the mailbox.
    Cursor renumbered = Await.result(cursors.advance(f.pool, "email", "support:INBOX", 9, 0));
    assertThat(renumbered.epoch()).isEqualTo(9);
    assertThat(renumbered.position()).isZero();
    assertThat(Await.result(cursors.get(f.pool, "other", "support:INBOX"))).isEmpty();
  }

  @Test
  @DisplayName("a quarantined message is stored once per reference, listed newest first, and dismissed once")
  void quarantineIsIdempotent() {
    QuarantineStore q = f.stores.quarantine();
    var item = new Quarantine.Item(Channel.EMAIL, "mailbox support", "support:abc", "no sender", Buffer.buffer("raw bytes"),
        "message/rfc822", Map.of("Subject", "hi"), null);
    assertThat(Await.result(q.insert(f.pool, item))).isTrue();
    assertThat(Await.result(q.insert(f.pool, item))).isFalse();
    List<QuarantineStore.Entry> open = Await.result(q.list(f.pool, false, null, null, 10));
    assertThat(open).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo("no sender");
      assertThat(e.sizeBytes()).isEqualTo(9);
      assertThat(e.facts().getString("Subject")).isEqualTo("hi");
    });
    UUID id = open.get(0).id();
    assertThat(Await.result(q.raw(f.pool, id)).orElseThrow().bytes().toString()).isEqualTo("raw bytes");
    assertThat(Await.result(q.dismiss(f.pool, id, "agent:sam"))).isTrue();
    assertThat(Await.result(q.dismiss(f.pool, id, "agent:sam"))).isFalse();
    assertThat(Await.result(q.list(f.pool, false, null, null, 10))).isEmpty();
    assertThat(Await.result(q.list(f.pool, true, null, null, 10))).hasSize(1);
  }

  @Test
  @DisplayName("email threading finds a closed conversation by a sent reply's Message-ID and by the subject token")
  void emailThreadingLookups() {
    UUID customer = f.customer("Nora");
    UUID conversation = f.conversation(customer, "email", null);
    UUID interaction = f.interaction(conversation, customer, "email", "<m-1@x>");
    Await.result(f.message(conversation, interaction, "email", "<m-1@x>"));
    Await.result(f.exec("INSERT INTO messages (id, conversation_id, interaction_id, channel, direction, content_type, content,"
        + " status, provider_message_id) VALUES ($1, $2, $3, 'email', 'outbound', 'text', '{\"text\":\"r\"}', 'sent', $4)",
        UUID.randomUUID(), conversation, interaction, "<sb-1@acme.test>"));
    Await.result(f.exec("UPDATE conversations SET status = 'closed', closed_at = now() WHERE id = $1", conversation));
    ConversationStore c = f.stores.conversations();
    assertThat(Await.result(c.findByEmailRefs(f.pool, Channel.EMAIL, List.of("<sb-1@acme.test>")))).get()
        .satisfies(found -> assertThat(found.id().value()).isEqualTo(conversation));
    assertThat(Await.result(c.findByEmailRefs(f.pool, Channel.EMAIL, List.of("<nothing@x>")))).isEmpty();
    var range = ConversationToken.find("Re: Invoice [" + ConversationToken.of(new ConversationId(conversation)) + "]").orElseThrow();
    assertThat(Await.result(c.findByToken(f.pool, Channel.EMAIL, range))).get()
        .satisfies(found -> assertThat(found.open()).isFalse());
    Await.result(c.reopen(f.pool, new ConversationId(conversation)));
    assertThat(Await.result(c.find(f.pool, new ConversationId(conversation)))).get().satisfies(found -> assertThat(found.open()).isTrue());
    assertThat(ConversationToken.find("Re: [SB-XYZ]")).isEmpty();
  }
}
