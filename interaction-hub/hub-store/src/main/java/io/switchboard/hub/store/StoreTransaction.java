package io.switchboard.hub.store;

import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;

/**
 * An open transaction, handed to the work of {@link Database#transaction}: hub-core passes it to the store methods
 * whose statements must commit or roll back together, and cannot run SQL with it. It is valid only while that work's
 * future is pending; {@link Database#transaction} commits when the future succeeds and rolls back when it fails.
 *
 * <p>Store methods that only make sense inside a transaction (row locks, writes that must land together) take a
 * {@code StoreTransaction}; reads that may run either way take a {@link StoreScope}.
 */
public final class StoreTransaction extends StoreScope {
  private final SqlConnection connection;

  StoreTransaction(SqlConnection connection) {
    this.connection = connection;
  }

  @Override
  SqlClient client() {
    return connection;
  }
}
