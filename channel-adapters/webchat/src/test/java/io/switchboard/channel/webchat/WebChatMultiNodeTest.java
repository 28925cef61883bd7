package io.switchboard.channel.webchat;

import io.switchboard.hub.api.Channel;
import io.switchboard.channel.testkit.InMemoryChannelContext;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.MessageId;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.ChannelBroadcast;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a reply sent by one hub node reaches the customer whose chat socket is on another")
class WebChatMultiNodeTest {
  /** The hub's broadcast between nodes, in memory: every subscriber of a topic on every linked Vert.x hears it. */
  static final class Link {
    private record Subscriber(Vertx vertx, String topic, Handler<JsonObject> handler) {}

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    final List<JsonObject> published = new CopyOnWriteArrayList<>();

    ChannelBroadcast on(Vertx vertx) {
      return new ChannelBroadcast() {
        @Override
        public void publish(String topic, JsonObject body) {
          published.add(body);
          subscribers.stream().filter(s -> s.topic().equals(topic))
              .forEach(s -> s.vertx().runOnContext(x -> s.handler().handle(body.copy())));
        }

        @Override
        public Future<Subscription> subscribe(String topic, Handler<JsonObject> handler) {
          Subscriber s = new Subscriber(vertx, topic, handler);
          subscribers.add(s);
          return Future.succeededFuture(() -> {
            subscribers.remove(s);
            return Future.succeededFuture();
          });
        }
      };
    }
  }

  private final Link link = new Link();
  private InMemoryChannelContext nodeA;
  private InMemoryChannelContext nodeB;

  @BeforeEach
  void start() {
    nodeA = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of());
    nodeB = new InMemoryChannelContext("webchat", Channel.CHAT, Map.of(), Map.of());
    nodeA.linkBroadcast(link.on(nodeA.vertx()));
    nodeB.linkBroadcast(link.on(nodeB.vertx()));
    nodeA.start(new WebChatAdapter());
    nodeB.start(new WebChatAdapter());
  }

  @AfterEach
  void stop() {
    nodeA.close();
    nodeB.close();
  }

  private static OutboundMessage reply(String sessionId, String text) {
    return new OutboundMessage(MessageId.random(), InteractionId.random(), ConversationId.random(),
        SenderAddress.handle("webchat", sessionId), sessionId, List.of(), null, new MessageContent.Text(text));
  }

  @Test
  void theNodeHoldingTheSocketPushesTheReplyOnceAndMarksTheCustomersLinesRead() {
    try (ChatClient customer = ChatClient.connect(nodeB.vertx(), nodeB.port(), Map.of())) {
      String sessionId = customer.start("Ida", "ida@example.com", "billing").getString("sessionId");
      String line = customer.say("c1", "Is anyone there?").getString("messageId");

      OutboundMessage answer = reply(sessionId, "Yes, Ida, I am here.");
      var result = InMemoryChannelContext.await(nodeA.<WebChatAdapter>adapter().send(answer));
      assertThat(result).isEqualTo(new DeliveryResult.Delivered("wc-" + answer.messageId()));

      JsonObject pushed = customer.await("message", m -> "agent".equals(m.getString("from")));
      assertThat(pushed.getString("messageId")).isEqualTo(answer.messageId().toString());
      assertThat(pushed.getString("text")).isEqualTo("Yes, Ida, I am here.");
      JsonObject read = customer.await("status", s -> "read".equals(s.getString("status")));
      assertThat(read.encode()).contains(line);
      customer.sync();
      assertThat(customer.all("message").stream().filter(m -> "agent".equals(m.getString("from")))).hasSize(1);
    }
  }

  @Test
  void aReplyForAChatOnTheSendingNodeIsPushedThereAndNotTwice() {
    try (ChatClient customer = ChatClient.connect(nodeA.vertx(), nodeA.port(), Map.of())) {
      String sessionId = customer.start("Ida", "ida@example.com", "billing").getString("sessionId");
      customer.say("c1", "hello");
      OutboundMessage answer = reply(sessionId, "Hello from node A");
      InMemoryChannelContext.await(nodeA.<WebChatAdapter>adapter().send(answer));
      customer.await("message", m -> "agent".equals(m.getString("from")));
      // Node B heard the broadcast and has no such chat; node A ignored its own. A later frame proves order.
      customer.sync();
      assertThat(customer.all("message").stream().filter(m -> "agent".equals(m.getString("from")))).hasSize(1);
    }
  }

  @Test
  void malformedBroadcastsAreIgnoredAndTheAdapterKeepsServing() {
    try (ChatClient customer = ChatClient.connect(nodeB.vertx(), nodeB.port(), Map.of())) {
      String sessionId = customer.start("Ida", "ida@example.com", "billing").getString("sessionId");
      customer.say("c1", "hello");
      ChannelBroadcast fromElsewhere = link.on(nodeA.vertx());
      for (JsonObject bad : List.of(
          new JsonObject(),
          new JsonObject().put("sessionId", sessionId),
          new JsonObject().put("sessionId", 42).put("messageId", "m").put("text", "x"),
          new JsonObject().put("sessionId", sessionId).put("messageId", List.of("m")).put("text", "x"),
          new JsonObject().put("sessionId", "wc_unknown").put("messageId", "m1").put("text", "for nobody here"))) {
        fromElsewhere.publish(WebChatAdapter.REPLY_TOPIC, bad);
      }
      // A bad timestamp still shows the text (stamped on arrival).
      fromElsewhere.publish(WebChatAdapter.REPLY_TOPIC, new JsonObject().put("sessionId", sessionId)
          .put("messageId", MessageId.random().toString()).put("text", "late but here").put("at", "yesterday"));
      JsonObject pushed = customer.await("message", m -> "agent".equals(m.getString("from")));
      assertThat(pushed.getString("text")).isEqualTo("late but here");
      customer.sync();
      assertThat(customer.all("message").stream().filter(m -> "agent".equals(m.getString("from")))).hasSize(1);
      assertThat(customer.say("c2", "still working?").getString("status")).isEqualTo("received");
    }
  }
}
