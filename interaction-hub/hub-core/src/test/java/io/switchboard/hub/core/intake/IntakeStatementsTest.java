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
import io.switchboard.hub.core.CoreFixture;
import io.switchboard.hub.core.outbox.OutboxRelay;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What one intake costs PostgreSQL, counted by PostgreSQL itself ({@code pg_stat_statements}, loaded by the test
 * servers): statements and commits per contact, including the outbox relay's share, until the event is on the bus
 * and its outbox entry is marked published. Issue 12: one intake cost ~21 statements and ~3 commits end to end.
 */
class IntakeStatementsTest {
  private static final int N = 40;
  private static CoreFixture f;
  private static String relay;
  private static MessageConsumer<JsonObject> created;
  private static MessageConsumer<JsonObject> received;
  private static final Set<String> events = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    f = CoreFixture.start();
    await(f.db.pool().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute());
    created = f.vertx.eventBus().consumer("interaction.created", m -> events.add(m.body().getString("interactionId")));
    received = f.vertx.eventBus().consumer("message.received", m -> events.add(m.body().getString("messageId")));
    await(created.completion());
    await(received.completion());
    // A long timer: passes run because intake asks for them, as in the hub.
    relay = await(f.vertx.deployVerticle(new OutboxRelay(f.stores, Duration.ofMinutes(10))));
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  /**
   * Statements (BEGIN/COMMIT/ROLLBACK apart), explicit commits and the intake's round trips (every statement the
   * server ran, BEGIN and COMMIT included: each is a wait for the hub and a turn of its event loop; the relay's batched
   * marks left out) this database ran so far, and the outbox still pending.
   */
  private record Counts(long statements, long commits, long roundTrips, long pending) {}

