package io.switchboard.hub.core.intake;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.newMobile;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InboundFile;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.IntakeResult.Outcome;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.core.CoreFixture;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one-transaction intake under races and failures: duplicates and first messages of one thread arriving
 * together, messages arriving out of order and retried, and PostgreSQL failing in the middle of the transaction
 * (nothing half-written, nothing published, the retry stores everything once).
 */
class IntakeRacesTest {
  private static final List<String> TABLES = List.of("customers", "customer_identities", "conversations",
      "interactions", "interaction_transitions", "messages", "attachments", "outbox", "audit_log");

  private static CoreFixture f;
  private static MessageConsumer<JsonObject> consumer;
  private static final Set<String> createdEvents = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
    consumer = f.vertx.eventBus().consumer("interaction.created", m -> createdEvents.add(m.body().getString("interactionId")));
    await(consumer.completion());
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static InboundContact chat(String externalId, SenderAddress sender, String thread, Instant claimed, String text) {
    return new InboundContact(Channel.CHAT, externalId, sender, "Racer", thread, List.of(), null,
        new MessageContent.Text(text), Map.of("language", "en"), claimed);
  }

  private static Map<String, Long> rowCounts() {
    Map<String, Long> out = new java.util.TreeMap<>();
    TABLES.forEach(t -> out.put(t, f.count("SELECT count(*) FROM " + t)));
    return out;
  }

  @Test
  void firstMessagesOfOneNewThreadArrivingTogetherMakeOneConversationAndOneInteraction() {
    SenderAddress sender = SenderAddress.phone(newMobile());
    String thread = "thread-" + UUID.randomUUID();
    f.openAllConnections();

    List<Future<IntakeResult>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(f.intake.accept(chat("m" + i + "-" + UUID.randomUUID(), sender, thread, Instant.now(), "part " + i)));
    }
    List<IntakeResult> results = all.stream().map(CoreFixture::await).toList();

