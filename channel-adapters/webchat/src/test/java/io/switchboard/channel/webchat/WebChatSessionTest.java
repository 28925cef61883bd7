package io.switchboard.channel.webchat;

import io.switchboard.channel.testkit.InMemoryChannelContext;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.spi.ConversationReader.QueuePosition;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a customer's chat session over the WebSocket")
class WebChatSessionTest {
  private InMemoryChannelContext hub;

  @BeforeEach
  void start() {
    hub = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of("queueUpdateInterval", "200ms"), Map.of());
    hub.start(new WebChatAdapter());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private ChatClient connect() {
    return ChatClient.connect(hub.vertx(), hub.port(), Map.of("Accept-Language", "de-CH,de;q=0.9,en;q=0.5"));
  }

  @Test
  void theServerGreetsWithTheProtocolVersionAndTheDefaultTopics() {
    try (ChatClient c = connect()) {
      JsonObject hello = c.await("hello");
      assertThat(hello.getInteger("protocol")).isEqualTo(1);
      assertThat(hello.getJsonArray("topics").stream().map(t -> ((JsonObject) t).getString("id")).toList())
          .containsExactly("general", "billing", "tech-support");
      assertThat(hello.getBoolean("transcripts")).as("no smtp configured").isFalse();
      assertThat(hello.getJsonObject("limits").getInteger("maxTextChars")).isEqualTo(4000);
    }
  }

  @Test
  void aChatLineBecomesAnInboundContactWithThePreChatAnswers() {
    try (ChatClient c = connect()) {
      c.send(new JsonObject().put("type", "start").put("name", "Ida Kunde").put("email", "Ida@Example.com")
          .put("topic", "billing").put("page", "https://shop.example.com/cart"));
      JsonObject session = c.await("session");
      String sessionId = session.getString("sessionId");
      assertThat(sessionId).startsWith("wc_").hasSizeGreaterThan(20);
      assertThat(session.getString("resumeToken")).startsWith("v1.");

      JsonObject ack = c.say("c1", "My invoice is <b>wrong</b>");
      assertThat(ack.getString("status")).isEqualTo("received");
      assertThat(ack.getString("messageId")).isNotBlank();

      InboundContact contact = hub.contacts().get(0);
      assertThat(contact.channel()).isEqualTo(Channel.CHAT);
      assertThat(contact.externalId()).isEqualTo(sessionId + ":c1");
      assertThat(contact.sender().kind()).isEqualTo(IdentityKind.EMAIL);
      assertThat(contact.sender().value()).isEqualTo("Ida@Example.com");
      assertThat(contact.senderName()).isEqualTo("Ida Kunde");
      assertThat(contact.threadKey()).isEqualTo(sessionId);
      assertThat(((MessageContent.Text) contact.content()).body()).isEqualTo("My invoice is <b>wrong</b>");
      assertThat(contact.metadata()).containsEntry("topic", "billing").containsEntry("prechat.name", "Ida Kunde")
          .containsEntry("prechat.email", "Ida@Example.com").containsEntry("page", "https://shop.example.com/cart")
          .containsEntry("language", "de");
    }
  }

  @Test
  void withoutAnEmailTheSenderIsTheSessionsHandle() {
    try (ChatClient c = connect()) {
      String sessionId = c.start("Anon", null, "general").getString("sessionId");
      c.say("a", "hi");
      assertThat(hub.contacts().get(0).sender().kind()).isEqualTo(IdentityKind.HANDLE);
      assertThat(hub.contacts().get(0).sender().provider()).isEqualTo("webchat");
      assertThat(hub.contacts().get(0).sender().value()).isEqualTo(sessionId);
      assertThat(hub.contacts().get(0).metadata()).doesNotContainKey("prechat.email");
    }
  }