  private static Counts counts() {
    // The probe names pg_stat_statements, so it leaves itself out of what it counts.
    Row r = await(f.db.pool().query(
        "SELECT coalesce(sum(calls) FILTER (WHERE upper(query) NOT IN ('BEGIN', 'COMMIT', 'ROLLBACK')), 0) AS statements,"
            + " coalesce(sum(calls) FILTER (WHERE upper(query) = 'COMMIT'), 0) AS commits,"
            // The relay's batched marks apart: how many fall to one contact depends on the machine's speed.
            + " coalesce(sum(calls) FILTER (WHERE query NOT LIKE 'UPDATE outbox SET published_at%'), 0) AS round_trips,"
            + " (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS pending"
            + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND query NOT LIKE '%pg_stat_statements%'").execute()).iterator().next();
    return new Counts(r.getLong("statements"), r.getLong("commits"), r.getLong("round_trips"), r.getLong("pending"));
  }

  /** Runs {@code n} intakes one after the other, waits for every event and a drained outbox; the cost per intake. */
  private static double[] cost(int n, Supplier<InboundContact> next, Outcome expected, boolean event) {
    until(() -> counts().pending() == 0);
    Counts before = counts();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      IntakeResult r = await(f.intake.accept(next.get()));
      assertThat(r.outcome()).isEqualTo(expected);
      keys.add(expected == Outcome.CREATED ? r.interactionId().toString() : r.messageId().toString());
    }
    if (event) {
      until(() -> events.containsAll(keys));
    }
    until(() -> counts().pending() == 0);
    Counts after = counts();
    double statements = (double) (after.statements() - before.statements()) / n;
    double commits = (double) (after.commits() - before.commits()) / n;
    double roundTrips = (double) (after.roundTrips() - before.roundTrips()) / n;
    System.out.printf("intake %s: %.2f statements, %.2f commits and %.2f round trips per contact (%d contacts)%n",
        expected, statements, commits, roundTrips, n);
    return new double[] {statements, commits, roundTrips};
  }

  /** Polls {@code condition} until it holds, for at most 30 s (generous: the machine may be loaded). */
  static void until(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static InboundContact contact(String externalId, SenderAddress sender, String thread) {
    return new InboundContact(Channel.CHAT, externalId, sender, "Stat Counter", thread, List.of(), null,
        new MessageContent.Text("hello"), Map.of("language", "en"), Instant.now());
  }

  @Test
  void aNewContactFromANewCustomerCostsAFewStatementsAndOneCommit() {
    double[] cost = cost(N, () -> contact("new-" + UUID.randomUUID(), SenderAddress.phone(newMobile()),
        "t-" + UUID.randomUUID()), Outcome.CREATED, true);

    assertThat(cost[0]).as("statements per intake").isLessThanOrEqualTo(3.0);
    assertThat(cost[1]).as("commits per intake").isLessThanOrEqualTo(1.1);
    // The look and the write, each on its own (the write is one atomic statement): no BEGIN or COMMIT round trip, and
    // no connection held idle in a transaction while the hub's event loop gets to the next step (before: 4).
    assertThat(cost[2]).as("round trips per intake").isLessThanOrEqualTo(2.0);
  }

  @Test
  void aNewContactFromAKnownCustomerCostsAFewStatementsAndOneCommit() {
    SenderAddress known = SenderAddress.phone(newMobile());
    await(f.intake.accept(contact("first-" + UUID.randomUUID(), known, "t-" + UUID.randomUUID())));

    double[] cost = cost(N, () -> contact("known-" + UUID.randomUUID(), known, "t-" + UUID.randomUUID()),
        Outcome.CREATED, true);

    assertThat(cost[0]).as("statements per intake").isLessThanOrEqualTo(3.0);
    assertThat(cost[1]).as("commits per intake").isLessThanOrEqualTo(1.1);
    // The look and the write, each on its own (the write is one atomic statement): no BEGIN or COMMIT round trip, and
    // no connection held idle in a transaction while the hub's event loop gets to the next step (before: 4).
    assertThat(cost[2]).as("round trips per intake").isLessThanOrEqualTo(2.0);
  }

  @Test
  void theNextMessageOfAnOpenThreadCostsAFewStatementsAndOneCommit() {
    SenderAddress known = SenderAddress.phone(newMobile());
    String thread = "t-" + UUID.randomUUID();
    await(f.intake.accept(contact("first-" + UUID.randomUUID(), known, thread)));

    double[] cost = cost(N, () -> contact("next-" + UUID.randomUUID(), known, thread), Outcome.APPENDED, true);

    assertThat(cost[0]).as("statements per intake").isLessThanOrEqualTo(3.0);
    assertThat(cost[1]).as("commits per intake").isLessThanOrEqualTo(1.1);
    // The look and the write, each on its own (the write is one atomic statement): no BEGIN or COMMIT round trip, and
    // no connection held idle in a transaction while the hub's event loop gets to the next step (before: 4).
    assertThat(cost[2]).as("round trips per intake").isLessThanOrEqualTo(2.0);
  }

  /**
   * Contacts arriving together go in batches (group commit): one look and one write for a whole batch, so the round
   * trips per contact fall well below the two of a contact alone (64 at once with the standard batching: the first
   * alone, the other 63 in one batch: 4 round trips, 0.0625 per contact).
   */
  @Test
  void newContactsArrivingTogetherCostLessThanOneRoundTripEach() {
    until(() -> counts().pending() == 0);
    Counts before = counts();
    int n = 64;
    java.util.concurrent.CompletableFuture<List<io.vertx.core.Future<IntakeResult>>> submitted =
        new java.util.concurrent.CompletableFuture<>();
    // Submitted in one task on one event loop, so all are waiting before the first batch's answer is handled.
    f.vertx.getOrCreateContext().runOnContext(v -> {
      List<io.vertx.core.Future<IntakeResult>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(f.intake.accept(contact("together-" + UUID.randomUUID(), SenderAddress.phone(newMobile()),
            "t-" + UUID.randomUUID())));
      }
      submitted.complete(all);
    });
    List<IntakeResult> results;
    try {
      results = submitted.get(30, java.util.concurrent.TimeUnit.SECONDS).stream().map(CoreFixture::await).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(results).extracting(IntakeResult::outcome).containsOnly(Outcome.CREATED);
    until(() -> results.stream().allMatch(r -> events.contains(r.interactionId().toString())));
    // Every outbox entry is marked published by the relay's batched marks (each caller got its own entry's id).
    until(() -> counts().pending() == 0);
    Counts after = counts();
    double statements = (double) (after.statements() - before.statements()) / n;
    double commits = (double) (after.commits() - before.commits()) / n;
    double roundTrips = (double) (after.roundTrips() - before.roundTrips()) / n;
    System.out.printf("intake of %d together: %.3f statements, %.3f commits and %.3f round trips per contact%n", n,
        statements, commits, roundTrips);
    assertThat(roundTrips).as("round trips per intake").isLessThanOrEqualTo(0.5);
    assertThat(commits).as("explicit commits per intake").isZero();
  }

  @Test
  void aRedeliveryCostsOneStatementAndWritesNothing() {
    InboundContact once = contact("dup-" + UUID.randomUUID(), SenderAddress.phone(newMobile()), "t-" + UUID.randomUUID());
    await(f.intake.accept(once));

    double[] cost = cost(N, () -> once, Outcome.DUPLICATE, false);

    assertThat(cost[0]).as("statements per intake").isLessThanOrEqualTo(1.0);
    assertThat(cost[2]).as("round trips per intake").isLessThanOrEqualTo(1.0);
  }
}
