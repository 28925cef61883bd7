package io.switchboard.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.hub.api.Agent;
import io.switchboard.hub.api.AgentId;
import io.switchboard.hub.api.CustomerId;
import io.switchboard.hub.api.Identity;
import io.switchboard.hub.api.IdentityId;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.Role;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The unique constraints intake, agents and API keys rely on to detect duplicates (SQLSTATE 23505). */
class UniqueIndexesTest {
  private static StoreFixture f;
  private static Pool pool;
  private static Stores stores;

  @BeforeAll
  static void start() {
    f = new StoreFixture();
    pool = f.pool;
    stores = f.stores;
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void secondIdentityWithSameKindProviderAndValueIsAUniqueViolation() {
    UUID a = customer("Ada");
    UUID b = customer("Bea");
    String insert =
        "INSERT INTO customer_identities (id, customer_id, kind, provider, value) VALUES ($1, $2, $3, $4, $5)";
    Await.result(exec(insert, UUID.randomUUID(), a, "phone", "", "+49301111111"));

    Throwable e = Await.failure(exec(insert, UUID.randomUUID(), b, "phone", "", "+49301111111"));

    assertThat(UniqueViolation.is(e)).isTrue();
    assertThat(UniqueViolation.on(e, "customer_identities_kind_provider_value_key")).isTrue();
    // The same value under another kind or provider is a different identity.
    Await.result(exec(insert, UUID.randomUUID(), b, "handle", "whatsapp", "+49301111111"));
    // The store's own insert reports the clash as "not inserted" rather than failing.
    Optional<Identity> again =
        Await.result(f.db.transaction(tx ->
            stores.customers()
                .insertIdentity(
                    tx,
                    new Identity(IdentityId.random(), new CustomerId(b), IdentityKind.PHONE, "", "+49301111111",
                        Instant.now()))));
    assertThat(again).isEmpty();
  }

  @Test
  void sameExternalIdTwiceOnOneChannelIsAUniqueViolationForInteractionsAndMessages() {
    UUID customer = customer("Cy");
    UUID conversation = conversation(customer, "chat", null);
    UUID first = interaction(conversation, customer, "chat", "ext-1");
    Await.result(message(conversation, first, "chat", "ext-1"));

    Throwable dupInteraction =
        Await.failure(
            exec("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state)"
                    + " VALUES ($1, $2, $3, 'chat', 'ext-1', 'created')",
                UUID.randomUUID(), conversation, customer));
    Throwable dupMessage = Await.failure(message(conversation, first, "chat", "ext-1"));

    assertThat(UniqueViolation.is(dupInteraction)).isTrue();
    assertThat(UniqueViolation.on(dupInteraction, "interactions_channel_external_id_key")).isTrue();
    assertThat(UniqueViolation.is(dupMessage)).isTrue();
    assertThat(UniqueViolation.on(dupMessage, MessageStore.EXTERNAL_ID_INDEX)).isTrue();
    // Another channel has its own id space; messages without an external id never clash.
    UUID email = interaction(conversation, customer, "email", "ext-1");
    Await.result(message(conversation, email, "email", "ext-1"));
    Await.result(message(conversation, email, "email", null));
    Await.result(message(conversation, email, "email", null));
  }

  @Test
  void onlyOneOpenConversationPerThreadButClosedOnesDoNotCount() {
    UUID customer = customer("Dee");
    UUID open = conversation(customer, "social", "thread-9");

    Throwable dup =
        Await.failure(
            exec("INSERT INTO conversations (id, customer_id, channel, thread_key) VALUES ($1, $2, 'social', 'thread-9')",
                UUID.randomUUID(), customer));
    assertThat(UniqueViolation.on(dup, "conversations_open_thread")).isTrue();

    Await.result(exec("UPDATE conversations SET status = 'closed', closed_at = now() WHERE id = $1", open));
    conversation(customer, "social", "thread-9");
    // Conversations without a thread key never clash.
    conversation(customer, "social", null);
    conversation(customer, "social", null);
  }

  @Test
  void aCustomerHasAtMostOneLiveMerge() {
    UUID survivor = customer("Eve");
    UUID other = customer("Eva");
    UUID merged = customer("Evie");
    String insert = "INSERT INTO customer_merges (id, survivor_id, merged_id, merged_by) VALUES ($1, $2, $3, 'test')";
    UUID mergeId = UUID.randomUUID();
    Await.result(exec(insert, mergeId, survivor, merged));

    Throwable dup = Await.failure(exec(insert, UUID.randomUUID(), other, merged));
    assertThat(UniqueViolation.on(dup, "customer_merges_live")).isTrue();

    Await.result(exec("UPDATE customer_merges SET undone_at = now(), undone_by = 'test' WHERE id = $1", mergeId));
    Await.result(exec(insert, UUID.randomUUID(), other, merged));
  }

  @Test
  void takenUsernameViolatesTheConstraintAgentStoreNames() {
    Agent agent = agent("sam");
    Await.result(f.db.inTransaction(tx -> stores.agents().insert(tx, agent, "hash", Set.of())));

    Throwable dup = Await.failure(f.db.inTransaction(tx -> stores.agents().insert(tx, agent("sam"), "hash", Set.of())));

    assertThat(UniqueViolation.is(dup)).isTrue();
    assertThat(UniqueViolation.on(dup, AgentStore.USERNAME_CONSTRAINT)).isTrue();
  }

  @Test
  void takenApiKeyNameViolatesTheConstraintApiKeyStoreNames() {
    Await.result(stores.apiKeys().insert(pool, UUID.randomUUID(), "crm", "hash-1", Set.of("inbound"), "test"));

    Throwable dupName =
        Await.failure(stores.apiKeys().insert(pool, UUID.randomUUID(), "crm", "hash-2", Set.of("inbound"), "test"));
    Throwable dupHash =
        Await.failure(stores.apiKeys().insert(pool, UUID.randomUUID(), "erp", "hash-1", Set.of("inbound"), "test"));

    assertThat(UniqueViolation.on(dupName, ApiKeyStore.NAME_CONSTRAINT)).isTrue();
    assertThat(UniqueViolation.is(dupHash)).isTrue();
    assertThat(UniqueViolation.on(dupHash, ApiKeyStore.NAME_CONSTRAINT)).isFalse();
  }

  @Test
  void otherFailuresAreNotUniqueViolations() {
    Throwable check =
        Await.failure(exec("INSERT INTO customers (id, display_name) VALUES ($1, '')", UUID.randomUUID()));

    assertThat(check).isInstanceOf(PgException.class);
    assertThat(((PgException) check).getSqlState()).isEqualTo("23514");
    assertThat(UniqueViolation.is(check)).isFalse();
    assertThat(UniqueViolation.is(new IllegalStateException("23505"))).isFalse();
    assertThat(UniqueViolation.is(null)).isFalse();
  }

  private static Future<?> exec(String sql, Object... params) {
    return f.exec(sql, params);
  }

  private static UUID customer(String name) {
    return f.customer(name);
  }

  private static UUID conversation(UUID customer, String channel, String threadKey) {
    return f.conversation(customer, channel, threadKey);
  }

  private static UUID interaction(UUID conversation, UUID customer, String channel, String externalId) {
    return f.interaction(conversation, customer, channel, externalId);
  }

  private static Future<?> message(UUID conversation, UUID interaction, String channel, String externalId) {
    return f.message(conversation, interaction, channel, externalId);
  }

  private static Agent agent(String username) {
    return new Agent(AgentId.random(), username, "Sam", Role.AGENT, true, Map.of(), Map.of(), Instant.now());
  }
}