  @Test
  void theFirstStoredLineRenewsTheTokenSoThatItNamesTheConversation() {
    try (ChatClient c = connect()) {
      String before = c.start("Ida", "ida@example.com", "billing").getString("resumeToken");
      c.say("c1", "hello");
      JsonObject renewed = c.await("session");
      assertThat(renewed.getString("resumeToken")).isNotEqualTo(before);
      c.say("c2", "again");
      c.sync();
      assertThat(c.all("session")).as("no new token while the conversation stays the same").hasSize(2);
    }
  }

  @Test
  void aLineResentWithTheSameClientIdIsStoredOnce() {
    try (ChatClient c = connect()) {
      c.start("Ida", "ida@example.com", "billing");
      JsonObject first = c.say("c1", "hello");
      c.send(new JsonObject().put("type", "message").put("clientId", "c1").put("text", "hello"));
      JsonObject again = c.await("ack", a -> "c1".equals(a.getString("clientId")));
      assertThat(again.getString("messageId")).isEqualTo(first.getString("messageId"));
      assertThat(again.getBoolean("duplicate")).isTrue();
      assertThat(hub.contacts()).hasSize(1);
    }
  }

  @Test
  void anAgentsReplyIsPushedAndTheReceiptsBecomeDeliveredAndRead() {
    try (ChatClient c = connect()) {
      String sessionId = c.start("Ida", "ida@example.com", "billing").getString("sessionId");
      JsonObject ack = c.say("c1", "hello");
      ConversationId conv = hub.conversationOf(sessionId);
      Message reply = hub.agentWrites(conv, "Hello Ida, <script>alert(1)</script> how can I help?", false);
      DeliveryResult result = hub.deliver(reply, sessionId);
      assertThat(result).isEqualTo(new DeliveryResult.Delivered("wc-" + reply.id()));

      JsonObject pushed = c.await("message", m -> "agent".equals(m.getString("from")));
      assertThat(pushed.getString("messageId")).isEqualTo(reply.id().toString());
      assertThat(pushed.getString("text")).isEqualTo("Hello Ida, <script>alert(1)</script> how can I help?");
      JsonObject read = c.await("status");
      assertThat(read.getJsonArray("messageIds").stream().map(String.class::cast).toList()).as("a reply means the agent read the line")
          .containsExactly(ack.getString("messageId"));
      assertThat(read.getString("status")).isEqualTo("read");

      c.send(new JsonObject().put("type", "received").put("messageId", reply.id().toString()));
      c.send(new JsonObject().put("type", "read").put("upTo", reply.id().toString())).sync();
      awaitUpdates(2);
      assertThat(hub.updates()).containsExactlyInAnyOrder(
          new InMemoryChannelContext.DeliveryUpdate(Channel.CHAT, "wc-" + reply.id(), Message.Status.DELIVERED, null),
          new InMemoryChannelContext.DeliveryUpdate(Channel.CHAT, "wc-" + reply.id(), Message.Status.READ, null));
    }
  }

  @Test
  void aReceiptThatBeatsTheHubsRecordOfTheSendIsRetried() {
    try (ChatClient c = connect()) {
      String sessionId = c.start("Ida", null, "billing").getString("sessionId");
      c.say("c1", "hello");
      Message reply = hub.agentWrites(hub.conversationOf(sessionId), "Hi", false);
      // The adapter has pushed it; the hub has not yet recorded the provider id (a fast network, a slow database).
      var result = InMemoryChannelContext.await(hub.<WebChatAdapter>adapter().send(new io.switchboard.hub.api.spi.OutboundMessage(
          reply.id(), reply.interactionId(), reply.conversationId(), io.switchboard.hub.api.SenderAddress.handle("webchat", sessionId),
          sessionId, List.of(), null, reply.content())));
      JsonObject pushed = c.await("message", m -> "agent".equals(m.getString("from")));
      c.send(new JsonObject().put("type", "received").put("messageId", pushed.getString("messageId")));
      hub.awaitUntil(() -> !hub.receiptAttempts().isEmpty(), "the first receipt attempt");
      assertThat(hub.updates()).isEmpty();
      hub.markSent(((DeliveryResult.Delivered) result).providerMessageId());
      awaitUpdates(1);
      assertThat(hub.updates().get(0).status()).isEqualTo(Message.Status.DELIVERED);
    }
  }

