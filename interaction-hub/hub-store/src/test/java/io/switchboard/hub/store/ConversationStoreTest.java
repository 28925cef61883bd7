package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.Conversation;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Email threading: finding the open conversation of a reply by the external ids it references. */
class ConversationStoreTest {
  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture();
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void replyReferencingOneOrSeveralEarlierMessagesFindsTheirOpenConversation() {
    UUID customer = f.customer("Rita");
    UUID conversation = f.conversation(customer, "email", null);
    String original = "<" + UUID.randomUUID() + "@example.com>";
    Await.result(f.message(conversation, f.interaction(conversation, customer, "email", original), "email", original));

    assertThat(find(Channel.EMAIL, List.of(original))).map(c -> c.id().value()).contains(conversation);
    assertThat(find(Channel.EMAIL, List.of("<unknown@example.com>", original, "<other@example.com>")))
        .map(c -> c.id().value()).contains(conversation);
    assertThat(find(Channel.EMAIL, List.of("<unknown@example.com>"))).isEmpty();
    assertThat(find(Channel.EMAIL, List.of())).isEmpty();
    assertThat(find(Channel.CHAT, List.of(original))).as("other channel").isEmpty();
  }

  @Test
  void closedConversationIsNotFoundByReferences() {
    UUID customer = f.customer("Cleo");
    UUID conversation = f.conversation(customer, "email", null);
    String original = "<" + UUID.randomUUID() + "@example.com>";
    Await.result(f.message(conversation, f.interaction(conversation, customer, "email", original), "email", original));
    Await.result(f.exec("UPDATE conversations SET status = 'closed', closed_at = now() WHERE id = $1", conversation));

    assertThat(find(Channel.EMAIL, List.of(original))).isEmpty();
  }

  private static Optional<Conversation> find(Channel channel, List<String> refs) {
    return Await.result(f.stores.conversations().findOpenByMessageRefs(f.pool, channel, refs));
  }
}
