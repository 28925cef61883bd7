package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.InteractionId;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Queueing's one read ({@link RoutingStore#queueContext}) and the sticky agent's ({@link RoutingStore#stickyAgent}) find
 * the customer's last agent through the index of a customer's interactions, in the plans PostgreSQL runs for the hub's
 * prepared statements, custom and generic, executed: over 4,000 customers (6 % merged, some through a chain of two),
 * each with an interaction answered in the last day, after ANALYZE. Issue 12: the load benchmark measured this read at
 * 0.9-1.8 ms, its generic plan a sequential scan of every interaction, so its cost grew with the table.
 */
class QueueContextPlanTest {
  private static final int CUSTOMERS = 4_000;
  private static final UUID AGENT = UUID.randomUUID();
  private static final UUID STICKY = UUID.randomUUID();
  private static StoreFixture f;
  private static UUID customer;
  private static UUID conversation;
  private static UUID queued;

  @BeforeAll
  static void start() {
    f = new StoreFixture();
    for (UUID a : new UUID[] {AGENT, STICKY}) {
      Await.result(f.exec("INSERT INTO agents (id, username, display_name, role, password_hash)"
          + " VALUES ($1, $2, 'Planner', 'agent', 'x')", a, "planner-" + a));
    }
    // In each group of 50, customers 1 and 2 merged into 10, and 3 into 2 (a chain of two): 6 % of all.
    Await.result(f.exec("INSERT INTO customers (id, display_name, merged_into) SELECT md5('q-c' || i)::uuid,"
        + " 'Kunde ' || i, CASE WHEN i % 50 IN (1, 2) THEN md5('q-c' || (i - i % 50 + 10))::uuid"
        + " WHEN i % 50 = 3 THEN md5('q-c' || (i - 1))::uuid END FROM generate_series(1, " + CUSTOMERS + ") AS i"));
    Await.result(f.exec("INSERT INTO conversations (id, customer_id, channel) SELECT md5('q-v' || i)::uuid,"
        + " md5('q-c' || i)::uuid, 'chat' FROM generate_series(1, " + CUSTOMERS + ") AS i"));
    // Everyone's contact answered by AGENT in the last day; customer 10's (the golden record of 1, 2 and 3) by STICKY,
    // the latest of the four.
    Await.result(f.exec("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state, agent_id,"
        + " answered_at, ended_at) SELECT md5('q-x' || i)::uuid, md5('q-v' || i)::uuid, md5('q-c' || i)::uuid, 'chat',"
        + " 'q-' || i, 'ended', CASE WHEN i = 10 THEN $1 ELSE $2 END, now() - make_interval(mins => CASE WHEN i = 10"
        + " THEN 1 ELSE 10 + i % 600 END), now() FROM generate_series(1, " + CUSTOMERS + ") AS i", STICKY, AGENT));
    customer = uuidOf("q-c3");
    conversation = f.conversation(customer, "chat", "q-thread");
    queued = f.interaction(conversation, customer, "chat", "q-queued");
    Await.result(f.pool.query("ANALYZE").execute());
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static UUID uuidOf(String text) {
    return f.md5Uuid(text);
  }

  private static void readsInteractionsThroughAnIndex(String statement, String... arguments) {
    for (boolean generic : new boolean[] {false, true}) {
      JsonObject plan = Plans.executed(f.pool, statement, generic, arguments);
      assertThat(Plans.reading(plan, "interactions")).extracting(n -> n.getString("Node Type"))
          .as("%s plan: how interactions (%,d rows) are read%n%s", generic ? "generic" : "custom", CUSTOMERS + 1,
              plan.encodePrettily())
          .isNotEmpty()
          .doesNotContain("Seq Scan");
    }
  }

  @Test
  void queueingReadsTheStickyAgentThroughTheIndexOfACustomersInteractions() {
    readsInteractionsThroughAnIndex(RoutingStore.QUEUE_CONTEXT, "'" + queued + "'", "now() - interval '7 days'");
  }

  @Test
  void theStickyAgentAloneIsReadThroughTheSameIndex() {
    readsInteractionsThroughAnIndex(RoutingStore.STICKY_AGENT, "'" + customer + "'", "now() - interval '7 days'",
        "'" + conversation + "'");
  }

  @Test
  void theStickyAgentIsTheLastToAnswerAnyoneMergedWithTheCustomerWithinTheWindow() {
    Instant weekAgo = Instant.now().minus(7, ChronoUnit.DAYS);
    var context = Await.result(f.stores.routing().queueContext(f.pool, new InteractionId(queued), weekAgo)).orElseThrow();
    assertThat(context.stickyAgent()).as("customer 3, merged through 2 into 10, last answered by STICKY").isEqualTo(STICKY);
    assertThat(Await.result(f.stores.routing().stickyAgent(f.pool, customer, weekAgo, conversation))).contains(STICKY);
    assertThat(Await.result(f.stores.routing().queueContext(f.pool, new InteractionId(queued), Instant.now())).orElseThrow()
        .stickyAgent()).as("nobody answered since now").isNull();
  }
}