  @Test
  void receiptsMayOnlyNameMessagesSentToThisChat() {
    try (ChatClient mine = connect(); ChatClient other = connect()) {
      String sid = mine.start("Ida", null, "billing").getString("sessionId");
      mine.say("c1", "hello");
      Message reply = hub.agentWrites(hub.conversationOf(sid), "for Ida only", false);
      hub.deliver(reply, sid);
      other.start("Mallory", null, "general");
      other.send(new JsonObject().put("type", "received").put("messageId", reply.id().toString()));
      assertThat(other.await("error").getString("code")).isEqualTo("unknown-message");
      other.send(new JsonObject().put("type", "read").put("upTo", reply.id().toString()));
      assertThat(other.await("error").getString("code")).isEqualTo("unknown-message");
      other.sync();
      assertThat(hub.updates()).isEmpty();
      assertThat(other.all("message")).isEmpty();
    }
  }

  @Test
  void aCustomerWhoReconnectsGetsExactlyTheMessagesMissedAndNothingTwice() {
    String sessionId;
    String token;
    String seen;
    ConversationId conv;
    try (ChatClient c = connect()) {
      sessionId = c.start("Ida", "ida@example.com", "billing").getString("sessionId");
      c.say("c1", "hello");
      token = c.await("session").getString("resumeToken");
      conv = hub.conversationOf(sessionId);
      Message first = hub.agentWrites(conv, "first answer", false);
      hub.deliver(first, sessionId);
      seen = c.await("message").getString("messageId");
    }
    Message note = hub.agentWrites(conv, "customer seems upset", true);
    Message missed = hub.agentWrites(conv, "are you still there?", false);
    assertThat(hub.deliver(missed, sessionId)).isInstanceOf(DeliveryResult.Delivered.class);

    try (ChatClient c = connect()) {
      c.send(new JsonObject().put("type", "resume").put("sessionId", sessionId).put("resumeToken", token)
          .put("lastSeenMessageId", seen));
      assertThat(c.await("session").getBoolean("resumed")).isTrue();
      JsonObject replayed = c.await("replayed");
      assertThat(replayed.getInteger("count")).isEqualTo(1);
      assertThat(c.all("message")).extracting(m -> m.getString("messageId")).containsExactly(missed.id().toString());
      assertThat(c.all("message")).noneMatch(m -> m.getString("text").contains("upset"));
      assertThat(note.privateNote()).isTrue();

      // A line the client did not see acknowledged before the drop is sent again: stored once.
      c.send(new JsonObject().put("type", "message").put("clientId", "c1").put("text", "hello"));
      assertThat(c.await("ack").getBoolean("duplicate")).isTrue();
      assertThat(hub.contacts()).hasSize(1);
    }
  }

  @Test
  void aResumeWithoutALastSeenMessageReplaysTheWholeConversation() {
    try (ChatClient c = connect()) {
      String sid = c.start("Ida", null, "billing").getString("sessionId");
      c.say("c1", "hello");
      String token = c.await("session").getString("resumeToken");
      hub.deliver(hub.agentWrites(hub.conversationOf(sid), "hi Ida", false), sid);
      c.await("message");
      try (ChatClient tab = connect()) {
        tab.send(new JsonObject().put("type", "resume").put("sessionId", sid).put("resumeToken", token));
        tab.await("replayed");
        assertThat(tab.all("message")).extracting(m -> m.getString("from")).containsExactly("customer", "agent");
        assertThat(tab.all("message").get(0).getString("clientId")).isEqualTo("c1");
        // A second tab of the same chat sees the lines written in the first.
        c.say("c2", "from the first tab");
        assertThat(tab.await("message", m -> "c2".equals(m.getString("clientId"))).getString("text"))
            .isEqualTo("from the first tab");
      }
    }
  }

