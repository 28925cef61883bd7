package io.switchboard.hub.store;

import io.vertx.sqlclient.SqlClient;

/**
 * Where a store's statements run, as hub-core sees it: an opaque handle, either the {@link Database} itself (each
 * statement on its own, on the pool) or an open {@link StoreTransaction}. hub-core passes a scope to store methods and
 * never holds a SQL client; only the stores in this package reach the client behind it.
 *
 * <p>The model is vertx-sql-client's {@code SqlClient}, which is a pool or a connection alike, kept inside hub-store
 * the way Apache James keeps its implementations behind an {@code api} module.
 */
public abstract sealed class StoreScope permits Database, StoreTransaction {
  StoreScope() {}

  /** The client the statements run on: the pool, or the transaction's connection. */
  abstract SqlClient client();
}
