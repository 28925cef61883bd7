package io.switchboard.hub.core.messaging;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.agent.AgentDraft;
import io.switchboard.hub.core.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The guards of writing in an interaction, read in one statement and written in one: who may write, when a reply may
 * go out, what is stored (the message, then its delivery and its event in the outbox), and a change of the interaction
 * committed while the reply is being written (ended, the customer left) refusing it instead of being written past.
 */
@DisplayName("writing replies and notes: checks, races and the rows stored")
class MessageServiceTest {
  private static CoreFixture f;
  private static Principal.Staff agent;
  private static Principal.Staff other;
  private static Principal.Staff supervisor;
  private static MessageService messages;

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
    agent = staff("Rhea Replies", Role.AGENT);
    other = staff("Otto Other", Role.AGENT);
    supervisor = staff("Sue Pervisor", Role.SUPERVISOR);
    messages = new MessageService(f.vertx, f.stores, f.normalizer);
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static Principal.Staff staff(String name, Role role) {
    String username = "ms" + UUID.randomUUID().toString().substring(0, 8);
    Agent a = await(f.agents.create(CoreFixture.ADMIN, new AgentDraft(username, name, role, "message-test-password",
        Map.of(), Map.of())));
    return new Principal.Staff(a.id(), username, role);
  }

  /** A chat from a new customer in {@code state}, worked by {@code by} (null: nobody). */
  private static InteractionId chat(String state, Principal.Staff by) {
    String id = "ms-" + UUID.randomUUID();
    var r = await(f.intake.accept(new InboundContact(Channel.CHAT, id, SenderAddress.phone(CoreFixture.newMobile()),
        "Carla Customer", "session-" + id, List.of(), null, new MessageContent.Text("where is my order?"), Map.of(),
        Instant.now())));
    await(f.db.pool().preparedQuery("UPDATE interactions SET state = $2, agent_id = $3 WHERE id = $1")
        .execute(Tuple.of(r.interactionId().value(), state, by == null ? null : by.agentId().value())));
    return r.interactionId();
  }

  private static long written(InteractionId id) {
    return f.count("SELECT count(*) FROM messages WHERE interaction_id = $1 AND direction <> 'inbound'", id.value());
  }

  private static long outboxOf(InteractionId id) {
    // A delivery names only its message: any stored message of staff is counted by written().
    return f.count("SELECT count(*) FROM outbox WHERE topic = 'event.message.created' AND payload->>'interactionId' = $1",
        id.toString());
  }

  @Test
  void aReplyIsStoredWithTheAgentsNameThenItsDeliveryThenItsEventInTheOutbox() {
    InteractionId id = chat("assigned", agent);
    Message m = await(messages.write(agent, id, "it ships today", false));

    Row row = await(f.db.pool().preparedQuery("SELECT direction, sender_name, agent_id, status, private, content->>'text' AS text,"
        + " interaction_id, sender_kind, email FROM messages WHERE id = $1").execute(Tuple.of(m.id().value()))).iterator().next();
    assertThat(row.getString("direction")).isEqualTo("outbound");
    assertThat(row.getString("sender_name")).isEqualTo("Rhea Replies");
    assertThat(row.getUUID("agent_id")).isEqualTo(agent.agentId().value());
    assertThat(row.getString("status")).isEqualTo("queued");
    assertThat(row.getBoolean("private")).isFalse();
    assertThat(row.getString("text")).isEqualTo("it ships today");
    assertThat(row.getUUID("interaction_id")).isEqualTo(id.value());
    assertThat(row.getValue("sender_kind")).isNull();
    assertThat(row.getValue("email")).isNull();
    assertThat(m.senderName()).isEqualTo("Rhea Replies");

    List<Row> outbox = new ArrayList<>();
    await(f.db.pool().preparedQuery("SELECT topic, payload FROM outbox WHERE payload->>'messageId' = $1 ORDER BY id")
        .execute(Tuple.of(m.id().toString()))).forEach(outbox::add);
    assertThat(outbox).extracting(r -> r.getString("topic")).containsExactly(MessageService.DELIVERY_TOPIC, "event.message.created");
    assertThat(outbox.get(0).getJsonObject("payload")).isEqualTo(new JsonObject().put("messageId", m.id().toString()));
    JsonObject event = outbox.get(1).getJsonObject("payload");
    assertThat(event.getString("type")).isEqualTo("message.created");
    assertThat(event.fieldNames()).containsExactlyInAnyOrder("eventId", "type", "occurredAt", "interactionId",
        "conversationId", "messageId", "agentId", "private");
    assertThat(event.getString("interactionId")).isEqualTo(id.toString());
    assertThat(event.getString("conversationId")).isEqualTo(m.conversationId().toString());
    assertThat(event.getString("agentId")).isEqualTo(agent.agentId().toString());
    assertThat(event.getBoolean("private")).isFalse();
  }