  @Test
  void aWrongResumeTokenGetsAnErrorAndSeesNothing() {
    String sid;
    String token;
    String otherToken;
    try (ChatClient a = connect(); ChatClient b = connect()) {
      sid = a.start("Ida", null, "billing").getString("sessionId");
      a.say("c1", "my secret invoice number is 4711");
      token = a.await("session").getString("resumeToken");
      otherToken = b.start("Mallory", null, "general").getString("resumeToken");
    }
    try (ChatClient c = connect()) {
      c.send(new JsonObject().put("type", "resume").put("sessionId", sid).put("resumeToken", token.substring(0, token.length() - 2) + "xx"));
      assertThat(c.await("error").getString("code")).isEqualTo("invalid-resume-token");
      c.send(new JsonObject().put("type", "resume").put("sessionId", sid).put("resumeToken", otherToken));
      assertThat(c.await("error").getString("code")).as("another session's token").isEqualTo("invalid-resume-token");
      c.send(new JsonObject().put("type", "resume").put("sessionId", sid).put("resumeToken", "v1.e30.AAAA"));
      assertThat(c.await("error").getString("code")).isEqualTo("invalid-resume-token");
      c.sync();
      assertThat(c.all("message")).isEmpty();
      assertThat(c.all("session")).isEmpty();
      c.send(new JsonObject().put("type", "message").put("clientId", "x").put("text", "let me in"));
      assertThat(c.await("error").getString("code")).isEqualTo("no-session");
    }
  }

