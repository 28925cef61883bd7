package io.switchboard.hub.core.intake;

import static io.switchboard.hub.core.CoreFixture.await;
import static io.switchboard.hub.core.CoreFixture.newMobile;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.IntakeResult.Outcome;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.store.BackendFailures;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Group-commit intake (issue 12) against a real PostgreSQL: contacts submitted together are looked up and written in
 * batches, and each caller gets what one-by-one intake would have given it — duplicates, one new customer's contacts,
 * first messages of one thread, an identity a concurrent writer took, a contact PostgreSQL refuses, PostgreSQL failing
 * in the middle of a batch's write, and bad input next to good.
 *
 * <p>Each test submits its contacts in one task on one event loop: the first goes at once, alone (the one batch slot
 * of this service is then taken), and the rest wait for it and form the next batches, whatever the machine's speed.
 */
class IntakeBatchTest {
  private static CoreFixture f;
  private static IntakeService intake;
  private static MessageConsumer<JsonObject> consumer;
  private static final Set<String> createdEvents = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
    intake = new IntakeService(f.vertx, f.stores, f.normalizer, Clock.systemUTC(), new IntakeService.Batching(16, 1));
    consumer = f.vertx.eventBus().consumer("interaction.created", m -> createdEvents.add(m.body().getString("interactionId")));
    await(consumer.completion());
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static InboundContact chat(String externalId, SenderAddress sender, String thread, String text) {
    return new InboundContact(Channel.CHAT, externalId, sender, "Batcher", thread, List.of(), null,
        new MessageContent.Text(text), Map.of("language", "en"), Instant.now());
  }

  private static InboundContact fresh(String prefix) {
    return chat(prefix + "-" + UUID.randomUUID(), SenderAddress.phone(newMobile()), "t-" + UUID.randomUUID(), "hello");
  }

