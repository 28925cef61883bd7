package io.switchboard.hub.core.messaging;

import static io.switchboard.hub.core.CoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.agent.AgentDraft;
import io.switchboard.hub.core.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The delivery relay sends a reply once: attempts count every lease (so an entry whose outcome never gets recorded
 * is given up after {@link DeliveryRelay#MAX_ATTEMPTS}, not re-sent every lease forever), and a provider's acceptance
 * that cannot be written to PostgreSQL is kept and written later instead of sending the reply again.
 *
 * <p>Failures to record are real PostgreSQL errors, raised by a trigger on {@code messages} in this test's database.
 */
class DeliveryRelayTest {
  /** Short, so that several leases run out within a test; the poll interval is shorter still. */
  static final Duration LEASE = Duration.ofSeconds(1);
  static final Duration POLL = Duration.ofMillis(100);

  static CoreFixture f;
  static Principal.Staff staff;

  String deployment;

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
    String username = "relay" + UUID.randomUUID().toString().substring(0, 6);
    Agent agent = await(f.agents.create(CoreFixture.ADMIN, new AgentDraft(username, "Relay Tester", Role.SUPERVISOR,
        "relay-test-password", Map.of(), Map.of())));
    staff = new Principal.Staff(agent.id(), username, Role.SUPERVISOR);
    await(f.db.pool().query("""
        CREATE SEQUENCE test_recording_failures;
        CREATE TABLE test_fail_recording (failures bigint NOT NULL);
        INSERT INTO test_fail_recording VALUES (0);
        CREATE FUNCTION test_fail_sent() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- a sequence is not rolled back with the failed transaction, so it counts the failures raised
          IF NEW.status = 'sent' AND OLD.status <> 'sent'
              AND nextval('test_recording_failures') <= (SELECT failures FROM test_fail_recording) THEN
            RAISE EXCEPTION 'injected: recording the delivery fails';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER test_fail_sent BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION test_fail_sent();
        """).execute());
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @AfterEach
  void undeploy() {
    if (deployment != null) {
      await(f.vertx.undeploy(deployment));
    }
    await(f.db.pool().query("UPDATE test_fail_recording SET failures = 0; SELECT setval('test_recording_failures', 1, false)").execute());
  }

  @Test
  void aDeliveryWhoseRecordingFailsIsRecordedLaterAndNotSentAgain() {
    failRecordings(3);
    CountingAdapter provider = new CountingAdapter(() -> true);
    Message reply = queuedReply();
    deploy(provider);

    awaitTrue("the reply is recorded as sent", () -> status(reply).equals("sent"));
    assertThat(provider.sends.get()).as("times the provider was asked to send the reply").isEqualTo(1);
    assertThat(providerId(reply)).isEqualTo("provider-" + reply.id());
    assertThat(outboxOf(reply).getValue("published_at")).isNotNull();
    // Several more leases pass: nothing is sent again.
    sleep(LEASE.multipliedBy(3));
    assertThat(provider.sends.get()).isEqualTo(1);
  }

  @Test
  void anOutcomeThatCannotBeWrittenForLongIsNeverSentTwice() {
    failRecordings(1_000_000);
    CountingAdapter provider = new CountingAdapter(() -> true);
    Message reply = queuedReply();
    deploy(provider);

    awaitTrue("the provider was asked", () -> provider.sends.get() > 0);
    // Five leases with PostgreSQL refusing every attempt to record it.
    sleep(LEASE.multipliedBy(5));
    assertThat(provider.sends.get()).as("times the provider was asked to send the reply").isEqualTo(1);
    assertThat(status(reply)).isEqualTo("queued");

    // Writing works again: the kept outcome is recorded, still without sending again.
    failRecordings(0);
    awaitTrue("the reply is recorded as sent", () -> status(reply).equals("sent"));
    assertThat(provider.sends.get()).isEqualTo(1);
  }

  @Test
  void attemptsCountEveryLeaseAndTheRelayGivesUpOnAnEntryThatNeverGetsAnOutcome() {
    // A provider that never answers: each lease runs out with no outcome.
    CountingAdapter provider = new CountingAdapter(null);
    Message reply = queuedReply();
    deploy(provider);

    awaitTrue("the reply is given up", () -> status(reply).equals("failed"));
    Row entry = outboxOf(reply);
    // Eight leases were attempts without an outcome; the ninth found them used up and gave up.
    assertThat(entry.getInteger("attempts")).isEqualTo(DeliveryRelay.MAX_ATTEMPTS + 1);
    assertThat(entry.getValue("published_at")).isNotNull();
    assertThat(provider.sends.get()).as("sends").isBetween(1, DeliveryRelay.MAX_ATTEMPTS);
    Row message = await(f.db.pool().preparedQuery("SELECT status_reason FROM messages WHERE id = $1")
        .execute(Tuple.of(reply.id().value()))).iterator().next();
    assertThat(message.getString("status_reason")).contains(Integer.toString(DeliveryRelay.MAX_ATTEMPTS));
    int sends = provider.sends.get();
    sleep(LEASE.multipliedBy(2));
    assertThat(provider.sends.get()).isEqualTo(sends);
  }

  @Test
  void aProvidersRetryAfterIsHonouredForThatMessageWhileOtherMessagesAreDelivered() {
    Message limited = queuedReply();
    Message other = queuedReply();
    CountingAdapter provider = new CountingAdapter(() -> true);
    provider.rateLimited = limited.id().toString();
    deploy(provider);

    awaitTrue("the other reply is sent", () -> status(other).equals("sent"));
    awaitTrue("the rate-limited reply was tried", () -> outboxOf(limited).getString("last_error") != null);
    Row entry = await(f.db.pool().preparedQuery("SELECT extract(epoch FROM next_attempt_at - now()) AS wait FROM outbox"
        + " WHERE topic = 'delivery.send' AND payload->>'messageId' = $1").execute(Tuple.of(limited.id().toString())))
        .iterator().next();
    // The provider asked for 45 s; the relay's own first pause would have been 2 s.
    assertThat(entry.getDouble("wait")).isGreaterThan(30.0);
    assertThat(status(limited)).isEqualTo("queued");
    assertThat(provider.sends.get()).isEqualTo(2);
  }

  @Test
  void aMessageDeletedOrChangedAfterItWasQueuedIsNotSentAndItsEntryIsDone() {
    Message deleted = queuedReply();
    Message sentElsewhere = queuedReply();
    Message madePrivate = queuedReply();
    Message kept = queuedReply();
    await(f.db.pool().preparedQuery("DELETE FROM messages WHERE id = $1").execute(Tuple.of(deleted.id().value())));
    await(f.db.pool().preparedQuery("UPDATE messages SET status = 'sent', provider_message_id = 'elsewhere' WHERE id = $1")
        .execute(Tuple.of(sentElsewhere.id().value())));
    await(f.db.pool().preparedQuery("UPDATE messages SET private = true, direction = 'internal', status = 'received' WHERE id = $1")
        .execute(Tuple.of(madePrivate.id().value())));
    CountingAdapter provider = new CountingAdapter(() -> true);
    deploy(provider);

    awaitTrue("the kept reply is sent", () -> status(kept).equals("sent"));
    for (Message m : List.of(deleted, sentElsewhere, madePrivate)) {
      awaitTrue("the entry of " + m.id() + " is done", () -> outboxOf(m).getValue("published_at") != null);
    }
    assertThat(provider.sends.get()).as("only the reply still queued is sent").isEqualTo(1);
    assertThat(providerId(sentElsewhere)).isEqualTo("elsewhere");
    assertThat(status(madePrivate)).isEqualTo("received");
  }

  @Test
  void theProviderIsGivenTheThreadKeyTheCustomersAddressTheAttributesAndTheAgentsName() {
    Message reply = queuedReply();
    java.util.concurrent.atomic.AtomicReference<OutboundMessage> seen = new java.util.concurrent.atomic.AtomicReference<>();
    CountingAdapter provider = new CountingAdapter(() -> true) {
      @Override
      public Future<DeliveryResult> send(OutboundMessage message) {
        seen.set(message);
        return super.send(message);
      }
    };
    Row expected = await(f.db.pool().preparedQuery("SELECT c.thread_key, m.sender_address FROM messages m"
        + " JOIN conversations c ON c.id = m.conversation_id WHERE m.conversation_id = $1 AND m.direction = 'inbound'")
        .execute(Tuple.of(reply.conversationId().value()))).iterator().next();
    await(f.db.pool().preparedQuery("UPDATE interactions SET attributes = '{\"page\": \"/orders\"}' WHERE id = $1")
        .execute(Tuple.of(reply.interactionId().value())));
    deploy(provider);

    awaitTrue("the reply is sent", () -> status(reply).equals("sent"));
    OutboundMessage out = seen.get();
    assertThat(out.threadKey()).isEqualTo(expected.getString("thread_key"));
    assertThat(out.recipient().value()).isEqualTo(expected.getString("sender_address"));
    assertThat(out.attributes()).containsEntry("page", "/orders");
    assertThat(out.senderName()).isEqualTo("Relay Tester");
    assertThat(out.inReplyTo()).as("the customer's message ids").hasSize(1).allMatch(x -> x.startsWith("relay-"));
    assertThat(outboxOf(reply).getValue("published_at")).isNotNull();
  }

  // ---------------------------------------------------------------------------------------------------------

  /** A chat adapter counting sends; {@code accepts} null means the provider never answers. */
  static class CountingAdapter implements ChannelAdapter {
    final AtomicInteger sends = new AtomicInteger();
    final BooleanSupplier accepts;

    CountingAdapter(BooleanSupplier accepts) {
      this.accepts = accepts;
    }

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public Channel channel() {
      return Channel.CHAT;
    }

    @Override
    public Kind kind() {
      return Kind.MESSAGE;
    }

    @Override
    public Future<Void> start(ChannelContext context) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    /** The message id the provider answers with a rate limit (retry after 45 s). */
    volatile String rateLimited;

    @Override
    public Future<DeliveryResult> send(OutboundMessage message) {
      sends.incrementAndGet();
      if (message.messageId().toString().equals(rateLimited)) {
        return Future.succeededFuture(new DeliveryResult.Failed("429 Too Many Requests: retry after 45", true,
            Duration.ofSeconds(45)));
      }
      if (accepts == null) {
        return Promise.<DeliveryResult>promise().future();
      }
      return Future.succeededFuture(new DeliveryResult.Delivered("provider-" + message.messageId()));
    }
  }

  private void deploy(ChannelAdapter adapter) {
    deployment = await(f.vertx.deployVerticle(new DeliveryRelay(f.stores, (channel, recipient) -> Optional.of(adapter), POLL, LEASE)));
  }

  private static void failRecordings(long n) {
    await(f.db.pool().preparedQuery("UPDATE test_fail_recording SET failures = $1").execute(Tuple.of(n)));
  }

  /** A chat from a new customer, worked by the test's supervisor, with one reply queued for delivery. */
  private static Message queuedReply() {
    String id = "relay-" + UUID.randomUUID();
    IntakeResult r = await(f.intake.accept(new InboundContact(Channel.CHAT, id, SenderAddress.phone(CoreFixture.newMobile()),
        "Rita Relay", "session-" + id, List.of(), null, new MessageContent.Text("hello"), Map.of(), Instant.now())));
    await(f.db.pool().preparedQuery("UPDATE interactions SET state = 'assigned', agent_id = $2 WHERE id = $1")
        .execute(Tuple.of(r.interactionId().value(), staff.agentId().value())));
    MessageService messages = new MessageService(f.vertx, f.stores, f.normalizer);
    return await(messages.write(staff, r.interactionId(), "your order ships today", false));
  }

  private static String status(Message m) {
    return await(f.db.pool().preparedQuery("SELECT status FROM messages WHERE id = $1").execute(Tuple.of(m.id().value())))
        .iterator().next().getString("status");
  }

  private static String providerId(Message m) {
    return await(f.db.pool().preparedQuery("SELECT provider_message_id FROM messages WHERE id = $1")
        .execute(Tuple.of(m.id().value()))).iterator().next().getString("provider_message_id");
  }

  private static Row outboxOf(Message m) {
    return await(f.db.pool().preparedQuery("SELECT attempts, published_at, last_error FROM outbox WHERE topic = 'delivery.send'"
        + " AND payload->>'messageId' = $1").execute(Tuple.of(m.id().toString()))).iterator().next();
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      sleep(Duration.ofMillis(50));
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