  @Test
  void aSessionCanBeTakenUpOnAnotherNodeThatSharesTheKey() {
    String key = "k".repeat(40);
    try (var nodeA = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of("SESSION_KEY", key));
         var nodeB = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of("SESSION_KEY", key))) {
      nodeA.start(new WebChatAdapter());
      nodeB.start(new WebChatAdapter());
      String sid;
      String token;
      try (ChatClient c = ChatClient.connect(nodeA.vertx(), nodeA.port(), Map.of())) {
        sid = c.start("Ida", null, "billing").getString("sessionId");
        c.say("c1", "hello");
        token = c.await("session").getString("resumeToken");
      }
      try (ChatClient c = ChatClient.connect(nodeB.vertx(), nodeB.port(), Map.of())) {
        c.send(new JsonObject().put("type", "resume").put("sessionId", sid).put("resumeToken", token));
        assertThat(c.await("session").getBoolean("resumed")).isTrue();
        c.await("replayed");
      }
    }
  }

  @Test
  void aWaitingCustomerIsToldTheirPlaceAndTheEstimatedWait() {
    try (ChatClient c = connect()) {
      String sid = c.start("Ida", null, "billing").getString("sessionId");
      c.say("c1", "hello");
      io.switchboard.hub.api.InteractionId interaction = hub.interactionOf(sid);
      hub.positions().put(interaction, new QueuePosition("billing", 2, 5, Duration.ofMinutes(3)));
      JsonObject q = c.await("queue", f -> "waiting".equals(f.getString("state")));
      assertThat(q.getInteger("position")).isEqualTo(2);
      assertThat(q.getInteger("waiting")).isEqualTo(5);
      assertThat(q.getLong("estimatedWaitSeconds")).isEqualTo(180);
      assertThat(q.getString("queue")).isEqualTo("billing");
      hub.positions().put(interaction, new QueuePosition("billing", 1, 4, null));
      JsonObject next = c.await("queue", f -> Integer.valueOf(1).equals(f.getInteger("position")));
      assertThat(next.getValue("estimatedWaitSeconds")).isNull();
      hub.positions().remove(interaction);
      c.await("queue", f -> "left".equals(f.getString("state")));
    }
  }

  @Test
  void typingGoesBothWays() throws Exception {
    try (ChatClient c = connect()) {
      String sid = c.start("Ida", null, "billing").getString("sessionId");
      c.say("c1", "hello");
      String interaction = hub.interactionOf(sid).toString();
      CompletableFuture<JsonObject> seen = new CompletableFuture<>();
      InMemoryChannelContext.await(hub.vertx().eventBus().<JsonObject>consumer(WebChatAdapter.CUSTOMER_TYPING_ADDRESS,
          m -> seen.complete(m.body())).completion());
      c.send(new JsonObject().put("type", "typing").put("on", true));
      JsonObject event = seen.get(10, TimeUnit.SECONDS);
      assertThat(event.getString("interactionId")).isEqualTo(interaction);
      assertThat(event.getBoolean("on")).isTrue();

      hub.vertx().eventBus().publish(WebChatAdapter.AGENT_TYPING_ADDRESS, new JsonObject().put("interactionId", interaction).put("on", true));
      JsonObject typing = c.await("typing");
      assertThat(typing.getString("from")).isEqualTo("agent");
      assertThat(typing.getBoolean("on")).isTrue();
    }
  }

  @Test
  void aLineTheStoreCannotTakeGetsARetryableErrorAndCanBeSentAgain() {
    try (ChatClient c = connect()) {
      c.start("Ida", null, "billing");
      hub.failNextAccepts(1);
      c.send(new JsonObject().put("type", "message").put("clientId", "c1").put("text", "hello"));
      JsonObject err = c.await("error");
      assertThat(err.getString("code")).isEqualTo("unavailable");
      assertThat(err.getString("clientId")).isEqualTo("c1");
      assertThat(err.getBoolean("retryable")).isTrue();
      c.say("c1", "hello");
      assertThat(hub.contacts()).hasSize(1);
    }
  }

  @Test
  void endingClosesEveryTabOfTheSessionAndTheSessionCannotBeResumedHere() {
    try (ChatClient c = connect()) {
      JsonObject s = c.start("Ida", null, "billing");
      c.send(new JsonObject().put("type", "end").put("transcript", false));
      assertThat(c.await("ended").getString("transcript")).isEqualTo("not-requested");
      assertThat(c.awaitClose()).isEqualTo((short) 1000);
      try (ChatClient again = connect()) {
        again.send(new JsonObject().put("type", "resume").put("sessionId", s.getString("sessionId"))
            .put("resumeToken", s.getString("resumeToken")));
        assertThat(again.await("error").getString("code")).isEqualTo("session-ended");
      }
    }
  }

  @Test
  void aTranscriptWithoutSmtpIsRefusedWithAClearCode() {
    try (ChatClient c = connect()) {
      c.start("Ida", "ida@example.com", "billing");
      c.say("c1", "hello");
      c.send(new JsonObject().put("type", "end").put("transcript", true));
      assertThat(c.await("error").getString("code")).isEqualTo("transcript-unavailable");
      assertThat(c.await("ended").getString("transcript")).isEqualTo("unavailable");
    }
  }

  @Test
  void anImageReplyIsRefusedForGoodWhileTextIsTakenEvenWhenTheCustomerIsOffline() {
    Message m = new Message(io.switchboard.hub.api.MessageId.random(), ConversationId.random(),
        io.switchboard.hub.api.InteractionId.random(), Channel.CHAT, null, Message.Direction.OUTBOUND, null, null, null, null,
        new MessageContent.Media("image/png", "a.png", 10, "ref", null), false, Message.Status.QUEUED, null, null);
    assertThat(hub.deliver(m, "wc_nobody")).isInstanceOf(DeliveryResult.Failed.class)
        .extracting(r -> ((DeliveryResult.Failed) r).retryable()).isEqualTo(false);
    Message text = new Message(io.switchboard.hub.api.MessageId.random(), m.conversationId(), m.interactionId(), Channel.CHAT,
        null, Message.Direction.OUTBOUND, null, null, null, null, new MessageContent.Text("hi"), false, Message.Status.QUEUED, null, null);
    assertThat(hub.deliver(text, "wc_nobody")).isEqualTo(new DeliveryResult.Delivered("wc-" + text.id()));
  }

  private void awaitUpdates(int n) {
    hub.awaitUntil(() -> hub.updates().size() >= n, n + " delivery updates");
  }
}