    assertThat(results).extracting(IntakeResult::outcome).containsOnlyOnce(Outcome.CREATED)
        .containsOnly(Outcome.CREATED, Outcome.APPENDED);
    assertThat(results).extracting(IntakeResult::interactionId).containsOnly(results.get(0).interactionId());
    assertThat(results).extracting(IntakeResult::messageId).doesNotHaveDuplicates();
    assertThat(f.count("SELECT count(*) FROM conversations WHERE channel = 'chat' AND thread_key = $1", thread)).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM interactions i JOIN conversations c ON c.id = i.conversation_id"
        + " WHERE c.thread_key = $1", thread)).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id"
        + " WHERE c.thread_key = $1", thread)).isEqualTo(20);
    assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", sender.value())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = $1",
        results.get(0).interactionId().value())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'event.interaction.created'"
        + " AND payload->>'interactionId' = $1", results.get(0).interactionId().toString())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'event.message.received'"
        + " AND payload->>'interactionId' = $1", results.get(0).interactionId().toString())).isEqualTo(19);
  }

  @Test
  void messagesArrivingOutOfOrderAndRetriedAreEachStoredOnceInTheirInteraction() {
    SenderAddress sender = SenderAddress.phone(newMobile());
    String thread = "thread-" + UUID.randomUUID();
    Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
    InboundContact first = chat("first-" + UUID.randomUUID(), sender, thread, t0, "first");
    InboundContact second = chat("second-" + UUID.randomUUID(), sender, thread, t0.plusSeconds(5), "second");

    // The later message arrives first; then the earlier one; then a provider retries both.
    IntakeResult b = await(f.intake.accept(second));
    IntakeResult a = await(f.intake.accept(first));
    IntakeResult b2 = await(f.intake.accept(second));
    IntakeResult a2 = await(f.intake.accept(first));

    assertThat(b.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(a.outcome()).isEqualTo(Outcome.APPENDED);
    assertThat(a.interactionId()).isEqualTo(b.interactionId());
    assertThat(b2).isEqualTo(new IntakeResult(Outcome.DUPLICATE, b.interactionId(), b.conversationId(), b.customerId(),
        b.messageId()));
    assertThat(a2).isEqualTo(new IntakeResult(Outcome.DUPLICATE, a.interactionId(), a.conversationId(), a.customerId(),
        a.messageId()));
    assertThat(f.count("SELECT count(*) FROM messages WHERE interaction_id = $1", b.interactionId().value())).isEqualTo(2);
    // Each keeps the time its provider claimed, apart from the hub's receipt time.
    assertThat(f.count("SELECT count(*) FROM messages WHERE id = $1 AND sent_at = $2", a.messageId().value(),
        t0.atOffset(java.time.ZoneOffset.UTC))).isEqualTo(1);
  }

  @Test
  void concurrentRetriesOfOneMessageFromANewSenderStoreItOnce() {
    SenderAddress sender = SenderAddress.phone(newMobile());
    InboundContact once = chat("retried-" + UUID.randomUUID(), sender, "thread-" + UUID.randomUUID(), Instant.now(), "hi");
    f.openAllConnections();

    List<Future<IntakeResult>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(f.intake.accept(once));
    }
    List<IntakeResult> results = all.stream().map(CoreFixture::await).toList();

    assertThat(results).extracting(IntakeResult::outcome).containsOnlyOnce(Outcome.CREATED);
    assertThat(results).extracting(IntakeResult::messageId).containsOnly(results.get(0).messageId());
    assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", sender.value())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM customers c JOIN customer_identities i ON i.customer_id = c.id"
        + " WHERE i.value = $1", sender.value())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM messages WHERE external_id = $1", once.externalId())).isEqualTo(1);
  }

  @Test
  @SuppressWarnings("unchecked")
  void postgresqlFailingInTheMiddleOfAnIntakeLeavesNothingHalfWrittenAndTheRetryStoresItOnce() throws Exception {
    // A real failure in the middle of the transaction: after the main write, storing the attached file kills the
    // connection (the trigger ends its own backend), as a PostgreSQL restart or a dropped link would.
    await(f.db.pool().query(
        "CREATE OR REPLACE FUNCTION test_die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF NEW.file_name = 'die.bin' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;"
            + " RETURN NEW; END $$").execute());
    await(f.db.pool().query("CREATE TRIGGER test_die BEFORE INSERT ON attachments FOR EACH ROW EXECUTE FUNCTION test_die()")
        .execute());
    SenderAddress sender = SenderAddress.phone(newMobile());
    InboundContact withFile = chat("dies-" + UUID.randomUUID(), sender, "thread-" + UUID.randomUUID(), Instant.now(), "file")
        .with(List.of(new InboundFile("die.bin", "application/octet-stream", Buffer.buffer("x"), null, false)), null, io.switchboard.hub.api.Handling.ROUTE);
    Map<String, Long> before = rowCounts();
    int eventsBefore = createdEvents.size();

    try {
      Throwable failure = null;
      try {
        f.intake.accept(withFile).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failure = e.getCause();
      }
      assertThat(failure).as("the intake fails with the connection").isNotNull();
      // The pool may hand out the killed connection once more before it notices: read until a live one answers.
      Map<String, Long>[] after = new Map[1];
      IntakeStatementsTest.until(() -> {
        try {
          after[0] = rowCounts();
          return true;
        } catch (AssertionError e) {
          return false;
        }
      });
      assertThat(after[0]).isEqualTo(before);
      assertThat(createdEvents).hasSize(eventsBefore);
    } finally {
      await(f.db.pool().query("DROP TRIGGER test_die ON attachments").execute());
    }

    IntakeResult retried = await(f.intake.accept(withFile));
    IntakeResult again = await(f.intake.accept(withFile));

    assertThat(retried.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(again.outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(again.interactionId()).isEqualTo(retried.interactionId());
    assertThat(f.count("SELECT count(*) FROM attachments WHERE message_id = $1", retried.messageId().value())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", sender.value())).isEqualTo(1);
    IntakeStatementsTest.until(() -> createdEvents.contains(retried.interactionId().toString()));
  }

  @Test
  void theRouterHearsOfANewInteractionWithoutTheRelay() {
    // No relay runs in this class: the event arrives because intake publishes it right after its commit.
    IntakeResult r = await(f.intake.accept(chat("direct-" + UUID.randomUUID(), SenderAddress.phone(newMobile()),
        "thread-" + UUID.randomUUID(), Instant.now(), "hello")));

    IntakeStatementsTest.until(() -> createdEvents.contains(r.interactionId().toString()));
    // Its outbox entry is kept for recovery: due for a relay only after the grace, in case no mark ever comes.
    assertThat(f.count("SELECT count(*) FROM outbox WHERE payload->>'interactionId' = $1 AND published_at IS NULL"
        + " AND next_attempt_at > now() + interval '10 seconds'", r.interactionId().toString())).isEqualTo(1);
  }
}
