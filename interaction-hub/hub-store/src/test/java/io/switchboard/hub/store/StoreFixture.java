package io.switchboard.hub.store;

import io.switchboard.hub.testsupport.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** A Vertx and a fresh migrated database of the JVM's embedded PostgreSQL, with raw-SQL row makers. */
final class StoreFixture implements AutoCloseable {
  final Vertx vertx;
  final Database db;
  final Pool pool;
  final Stores stores;

  StoreFixture() {
    vertx = Vertx.vertx();
    db = Database.connect(vertx, TestServers.get().newMigratedDatabase(StoreFixture::migrate), null, 4);
    pool = db.pool();
    stores = Stores.over(db);
  }

  /** Brings the database of {@code url} up to date, as the hub does at start (the JVM's template database). */
  static void migrate(String url) {
    Migrations.apply(PgUrls.parse(url, null));
  }

  Future<?> exec(String sql, Object... params) {
    return pool.preparedQuery(sql).execute(Tuple.from(params));
  }

  /** The UUID PostgreSQL makes of {@code text}'s MD5 ({@code md5(text)::uuid}), as set-based test data names its rows. */
  UUID md5Uuid(String text) {
    return Await.result(pool.preparedQuery("SELECT md5($1)::uuid").execute(Tuple.of(text))).iterator().next().getUUID(0);
  }

  UUID customer(String name) {
    UUID id = UUID.randomUUID();
    Await.result(exec("INSERT INTO customers (id, display_name) VALUES ($1, $2)", id, name));
    return id;
  }

  UUID conversation(UUID customer, String channel, String threadKey) {
    UUID id = UUID.randomUUID();
    Await.result(
        exec("INSERT INTO conversations (id, customer_id, channel, thread_key) VALUES ($1, $2, $3, $4)",
            id, customer, channel, threadKey));
    return id;
  }

  UUID interaction(UUID conversation, UUID customer, String channel, String externalId) {
    UUID id = UUID.randomUUID();
    Await.result(
        exec("INSERT INTO interactions (id, conversation_id, customer_id, channel, external_id, state)"
                + " VALUES ($1, $2, $3, $4, $5, 'created')",
            id, conversation, customer, channel, externalId));
    return id;
  }

  Future<?> message(UUID conversation, UUID interaction, String channel, String externalId) {
    return exec(
        "INSERT INTO messages (id, conversation_id, interaction_id, channel, external_id, direction, content_type,"
            + " content, status) VALUES ($1, $2, $3, $4, $5, 'inbound', 'text', $6, 'received')",
        UUID.randomUUID(), conversation, interaction, channel, externalId, new JsonObject().put("text", "hi"));
  }

  @Override
  public void close() {
    db.close();
    Await.result(vertx.close());
  }
}