  /** Submits every contact in one task on one event loop; their outcomes, in order (a failure as its exception). */
  private static List<Future<IntakeResult>> together(List<InboundContact> contacts) {
    CompletableFuture<List<Future<IntakeResult>>> submitted = new CompletableFuture<>();
    f.vertx.getOrCreateContext().runOnContext(v -> {
      List<Future<IntakeResult>> all = new ArrayList<>();
      for (InboundContact c : contacts) {
        all.add(intake.accept(c));
      }
      submitted.complete(all);
    });
    try {
      List<Future<IntakeResult>> all = submitted.get(30, TimeUnit.SECONDS);
      for (Future<IntakeResult> one : all) {
        try {
          one.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // looked at by the test
        }
      }
      return all;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<IntakeResult> succeeded(List<Future<IntakeResult>> all) {
    all.forEach(one -> assertThat(one.succeeded()).as("intake failed: %s", one.cause()).isTrue());
    return all.stream().map(Future::result).toList();
  }

  private long storedFor(String externalId) {
    return f.count("SELECT count(*) FROM messages WHERE external_id = $1", externalId);
  }

  @Test
  void contactsArrivingTogetherAreStoredInBatchesEachWithItsCustomerInteractionAndEvent() {
    IntakeService.BatchStats before = intake.batchStats();
    List<InboundContact> contacts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      contacts.add(fresh("many"));
    }

    List<IntakeResult> results = succeeded(together(contacts));

    IntakeService.BatchStats after = intake.batchStats();
    assertThat(after.largest()).as("a batch of several formed").isGreaterThan(1);
    assertThat(after.batches() - before.batches()).as("fewer batches than contacts").isLessThan(40);
    assertThat(after.contacts() - before.contacts()).isEqualTo(40);
    assertThat(results).extracting(IntakeResult::outcome).containsOnly(Outcome.CREATED);
    assertThat(results).extracting(IntakeResult::customerId).doesNotHaveDuplicates();
    assertThat(results).extracting(IntakeResult::interactionId).doesNotHaveDuplicates();
    for (int i = 0; i < contacts.size(); i++) {
      InboundContact c = contacts.get(i);
      IntakeResult r = results.get(i);
      assertThat(f.count("SELECT count(*) FROM messages m JOIN interactions i ON i.id = m.interaction_id"
              + " JOIN conversations v ON v.id = i.conversation_id JOIN customer_identities ci ON ci.customer_id = i.customer_id"
              + " WHERE m.id = $1 AND m.external_id = $2 AND i.id = $3 AND v.thread_key = $4 AND ci.value = $5"
              + " AND i.customer_id = $6 AND m.content->>'text' = 'hello'",
          r.messageId().value(), c.externalId(), r.interactionId().value(), c.threadKey(), c.sender().value(),
          r.customerId().value())).as("contact %d stored as its caller was told", i).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'event.interaction.created'"
          + " AND payload->>'interactionId' = $1", r.interactionId().toString())).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM interaction_transitions WHERE interaction_id = $1 AND to_state = 'created'",
          r.interactionId().value())).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM audit_log WHERE action = 'customer.created' AND entity_id = $1",
          r.customerId().toString())).isEqualTo(1);
    }
    // The router (and every listener on this node) heard of each interaction after its commit.
    IntakeStatementsTest.until(() -> results.stream().allMatch(r -> createdEvents.contains(r.interactionId().toString())));
  }

  @Test
  void oneMessageTwiceInOneBatchIsCreatedOnceAndADuplicateOnce() {
    InboundContact twice = fresh("twice");
    List<InboundContact> contacts = new ArrayList<>(List.of(fresh("lead"), twice, fresh("other"), twice, fresh("more")));

    long fallbacks = intake.batchStats().fallbacks();
    List<IntakeResult> results = succeeded(together(contacts));

    // Kept apart by their shared keys: decided as one by one, never a refused batch.
    assertThat(intake.batchStats().fallbacks()).isEqualTo(fallbacks);

    assertThat(results.get(1).outcome()).isEqualTo(Outcome.CREATED);
    assertThat(results.get(3)).isEqualTo(new IntakeResult(Outcome.DUPLICATE, results.get(1).interactionId(),
        results.get(1).conversationId(), results.get(1).customerId(), results.get(1).messageId()));
    assertThat(storedFor(twice.externalId())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", twice.sender().value())).isEqualTo(1);
    // Delivered again later (another batch): a duplicate too.
    List<IntakeResult> again = succeeded(together(List.of(fresh("lead"), twice, fresh("x"))));
    assertThat(again.get(1).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(again.get(1).messageId()).isEqualTo(results.get(1).messageId());
  }

  @Test
  void twoContactsFromOneNewCustomerInOneBatchMakeOneCustomer() {
    SenderAddress sender = SenderAddress.phone(newMobile());
    List<InboundContact> contacts = List.of(fresh("lead"),
        chat("a-" + UUID.randomUUID(), sender, "t-" + UUID.randomUUID(), "first"), fresh("between"),
        chat("b-" + UUID.randomUUID(), sender, "t-" + UUID.randomUUID(), "second"));

    long fallbacks = intake.batchStats().fallbacks();
    List<IntakeResult> results = succeeded(together(contacts));

    // Kept apart by their shared keys: decided as one by one, never a refused batch.
    assertThat(intake.batchStats().fallbacks()).isEqualTo(fallbacks);

    assertThat(results).extracting(IntakeResult::outcome).containsOnly(Outcome.CREATED);
    assertThat(results.get(1).customerId()).isEqualTo(results.get(3).customerId());
    assertThat(results.get(1).interactionId()).isNotEqualTo(results.get(3).interactionId());
    assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", sender.value())).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM audit_log WHERE action = 'customer.created' AND entity_id = $1",
        results.get(1).customerId().toString())).isEqualTo(1);
  }

  @Test
  void firstMessagesOfOneThreadInOneBatchMakeOneConversationAndOneInteraction() {
    SenderAddress sender = SenderAddress.phone(newMobile());
    String thread = "thread-" + UUID.randomUUID();
    List<InboundContact> contacts = new ArrayList<>();
    contacts.add(fresh("lead"));
    for (int i = 0; i < 6; i++) {
      contacts.add(chat("part" + i + "-" + UUID.randomUUID(), sender, thread, "part " + i));
      contacts.add(fresh("between"));
    }

    long fallbacks = intake.batchStats().fallbacks();
    List<IntakeResult> results = succeeded(together(contacts));

    // Kept apart by their shared keys: decided as one by one, never a refused batch.
    assertThat(intake.batchStats().fallbacks()).isEqualTo(fallbacks);

    List<IntakeResult> parts = List.of(results.get(1), results.get(3), results.get(5), results.get(7), results.get(9),
        results.get(11));
    // In the order they came: the first creates, the rest are appended to it.
    assertThat(parts.get(0).outcome()).isEqualTo(Outcome.CREATED);
    assertThat(parts.subList(1, 6)).extracting(IntakeResult::outcome).containsOnly(Outcome.APPENDED);
    assertThat(parts).extracting(IntakeResult::interactionId).containsOnly(parts.get(0).interactionId());
    assertThat(f.count("SELECT count(*) FROM conversations WHERE channel = 'chat' AND thread_key = $1", thread)).isEqualTo(1);
    assertThat(f.count("SELECT count(*) FROM messages WHERE interaction_id = $1", parts.get(0).interactionId().value()))
        .isEqualTo(6);
    assertThat(f.count("SELECT count(*) FROM outbox WHERE topic = 'event.message.received'"
        + " AND payload->>'interactionId' = $1", parts.get(0).interactionId().toString())).isEqualTo(5);
    assertThat(intake.batchStats().largest()).isGreaterThan(1);
  }

  @Test
  void anIdentityAConcurrentWriterTookFailsNoCallerOfTheBatch() throws Exception {
    String phone = newMobile();
    SenderAddress sender = SenderAddress.phone(phone);
    UUID other = UUID.randomUUID();
    long fallbacks = intake.batchStats().fallbacks();
    // Another node is storing a customer with this phone and has not committed: the batch's look does not see it, its
    // write waits on the identity's unique key and fails once the other commits.
    SqlConnection writer = await(f.db.pool().getConnection());
    try {
      await(writer.query("BEGIN").execute());
      await(writer.preparedQuery("INSERT INTO customers (id, display_name, created_at, updated_at) VALUES ($1, 'Other node',"
          + " now(), now())").execute(io.vertx.sqlclient.Tuple.of(other)));
      await(writer.preparedQuery("INSERT INTO customer_identities (id, customer_id, kind, provider, value, created_at)"
          + " VALUES (gen_random_uuid(), $1, 'phone', '', $2, now())").execute(io.vertx.sqlclient.Tuple.of(other, phone)));
      List<InboundContact> contacts = List.of(fresh("lead"), fresh("a"),
          chat("taken-" + UUID.randomUUID(), sender, "t-" + UUID.randomUUID(), "mine"), fresh("b"));
      CompletableFuture<List<Future<IntakeResult>>> outcome = CompletableFuture.supplyAsync(() -> together(contacts));
      IntakeStatementsTest.until(() -> f.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
          + " AND query LIKE 'WITH c AS%'") > 0);
      await(writer.query("COMMIT").execute());

      List<IntakeResult> results = succeeded(outcome.get(60, TimeUnit.SECONDS));

      assertThat(results).extracting(IntakeResult::outcome).containsOnly(Outcome.CREATED);
      assertThat(results.get(2).customerId().value()).isEqualTo(other);
      assertThat(intake.batchStats().fallbacks()).isGreaterThan(fallbacks);
      assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", phone)).isEqualTo(1);
      for (InboundContact c : contacts) {
        assertThat(storedFor(c.externalId())).isEqualTo(1);
      }
    } finally {
      writer.close();
    }
  }

  @Test
  void aContactPostgresqlRefusesFailsAloneAndTheOthersOfItsBatchAreStored() {
    await(f.db.pool().query("ALTER TABLE messages ADD CONSTRAINT test_refused CHECK (external_id NOT LIKE 'refused-%')"
        + " NOT VALID").execute());
    try {
      long fallbacks = intake.batchStats().fallbacks();
      InboundContact refused = fresh("refused");
      List<InboundContact> contacts = List.of(fresh("lead"), fresh("a"), refused, fresh("b"), fresh("c"));

      List<Future<IntakeResult>> all = together(contacts);

      assertThat(all.get(2).failed()).isTrue();
      assertThat(BackendFailures.unavailable(all.get(2).cause())).as("a refusal, not an outage").isEmpty();
      assertThat(all.get(2).cause()).hasMessageContaining("test_refused");
      for (int i : new int[] {0, 1, 3, 4}) {
        assertThat(all.get(i).succeeded()).as("contact %d: %s", i, all.get(i).cause()).isTrue();
        assertThat(all.get(i).result().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(storedFor(contacts.get(i).externalId())).isEqualTo(1);
      }
      assertThat(intake.batchStats().fallbacks()).isGreaterThan(fallbacks);
      assertThat(storedFor(refused.externalId())).isZero();
      assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", refused.sender().value())).isZero();
      assertThat(f.count("SELECT count(*) FROM conversations WHERE thread_key = $1", refused.threadKey())).isZero();
    } finally {
      await(f.db.pool().query("ALTER TABLE messages DROP CONSTRAINT test_refused").execute());
    }
  }

  @Test
  void postgresqlFailingInTheMiddleOfABatchFailsEveryCallerAsUnavailableAndWritesNothing() {
    // A real failure inside the batch's write: the message of one contact kills the connection (the trigger ends its own
    // backend), as a PostgreSQL restart or a dropped link would.
    await(f.db.pool().query(
        "CREATE OR REPLACE FUNCTION test_die_message() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF NEW.external_id LIKE 'die-%' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;"
            + " RETURN NEW; END $$").execute());
    await(f.db.pool().query("CREATE TRIGGER test_die_message BEFORE INSERT ON messages FOR EACH ROW"
        + " EXECUTE FUNCTION test_die_message()").execute());
    List<InboundContact> batch = List.of(fresh("a"), fresh("die"), fresh("b"), fresh("c"));
    List<InboundContact> contacts = new ArrayList<>();
    contacts.add(fresh("lead"));
    contacts.addAll(batch);
    List<Future<IntakeResult>> all;
    try {
      all = together(contacts);
    } finally {
      // The pool may hand out the killed connection once more before it notices: retry until a live one answers.
      IntakeStatementsTest.until(() -> {
        try {
          await(f.db.pool().query("DROP TRIGGER IF EXISTS test_die_message ON messages").execute());
          return true;
        } catch (AssertionError | RuntimeException e) {
          return false;
        }
      });
    }

    assertThat(all.get(0).succeeded()).isTrue();
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).failed()).as("contact %d", i).isTrue();
      assertThat(BackendFailures.unavailable(all.get(i).cause())).as("contact %d: %s", i, all.get(i).cause()).isPresent();
    }
    for (InboundContact c : batch) {
      assertThat(storedFor(c.externalId())).isZero();
      assertThat(f.count("SELECT count(*) FROM customer_identities WHERE value = $1", c.sender().value())).isZero();
      assertThat(f.count("SELECT count(*) FROM conversations WHERE thread_key = $1", c.threadKey())).isZero();
    }

    // Taken in again (the callers retry): each stored once.
    List<IntakeResult> retried = succeeded(together(batch));
    assertThat(retried).extracting(IntakeResult::outcome).containsOnly(Outcome.CREATED);
    for (InboundContact c : batch) {
      assertThat(storedFor(c.externalId())).isEqualTo(1);
    }
  }

  @Test
  void badInputInABatchIsRefusedAloneAndTheRestIsStored() {
    InboundContact nul = chat("nul-" + UUID.randomUUID(), SenderAddress.phone(newMobile()), "t-" + UUID.randomUUID(),
        "bad \u0000 text");
    InboundContact surrogate = chat("sur-" + UUID.randomUUID(), SenderAddress.phone(newMobile()), "t-" + UUID.randomUUID(),
        "lone \uD800 surrogate");
    InboundContact notAPhone = chat("np-" + UUID.randomUUID(), SenderAddress.phone("not a number"),
        "t-" + UUID.randomUUID(), "hello");
    InboundContact controls = chat("ctl-" + UUID.randomUUID(), SenderAddress.phone(newMobile()), "t-" + UUID.randomUUID(),
        "bell \u0007 and escape \u001b are kept");
    List<InboundContact> contacts = List.of(fresh("lead"), fresh("a"), nul, fresh("b"), surrogate, notAPhone, controls,
        fresh("c"));

    List<Future<IntakeResult>> all = together(contacts);

    for (int i : new int[] {2, 4, 5}) {
      assertThat(all.get(i).failed()).as("contact %d", i).isTrue();
      assertThat(all.get(i).cause()).isInstanceOf(ValidationException.class);
      assertThat(storedFor(contacts.get(i).externalId())).isZero();
    }
    for (int i : new int[] {0, 1, 3, 6, 7}) {
      assertThat(all.get(i).succeeded()).as("contact %d: %s", i, all.get(i).cause()).isTrue();
      assertThat(storedFor(contacts.get(i).externalId())).isEqualTo(1);
    }
    assertThat(f.count("SELECT count(*) FROM messages WHERE external_id = $1 AND content->>'text' = $2",
        controls.externalId(), "bell \u0007 and escape \u001b are kept")).isEqualTo(1);
  }
}