  /**
   * Issue 12: a reply's event reaches this node's listeners (the console, the cluster bridge) as soon as it is stored,
   * without a relay pass of its own (four round trips a reply); its entry waits out the relay's grace and is marked
   * published, so the relay sends it only if that mark never comes (a crash).
   */
  @Test
  void aReplysAndANotesEventIsPublishedOnceStoredAndItsEntryWaitsForTheRelaysGrace() {
    InteractionId id = chat("assigned", agent);
    java.util.concurrent.CompletableFuture<JsonObject> heard = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<Long> marked = new java.util.concurrent.CompletableFuture<>();
    var listener = f.vertx.eventBus().<JsonObject>consumer(MessageService.MESSAGE_CREATED, e -> {
      if (id.toString().equals(e.body().getString("interactionId"))) {
        heard.complete(e.body());
      }
    });
    var marks = f.vertx.eventBus().<Long>localConsumer(io.switchboard.hub.core.outbox.OutboxRelay.PUBLISHED_ADDRESS,
        e -> marked.complete(e.body()));
    try {
      Instant before = Instant.now();
      Message m = await(messages.write(agent, id, "on its way", false));
      JsonObject event = heard.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
      assertThat(event.getString("messageId")).isEqualTo(m.id().toString());
      Row entry = await(f.db.pool().preparedQuery("SELECT id, next_attempt_at, published_at FROM outbox"
          + " WHERE topic = 'event.message.created' AND payload->>'messageId' = $1").execute(Tuple.of(m.id().toString())))
          .iterator().next();
      assertThat(marked.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo(entry.getLong("id"));
      assertThat(entry.getOffsetDateTime("next_attempt_at").toInstant())
          .isAfterOrEqualTo(before.plus(io.switchboard.hub.core.outbox.OutboxRelay.DIRECT_GRACE).minusSeconds(2));
      // The delivery is due at once: the delivery relay sends the reply now.
      assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = $1 AND payload->>'messageId' = $2"
          + " AND next_attempt_at <= now()", MessageService.DELIVERY_TOPIC, m.id().toString())).isEqualTo(1);

      java.util.concurrent.CompletableFuture<JsonObject> note = new java.util.concurrent.CompletableFuture<>();
      var noteListener = f.vertx.eventBus().<JsonObject>consumer(MessageService.MESSAGE_CREATED, e -> {
        if (e.body().getBoolean("private", false) && id.toString().equals(e.body().getString("interactionId"))) {
          note.complete(e.body());
        }
      });
      try {
        Message n = await(messages.write(agent, id, "customer is in a hurry", true));
        assertThat(note.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join().getString("messageId"))
            .isEqualTo(n.id().toString());
      } finally {
        noteListener.unregister();
      }
    } finally {
      listener.unregister();
      marks.unregister();
    }
  }

  @Test
  void anotherAgentsOrAnUnknownInteractionIsNotFoundAndNothingIsWritten() {
    InteractionId id = chat("assigned", other);
    awaitFailure(messages.write(agent, id, "hello", false), NotFoundException.class);
    awaitFailure(messages.write(agent, id, "a note", true), NotFoundException.class);
    awaitFailure(messages.write(agent, new InteractionId(UUID.randomUUID()), "hello", false), NotFoundException.class);
    assertThat(written(id)).isZero();
    assertThat(outboxOf(id)).isZero();
  }

  @Test
  void aReplyOutsideTheAssignedStateIsAConflictButANoteIsStored() {
    InteractionId id = chat("wrap_up", agent);
    assertThat(awaitFailure(messages.write(agent, id, "hello", false), ConflictException.class).getMessage())
        .contains("it is wrap_up");
    assertThat(written(id)).isZero();

    Message note = await(messages.write(agent, id, "called back, no answer", true));
    assertThat(note.privateNote()).isTrue();
    assertThat(note.senderName()).as("notes carry no name").isNull();
    assertThat(f.count("SELECT count(*) FROM outbox WHERE payload->>'messageId' = $1 AND topic = $2", note.id().toString(),
        MessageService.DELIVERY_TOPIC)).as("a note is never queued for delivery").isZero();
    assertThat(f.count("SELECT count(*) FROM outbox WHERE payload->>'messageId' = $1", note.id().toString())).isEqualTo(1L);
  }

  @Test
  void aSupervisorRepliesInAnotherAgentsInteractionAndWritesNotesInAnEndedOne() {
    InteractionId assigned = chat("assigned", agent);
    Message reply = await(messages.write(supervisor, assigned, "I am taking a look", false));
    assertThat(reply.senderName()).isEqualTo("Sue Pervisor");
    assertThat(reply.agentId()).isEqualTo(supervisor.agentId());

    InteractionId ended = chat("ended", agent);
    awaitFailure(messages.write(supervisor, ended, "too late", false), ConflictException.class);
    Message note = await(messages.write(supervisor, ended, "reviewed", true));
    assertThat(note.status()).isEqualTo(Message.Status.RECEIVED);
    assertThat(written(ended)).isEqualTo(1L);
  }

  @Test
  void aReplyAfterTheCustomerLeftIsAConflictSayingSo() {
    InteractionId id = chat("assigned", agent);
    await(f.db.pool().preparedQuery("UPDATE interactions SET customer_left_at = now(), customer_left_reason = 'closed the chat'"
        + " WHERE id = $1").execute(Tuple.of(id.value())));
    assertThat(awaitFailure(messages.write(agent, id, "hello?", false), ConflictException.class).getMessage())
        .contains("the customer left (closed the chat)");
    assertThat(written(id)).isZero();
    assertThat(await(messages.write(agent, id, "customer gone", true)).privateNote()).isTrue();
  }

  @Test
  void aReplyWithNoAddressToAnswerOrNoAdapterIsAConflict() {
    InteractionId id = chat("assigned", agent);
    await(f.db.pool().preparedQuery("UPDATE messages SET sender_kind = NULL WHERE interaction_id = $1").execute(Tuple.of(id.value())));
    assertThat(awaitFailure(messages.write(agent, id, "hello", false), ConflictException.class).getMessage())
        .contains("no address on this channel");

    InteractionId other = chat("assigned", agent);
    MessageService noAdapters = new MessageService(f.vertx, f.stores, f.normalizer, (channel, recipient) -> Optional.empty());
    assertThat(awaitFailure(noAdapters.write(agent, other, "hello", false), ConflictException.class).getMessage())
        .contains("no chat adapter delivers");
    assertThat(written(id) + written(other)).isZero();
  }

  @Test
  void aNulCharacterIsRefusedNamingTheFieldAndOtherControlCharactersAreKept() {
    InteractionId id = chat("assigned", agent);
    ValidationException e = awaitFailure(messages.write(agent, id, "bad\u0000text", false), ValidationException.class);
    assertThat(e.errors()).extracting(x -> x.field()).containsExactly("text");
    awaitFailure(messages.write(agent, id, "bad\u0000note", true), ValidationException.class);
    assertThat(written(id)).isZero();

    Message bell = await(messages.write(agent, id, "tab\there, bell\u0007, escape\u001b", false));
    assertThat(await(f.db.pool().preparedQuery("SELECT content->>'text' AS t FROM messages WHERE id = $1")
        .execute(Tuple.of(bell.id().value()))).iterator().next().getString("t")).isEqualTo("tab\there, bell\u0007, escape\u001b");
  }

  @Test
  void aReplyRacingTheEndOfItsInteractionIsRefusedAndNothingIsWritten() {
    InteractionId id = chat("assigned", agent);
    Future<Message> reply = racing(id, "UPDATE interactions SET state = 'wrap_up', wrap_up_at = now() WHERE id = $1");
    assertThat(awaitFailure(reply, ConflictException.class).getMessage()).contains("changed");
    assertThat(written(id)).isZero();
    assertThat(outboxOf(id)).isZero();
  }

  @Test
  void aReplyRacingTheCustomerLeavingIsRefusedAndNothingIsWritten() {
    InteractionId id = chat("assigned", agent);
    Future<Message> reply = racing(id,
        "UPDATE interactions SET customer_left_at = now(), customer_left_reason = 'closed the chat' WHERE id = $1");
    awaitFailure(reply, ConflictException.class);
    assertThat(written(id)).isZero();
    assertThat(outboxOf(id)).isZero();
  }

  /**
   * A reply written while another transaction changes the interaction with {@code update}, committing it once the
   * reply has had time to read the interaction as it was.
   */
  private static Future<Message> racing(InteractionId id, String update) {
    SqlConnection conn = await(f.db.pool().getConnection());
    try {
      await(conn.query("BEGIN").execute());
      await(conn.preparedQuery(update).execute(Tuple.of(id.value())));
      Future<Message> reply = messages.write(agent, id, "are you still there?", false);
      sleep(500);
      await(conn.query("COMMIT").execute());
      return reply;
    } finally {
      conn.close();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
